"""Before the vote: stations and mobile boxes (R16, R21), counting staff (R12), ballots issued."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from huanjie.elections.models import Post, StepRecord
from huanjie.elections.voting import services as voting
from huanjie.elections.voting.models import VotingStation

from .voting_helpers import DAY, candidate, election_day

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).replace(" ", "")


def test_mobile_box_zhejiang_needs_approval_lists_and_three_scrutineers(world):
    day = election_day(world, jurisdiction="zhejiang")
    village, township = world.users["village_a1"], world.users["township_a"]
    box = voting.add_station(village, day.election, name="第一流动票箱", kind=VotingStation.MOBILE)
    problems = voting.arrangement_problems(day.election)
    assert len(problems) == 1
    assert (
        "未经乡镇人民政府" in problems[0] and "名单未公布" in problems[0] and "少于规定的3人" in problems[0]
    )
    with pytest.raises(voting.ElectionError):  # only the township approves (R21)
        voting.approve_mobile_box(village, box, DAY - dt.timedelta(days=8))
    # The one date rule: an approval is a fact before the vote, not one ahead of today.
    with pytest.raises(voting.VotingError, match="应早于选举日"):
        voting.approve_mobile_box(township, box, DAY)
    with pytest.raises(voting.VotingError, match="晚于今天"):
        voting.approve_mobile_box(township, box, dt.date.today() + dt.timedelta(days=1))
    with pytest.raises(voting.VotingError, match="应早于选举日"):
        voting.record_mobile_lists(village, box, voter_list_published_on=DAY + dt.timedelta(days=1))
    box.refresh_from_db()
    assert box.township_approved_on is None and box.voter_list_published_on is None
    voting.approve_mobile_box(township, box, DAY - dt.timedelta(days=8))
    voting.record_mobile_lists(
        village,
        box,
        voter_list_published_on=DAY - dt.timedelta(days=7),
        scrutineer_list_published_on=DAY - dt.timedelta(days=7),
    )
    for who in ("li", "wang_son"):
        voting.add_staff(village, box, world.people[who], "scrutineer")
    # two scrutineers are fewer than 3
    assert "监票人2人，少于规定的3人" in voting.arrangement_problems(day.election)[0]
    voting.add_staff(village, box, world.people["wang"], "scrutineer")
    assert voting.arrangement_problems(day.election) == []
    # ZJ Art. 22: published 5 days before (R16): the day after the deadline is refused, the law
    # allows no late notice; a day still ahead is no fact yet.
    with pytest.raises(voting.VotingError, match="已超过期限"):
        voting.publish_arrangements(village, day.election, DAY - dt.timedelta(days=4))
    with pytest.raises(voting.VotingError, match="晚于今天"):
        voting.publish_arrangements(village, day.election, dt.date.today() + dt.timedelta(days=1))
    rec = voting.publish_arrangements(village, day.election, DAY - dt.timedelta(days=6))
    assert rec.key == "voting_arrangements" and StepRecord.objects.filter(election=day.election).count() >= 1


def test_mobile_box_national_has_no_extra_conditions(world):
    day = election_day(world)
    voting.add_station(world.users["village_a1"], day.election, name="流动票箱", kind=VotingStation.MOBILE)
    assert voting.arrangement_problems(day.election) == []


def test_arrangements_deadline_from_engine(world):
    # ZJ Art. 22: 5 days before the election day (R16); national law sets none.
    day = election_day(world, jurisdiction="zhejiang")
    assert voting.arrangements_deadline(day.election) == DAY - dt.timedelta(days=5)
    text = pdf_text(voting.arrangements_notice_pdf(day.election, DAY - dt.timedelta(days=6)))
    assert "中心会场" in text and "2026年3月10日前公布" in text
    # the notice cites the text in force on the election day (ZJ Art. 22 ¶1, R16), not our code
    flat = "".join(text.split())
    assert "《浙江省村民委员会选举办法》（2020年修正文本）第二十二条第一款" in flat and "R16" not in flat


def test_arrangements_no_deadline_national(world):
    day = election_day(world)
    assert voting.arrangements_deadline(day.election) is None
    assert "前公布（R16）" not in pdf_text(voting.arrangements_notice_pdf(day.election))


def test_publish_refused_without_stations(world):
    day = election_day(world, stations=())
    with pytest.raises(voting.VotingError, match="尚未设置中心会场或投票站"):
        voting.publish_arrangements(world.users["village_a1"], day.election, DAY - dt.timedelta(days=6))


def test_staff_relatives_of_candidates_zhejiang(world):
    day = election_day(world, jurisdiction="zhejiang")
    user = world.users["village_a1"]
    station = day.stations[0]
    candidate(day, Post.DIRECTOR, "王建国", person=world.people["wang"])
    # 李秀英 is 王建国's wife: ZJ Art. 22 ¶2 (配偶、父母子女、兄弟姐妹) bars her from counting (R12).
    with pytest.raises(voting.VotingError, match="李秀英不能担任计票人：与候选人王建国系夫妻关系"):
        voting.add_staff(user, station, world.people["li"], "counter")
    with pytest.raises(voting.VotingError, match="候选人不得担任"):
        voting.add_staff(user, station, world.people["wang"], "reader")
    with pytest.raises(voting.VotingError, match="王小明不能担任监票人"):
        voting.add_staff(user, station, world.people["wang_son"], "scrutineer")
    # 发票 is not barred by ZJ: allowed, with a warning to look at
    _, warnings = voting.add_staff(user, station, world.people["li"], "issuer")
    assert warnings and "夫妻" in warnings[0]
    text = pdf_text(voting.staff_notice_pdf(day.election))
    assert "发票人" in text and "李秀英" in text


def test_staff_national_bars_only_the_candidate(world):
    day = election_day(world)
    user = world.users["village_a1"]
    candidate(day, Post.DIRECTOR, "王建国", person=world.people["wang"])
    # national: no relation list (counting_staff.relations empty), the candidate alone is barred
    voting.add_staff(user, day.stations[0], world.people["li"], "counter")
    with pytest.raises(voting.VotingError):
        voting.add_staff(user, day.stations[0], world.people["wang"], "counter")
    # a staff member who becomes a candidate's relative later shows up as a blocking finding
    assert voting.staff_findings(day.election) == []


def test_staff_finding_after_candidate_added(world):
    day = election_day(world, jurisdiction="zhejiang")
    user = world.users["village_a1"]
    voting.add_staff(user, day.stations[0], world.people["li"], "counter")
    candidate(day, Post.DIRECTOR, "王建国", person=world.people["wang"])
    found = voting.staff_findings(day.election)
    assert [(f.name, f.code, f.blocking) for f in found] == [("李秀英", "relative_of_candidate", True)]
    assert any("李秀英" in p for p in voting.arrangement_problems(day.election))


def test_village_ballot_order_is_the_formal_list_order(world):
    day = election_day(world)
    # R70/R15: village lists go by nomination votes (list_order), not by strokes: 赵 (9 strokes)
    # before 丁 (2 strokes) because the list says so.
    candidate(day, Post.DIRECTOR, "赵大", order=1)
    candidate(day, Post.DIRECTOR, "丁二", order=2)
    races = voting.round_races(day.round)
    assert [c["name"] for c in races[0].candidates] == ["赵大", "丁二"]


def test_party_ballot_order_by_strokes(world):
    day = election_day(world)
    day.election.kind = "party_branch"
    day.election.save()
    candidate(day, Post.DIRECTOR, "赵大", order=1)
    candidate(day, Post.DIRECTOR, "丁二", order=2)
    # R55/R69: 丁 (2 strokes) before 赵 (9 strokes)
    assert [c.person.name for c in voting.ordered_candidates(day.election, day.posts[Post.DIRECTOR])] == [
        "丁二",
        "赵大",
    ]


def test_ballots_issued_recorded_and_audited(world):
    day = election_day(world)
    with pytest.raises(voting.VotingError, match="发出选票数"):
        voting.record_ballots_issued(world.users["village_a1"], day.stations[0], -1)
    voting.record_ballots_issued(world.users["village_a1"], day.stations[0], 480)
    day.stations[0].refresh_from_db()
    assert day.stations[0].ballots_issued == 480
    with pytest.raises(voting.ElectionError):  # observers and departments never write
        voting.record_ballots_issued(world.users["observer"], day.stations[0], 1)


def test_double_entry_switch_is_township_decision(world):
    day = election_day(world)
    with pytest.raises(voting.ElectionError):
        voting.set_double_entry(world.users["village_a1"], day.election, True)
    voting.set_double_entry(world.users["township_a"], day.election, True)
    day.election.refresh_from_db()
    assert day.election.double_entry is True


def test_staff_notice_claims_only_what_the_profile_refuses(world):
    """The issue: the notice printed "候选人及其近亲属不担任唱票、计票、监票工作" while a candidate's
    spouse was a counter. Under national law only the candidate is barred: so says the notice."""
    day = election_day(world)
    user = world.users["village_a1"]
    candidate(day, Post.DIRECTOR, "王建国", person=world.people["wang"])
    voting.add_staff(user, day.stations[0], world.people["li"], "counter")  # his wife
    text = pdf_text(voting.staff_notice_pdf(day.election, DAY - dt.timedelta(days=5)))
    assert "李秀英" in text and "候选人不担任唱票、计票、监票工作" in text and "近亲属" not in text


def test_staff_notice_names_the_relatives_a_province_bars(world):
    day = election_day(world, jurisdiction="zhejiang")
    candidate(day, Post.DIRECTOR, "王建国", person=world.people["wang"])
    with pytest.raises(voting.VotingError):
        voting.add_staff(world.users["village_a1"], day.stations[0], world.people["li"], "counter")
    text = pdf_text(voting.staff_notice_pdf(day.election, DAY - dt.timedelta(days=5))).replace("\n", "")
    assert "候选人及其配偶、父母、子女、兄弟姐妹不担任唱票、计票、监票工作" in text
