"""The result documents read back with pypdf: 选举结果公告, 选举结果报告单, 当选证书, 计票单."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from huanjie.elections.aftervote import documents as result_documents
from huanjie.elections.models import Post, Round
from huanjie.elections.services import ElectionError

from .aftervote_helpers import FIRST_ROUND, count_round, counted_election, make_election

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> tuple[list[str], int]:
    reader = PdfReader(io.BytesIO(content))
    # Layout mode keeps each table row on one line; runs of spaces are collapsed to one.
    text = "\n".join(page.extract_text(extraction_mode="layout") for page in reader.pages)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()], len(reader.pages)


def lines_with(lines: list[str], name: str) -> list[str]:
    return [ln for ln in lines if name in ln]


def test_results_notice_prints_the_elected_with_details_and_a_write_in_only_with_votes(world):
    counted = counted_election(world)
    content = result_documents.results_notice_pdf(counted.election)
    assert content.startswith(b"%PDF")
    lines, _ = pdf_text(content)
    text = "".join(lines)
    assert "东山村第十二届村民委员会选举结果公告" in text
    # 40 registered, 38 issued, 36 returned: 36*100/40 = 90 %; valid = 36 - 2 invalid = 34.
    assert "登记选民 40 名" in text and "发出选票 38 张" in text and "收回选票 36 张" in text
    assert "参选率 90.00%" in text and "有效票 34 张" in text and "无效票 2 张" in text
    # The elected: post, name, gender and age on the election day (张国强 born 1970-01-01 + pk*400 days).
    director = counted.people["张国强"]
    age = (
        counted.election.election_date.year
        - director.birth_date.year
        - (
            (counted.election.election_date.month, counted.election.election_date.day)
            < (director.birth_date.month, director.birth_date.day)
        )
    )
    row = lines_with(lines, "张国强")
    assert row and "男" in row[0] and str(age) in row[0] and "24 票" in row[0]
    assert any("陈秀兰" in ln and "女" in ln and "21 票" in ln for ln in lines)
    # Written in and not elected: the name with the vote count and nothing else about the person.
    wu = lines_with(lines, "吴另选")
    assert len(wu) == 1
    assert "2 票" in wu[0] and "另选他人" in wu[0]
    rest = (
        wu[0]
        .replace("吴另选", "")
        .replace("（另选他人）", "")
        .replace("2 票", "")
        .replace("主任", "")
        .strip()
    )
    assert rest == "", f"unexpected details printed for a write-in: {rest!r}"
    assert "男" not in wu[0] and "女" not in wu[0]
    zheng = lines_with(lines, "郑写入")
    assert len(zheng) == 1 and "3 票" in zheng[0] and "男" not in zheng[0]
    # A candidate who was not elected appears with the votes as well (刘德明 7).
    assert any("刘德明" in ln and "7 票" in ln and "男" not in ln for ln in lines)


def test_report_has_the_figures_the_threshold_and_signature_lines(world):
    counted = counted_election(world)
    lines, _ = pdf_text(result_documents.report_pdf(counted.election))
    text = "\n".join(lines)
    assert "选举结果报告单" in text and "清溪镇人民政府" in text
    assert any("登记选民数" in ln and "40 人" in ln for ln in lines)
    assert any("发出选票" in ln and "38 张" in ln for ln in lines)
    assert any("收回选票" in ln and "36 张" in ln for ln in lines)
    # valid 36 - 2 = 34 with 1 blank among them
    assert any("有效选票" in ln and "34 张" in ln and "空白票 1 张" in ln for ln in lines)
    assert any("无效选票" in ln and "2 张" in ln for ln in lines)
    # R27: more than half of 36 → 19 votes
    assert any("当选所需票数" in ln and "19 票" in ln and "36" in ln for ln in lines)
    assert any("张国强" in ln and "24 票，当选" in ln for ln in lines)
    assert any("刘德明" in ln and "7 票，未当选" in ln for ln in lines)
    assert any("吴另选（另选他人）" in ln and "2 票，未当选" in ln for ln in lines)
    assert "主任张国强（24 票）" in text.replace("\n", "")
    for label in ("村民选举委员会主任", "监票人", "计票人"):
        assert label in text


def test_report_names_unfilled_seats(world):
    election = make_election(world)
    scenario = {
        **FIRST_ROUND,
        "votes": {**FIRST_ROUND["votes"], Post.DIRECTOR: [("张国强", "M", 18), ("刘德明", "M", 13)]},
    }
    count_round(election, world.users["village_a1"], scenario)
    text = "".join(pdf_text(result_documents.report_pdf(election))[0])
    assert "主任尚缺 1 名，依法另行选举" in text


def test_a_second_round_appears_in_the_notice_and_report(world):
    election = make_election(world)
    first_scenario = {
        **FIRST_ROUND,
        "votes": {**FIRST_ROUND["votes"], Post.DIRECTOR: [("张国强", "M", 18), ("刘德明", "M", 13)]},
    }
    first = count_round(election, world.users["village_a1"], first_scenario)
    runoff = {
        "issued": 38,
        "returned": 30,
        "blank": 0,
        "invalid": 0,
        "votes": {Post.DIRECTOR: [("张国强", "M", 20), ("刘德明", "M", 10)]},
        "write_ins": {},
    }
    count_round(
        election, world.users["village_a1"], runoff, number=2, kind=Round.RUNOFF, created_from=first.round
    )
    text = "".join(pdf_text(result_documents.report_pdf(election))[0])
    # R32: 另行选举 threshold v*3 >= 30 → 10 votes
    assert "第2轮另行选举：" in text and "10 票（得票多且不少于参选人数 30 的三分之一）" in text
    notice = "".join(pdf_text(result_documents.results_notice_pdf(election))[0])
    assert "第2轮（另行选举）于" in notice and "张国强" in notice


def test_certificates_one_page_per_elected_member(world):
    counted = counted_election(world)
    lines, pages = pdf_text(result_documents.certificates_pdf(counted.election))
    assert pages == 3  # 主任, 副主任, 委员
    text = "".join(lines)
    assert text.count("当选证书") == 3
    assert "张国强同志" in text and "当选为村民委员会主任" in text
    assert "陈秀兰同志" in text and "村民委员会副主任" in text
    assert "东山村第十二届村民委员会" in text


def test_no_certificates_without_elected_members(world):
    election = make_election(world)
    with pytest.raises(ElectionError, match="尚无当选人员"):
        result_documents.certificates_pdf(election)
    with pytest.raises(ElectionError, match="尚未计票"):
        result_documents.results_notice_pdf(election)


def test_counting_form_pdf_shows_the_lines_and_totals(world):
    counted = counted_election(world)
    lines, _ = pdf_text(result_documents.counting_form_pdf(counted.form))
    text = "\n".join(lines)
    assert "计票单" in text and "中心会场" in text
    assert any("张国强" in ln and "候选人" in ln and "24" in ln for ln in lines)
    assert any("吴另选" in ln and "另选他人" in ln and "2" in ln for ln in lines)
    joined = text.replace("\n", "")
    # The issue: 有效票 printed with the blanks in it, so the parts summed to more than returned.
    # 36 returned = 33 valid (without blanks) + 1 blank + 2 invalid.
    assert "收回选票 36 张，其中有效票（不含空白票）33 张、空白票 1 张、废票 2 张，合计 36 张。" in joined
    # per post: 主任 24 + 7 + 2 = 33; 副主任 21 + 11 = 32; 委员 20 + 10 + 3 = 33
    assert "主任 33 票" in joined and "副主任 32 票" in joined and "委员 33 票" in joined
    for label in ("唱票人", "计票人", "监票人"):
        assert label in text


def test_report_is_dated_the_day_it_was_filled_in_and_submitted(world):
    """Walking 河西村 (issue 11): the report entered and submitted on 2026-11-30 for a vote of
    2026-11-22 said 填报日期 2026年11月22日. The date is the submission's (today before it)."""
    import datetime as dt

    from django.utils import timezone

    from huanjie.elections.aftervote import services as aftervote
    from huanjie.elections.registration.documents import zh_date
    from huanjie.elections.voting.models import ResultSubmission

    counted = counted_election(world)
    text = "".join(pdf_text(result_documents.report_pdf(counted.election))[0]).replace(" ", "")
    assert f"填报日期：{zh_date(timezone.localdate())}" in text
    aftervote.submit_result(world.users["village_a1"], counted.election)
    sent = timezone.make_aware(dt.datetime(2026, 3, 21, 9, 30))
    ResultSubmission.objects.filter(election=counted.election).update(submitted_at=sent)
    election = type(counted.election).objects.get(pk=counted.election.pk)
    text = "".join(pdf_text(result_documents.report_pdf(election))[0]).replace(" ", "")
    assert "填报日期：2026年3月21日" in text
