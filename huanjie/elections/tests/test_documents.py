"""The voter list notice and voter cards as PDF: the text read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from huanjie.accounts.models import AuditRecord
from huanjie.elections import services
from huanjie.elections.models import VoterRegistration
from huanjie.elections.registration import documents

from .workflow_helpers import ELECTION_DAY, make_person, past_campaign, register

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def election(world):
    campaign = past_campaign(world)
    e = services.create_election(world.users["township_a"], campaign, world.village_a1, ELECTION_DAY)
    a1 = world.village_a1
    voters = [
        world.people["wang"],  # 第一村民小组
        world.people["li"],  # 第一村民小组
        make_person("陈红梅", "F", dt.date(1988, 5, 6), a1, 301, "第二村民小组"),
        make_person("赵志强", "M", dt.date(1975, 9, 9), a1, 302, "第十村民小组"),
        make_person("周淑芬", "F", dt.date(1960, 1, 1), a1, 303, "第二村民小组"),
    ]
    for p in voters:
        register(e, p)
    removed = register(e, world.people["wang_son"])
    removed.status, removed.removed_reason = VoterRegistration.REMOVED, "异议成立"
    removed.save()
    return e


def test_voter_list_notice_groups_by_village_group_and_shows_no_id_numbers(world, election):
    services.record_step(world.users["village_a1"], election, "voter_list_published", dt.date(2026, 2, 25))
    content = documents.voter_notice_pdf(election)
    text = flat(pdf_text(content))
    assert "东山村选民名单公告" in text
    for name in ("王建国", "李秀英", "陈红梅", "赵志强", "周淑芬"):
        assert name in text
    assert "王小明" not in text  # removed from the list
    # public notice: never an ID number, not even part of one
    for reg in VoterRegistration.objects.filter(election=election).select_related("person"):
        assert reg.person.id_number not in text
        assert reg.person.id_number[-6:] not in text
    # grouped by 村民小组 in natural order (二 before 十), each voter under their group
    one, two, ten = text.index("第一村民小组"), text.index("第二村民小组"), text.index("第十村民小组")
    assert one < text.index("王建国") < two < text.index("陈红梅") < ten < text.index("赵志强")
    assert two < text.index("周淑芬") < ten
    # publication 2026-02-25; R10 objections within 5 days → until 2026-03-02; decision within 3 days
    assert "2026年2月25日" in text
    assert "至2026年3月2日前" in text
    assert "3日内作出处理决定" in text
    assert "共登记选民5名（男2名，女3名）" in text
    assert "选举日为2026年3月20日" in text


def test_notice_without_recorded_publication_uses_the_given_day(world, election):
    text = flat(pdf_text(documents.voter_notice_pdf(election, publish_on=dt.date(2026, 2, 27))))
    # 2026-02-27 + 5 days = 2026-03-04 (February 2026 has 28 days)
    assert "2026年2月27日" in text and "至2026年3月4日前" in text


def test_voter_cards_number_every_registered_voter_and_print_eight_a_page(world, election):
    assert documents.assign_card_numbers(world.users["village_a1"], election) == 5
    numbers = dict(
        VoterRegistration.objects.filter(election=election, status="registered").values_list(
            "person__name", "card_number"
        )
    )
    # numbered in list order: 第一组 by surname strokes (王 4 strokes before 李 7), then 第二组 (陈 7 before 周 8)
    assert numbers == {
        "王建国": "00001",
        "李秀英": "00002",
        "陈红梅": "00003",
        "周淑芬": "00004",
        "赵志强": "00005",
    }
    assert documents.assign_card_numbers(world.users["village_a1"], election) == 0
    assert AuditRecord.objects.filter(action="election.voter_cards").count() == 1
    content = documents.voter_cards_pdf(election, issued_on=dt.date(2026, 3, 1))
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1  # 5 cards, 8 a page
    text = flat(reader.pages[0].extract_text())
    assert text.count("选民证") >= 5
    for name, number in numbers.items():
        assert name in text and number in text
    assert "王小明" not in text
    assert "清溪镇东山村" in text
    assert "东山村村民选举委员会" in text and "2026年3月1日" in text
    for reg in VoterRegistration.objects.filter(election=election).select_related("person"):
        assert reg.person.id_number not in text


def test_cards_for_nine_voters_take_two_pages(world, election):
    for i in range(4):
        register(
            election,
            make_person(f"吴{i}", "M", dt.date(1980, 1, 1 + i), world.village_a1, 320 + i, "第三村民小组"),
        )
    assert len(PdfReader(io.BytesIO(documents.voter_cards_pdf(election))).pages) == 2  # 9 cards, 8 a page


def test_cards_need_registered_voters(world):
    campaign = past_campaign(world)
    e = services.create_election(world.users["township_a"], campaign, world.village_a2, ELECTION_DAY)
    with pytest.raises(services.ElectionError, match="还没有登记选民"):
        documents.voter_cards_pdf(e)


def test_voter_cards_say_the_election_day_and_where_to_vote(world, election):
    """The issue: cards lacked the election day and the polling place."""
    from huanjie.elections.voting.models import VotingStation

    with open("/tmp/clerk11-cards-before.pdf", "wb") as fh:
        fh.write(documents.voter_cards_pdf(election))
    text = flat(PdfReader(io.BytesIO(documents.voter_cards_pdf(election))).pages[0].extract_text())
    assert "选举日期" in text and "2026年3月20日" in text and "见投票选举事项公告" in text
    VotingStation.objects.create(election=election, name="中心会场", kind="central", location="村委会大院")
    VotingStation.objects.create(election=election, name="第二村民小组投票站", kind="station", location="二组晒场")
    content = documents.voter_cards_pdf(election)
    with open("/tmp/clerk11-cards.pdf", "wb") as fh:
        fh.write(content)
    text = flat(PdfReader(io.BytesIO(content)).pages[0].extract_text())
    assert "中心会场（村委会大院）" in text and "第二村民小组投票站（二组晒场）" in text
