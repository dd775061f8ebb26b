"""A unit elects its delegates through the election machinery (R63 margin, the township's approval,
R64 quorum and threshold); a unit whose assembly fell short of the quorum meets again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from huanjie.campaigns.models import CampaignVillage
from huanjie.congress import services
from huanjie.elections import services as elections
from huanjie.elections.models import ElectedMember, Election
from huanjie.elections.voting import counting, results
from huanjie.elections.voting import services as voting

from .test_planning import town  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(world, town):  # noqa: F811
    congress, branches = town
    for b in branches:
        CampaignVillage.objects.get_or_create(campaign=world.campaign, village=b.village)
    t, c = world.users["township_a"], world.users["county"]
    services.units_from_branches(t, congress)
    today = timezone.localdate()
    services.approve_size(c, congress, "安组〔2027〕3号", today - dt.timedelta(days=20))
    services.record_request(t, congress, "清委〔2027〕1号", today - dt.timedelta(days=20))
    services.record_approval(c, congress, "安委〔2027〕9号", today - dt.timedelta(days=19))
    return congress


def test_refused_before_the_county_approval(world, town):  # noqa: F811
    congress, _ = town
    unit = services.units_from_branches(world.users["township_a"], congress)[0]
    with pytest.raises(services.CongressError, match="县委尚未批复"):
        services.create_delegate_election(world.users["township_a"], unit, timezone.localdate())


def test_unit_elects_its_delegates_after_a_failed_quorum(world, approved):
    walk_unit_two(world, approved)


def walk_unit_two(world, approved):
    t = world.users["township_a"]
    today = timezone.localdate()
    unit = approved.units.get(number=2)  # 柳塘村: 30 members, 3 seats (4.5/2.7/1.8 → 4, 3, 2, 1)
    de = services.create_delegate_election(t, unit, today - dt.timedelta(days=10))
    e = de.election
    assert e.kind == Election.CONGRESS_DELEGATES and e.posts.get().seats == 3 and e.posts.get().name == "代表"
    assert "柳塘村" in e.title and "第三次代表大会" in e.title
    members = services.members_with_vote(unit, e.election_date)
    assert len(members) == 30
    # R63: 3 seats need at least 4 candidates
    for m in members[:3]:
        services.add_candidate(t, de, m.person, category="other")
    check = services.candidate_check(de)
    assert (check["have"], check["need"], check["ok"]) == (3, 4, False)
    with pytest.raises(services.CongressError, match="人数不足"):
        services.approve_candidates(t, de, "清委〔2027〕5号", today - dt.timedelta(days=12))
    with pytest.raises(services.CongressError, match="不在选举单位"):
        other = services.unit_members(approved.units.get(number=1))[0]
        services.add_candidate(t, de, other.person, category="other")
    services.add_candidate(t, de, members[3].person, category="other")
    with pytest.raises(services.CongressError, match="由乡镇党委审批"):
        services.approve_candidates(world.users["county"], de, "x", today - dt.timedelta(days=12))
    services.approve_candidates(t, de, "清委〔2027〕5号", today - dt.timedelta(days=12))

    # the first assembly: 24 of 30 is not over 4/5 → no ballots; the unit meets again
    meeting = services.record_meeting(t, de, 24)
    assert not meeting.quorum_met and meeting.expected == 30
    assert any("五分之四" in b for b in services.ballot_blockers(e))
    with pytest.raises(services.CongressInvalid, match="多于应到会"):
        services.record_meeting(t, de, 31)
    services.reschedule(t, de, today - dt.timedelta(days=5))
    e.refresh_from_db()
    assert e.election_date == today - dt.timedelta(days=5)
    assert services.ballot_blockers(e) == ["尚未登记党员大会到会人数"]
    meeting = services.record_meeting(t, de, 27)
    assert meeting.quorum_met and de.meetings.count() == 2

    # the vote and the count through the machinery (R64: over half of those present, R58)
    elections.open_voting(t, e)
    e.refresh_from_db()
    station = voting.add_station(t, e, name="党员大会会场")
    rnd = e.rounds.get(number=1)
    post = e.posts.get()
    names = [m.person.name for m in members[:4]]
    lines = [counting.LineData(post.pk, n, v) for n, v in zip(names, (25, 20, 14, 13), strict=True)]
    counting.save_form(t, rnd, station, counting.FormData(27, 27, 27, 0, 0, lines))
    results.compute_result(t, rnd)
    elected = list(ElectedMember.objects.filter(election=e).values_list("name", flat=True))
    # threshold: more than half of 27 present → 14 votes; the third seat goes to the 14 votes
    assert sorted(elected) == sorted(names[:3])
    return de


def test_credentials_report_register_and_delegations(world, approved):
    from huanjie.congress import documents
    from huanjie.congress.models import CredentialDecision
    from huanjie.party.models import Member

    de = walk_unit_two(world, approved)
    t = world.users["township_a"]
    today = timezone.localdate()
    with pytest.raises(services.CongressInvalid, match="晚于今天"):
        services.review_credentials(t, approved, today + dt.timedelta(days=1))
    # one delegate's rights were suspended after the vote: the unit must replace them (R65, R49)
    elected = list(ElectedMember.objects.filter(election=de.election).order_by("-votes"))
    Member.objects.filter(person=elected[2].person).update(rights_suspended=True, suspended_reason="留置")
    services.set_delegation(t, de.unit, "第二代表团")
    decisions = services.review_credentials(t, approved, today)
    by_name = {d.elected.name: d for d in decisions}
    assert by_name[elected[0].name].status == CredentialDecision.CONFIRMED
    assert by_name[elected[2].name].status == CredentialDecision.REPLACE
    assert "责令该选举单位更换" in by_name[elected[2].name].reason
    register = services.delegate_register(approved)
    assert [r["name"] for r in register] == [elected[0].name, elected[1].name]
    assert {r["delegation"] for r in register} == {"第二代表团"}
    assert documents.credentials_report_pdf(approved)[:4] == b"%PDF"
    assert documents.register_pdf(approved)[:4] == b"%PDF"


def test_structure_of_candidates_and_delegates(world, approved, client_for):
    walk_unit_two(world, approved)
    s = services.structure(approved)
    assert s["counts"] == (4, 3)
    rows = {r.key: r for r in s["delegates"]}
    # helpers.add_members makes every third member a woman: 东山 50 → 17, 柳塘 30 → 10, 河西 20 → 7, 北岭 2 → 1
    assert "35/102" in rows["women"].target
    # the delegates are 柳塘村1–3: the first is a woman → 1 of 3
    assert rows["women"].share.numerator == 1 and rows["women"].share.denominator == 3
    assert rows["women"].ok is (1 * 102 >= 35 * 3)
    from django.urls import reverse

    body = client_for("township_a").get(reverse("congress:detail", args=[approved.pk])).content.decode()
    assert 'id="structure"' in body and "33.33%（1/3）" in body


def test_unqualified_delegate_is_replaced_by_the_units_by_election(world, approved):
    """R65 / seed 002: a delegate who does not qualify is replaced by the unit (撤换): the unit's
    members' assembly elects one delegate in a by-election on the machinery; the next review
    confirms the new delegate, and the register and report name both."""
    from huanjie.congress import documents
    from huanjie.congress.models import CredentialDecision
    from huanjie.party.models import Member

    de = walk_unit_two(world, approved)
    t = world.users["township_a"]
    today = timezone.localdate()
    elected = list(ElectedMember.objects.filter(election=de.election).order_by("-votes"))
    Member.objects.filter(person=elected[2].person).update(rights_suspended=True, suspended_reason="留置")
    decisions = {d.elected_id: d for d in services.review_credentials(t, approved, today)}
    confirmed, unfit = decisions[elected[0].pk], decisions[elected[2].pk]
    with pytest.raises(services.CongressError, match="资格有效"):
        services.create_replacement_election(t, confirmed, today)
    with pytest.raises(services.CongressError):
        services.create_replacement_election(world.users["township_b"], unfit, today)
    with pytest.raises(services.CongressInvalid, match="补选日期.*早于"):
        services.create_replacement_election(t, unfit, today - dt.timedelta(days=1))
    by = services.create_replacement_election(t, unfit, today)
    assert by.unit == de.unit and by.replaces == elected[2] and de.unit.delegate_election == de
    e = by.election
    assert e.kind == Election.CONGRESS_DELEGATES and e.posts.get().seats == 1 and "补选" in e.title
    with pytest.raises(services.CongressError, match="已建立补选"):
        services.create_replacement_election(t, unfit, today)

    members = services.members_with_vote(de.unit, today)
    assert len(members) == 29  # the suspended delegate has no vote now
    with pytest.raises(services.CongressError, match="不能作为代表候选人"):
        services.add_candidate(t, by, elected[2].person, category="other")
    fresh = [m for m in members if m.person_id not in {x.person_id for x in elected}][:2]
    for m in fresh:
        services.add_candidate(t, by, m.person, category="other")
    services.approve_candidates(t, by, "清委〔2027〕8号", today)
    assert services.record_meeting(t, by, 25).quorum_met  # 25 of 29 is over 4/5
    elections.open_voting(t, e)
    e.refresh_from_db()
    station = voting.add_station(t, e, name="党员大会会场")
    rnd = e.rounds.get(number=1)
    lines = [counting.LineData(e.posts.get().pk, m.person.name, v) for m, v in zip(fresh, (18, 7), strict=True)]
    counting.save_form(t, rnd, station, counting.FormData(25, 25, 25, 0, 0, lines))
    results.compute_result(t, rnd)

    decisions = {d.elected.name: d for d in services.review_credentials(t, approved, today)}
    new = fresh[0].person.name
    assert decisions[new].status == CredentialDecision.CONFIRMED
    assert decisions[elected[2].name].status == CredentialDecision.REPLACE
    assert f"已由选举单位补选{new}" in decisions[elected[2].name].reason
    register = services.delegate_register(approved)
    assert sorted(r["name"] for r in register) == sorted([elected[0].name, elected[1].name, new])
    assert [r for r in register if r["name"] == new][0]["note"] == f"补选（替换{elected[2].name}）"
    # the structure counts the delegates as they now are: the replaced one out, the new one in
    assert services.structure(approved)["counts"] == (6, 3)
    text = documents.credentials_report_text(approved)
    assert f"已由选举单位补选{new}" in text and "补选" in text
    assert documents.register_pdf(approved)[:4] == b"%PDF"


def test_by_election_from_the_pages_by_role(world, approved, client_for):
    from django.urls import reverse

    from huanjie.congress.models import DelegateElection
    from huanjie.party.models import Member

    de = walk_unit_two(world, approved)
    t = world.users["township_a"]
    today = timezone.localdate()
    elected = list(ElectedMember.objects.filter(election=de.election).order_by("-votes"))
    Member.objects.filter(person=elected[2].person).update(rights_suspended=True, suspended_reason="留置")
    unfit = next(d for d in services.review_credentials(t, approved, today) if d.elected_id == elected[2].pk)
    detail, post = reverse("congress:detail", args=[approved.pk]), reverse("congress:post", args=[approved.pk])
    assert "建立补选" in client_for("township_a").get(detail).content.decode()
    seen = client_for("observer").get(detail).content.decode()
    assert "待补选" in seen and "建立补选" not in seen
    form = {"action": "by_election", "decision": unfit.pk}
    assert client_for("observer").post(post, form | {"election_date": today.isoformat()}).status_code == 403
    assert client_for("village_a1").post(post, form | {"election_date": today.isoformat()}).status_code == 403
    assert client_for("township_b").post(post, form | {"election_date": today.isoformat()}).status_code == 404
    c = client_for("township_a")
    r = c.post(post, form | {"election_date": ""}, follow=True)
    assert "请填写补选的党员大会日期" in r.content.decode()
    assert not DelegateElection.objects.filter(replaces__isnull=False).exists()
    r = c.post(post, form | {"election_date": today.isoformat()}, follow=True)
    body = r.content.decode()
    by = DelegateElection.objects.get(replaces=elected[2])
    assert f"代表资格审查小组责令撤换代表{elected[2].name}" in body and 'id="unit-elections"' in body
    unit_post = reverse("congress:unit_post", args=[de.unit.pk])
    person = services.members_with_vote(de.unit, today)[10].person
    r = c.post(unit_post, {"action": "candidate", "person": person.pk, "de": by.pk, "category": "cadre"}, follow=True)
    assert f"已增加代表候选人{person.name}" in r.content.decode()
    assert list(by.election.candidates.values_list("person_id", flat=True)) == [person.pk]
    assert not de.election.candidates.filter(person=person).exists()
    assert "补选" in c.get(detail).content.decode()


def test_initial_candidates_keep_the_previous_margin_share(world, approved, client_for):
    """Seed 003 篇7 step 12 (R63): 按照不低于上次代表差额比例 — recorded per congress, checked per unit."""
    from django.urls import reverse

    t = world.users["township_a"]
    today = timezone.localdate()
    for bad, field in (((None, 150), "previous_delegates"), ((100, 90), "previous_candidates"),
                       ((0, 10), "previous_delegates")):
        with pytest.raises(services.CongressInvalid) as exc:
            services.set_previous_margin(t, approved, *bad)
        assert field in exc.value.errors and "上次" in exc.value.errors[field]
    approved.refresh_from_db()
    assert approved.previous_delegates is None
    with pytest.raises(services.CongressError):
        services.set_previous_margin(world.users["observer"], approved, 100, 150)
    # last time 100 delegates from 150 candidates: 50 %. 3 seats need 3 + ceil(1.5) = 5 candidates
    services.set_previous_margin(t, approved, 100, 150)
    unit = approved.units.get(number=2)
    de = services.create_delegate_election(t, unit, today - dt.timedelta(days=10))
    members = services.members_with_vote(unit, de.election.election_date)
    for m in members[:4]:
        services.add_candidate(t, de, m.person, category="other")
    check = services.candidate_check(de)
    assert (check["have"], check["need"], check["ok"]) == (4, 5, False)
    assert "上次代表差额比例50.00%（50/100），本单位差额比例33.33%（1/3）" in check["text"]
    with pytest.raises(services.CongressError, match="上次代表差额比例50.00%.*人数不足"):
        services.approve_candidates(t, de, "清委〔2027〕5号", today - dt.timedelta(days=12))
    page = client_for("township_a").get(reverse("congress:unit", args=[unit.pk])).content.decode()
    assert "本单位差额比例33.33%（1/3）" in page and "人数不足" in page
    services.add_candidate(t, de, members[4].person, category="other")
    assert services.candidate_check(de)["ok"]
    services.approve_candidates(t, de, "清委〔2027〕5号", today - dt.timedelta(days=12))
    with pytest.raises(services.CongressError, match="已按原差额比例审批"):
        services.set_previous_margin(t, approved, 100, 120)
    # the detail page shows the figures and its form refuses bad input field by field
    c = client_for("township_a")
    body = c.get(reverse("congress:detail", args=[approved.pk])).content.decode()
    assert 'id="previous-margin"' in body and "50.00%（50/100）" in body


def test_previous_margin_form_by_role(world, approved, client_for):
    from django.urls import reverse

    post = reverse("congress:post", args=[approved.pk])
    form = {"action": "previous_margin", "previous_delegates": "120", "previous_candidates": "150"}
    assert client_for("observer").post(post, form).status_code == 403
    assert client_for("village_a1").post(post, form).status_code == 403
    assert client_for("township_b").post(post, form).status_code == 404
    c = client_for("township_a")
    r = c.post(post, form | {"previous_delegates": "一百"}, follow=True)
    assert "上次代表名额应为正整数" in r.content.decode()
    r = c.post(post, form | {"previous_candidates": "100"}, follow=True)
    assert "上次代表候选人数应为不少于上次代表名额的整数" in r.content.decode()
    approved.refresh_from_db()
    assert approved.previous_delegates is None
    r = c.post(post, form, follow=True)
    assert "已登记上次代表差额比例" in r.content.decode() and "25.00%（30/120）" in r.content.decode()
    assert "25.00%（30/120）" in client_for("county").get(reverse("congress:detail", args=[approved.pk])).content.decode()


def test_a_units_delegate_election_owes_no_villagers_committee_step(world, approved):
    """A unit's delegate election has no voter list, no 正式候选人 list by nomination votes and no
    handover: the township's 工作台 listed those village steps as overdue for every unit."""
    from huanjie.elections import todos

    unit = approved.units.get(number=2)
    de = services.create_delegate_election(world.users["township_a"], unit, timezone.localdate() + dt.timedelta(days=5))
    keys = [s.key for s in elections.calendar_steps(de.election)]
    assert keys == ["election_day"]
    owed = [t.text for t in todos.election_todos(de.election, today=de.election.election_date)]
    assert not [t for t in owed if "选民名单" in t or "正式候选人" in t or "移交" in t], owed


def test_a_unit_leaves_members_out_of_the_expected_count_with_both_approvals(world, approved, client_for):
    """R51 at a unit's assembly: a member in a listed situation, agreed by the township committee and
    approved by the assembly, is not counted in 应到; with one approval only the member stays in."""
    from django.urls import reverse

    from huanjie.party.models import Exclusion

    t = world.users["township_a"]
    today = timezone.localdate()
    unit = approved.units.get(number=2)  # 30 members with the vote
    de = services.create_delegate_election(t, unit, today - dt.timedelta(days=1))
    members = services.members_with_vote(unit, de.election.election_date)
    assert services.unit_attendance(de, 0).expected_attendance == 30
    with pytest.raises(services.CongressError, match="登记不计入应到会人数的党员"):
        services.record_unit_exclusion(world.users["village_a1"], de, members[0], "elderly_infirm",
                                       township_agreed_on=today, assembly_approved_on=today)
    with pytest.raises(services.CongressInvalid, match="请选择可不计入应到会人数的情形"):
        services.record_unit_exclusion(t, de, members[0], "on_holiday", township_agreed_on=today,
                                       assembly_approved_on=today)
    with pytest.raises(services.CongressInvalid, match="晚于今天"):
        services.record_unit_exclusion(t, de, members[0], "elderly_infirm",
                                       township_agreed_on=today + dt.timedelta(days=1), assembly_approved_on=None)
    services.record_unit_exclusion(t, de, members[0], "elderly_infirm", township_agreed_on=today - dt.timedelta(days=3),
                                   assembly_approved_on=today - dt.timedelta(days=1))
    services.record_unit_exclusion(t, de, members[1], "abroad_self_funded",
                                   township_agreed_on=today - dt.timedelta(days=3), assembly_approved_on=None)
    assert Exclusion.objects.filter(election=de.election).count() == 2
    result = services.unit_attendance(de, 0)
    assert result.expected_attendance == 29  # members[1] lacks the assembly's approval: still counted
    with pytest.raises(services.CongressInvalid, match="多于应到会有选举权的党员29人"):
        services.record_meeting(t, de, 30)
    meeting = services.record_meeting(t, de, 24)  # 24×5 = 120 > 29×4 = 116
    assert meeting.expected == 29 and meeting.quorum_met
    # the page shows the list and the count; the form names the refusal
    c = client_for("township_a")
    url = reverse("congress:unit", args=[unit.pk])
    body = c.get(url).content.decode()
    assert "应到会 29 名" in body and members[0].person.name in body.split('id="exclusions"')[1]
    r = c.post(reverse("congress:unit_post", args=[unit.pk]),
               {"action": "exclusion", "member": members[2].pk, "situation": "nonsense"}, follow=True)
    assert "请选择可不计入应到会人数的情形" in r.content.decode()
