"""The party branch election through the one election machinery: creation, timeline, the 批复 gate,
attendance and quorum (R51–R52), counting forms and the engine's result (R57–R60), the plenary (R61)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from huanjie.elections import services as elections
from huanjie.elections.models import Candidate, ElectedMember, Election, Round
from huanjie.elections.voting import results
from huanjie.elections.voting import services as voting
from huanjie.elections.voting.counting import CountingError, FormData, LineData, save_form
from huanjie.party import services
from huanjie.party.models import Member
from huanjie.rules.party import match_situation

from .helpers import add_members, approved_election, dates, new_person

pytestmark = pytest.mark.django_db
CASES = Path(__file__).parents[3].parent / "shared/spec/cases"


def _ready(world):
    entry = world.campaign.villages.get(village=world.village_a1)
    entry.audit_done_on = entry.training_done_on = dt.date(2026, 1, 10)
    entry.save()


def test_create_makes_the_assembly_and_the_plenary_with_party_posts_and_timeline(world):
    d = dates(world)
    pe = services.create_party_election(world.users["township_a"], world.campaign, world.village_a1, d["assembly"],
                                        committee_seats=5, deputy_secretaries=1, discipline_member=True)
    assert pe.election.kind == Election.PARTY_BRANCH and pe.plenary.kind == Election.PARTY_PLENARY
    assert [(p.name, p.seats) for p in pe.election.posts.all()] == [("委员", 5)]
    assert [(p.name, p.seats) for p in pe.plenary.posts.all()] == [("书记", 1), ("副书记", 1), ("纪检委员", 1)]
    assert pe.election.title.startswith("中共东山村支部委员会换届选举")
    keys = [s.key for s in elections.timeline(pe.election)]
    assert keys[:2] == ["members_recommend", "villagers_recommend"] and "approval_received" in keys
    assert "voter_list_published" not in elections.step_keys(pe.election)
    with pytest.raises(services.PartyError, match="已经建立"):
        services.create_party_election(world.users["township_a"], world.campaign, world.village_a1, d["assembly"])
    with pytest.raises(services.PartyError, match="不能建立"):
        services.create_party_election(world.users["village_a1"], world.campaign, world.village_a1, d["assembly"])


def test_initial_candidates_follow_the_policy_and_r49(world):
    d = dates(world)
    village = world.users["village_a1"]
    branch = services.branch_of(village, world.village_a1)
    roll = add_members(village, branch, 8)
    prob = services.add_member(village, branch, new_person(world.village_a1, "预备某"),
                               status=Member.PROBATIONARY, joined_on=dt.date(2026, 7, 1))
    pe = services.create_party_election(world.users["township_a"], world.campaign, world.village_a1, d["assembly"])
    with pytest.raises(services.PartyError, match="预备党员"):
        services.add_nominee(village, pe, prob.person)
    for m in roll[:4]:
        services.add_nominee(village, pe, m.person)
    check = services.initial_check(pe)
    assert (check["need"], check["have"], check["met"]) == (5, 4, False)  # 3 seats → at least 5 (seed 004)
    with pytest.raises(services.PartyError):  # only the township nominates directly
        services.add_nominee(village, pe, roll[4].person, source="township_direct")
    n = services.add_nominee(world.users["township_a"], pe, roll[4].person, source="township_direct")
    assert n.get_source_display() == "乡镇党委直接提名" and services.initial_check(pe)["met"]
    # every initial candidate is in the review app's queue
    assert all(c.review.stage == "village" for c in Candidate.objects.filter(election=pe.election))


def test_preliminary_needs_review_inspection_and_seats_plus_one(world):
    d = dates(world)
    village = world.users["village_a1"]
    branch = services.branch_of(village, world.village_a1)
    roll = add_members(village, branch, 8)
    pe = services.create_party_election(world.users["township_a"], world.campaign, world.village_a1, d["assembly"])
    noms = [services.add_nominee(village, pe, m.person) for m in roll[:5]]
    with pytest.raises(services.PartyError) as exc:
        services.decide_preliminary(village, pe, noms[:3], d["preliminary"])
    text = str(exc.value)
    assert "资格审查" in text and "尚未考察" in text and "预备人选3人，应选3人" in text


def test_nothing_proceeds_without_the_approval(world):
    pe, roll, noms, d = approved_election(world)
    pe.approval_number, pe.approval_date = "", None
    pe.save()
    _ready(world)
    with pytest.raises(elections.VotingBlocked) as exc:
        elections.open_voting(world.users["township_a"], pe.election)
    assert "批复" in str(exc.value.args[0] if exc.value.args else exc.value) or any(
        "批复" in b for b in exc.value.blockers)


def test_request_must_follow_the_notice(world):
    d = dates(world)
    pe, roll, noms, _ = approved_election(world)
    with pytest.raises(services.PartyError, match="公示至"):
        services.record_approval(world.users["township_a"], pe, request_number="1", request_date=d["notice"],
                                 approval_number="2", approval_date=d["approval"])


def _vote(world, pe, present: int):
    """Open voting, sign in ``present`` members with the vote, one station."""
    township = world.users["township_a"]
    _ready(world)
    elections.open_voting(township, pe.election)
    pe.election.refresh_from_db()
    members = [m for m in pe.branch.members.all() if services.vote_of(m, pe.election.election_date).has_vote]
    for m in members[:present]:
        services.sign_in(world.users["village_a1"], pe.election, m)
    station = voting.add_station(township, pe.election, name="党员大会会场")
    return station


def test_failed_quorum_blocks_ballots_with_the_arithmetic(world):
    pe, roll, noms, d = approved_election(world, members=20)
    station = _vote(world, pe, present=16)  # 16*5 = 80, not > 20*4 = 80 (exactly 4/5 fails, R52)
    with pytest.raises(voting.VotingError) as exc:
        voting.record_ballots_issued(world.users["village_a1"], station, 16)
    assert "16×5=80 ≤ 20×4=80" in str(exc.value)
    rnd = pe.election.rounds.get(number=1)
    with pytest.raises(CountingError, match="五分之四"):
        save_form(world.users["village_a1"], rnd, station, FormData(16, 16, 16, 0, 0, []))
    services.sign_in(world.users["village_a1"], pe.election, roll[16])
    assert services.attendance(pe.election).quorum_met


def test_an_exclusion_is_recorded_on_days_that_have_happened(world):
    """R51's two approvals are facts with dates: the township's agreement not after today, the
    assembly's approval not after today nor after the assembly; nothing saved when refused."""
    from django.utils import timezone

    from huanjie.party.models import Exclusion

    pe, roll, noms, d = approved_election(world, members=20)
    village, today = world.users["village_a1"], timezone.localdate()
    with pytest.raises(services.PartyError, match=f"乡镇党委同意日期 {today + dt.timedelta(days=1)} 晚于今天"):
        services.record_exclusion(village, pe.election, roll[0], "elderly_infirm",
                                  township_agreed_on=today + dt.timedelta(days=1), assembly_approved_on=None)
    with pytest.raises(services.PartyError, match="党员大会通过日期 .* 晚于党员大会之日"):
        services.record_exclusion(village, pe.election, roll[0], "elderly_infirm", township_agreed_on=d["request"],
                                  assembly_approved_on=d["assembly"] + dt.timedelta(days=1))
    assert not Exclusion.objects.exists()
    services.record_exclusion(village, pe.election, roll[0], "elderly_infirm", township_agreed_on=d["request"],
                              assembly_approved_on=d["assembly"])
    assert Exclusion.objects.count() == 1


def test_no_proxy_and_no_vote_for_probationary_at_sign_in(world):
    pe, roll, noms, d = approved_election(world)
    prob = services.add_member(world.users["village_a1"], pe.branch, new_person(world.village_a1, "预备某"),
                               status=Member.PROBATIONARY, joined_on=dt.date(2026, 7, 1))
    with pytest.raises(services.PartyError, match="R49"):
        services.sign_in(world.users["village_a1"], pe.election, prob)


def test_count_of_the_assembly_and_the_plenary(world):
    pe, roll, noms, d = approved_election(world, members=20, seats=3, preliminary=4)
    station = _vote(world, pe, present=18)
    user = world.users["village_a1"]
    rnd = pe.election.rounds.get(number=1)
    post = pe.election.posts.get()
    names = [n.candidate.person.name for n in noms[:4]]
    # 18 present: R58 base = present (default), more than half = 10. Votes 17, 12, 10, 9: two pass.
    lines = [LineData(post.pk, names[0], 17), LineData(post.pk, names[1], 12), LineData(post.pk, names[2], 9),
             LineData(post.pk, names[3], 9)]
    save_form(user, rnd, station, FormData(18, 18, 18, 0, 0, lines))
    rr = results.compute_result(user, rnd)
    out = rr.output
    assert out["input"]["expected_attendance"] == 20 and out["input"]["present_with_vote"] == 18
    assert out["quorum_met"] is True and out["threshold"] == 10
    assert [e["name"] for e in out["elected"]] == names[:2]
    assert out["unfilled"] and out["unfilled"][0]["seats"] == 1  # shortfall → 另行选举 (R60)
    follow = results.create_follow_up_round(user, rnd) if hasattr(results, "create_follow_up_round") else None
    assert follow is not None and follow.kind == Round.RUNOFF
    # the plenary needs the committee: only 2 elected so far, and 书记 must come from among them (R61)
    assert ElectedMember.objects.filter(election=pe.election, status=ElectedMember.ELECTED).count() == 2


def test_ex04_attendance_case_through_the_services(world):
    case = json.loads((CASES / "ex04-party-attendance.json").read_text("utf-8"))
    inp, expected = case["inputs"], case["expected"]
    d = dates(world)
    village = world.users["village_a1"]
    branch = services.branch_of(village, world.village_a1)
    day = d["assembly"]
    plain = inp["members_total"] - inp["probationary"] - inp["on_probation_discipline"] - inp["rights_suspended"]
    formal = add_members(village, branch, plain)
    add_members(village, branch, inp["probationary"], prefix="预备", status=Member.PROBATIONARY)
    add_members(village, branch, inp["on_probation_discipline"], prefix="察看", discipline_until=day)
    add_members(village, branch, inp["rights_suspended"], prefix="留置", rights_suspended=True)
    pe = services.create_party_election(world.users["township_a"], world.campaign, world.village_a1, day)
    from huanjie.rules.party import EXCLUSION_SITUATIONS

    for m, ex in zip(formal, inp["excluded_with_approval"], strict=False):
        code = match_situation(ex["situation"], list(EXCLUSION_SITUATIONS))
        services.record_exclusion(village, pe.election, m, code, township_agreed_on=d["request"],
                                  assembly_approved_on=day)
    rest = formal[len(inp["excluded_with_approval"]):]
    for m in rest[: inp["present_with_vote"]]:
        services.sign_in(village, pe.election, m)
    got = services.attendance(pe.election)
    assert {k: got.as_dict()[k] for k in expected} | {"election_may_proceed": got.election_may_proceed} == expected


def _count(world, election, station, issued, votes: dict[str, int]):
    user = world.users["village_a1"]
    rnd = election.rounds.get(number=1)
    lines = []
    for post in election.posts.all():
        for name, n in votes.get(post.code, {}).items():
            lines.append(LineData(post.pk, name, n))
    save_form(user, rnd, station, FormData(issued, issued, issued, 0, 0, lines))
    return results.compute_result(user, rnd)


def test_from_assembly_to_approved_result_documents_and_archive(world):
    import io
    import zipfile

    from pypdf import PdfReader

    from huanjie.elections.aftervote import archive
    from huanjie.elections.aftervote import documents as result_documents

    pe, roll, noms, d = approved_election(world, members=20, seats=3, preliminary=4)
    township, user = world.users["township_a"], world.users["village_a1"]
    station = _vote(world, pe, present=18)
    with pytest.raises(services.PartyError, match="早于乡镇党委批准"):
        services.record_expected_approval(township, pe, approved_on=d["request"], county_informed_on=d["notice"])
    services.record_expected_approval(township, pe, approved_on=d["request"], county_informed_on=d["approval"])
    with pytest.raises(services.PartyError):  # only the township or county approves it
        services.record_expected_approval(user, pe, approved_on=d["request"])
    names = [n.candidate.person.name for n in noms[:4]]
    out = _count(world, pe.election, station, 18, {"committee_member": dict(zip(names, (17, 15, 12, 3), strict=True))}).output
    assert [e["name"] for e in out["elected"]] == names[:3]
    # a result before the plenary's committee exists is refused; then 等额 candidates from the committee
    with pytest.raises(services.PartyError, match="R61"):
        services.propose_plenary(user, pe, {"secretary": noms[3].candidate.person,
                                            "deputy_secretary": noms[0].candidate.person})
    secretary, deputy = noms[0].candidate.person, noms[1].candidate.person
    services.propose_plenary(user, pe, {"secretary": secretary, "deputy_secretary": deputy})
    plenary = pe.plenary
    elections.open_voting(township, plenary)
    plenary.refresh_from_db()
    services.record_plenary_present(user, pe, 3)
    pst = voting.add_station(township, plenary, name="全体会议会场")
    pout = _count(world, plenary, pst, 3, {"secretary": {secretary.name: 3}, "deputy_secretary": {deputy.name: 2}}).output
    assert list(pout["input"]["committee_members"]) == names[:3] and pout["input"]["present"] == 3
    assert {e["name"] for e in pout["elected"]} == {secretary.name, deputy.name}
    with pytest.raises(services.PartyError, match="早于全体会议选举日"):
        services.record_result_approval(township, pe, number="清溪党〔2026〕20号", on=d["approval"])
    services.record_result_approval(township, pe, number="清溪党〔2026〕20号", on=d["result_approved"])
    steps = {s.key: s.status for s in elections.timeline(pe.election)}
    assert steps["inspection"] == steps["joint_review"] == "done"
    plenary_steps = {s.key: s for s in elections.timeline(plenary)}
    assert plenary_steps["result_approved"].status == plenary_steps["election_day"].status == "done"
    assert plenary_steps["election_day"].done_on == plenary.rounds.get(number=1).held_on
    with pytest.raises(services.PartyError, match="备案日期"):
        services.record_secretary_filed(township, pe, d["approval"])
    assert services.record_secretary_filed(township, pe, d["result_approved"]).secretary_filed_on

    report = "".join(p.extract_text() for p in PdfReader(io.BytesIO(result_documents.report_pdf(pe.election))).pages)
    assert "应到会有选举权的党员数" in report.replace(" ", "") and "中共清溪镇委员会" in report
    certs = "".join(p.extract_text() for p in PdfReader(io.BytesIO(result_documents.certificates_pdf(plenary))).pages)
    assert secretary.name in certs and "书记" in certs
    with zipfile.ZipFile(io.BytesIO(archive.archive_zip(pe.election))) as zf:
        files = {name.split("_", 1)[-1] for name in zf.namelist()}
    assert {"预备人选批复.pdf", "预备人选批复.docx", "清点人数报告.pdf", "选票样张.pdf", "当选证书.pdf",
            "全体会议当选证书.pdf", "全体会议选举结果报告单.pdf", "党员大会通知.pdf", "全体会议计票单_01.pdf"} <= files
    assert "选民名单公告.pdf" not in files and "委托投票公告.pdf" not in files


def test_yijiantiao_is_computed_from_the_two_results(world):
    """The person elected 书记 by the plenary is elected 主任 of the villagers' committee: 一肩挑."""
    from huanjie.elections.aftervote import services as aftervote
    from huanjie.elections.models import Post

    pe, roll, noms, d = approved_election(world)
    secretary = noms[0].candidate.person
    rnd = pe.plenary.rounds.get(number=1)
    ElectedMember.objects.create(election=pe.plenary, round=rnd, post=pe.plenary.posts.get(code="secretary"),
                                 person=secretary, name=secretary.name, votes=3)
    village = elections.create_election(world.users["township_a"], world.campaign, world.village_a1, d["assembly"])
    vrnd = village.rounds.get(number=1)
    director = ElectedMember.objects.create(election=village, round=vrnd, post=village.posts.get(code=Post.DIRECTOR),
                                            person=secretary, name=secretary.name, votes=300)
    rows = {r["election"].kind: r for r in aftervote.village_rows([village, pe.election, pe.plenary])}
    assert rows[Election.VILLAGE_COMMITTEE]["yijiantiao"] is True
    director.person = noms[1].candidate.person
    director.save()
    rows = {r["election"].kind: r for r in aftervote.village_rows([village])}
    assert rows[Election.VILLAGE_COMMITTEE]["yijiantiao"] is False


def test_a_result_before_the_approval_is_refused(world):
    """Bad input of the issue: a result entered before the 批复 is refused (and so is the form)."""
    pe, roll, noms, d = approved_election(world, members=20)
    station = _vote(world, pe, present=18)
    user = world.users["village_a1"]
    rnd = pe.election.rounds.get(number=1)
    post = pe.election.posts.get()
    names = [n.candidate.person.name for n in noms[:4]]
    save_form(user, rnd, station, FormData(18, 18, 18, 0, 0, [LineData(post.pk, n, 12) for n in names[:3]]))
    pe.approval_number, pe.approval_date = "", None  # as if the 批复 had not come (e.g. withdrawn)
    pe.save()
    with pytest.raises(results.ResultError, match="乡镇党委尚未批复"):
        results.compute_result(user, rnd)
    with pytest.raises(CountingError, match="乡镇党委尚未批复"):
        save_form(user, rnd, station, FormData(18, 18, 18, 0, 0, []))
    assert not ElectedMember.objects.filter(election=pe.election).exists()


def test_ballot_by_ballot_entry_applies_the_party_ballot_rules(world):
    """R56: a write-in counts only beside an 'against'; R57: more selections than seats voids the ballot."""
    from huanjie.elections.voting.counting import add_ballot, finish_ballot_form, start_ballot_form

    pe, roll, noms, d = approved_election(world, members=20, seats=3, preliminary=4)
    station = _vote(world, pe, present=18)
    user = world.users["village_a1"]
    rnd = pe.election.rounds.get(number=1)
    post = str(pe.election.posts.get().pk)
    a, b, c, dd = (n.candidate.person.name for n in noms[:4])
    outsider = roll[10].person.name
    form = start_ballot_form(user, rnd, station, 18)
    _, v1 = add_ballot(user, form, {post: {"approve": [a, b], "oppose": [c], "write_in": [outsider]}})
    assert v1["valid"] and not v1["ignored_write_ins"]
    _, v2 = add_ballot(user, form, {post: {"approve": [a, b, c], "write_in": [outsider]}})  # no 'against'
    assert v2["valid"] and [w["code"] for w in v2["ignored_write_ins"]] == ["no_opposition"]
    _, v3 = add_ballot(user, form, {post: {"approve": [a, b, c, dd]}})  # four for three seats
    assert not v3["valid"] and v3["invalid"][0]["code"] == "over_selection"
    for _ in range(13):
        add_ballot(user, form, {post: {"approve": [a, b, c]}})
    finish_ballot_form(user, form, acknowledge=["W.01", "W.02", "W.03", "W.04", "W.05"])
    out = results.compute_result(user, rnd).output
    # 16 ballots returned, one void: a 15, b 15, c 14, outsider 1 (only the write-in beside an 'against')
    assert out["tally"][a] == 15 and out["tally"][c] == 14 and out["tally"].get(outsider) == 1
    assert [e["name"] for e in out["elected"]] == [a, b, c]


def test_a_submitted_assembly_result_freezes_sign_in_and_the_candidates(world):
    """Issue 9 §4 for the party kinds: the writes that feed the assembly's result go through the one
    lock guard, so a locked result refuses them like the villagers' committee's services."""
    from huanjie.elections.aftervote.locking import ResultLocked
    from huanjie.elections.voting.models import ResultSubmission

    pe, roll, noms, d = approved_election(world)
    from django.utils import timezone

    ResultSubmission.objects.create(election=pe.election, locked=True, submitted_at=timezone.now(),
                                    submitted_by=world.users["village_a1"])
    village = world.users["village_a1"]
    with pytest.raises(ResultLocked):
        services.sign_in(village, pe.election, roll[0])
    with pytest.raises(ResultLocked):
        services.record_inspection(village, noms[0], inspected_on=d["request"], competent=10, basic=0,
                                   incompetent=0, talks=3)
    from huanjie.party.models import SignIn

    assert not SignIn.objects.filter(election=pe.election).exists()
