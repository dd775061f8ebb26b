"""The demo county shows villages at every stage, played through the services (demo_scenarios.py).

The expected values come from the scenario's own plan (dates, vote shares) and from the rule texts:
R27 (first round: more than half of the ballots returned), R29 (a tie for the last seat → re-vote),
R31 (a seat left open → 另行选举), W.01 (more than one ballot in ten invalid).
"""

import pytest

from huanjie.accounts.models import User
from huanjie.demo.scenarios import NOMINATION_SHARES, PLANS, VOTE_SHARES
from huanjie.elections.aftervote.services import handover_status
from huanjie.elections.models import Election, Round
from huanjie.elections.nomination.models import Candidate, CandidateListPublication, Nomination
from huanjie.elections.voting.models import CountingForm, ElectedMember, ResultSubmission
from huanjie.people.models import Region
from huanjie.review import services as review
from huanjie.review.models import ReviewCase, ReviewVerdict

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(demo_county):
    villages = list(Region.objects.filter(level=Region.VILLAGE, valid_until=None).order_by("code"))
    return villages, [Election.objects.get(organization=v, kind=Election.VILLAGE_COMMITTEE) for v in villages[:4]]


def _members_by_order(election):
    return list(
        Candidate.objects.filter(election=election, post__code="member", nomination__isnull=False)
        .order_by("list_order")
        .select_related("person")
    )


def test_dongshan_is_complete_submitted_and_locked(demo):
    villages, elections = demo
    e = elections[0]
    assert villages[0].name == "东山村" and e.election_date == PLANS[0].election_day
    assert e.stage == Election.SUBMITTED
    assert ResultSubmission.objects.get(election=e).locked
    # every post has as many elected members as seats (主任 1, 副主任 1, 委员 3)
    for post in e.posts.all():
        assert ElectedMember.objects.filter(election=e, post=post, status="elected").count() == post.seats
    # the list was published on the plan's day, after every tier and department passed the review
    assert CandidateListPublication.objects.get(election=e, version=1).published_on == PLANS[0].list_on
    cases = ReviewCase.objects.filter(candidate__election=e)
    assert cases.exists() and set(cases.values_list("stage", flat=True)) == {ReviewCase.PASSED}
    assert not ReviewVerdict.objects.filter(case__in=cases).exclude(verdict=ReviewVerdict.PASS).exists()


def test_dongshan_tie_for_the_last_member_seat_goes_to_a_revote(demo):
    _, elections = demo
    e = elections[0]
    first, revote = e.rounds.order_by("number")
    assert (revote.kind, revote.created_from_id) == (Round.TIE_REVOTE, first.pk)
    # the 3rd and 4th 委员 candidates got the same share (58 % of the valid ballots at each
    # station) → equal totals for the third seat (R29)
    shares = VOTE_SHARES[0]["member"]
    assert shares[2] == shares[3]
    members = _members_by_order(e)
    tied = {members[2].person.name, members[3].person.name}
    tie = first.result.output["tie_revote"]
    assert set(tie["candidates"]) == tied and tie["seats"] == 1
    # two stations counted in both rounds
    assert CountingForm.objects.filter(round=first, status="accepted").count() == 2
    assert CountingForm.objects.filter(round=revote, status="accepted").count() == 2
    # R29: in the re-vote the one of the tied with more votes (over both stations) is elected
    totals = {}
    for form in CountingForm.objects.filter(round=revote):
        for line in form.lines.all():
            assert line.name in tied and not line.write_in
            totals[line.name] = totals.get(line.name, 0) + line.votes
    winner = max(totals, key=totals.get)
    assert sorted(totals.values())[0] < totals[winner]
    assert ElectedMember.objects.get(election=e, round=revote).name == winner
    # 一肩挑: the Party secretary is the elected 主任; everyone has a division of work
    sec = ElectedMember.objects.get(election=e, is_party_secretary=True)
    assert sec.post.code == "director"
    assert not ElectedMember.objects.filter(election=e, status="elected", assigned_post="").exists()
    status = handover_status(e)
    assert status.complete and status.done_on == PLANS[0].handover_on and status.status == "done"


def test_liutang_waits_for_the_police_department(demo):
    villages, elections = demo
    e = elections[1]
    assert villages[1].name == "柳塘村" and e.stage == Election.CANDIDATES
    cands = Candidate.objects.filter(election=e, status=Candidate.ACTIVE)
    pending = ReviewVerdict.objects.filter(case__candidate__election=e, verdict=ReviewVerdict.PENDING)
    # exactly one pending verdict per candidate, and it is the 公安 department's
    assert pending.count() == cands.count() > 0
    assert set(pending.values_list("tier", "department__code")) == {("county", "gongan")}
    police = User.objects.get(username="dept_police")
    queued = review.department_queue(police)
    assert set(queued.values_list("pk", flat=True)) >= set(pending.values_list("pk", flat=True))
    report = review.waiting_report(villages[1].parent)
    assert any(villages[1].name in str(row) for row in report)


def test_village_two_has_nominations_but_no_candidates(demo):
    _, elections = demo
    e = elections[2]
    assert e.stage == Election.NOMINATION
    # the plan nominates 3 for 主任, 3 for 副主任 and 6 for 委员
    assert (
        Nomination.objects.filter(election=e).count() == sum(len(v) for v in NOMINATION_SHARES.values()) == 12
    )
    assert not Candidate.objects.filter(election=e).exists()


def test_village_three_counted_with_an_open_seat_and_a_runoff(demo):
    _, elections = demo
    e = elections[3]
    assert e.stage == Election.COUNTED and e.election_date == PLANS[3].election_day
    first, runoff = e.rounds.order_by("number")
    assert runoff.kind == Round.RUNOFF and not _has_result(runoff)
    form = CountingForm.objects.get(round=first)
    # W.01: invalid*10 > returned (12 % of the returned ballots were invalid), acknowledged
    assert form.invalid_ballots * 10 > form.ballots_returned
    assert "W.01" in form.acknowledged_warnings
    # R27: elected with more than half of the ballots returned; 委员 shares 74/70/45/40 % of the
    # valid ballots (valid < 88 % of returned): only the first two pass half of returned
    members = _members_by_order(e)
    lines = {ln.name: ln.votes for ln in form.lines.filter(post__code="member")}
    passed = [m.person.name for m in members if lines[m.person.name] * 2 > form.ballots_returned]
    assert passed == [members[0].person.name, members[1].person.name]
    elected = set(
        ElectedMember.objects.filter(election=e, post__code="member").values_list("name", flat=True)
    )
    assert elected == set(passed)
    assert runoff.races.get().seats == 3 - 2


def _has_result(rnd):
    from huanjie.elections.voting.models import RoundResult

    return RoundResult.objects.filter(round=rnd).exists()


def test_party_elections_one_complete_one_waiting_for_the_approval(demo):
    """Issue 12: village 0's 两推一选 is complete (its 书记 elected 主任: 一肩挑 computed), village 1's
    公推直选 has its preliminary list published and waits for the township's 批复."""
    from huanjie.elections.aftervote import services as aftervote
    from huanjie.party import services as party
    from huanjie.party.models import PartyElection

    villages, elections = demo
    done = PartyElection.objects.get(election__organization=villages[0])
    assert done.get_method_display() == "两推一选" and done.approved and done.result_approval_number
    assert party.attendance(done.election).quorum_met
    assert len(party.committee_elected(done)) == 3
    secretary = ElectedMember.objects.get(election=done.plenary, post__code="secretary")
    rows = {r["election"].kind: r for r in aftervote.village_rows([elections[0], done.election, done.plenary])}
    director = ElectedMember.objects.get(election=elections[0], post__code="director")
    assert director.person_id == secretary.person_id and rows[Election.VILLAGE_COMMITTEE]["yijiantiao"] is True
    waiting = PartyElection.objects.get(election__organization=villages[1])
    assert waiting.get_method_display() == "公推直选" and waiting.preliminary_decided_on and not waiting.approved
    assert party.notice_window(waiting) is not None
    assert any("批复" in b for b in party.ballot_blockers(waiting.election))


def test_the_demo_obeys_the_date_rule_of_the_services(demo):
    """The issue: the demo marked voter lists published on future dates that the UI refuses. No
    recorded fact lies ahead of today, and nothing of an election day is recorded before it."""
    import datetime as dt

    from huanjie.elections.models import StepRecord, VoterRegistration

    today = dt.date.today()
    assert not StepRecord.objects.filter(done_on__gt=today).exists()
    assert not VoterRegistration.objects.filter(registered_on__gt=today).exists()
    assert not CountingForm.objects.filter(round__held_on__gt=today).exists()
    for step in StepRecord.objects.filter(key="voter_list_published").select_related("election"):
        assert step.done_on < step.election.election_date
