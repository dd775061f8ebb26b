"""Ballot PDFs (R19): post titles, candidates in the required order, write-in lines, layout."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from huanjie.elections.models import Post
from huanjie.elections.voting import counting, results
from huanjie.elections.voting import services as voting

from .voting_helpers import NATIONAL_CANDIDATES, candidate, election_day, form_data

pytestmark = pytest.mark.django_db


def pages(content: bytes) -> list[str]:
    return [p.extract_text().replace(" ", "") for p in PdfReader(io.BytesIO(content)).pages]


def test_single_sheet_posts_order_and_write_ins(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    content = voting.round_ballot_pdf(day.round)
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox  # A4: 595 × 842 pt
    assert round(float(box.width)) == 595 and round(float(box.height)) == 842
    text = pages(content)[0]
    # posts in rank order with their seats
    assert text.index("一、主任") < text.index("二、副主任") < text.index("三、委员")
    assert "应选3名" in text
    # candidates in the formal list order (R70: list_order), not by strokes: 孙 before 周 before 吴 …
    order = [text.index(n) for n in ("孙立", "周芳", "吴刚", "郑丽", "冯伟")]
    assert order == sorted(order)
    # write-in columns (另选他人), one block per post, and the marking instructions
    assert text.count("另选他人") >= 3
    assert "填票说明" in text


def test_per_post_layout_one_ballot_per_post(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    day.election.ballot_layout = "per_post"
    day.election.save()
    texts = pages(voting.round_ballot_pdf(day.round))
    assert len(texts) == 3
    assert "主任选票" in texts[0] and "张明" in texts[0] and "王强" not in texts[0]
    assert "委员选票" in texts[2] and "冯伟" in texts[2]


def test_women_post_on_zhejiang_ballot(world):
    day = election_day(world, jurisdiction="zhejiang")
    candidate(day, Post.WOMEN_MEMBER, "刘芳", "F", 1)
    candidate(day, Post.DIRECTOR, "张明", "M", 1)
    text = pages(voting.round_ballot_pdf(day.round))[0]
    assert "妇女委员" in text and "只能选女性" in text and "刘芳" in text


def test_tie_revote_ballot_has_only_the_tied(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    user = world.users["village_a1"]
    votes = {
        Post.DIRECTOR: {"张明": 9, "李华": 5},
        Post.DEPUTY: {"王强": 10, "赵敏": 4},
        Post.MEMBER: {"孙立": 12, "周芳": 11, "吴刚": 9, "郑丽": 9, "冯伟": 1},
    }
    counting.save_form(user, day.round, day.stations[0], form_data(day, day.round, (16, 15, 14, 0, 1), votes))
    results.compute_result(user, day.round)
    r2 = results.create_follow_up_round(user, day.round)
    text = pages(voting.round_ballot_pdf(r2))[0]
    assert "得票相等再次投票" in text and "吴刚" in text and "郑丽" in text
    assert "孙立" not in text and "主任" not in text
    assert "另选他人" not in text  # R29: only the tied can be chosen


def test_no_candidates_no_ballot(world):
    day = election_day(world)
    with pytest.raises(voting.VotingError, match="尚无候选人"):
        voting.round_ballot_pdf(day.round)


def test_every_ballot_carries_its_serial_number_and_a_space_for_the_seal(world):
    """The issue: ballots had no serial number and no place for the committee's seal (公章)."""
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    content = voting.round_ballot_pdf(day.round, copies=3)
    with open("/tmp/clerk11-ballot.pdf", "wb") as fh:
        fh.write(content)
    texts = pages(content)
    assert len(texts) == 3
    for k, text in enumerate(texts, 1):
        assert f"No.{k:06d}" in text.replace(" ", "") and "选举委员会盖章" in text
