"""Review services (P3, P17): tier order, every department must pass, any fail disqualifies,
bulk "all pass except", reminders and waiting days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from huanjie.accounts.models import AuditRecord
from huanjie.elections.nomination.models import Candidate
from huanjie.review import services
from huanjie.review.models import Notification, ReviewCase, ReviewVerdict

from .review_helpers import add_departments, candidate, county_verdict, election_in, to_county

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    depts = add_departments(world)
    e = election_in(world, world.village_a1)
    return world, depts, e


def test_open_review_queues_the_village_precheck_once(setup):
    world, _, e = setup
    cand = candidate(e, "甲")
    assert services.review_status(cand)["stage"] == "none"
    assert services.review_status(cand)["blocking"] == "甲尚未提交资格审查"
    case = services.open_review(world.users["village_a1"], cand)
    again = services.open_review(world.users["village_a1"], cand)
    assert again.pk == case.pk
    assert [(v.tier, v.department_id, v.verdict) for v in case.verdicts.all()] == [
        ("village", None, "pending")
    ]
    status = services.review_status(cand)
    assert status["stage"] == "village" and not status["passed"] and not status["failed"]
    assert AuditRecord.objects.filter(action="review.open").count() == 1


def test_tiers_strictly_in_order(setup):
    world, depts, e = setup
    cand = candidate(e, "乙")
    case = services.open_review(world.users["village_a1"], cand)
    village_v = case.verdicts.get(tier="village")
    # The township may not do the village's pre-check.
    with pytest.raises(services.ReviewError, match="村级预审应由"):
        services.record_verdict(world.users["township_a"], village_v, True)
    # A department's verdict row put there early (e.g. by hand) cannot be decided before its tier.
    early = ReviewVerdict.objects.create(case=case, tier="county", department=depts["gongan"])
    with pytest.raises(services.ReviewError, match="须按顺序审查"):
        services.record_verdict(world.users["dept_gongan"], early, True)
    early.delete()
    services.record_verdict(world.users["village_a1"], village_v, True)
    with pytest.raises(services.ReviewError, match="不能重复审查"):
        services.record_verdict(world.users["village_a1"], village_v, True)
    case.refresh_from_db()
    assert case.stage == "township"
    # The township pass queues one verdict per department (the world's 3 departments).
    services.record_verdict(world.users["township_a"], case.verdicts.get(tier="township"), True)
    case.refresh_from_db()
    assert case.stage == "county"
    assert sorted(case.verdicts.filter(tier="county").values_list("department__code", flat=True)) == [
        "fayuan",
        "gongan",
        "zuzhi",
    ]


def test_township_of_another_township_may_not_check(setup):
    world, _, e = setup
    cand = candidate(e, "丙")
    case = services.open_review(world.users["village_a1"], cand)
    services.record_verdict(world.users["village_a1"], case.verdicts.get(tier="village"), True)
    with pytest.raises(services.ReviewError, match="不在您的管辖范围内"):
        services.record_verdict(world.users["township_b"], case.verdicts.get(tier="township"), True)


def test_every_department_must_pass(setup):
    world, _, e = setup
    cand = candidate(e, "丁")
    case = to_county(world, cand)
    with pytest.raises(services.ReviewError, match="只能审查本部门"):
        services.record_verdict(world.users["dept_fayuan"], county_verdict(case, "gongan"), True)
    services.record_verdict(
        world.users["dept_gongan"], county_verdict(case, "gongan"), True, document_number="安公审〔2027〕3号"
    )
    services.record_verdict(world.users["dept_zuzhi"], county_verdict(case, "zuzhi"), True)
    # 2 of 3 departments passed: still in the joint review.
    status = services.review_status(cand)
    assert status["stage"] == "county" and not status["passed"]
    services.record_verdict(world.users["dept_fayuan"], county_verdict(case, "fayuan"), True)
    status = services.review_status(cand)
    assert status == {
        "stage": "passed",
        "stage_label": "审查通过",
        "passed": True,
        "failed": False,
        "blocking": None,
    }
    v = county_verdict(case, "gongan")
    assert v.reviewer == world.users["dept_gongan"] and v.decided_on == timezone.localdate()
    assert v.document_number == "安公审〔2027〕3号"
    cand.refresh_from_db()
    assert cand.status == Candidate.ACTIVE


def test_campaign_names_its_departments(setup):
    world, _, e = setup
    world.campaign.policy = {"review_departments": ["gongan", "fayuan"]}
    world.campaign.save()
    case = to_county(world, candidate(e, "戊"))
    assert sorted(case.verdicts.filter(tier="county").values_list("department__code", flat=True)) == [
        "fayuan",
        "gongan",
    ]
    services.record_verdict(world.users["dept_gongan"], county_verdict(case, "gongan"), True)
    services.record_verdict(world.users["dept_fayuan"], county_verdict(case, "fayuan"), True)
    case.refresh_from_db()
    assert case.stage == "passed"


def test_a_fail_needs_an_item_of_the_negative_list(setup):
    world, _, e = setup
    case = to_county(world, candidate(e, "己"))
    v = county_verdict(case, "gongan")
    with pytest.raises(services.ReviewError, match="必须选择负面清单"):
        services.record_verdict(world.users["dept_gongan"], v, False)
    with pytest.raises(services.ReviewError, match="没有代码为 N99"):
        services.record_verdict(world.users["dept_gongan"], v, False, negative_item="N99")
    v.refresh_from_db()
    assert v.verdict == "pending"


def test_any_fail_disqualifies_naming_item_and_department(setup):
    world, _, e = setup
    cand = candidate(e, "庚")
    case = to_county(world, cand)
    services.record_verdict(world.users["dept_zuzhi"], county_verdict(case, "zuzhi"), True)
    services.record_verdict(
        world.users["dept_gongan"],
        county_verdict(case, "gongan"),
        False,
        negative_item="N02",
        comment="2019年因寻衅滋事被判处有期徒刑",
    )
    case.refresh_from_db()
    cand.refresh_from_db()
    assert case.stage == "failed" and case.closed_at is not None
    assert cand.status == Candidate.DISQUALIFIED
    status = services.review_status(cand)
    assert status["failed"] and not status["passed"] and status["blocking"] == "庚县级联审未通过"
    rec = AuditRecord.objects.get(action="candidate.disqualified")
    assert rec.changes["status"] == ["active", "disqualified"]
    assert "县公安局" in rec.changes["reason"][1] and "N02" in rec.changes["reason"][1]
    # The case has left every queue: 县人民法院 has nothing to review and cannot decide any more.
    assert services.department_queue(world.users["dept_fayuan"]).count() == 0
    with pytest.raises(services.ReviewError, match="已结束"):
        services.record_verdict(world.users["dept_fayuan"], county_verdict(case, "fayuan"), True)


def test_village_precheck_fail_also_disqualifies(setup):
    world, _, e = setup
    cand = candidate(e, "辛")
    case = services.open_review(world.users["village_a1"], cand)
    services.record_verdict(
        world.users["village_a1"], case.verdicts.get(tier="village"), False, negative_item="N09"
    )
    cand.refresh_from_db()
    assert cand.status == Candidate.DISQUALIFIED
    assert not case.verdicts.filter(tier="township").exists()


def test_campaign_negative_list_overrides_the_default(setup):
    world, _, e = setup
    world.campaign.policy = {"negative_list": [{"code": "X1", "text": "本县补充：长期不在村居住的"}]}
    world.campaign.save()
    case = to_county(world, candidate(e, "壬"))
    v = county_verdict(case, "gongan")
    with pytest.raises(services.ReviewError, match="没有代码为 N02"):
        services.record_verdict(world.users["dept_gongan"], v, False, negative_item="N02")
    services.record_verdict(world.users["dept_gongan"], v, False, negative_item="X1")
    rec = AuditRecord.objects.get(action="candidate.disqualified")
    assert "本县补充：长期不在村居住的" in rec.changes["reason"][1]


def test_bulk_all_pass_except(setup):
    world, _, e = setup
    e2 = election_in(world, world.village_a2)
    e3 = election_in(world, world.village_b1)
    a, b, c = (to_county(world, candidate(e, n)) for n in ("甲一", "甲二", "甲三"))
    d = to_county(world, candidate(e2, "乙一"))
    other = to_county(world, candidate(e3, "丙一"))
    before = AuditRecord.objects.count()
    done = services.bulk_verdict(
        world.users["dept_gongan"], world.township_a, [b.candidate], document_number="安公审〔2027〕9号"
    )
    # Township A has 4 candidates (3 in 东山村, 1 in 柳塘村); 甲二 is excepted → 3 pass.
    assert sorted(v.case.candidate.person.name for v in done) == ["乙一", "甲一", "甲三"]
    for case, expected in ((a, "pass"), (c, "pass"), (d, "pass"), (b, "pending"), (other, "pending")):
        assert county_verdict(case, "gongan").verdict == expected
    assert county_verdict(a, "zuzhi").verdict == "pending"  # another department is untouched
    # One summary record for the whole action (no stage changed: other departments still pending).
    assert AuditRecord.objects.count() == before + 1
    rec = AuditRecord.objects.get(action="review.bulk_pass")
    assert len(rec.changes["passed"][1]) == 3 and rec.changes["excepted"][1] == [b.candidate.pk]


def test_bulk_only_the_rows_on_screen(setup):
    world, _, e = setup
    a = to_county(world, candidate(e, "甲一"))
    late = to_county(world, candidate(e, "甲二"))
    shown = [county_verdict(a, "gongan").pk]
    done = services.bulk_verdict(world.users["dept_gongan"], world.township_a, verdict_ids=shown)
    assert [v.pk for v in done] == shown
    assert county_verdict(late, "gongan").verdict == "pending"


def test_bulk_refused_for_other_roles_tiers_and_scope(setup):
    world, _, e = setup
    to_county(world, candidate(e, "甲一"))
    with pytest.raises(services.ReviewError, match="只有联审部门、村民选举委员会或乡镇换届办"):
        services.bulk_verdict(world.users["county"], world.township_a)
    # the township passes in bulk at its own tier only: the case is at the county's now
    with pytest.raises(services.ReviewError, match="没有待乡镇初审"):
        services.bulk_verdict(world.users["township_a"], world.township_a)
    with pytest.raises(services.ReviewError, match="没有待本部门审查"):
        services.bulk_verdict(world.users["dept_gongan"], world.township_b)


def test_bulk_completing_the_last_department_passes_the_case(setup):
    world, _, e = setup
    case = to_county(world, candidate(e, "甲一"))
    services.record_verdict(world.users["dept_zuzhi"], county_verdict(case, "zuzhi"), True)
    services.record_verdict(world.users["dept_fayuan"], county_verdict(case, "fayuan"), True)
    services.bulk_verdict(world.users["dept_gongan"], world.township_a)
    case.refresh_from_db()
    assert case.stage == "passed"


def test_reminder_notifies_the_department(setup):
    world, depts, e = setup
    a = to_county(world, candidate(e, "甲一"))
    b = to_county(world, candidate(e, "甲二"))
    note = services.send_reminder(world.users["township_a"], depts["gongan"], [a, b])
    assert note.recipient_department == depts["gongan"] and note.sender == world.users["township_a"]
    assert "东山村甲一" in note.text and "共 2 人" in note.text and "清溪镇" in note.text
    assert list(services.notifications_for(world.users["dept_gongan"])) == [note]
    assert list(services.notifications_for(world.users["dept_fayuan"])) == []
    assert AuditRecord.objects.filter(action="review.remind").count() == 1
    with pytest.raises(services.ReviewError, match="不在您的管辖范围内"):
        services.send_reminder(world.users["township_b"], depts["gongan"], [a])
    services.record_verdict(world.users["dept_gongan"], county_verdict(a, "gongan"), True)
    with pytest.raises(services.ReviewError, match="无需催办"):
        services.send_reminder(world.users["township_a"], depts["gongan"], [a])
    assert Notification.objects.count() == 1


def test_waiting_report_days_since_queued(setup):
    world, _, e = setup
    e2 = election_in(world, world.village_a2)
    a = to_county(world, candidate(e, "甲一"))
    b_case = services.open_review(world.users["township_a"], candidate(e2, "乙一"))
    services.record_verdict(world.users["dept_zuzhi"], county_verdict(a, "zuzhi"), True)
    tz = timezone.get_current_timezone()
    # 公安 and 法院 queued on 1 March; 柳塘村's pre-check on 3 March; today is 5 March.
    ReviewVerdict.objects.filter(case=a, tier="county").update(
        queued_at=dt.datetime(2027, 3, 1, 9, 0, tzinfo=tz)
    )
    ReviewVerdict.objects.filter(case=a, tier="township").update(decided_on=dt.date(2027, 3, 1))
    ReviewVerdict.objects.filter(case=b_case).update(queued_at=dt.datetime(2027, 3, 3, 23, 0, tzinfo=tz))
    report = services.waiting_report(world.township_a, today=dt.date(2027, 3, 5))
    assert [entry["village"].name for entry in report] == ["东山村", "柳塘村"]
    dongshan = [(w.candidate.person.name, w.waiting_on, w.days) for w in report[0]["rows"]]
    # 5 March − 1 March = 4 days; 组织部 has decided and is not waited on.
    assert sorted(dongshan) == [("甲一", "县人民法院", 4), ("甲一", "县公安局", 4)]
    assert report[0]["longest"] == 4
    # 5 March − 3 March = 2 days, waiting on the village's own pre-check.
    assert [(w.waiting_on, w.days) for w in report[1]["rows"]] == [("村级预审", 2)]
    assert services.waiting_report(world.township_b, today=dt.date(2027, 3, 5)) == []
    groups = services.waiting_by_department(world.township_a, today=dt.date(2027, 3, 5))
    assert [(g["department"].code, len(g["cases"]), g["longest"]) for g in groups] == [
        ("gongan", 1, 4),
        ("fayuan", 1, 4),
    ]


def test_tier_summary_hides_departments(setup):
    world, _, e = setup
    case = to_county(world, candidate(e, "甲一"))
    services.record_verdict(
        world.users["dept_gongan"], county_verdict(case, "gongan"), False, negative_item="N03"
    )
    case.refresh_from_db()
    summary = services.tier_summary(case)
    assert [(t["tier"], t["state"]) for t in summary] == [
        ("village", "passed"),
        ("township", "passed"),
        ("county", "failed"),
    ]
    assert all(set(t) == {"tier", "label", "state", "state_label"} for t in summary)


def test_works_for_a_party_election(setup):
    world, _, _ = setup
    from huanjie.elections.models import Election, Post

    e = election_in(world, world.village_a1, kind=Election.PARTY_BRANCH)
    Post.objects.create(election=e, code="secretary", name="书记", seats=1)
    case = to_county(world, candidate(e, "党员甲", post_code="secretary"))
    for code in ("gongan", "zuzhi", "fayuan"):
        services.record_verdict(world.users[f"dept_{code}"], county_verdict(case, code), True)
    case.refresh_from_db()
    assert case.stage == ReviewCase.PASSED


def test_waiting_counts_from_a_backdated_decision_of_the_previous_tier(setup):
    """A township check entered on 1 March but dated 25 February: the departments' wait starts then."""
    world, _, e = setup
    a = to_county(world, candidate(e, "丙一"))
    tz = timezone.get_current_timezone()
    ReviewVerdict.objects.filter(case=a, tier="county").update(queued_at=dt.datetime(2027, 3, 1, 9, 0, tzinfo=tz))
    ReviewVerdict.objects.filter(case=a, tier="township").update(decided_on=dt.date(2027, 2, 25))
    report = services.waiting_report(world.township_a, today=dt.date(2027, 3, 5))
    # 5 March − 25 February (2027 is not a leap year) = 8 days
    assert {w.days for w in report[0]["rows"]} == {8}
