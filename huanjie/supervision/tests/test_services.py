"""The 村务监督委员会's choice on the one election machinery: creation, the P6 check when a candidate
is proposed, before the vote and on the result, the meeting's quorum (R71, R38), the count and the
result documents worded for the kind."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from huanjie.accounts.models import AuditRecord
from huanjie.elections import services as elections
from huanjie.elections.aftervote import documents as result_documents
from huanjie.elections.aftervote import services as aftervote
from huanjie.elections.models import Candidate, ElectedMember, Election
from huanjie.elections.voting import results
from huanjie.elections.voting import services as voting
from huanjie.elections.voting.counting import CountingError, FormData, LineData, save_form
from huanjie.supervision import documents, services
from huanjie.supervision.models import Nominee, Supervision

from .helpers import days, supervision, villager, villagers_committee

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))


def test_create_checks_body_size_and_role_and_makes_the_posts(world):
    d = days(world)
    township = world.users["township_a"]
    with pytest.raises(services.SupervisionError) as exc:
        services.create_supervision(township, world.campaign, world.village_a1, d["meeting"], body="assembly", size=6)
    assert "「推选会议」" in str(exc.value) and "「成员人数」" in str(exc.value) and "3 至 5" in str(exc.value)
    with pytest.raises(services.SupervisionError, match="不能建立"):
        services.create_supervision(world.users["village_a1"], world.campaign, world.village_a1, d["meeting"],
                                    body="villagers_meeting", size=3)
    assert not Election.objects.filter(kind=Election.VILLAGE_SUPERVISION).exists()
    sv = supervision(world, d, size=5)
    e = sv.election
    assert e.title == "东山村第十二届村务监督委员会推选"
    assert [(p.name, p.seats) for p in e.posts.all()] == [("主任", 1), ("委员", 4)]
    assert [s.key for s in elections.timeline(e)] == ["candidates_checked", "election_day"]
    assert AuditRecord.objects.filter(action="supervision.create").count() == 1
    with pytest.raises(services.SupervisionError, match="已经建立"):
        supervision(world, d)


def test_incompatible_candidates_are_refused_with_the_reason_per_person(world):
    d = days(world)
    villagers_committee(world, d)
    sv = supervision(world, d)
    clerk = world.users["village_a1"]
    accountant = villager(world.village_a1, "钱会计")
    n = services.add_candidate(clerk, sv, accountant, services.MEMBER, roles=["accountant"], on=d["check"])
    assert n.candidate.status == Candidate.DISQUALIFIED
    assert n.refusals == ["村会计（报账员）不得担任村务监督委员会成员"]
    # a candidate of the new villagers' committee, and his wife (near relative)
    wang = services.add_candidate(clerk, sv, world.people["wang"], services.DIRECTOR, on=d["check"])
    assert wang.refusals == ["村民委员会成员不得担任村务监督委员会成员"]
    li = services.add_candidate(clerk, sv, world.people["li"], services.MEMBER, on=d["check"])
    assert li.refusals == ["与村民委员会成员（候选人）王建国系夫妻关系，不得担任村务监督委员会成员"]
    sent = services.add_candidate(clerk, sv, villager(world.village_a1, "郑派员"), services.MEMBER,
                                  roles=["appointed"], on=d["check"])
    assert "委派" in sent.refusals[0]
    assert AuditRecord.objects.filter(action="supervision.candidate_refused").count() == 4
    ok = services.add_candidate(clerk, sv, villager(world.village_a1, "周监督"), services.MEMBER, accounting=True)
    assert ok.refusals == [] and ok.candidate.status == Candidate.ACTIVE
    # bad input: named field, nothing saved
    before = Nominee.objects.count()
    with pytest.raises(services.SupervisionError, match="在其他地区"):  # out of the village's scope: no name
        services.add_candidate(clerk, sv, world.people["zhao"], services.MEMBER)
    with pytest.raises(services.SupervisionError, match="「姓名」：赵丽户籍和居住地都不在东山村"):
        services.add_candidate(world.users["township_a"], sv, world.people["zhao"], services.MEMBER)
    with pytest.raises(services.SupervisionError, match="「姓名」.*已在候选人名单中"):
        services.add_candidate(clerk, sv, ok.candidate.person, services.MEMBER)
    with pytest.raises(services.SupervisionError, match="「职务」"):
        services.add_candidate(clerk, sv, villager(world.village_a1, "吴某"), "secretary")
    # a villager who turns 18 the day after the meeting; on the day itself is old enough (R5)
    eve = d["meeting"].replace(year=d["meeting"].year - 18) + dt.timedelta(days=1)
    with pytest.raises(services.SupervisionError, match=f"「姓名」：少年.*推选会议日 {d['meeting'].isoformat()} 未满十八周岁"):
        services.add_candidate(clerk, sv, villager(world.village_a1, "少年", birth=eve), services.MEMBER)
    of_age = services.add_candidate(clerk, sv, villager(world.village_a1, "成年", birth=eve - dt.timedelta(days=1)),
                                    services.MEMBER)
    before += 1
    assert of_age.candidate.status == Candidate.ACTIVE
    with pytest.raises(services.SupervisionError, match="「现任职务」"):
        services.add_candidate(clerk, sv, villager(world.village_a1, "冯某"), services.MEMBER, roles=["mayor"])
    assert Nominee.objects.count() == before
    with pytest.raises(services.SupervisionError, match="不能提出"):
        services.add_candidate(world.users["observer"], sv, villager(world.village_a1, "褚某"), services.MEMBER)


def test_meeting_attendance_errors_name_the_field_and_save_nothing(world):
    d = days(world)
    sv = supervision(world, d, body="villagers_meeting")
    clerk = world.users["village_a1"]
    for kwargs, words in [
        ({"members": "", "present": "10"}, "「本村十八周岁以上村民人数」：请填写人数"),
        ({"members": "600", "present": "三百"}, "「到会人数」：应为不小于 0 的整数，收到“三百”"),
        ({"members": "600", "present": "601"}, "「到会人数」：到会601人，多于本村十八周岁以上村民600人"),
        ({"members": "600", "present": "200", "households": "300"}, "两项都要填写"),
        ({"members": "600", "present": "200", "households": "300", "households_present": "301"}, "「到会户代表数」"),
    ]:
        with pytest.raises(services.SupervisionError) as exc:
            services.record_meeting(clerk, sv, **kwargs)
        assert words in str(exc.value)
    sv.refresh_from_db()
    assert (sv.members, sv.present) == (None, None)
    services.record_meeting(clerk, sv, members="600", present="300")
    q = services.quorum(sv)
    assert q["quorum_met"] is False and "300×2=600 ≤ 600" in q["text"]
    services.record_meeting(clerk, sv, members="600", present="250", households="300", households_present="200")
    assert services.quorum(sv)["quorum_met"] is True  # two thirds of the households came


def _ready_list(world, d, sv, accounting=True):
    clerk = world.users["village_a1"]
    chosen = [villager(world.village_a1, name, g) for name, g in (("周监督", "M"), ("吴监督", "F"), ("郑监督", "M"),
                                                                 ("孔监督", "F"))]
    services.add_candidate(clerk, sv, chosen[0], services.DIRECTOR)
    for p in chosen[1:]:
        services.add_candidate(clerk, sv, p, services.MEMBER, accounting=accounting and p.name == "吴监督")
    return chosen


def _count(world, sv, votes: dict[str, int], returned: int):
    township, clerk = world.users["township_a"], world.users["village_a1"]
    e = sv.election
    station = voting.add_station(township, e, name="村民代表会议会场")
    rnd = e.rounds.get(number=1)
    lines = [LineData(e.posts.get(code=services.DIRECTOR if name == "周监督" else services.MEMBER).pk, name, n)
             for name, n in votes.items()]
    save_form(clerk, rnd, station, FormData(returned, returned, returned, 0, 0, lines))
    return results.compute_result(clerk, rnd)


def test_the_list_is_checked_again_before_the_meeting_and_the_quorum_gates_the_count(world):
    d = days(world)
    committee = villagers_committee(world, d)
    sv = supervision(world, d)
    clerk = world.users["village_a1"]
    chosen = _ready_list(world, d, sv)
    e = sv.election
    assert "候选人名单尚未进行资格把关" in services.voting_blockers(e)
    # after the list was proposed, 孔监督 married a candidate of the villagers' committee
    from huanjie.people.models import Relation

    Relation.objects.create(elder=committee[1], younger=chosen[3], kind="spouse")
    with pytest.raises(elections.VotingBlocked) as exc:
        elections.open_voting(clerk, e)
    assert any("孔监督" in b and "刘村委" in b for b in exc.value.blockers)
    found = services.check_list(clerk, sv, d["check"])
    assert [n.candidate.person.name for n, _r in found["refused"]] == ["孔监督"]
    assert Candidate.objects.get(election=e, person=chosen[3]).status == Candidate.DISQUALIFIED
    assert elections.timeline(e)[0].done_on == d["check"]
    e = elections.open_voting(clerk, e)
    station = voting.add_station(world.users["township_a"], e, name="会场")
    with pytest.raises(CountingError, match="尚未登记村民代表会议的到会人数"):
        save_form(clerk, e.rounds.get(number=1), station, FormData(30, 30, 30, 0, 0, []))
    services.record_meeting(clerk, sv, members=45, present=29)
    with pytest.raises(CountingError, match="29×3=87 < 45×2=90"):
        save_form(clerk, e.rounds.get(number=1), station, FormData(29, 29, 29, 0, 0, []))
    with pytest.raises(services.SupervisionError, match="已提交会议表决"):
        services.add_candidate(clerk, sv, villager(world.village_a1, "新人"), services.MEMBER)


def test_count_result_recheck_submission_and_documents(world):
    d = days(world)
    committee = villagers_committee(world, d)
    sv = supervision(world, d)
    clerk = world.users["village_a1"]
    chosen = _ready_list(world, d, sv)
    services.check_list(clerk, sv, d["check"])
    sv.election = elections.open_voting(clerk, sv.election)
    services.record_meeting(clerk, sv, members=45, present=30)
    rr = _count(world, sv, {"周监督": 28, "吴监督": 25, "郑监督": 16, "孔监督": 15}, 30)
    out = rr.output
    # base = 30 present (R38: decisions by more than half of those present): 16 votes elect, 15 do not
    assert out["election_valid"] and out["participation_base"] == 30 and out["threshold"] == 16
    assert [(m["name"], m["post"]) for m in out["elected"]] == [("周监督", "主任"), ("吴监督", "委员"), ("郑监督", "委员")]
    assert out["input"]["meeting"] == {"body": "representatives_meeting", "members": 45, "present": 30,
                                       "households": None, "households_present": None}
    findings = services.result_findings(sv.election)
    assert findings["refused"] == [] and findings["warnings"] == []
    # the result is checked again: 郑监督 turns out to be the son of a villagers' committee member
    from huanjie.people.models import Relation

    rel = Relation.objects.create(elder=committee[2], younger=chosen[2], kind="parent")
    problems = aftervote.result_blockers(sv.election)
    assert any("郑监督" in p and "陈村委" in p for p in problems)
    with pytest.raises(aftervote.AfterVoteError, match="郑监督"):
        aftervote.submit_result(clerk, sv.election)
    rel.delete()
    aftervote.submit_result(clerk, sv.election)
    e = Election.objects.get(pk=sv.election.pk)
    assert e.stage == Election.SUBMITTED
    notice = pdf_text(result_documents.results_notice_pdf(e))
    assert "东山村第十二届村务监督委员会推选结果公告" in notice and "村民代表会议组成人员45名" in notice
    assert "村民代表会议到会人数符合规定，推选有效" in notice and "东山村村民委员会" in notice
    assert "村务监督委员会推选于" in notice and "现将推选结果公告如下" in notice
    report = pdf_text(result_documents.report_pdf(e))
    assert "东山村第十二届村务监督委员会推选结果报告单" in report
    certs = pdf_text(result_documents.certificates_pdf(e))
    assert "周监督" in certs and "村务监督委员会主任" in certs
    # A walk found "参选率" in the notice and "经…选举，当选为" on the certificates of a 推选: the
    # meeting chooses (R38), its ballots returned are a 投票率, and the certificate names the meeting.
    assert "参选率" not in notice and "投票率" in notice
    assert "经东山村村民代表会议推选，当选为东山村第十二届村务监督委员会主任" in certs
    assert "选举" not in certs
    listing = pdf_text(documents.candidates_pdf(e))
    assert "东山村村务监督委员会成员候选人名单" in listing and "由村民代表会议于" in listing
    assert ElectedMember.objects.filter(election=e, status=ElectedMember.ELECTED).count() == 3
    import zipfile

    from huanjie.elections.aftervote import archive

    with zipfile.ZipFile(io.BytesIO(archive.archive_zip(e))) as zf:
        names = zf.namelist()
    assert any(n.endswith("监委会候选人名单.pdf") for n in names), names
    assert not any("选民名单" in n or "选民证" in n for n in names), names


def test_no_accounting_member_is_a_warning_not_a_refusal(world):
    d = days(world)
    villagers_committee(world, d)
    sv = supervision(world, d)
    _ready_list(world, d, sv, accounting=False)
    assert services.list_findings(sv)["warnings"] == [
        "名单中没有具备财会、管理知识的人员（村务监督委员会成员中应有具备财会、管理知识的人员）"]
    services.check_list(world.users["village_a1"], sv, d["check"])
    assert services.voting_blockers(sv.election) == []


def test_the_party_discipline_member_is_the_default_chair(world):
    d = days(world)
    sv = supervision(world, d)
    assert services.discipline_member(sv.election) is None
    plenary = elections.create_election(world.users["township_a"], world.campaign, world.village_a1, d["vc"],
                                        [("secretary", 1), ("discipline_member", 1)], kind=Election.PARTY_PLENARY)
    post = plenary.posts.get(code="discipline_member")
    ElectedMember.objects.create(election=plenary, round=plenary.rounds.get(number=1), post=post,
                                 person=world.people["wang_son"], name="王小明", votes=5)
    assert services.discipline_member(sv.election) == world.people["wang_son"]
    assert isinstance(sv, Supervision)


def test_a_candidate_leaves_the_list_before_the_vote_and_stays_on_record(world):
    d = days(world)
    villagers_committee(world, d)
    sv = supervision(world, d)
    clerk = world.users["village_a1"]
    chosen = _ready_list(world, d, sv)
    n = Nominee.objects.get(candidate__person=chosen[3])
    services.withdraw_candidate(clerk, n)
    assert Candidate.objects.get(person=chosen[3], election=sv.election).status == Candidate.WITHDRAWN
    assert AuditRecord.objects.filter(action="supervision.candidate_withdraw").count() == 1
    with pytest.raises(services.SupervisionError, match="已不在名单中"):
        services.withdraw_candidate(clerk, n)
    with pytest.raises(services.SupervisionError, match="不能调整"):
        services.withdraw_candidate(world.users["observer"], Nominee.objects.get(candidate__person=chosen[2]))
    services.check_list(clerk, sv, d["check"])
    assert services.voting_blockers(sv.election) == []  # 主任 1, 委员 2 of 2 seats still on the list
    services.withdraw_candidate(clerk, Nominee.objects.get(candidate__person=chosen[2]))
    assert services.voting_blockers(sv.election) == ["委员应选 2 名，名单中只有 1 名"]


def test_show_of_hands_is_recorded_as_the_meeting_decides(world):
    d = days(world)
    sv = supervision(world, d, body="villagers_meeting")
    services.record_meeting(world.users["village_a1"], sv, members=600, present=320, method=Supervision.HANDS)
    sv.refresh_from_db()
    assert sv.get_method_display() == "举手表决" and services.quorum(sv)["quorum_met"]
    with pytest.raises(services.SupervisionError, match="「表决方式」"):
        services.record_meeting(world.users["village_a1"], sv, members=600, present=320, method="shout")
