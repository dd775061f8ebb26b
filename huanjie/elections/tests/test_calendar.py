"""The election calendar from the engine as a timeline; recording steps; moving the election day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from huanjie.accounts.models import AuditRecord
from huanjie.elections import services
from huanjie.elections.models import Election, Objection

from .workflow_helpers import ELECTION_DAY, past_campaign

pytestmark = pytest.mark.django_db

D = dt.date


def election(world, jurisdiction="national"):
    campaign = past_campaign(world, jurisdiction)
    return services.create_election(world.users["township_a"], campaign, world.village_a1, ELECTION_DAY)


def by_key(steps):
    return {s.key: s for s in steps}


def test_national_timeline_before_anything_is_done(world):
    e = election(world)
    steps = by_key(services.timeline(e, today=D(2026, 2, 1)))
    # R10: published >= 20 days before 2026-03-20 → latest 2026-02-28 (March 20 − 20 days; Feb has 28 days)
    assert steps["voter_list_published"].deadline == D(2026, 2, 28)
    assert steps["voter_list_published"].status == "due"
    assert steps["election_day"].deadline == ELECTION_DAY
    # R41: handover within 10 days of the committee being produced (election day) → 2026-03-30
    assert steps["handover"].deadline == D(2026, 3, 30)
    # the national profile sets no candidate-list, arrangement, withdrawal or proxy deadlines
    assert set(steps) == {"voter_list_published", "election_day", "handover"}
    # later, nothing published: overdue
    late = by_key(services.timeline(e, today=D(2026, 3, 1)))
    assert late["voter_list_published"].status == "overdue"
    assert late["voter_list_published"].status_label == "已逾期"


def test_zhejiang_timeline_has_every_statutory_step_in_date_order(world):
    e = election(world, "zhejiang")
    steps = services.timeline(e, today=D(2026, 2, 1))
    got = {s.key: s.deadline for s in steps}
    assert got == {
        "voter_list_published": D(2026, 2, 28),  # R10: 20 days before
        "candidate_list": D(2026, 3, 15),  # R15, ZJ Art. 18: 5 days before
        "voting_arrangements": D(2026, 3, 15),  # R16, ZJ Art. 22: 5 days before
        "withdrawal": D(2026, 3, 17),  # R15, ZJ Art. 19: 3 days before
        "proxy_filing": D(2026, 3, 17),  # R20, ZJ Art. 25: 3 days before
        "election_day": D(2026, 3, 20),
        "runoff_latest": D(2026, 4, 19),  # R34, ZJ: within 30 days → March 20 + 30
        "handover": D(2026, 3, 30),  # R41
    }
    dates = [s.deadline for s in steps]
    assert dates == sorted(dates)


def test_recording_publication_adds_the_objection_window(world):
    e = election(world)
    services.record_step(world.users["village_a1"], e, "voter_list_published", D(2026, 2, 25), "村务公开栏")
    e.refresh_from_db()
    assert e.stage == Election.REGISTRATION
    steps = by_key(services.timeline(e, today=D(2026, 3, 1)))
    assert steps["voter_list_published"].status == "done"
    assert steps["voter_list_published"].note == "村务公开栏"
    # R10: objections within 5 days of publication: 2026-02-25 + 5 = 2026-03-02
    objection = steps["objection_deadline"]
    assert objection.deadline == D(2026, 3, 2) and objection.passive
    assert objection.status == "due" and objection.status_label == "未截止"
    assert by_key(services.timeline(e, today=D(2026, 3, 3)))["objection_deadline"].status_label == "已截止"
    # an objection received on 2026-02-27 must be decided within 3 days → 2026-03-02
    Objection.objects.create(
        election=e,
        objector_name="张三",
        about=world.people["wang"],
        kind="remove",
        content="已迁出",
        filed_on=D(2026, 2, 27),
        received_on=D(2026, 2, 27),
    )
    steps = by_key(services.timeline(e, today=D(2026, 3, 1)))
    assert steps["objection_decision"].deadline == D(2026, 3, 2)
    assert AuditRecord.objects.filter(action="election.step").count() == 1


def test_a_late_publication_is_refused_and_the_day_must_move(world):
    """VCL Art. 14: the list is published 20 days before the vote. A list published later leaves
    the voters too little time: the law allows no late step, the election day moves instead."""
    e = election(world)
    with pytest.raises(services.ElectionError, match="最迟应在 2026-02-28 完成.*不允许逾期.*调整选举日"):
        services.record_step(world.users["township_a"], e, "voter_list_published", D(2026, 3, 1))
    assert not e.steps.exists()


def test_a_late_objection_decision_is_recorded_with_its_reason(world):
    """R10: a decision owed after its 3 days is still owed: recorded late, with the reason."""
    e = election(world)
    services.record_step(world.users["township_a"], e, "voter_list_published", D(2026, 2, 20))
    Objection.objects.create(
        election=e, objector_name="张三", about=world.people["li"], kind=Objection.ADD, content="漏登",
        filed_on=D(2026, 2, 22), received_on=D(2026, 2, 22),
    )
    with pytest.raises(services.LateNeedsExplanation, match="期限是 2026-02-25.*请写明逾期原因"):
        services.record_step(world.users["township_a"], e, "objection_decision", D(2026, 2, 27))
    services.record_step(world.users["township_a"], e, "objection_decision", D(2026, 2, 27), "主任外出，延后两日")
    step = by_key(services.timeline(e, today=D(2026, 3, 5)))["objection_decision"]
    assert step.status == "late" and step.status_label == "完成但不符合期限"
    with pytest.raises(services.ElectionError, match="早于公布选民名单"):
        services.record_step(world.users["township_a"], e, "objection_decision", D(2026, 2, 19), "x")


def test_record_step_refuses_unknown_keys_future_days_and_other_villages(world):
    e = election(world)
    with pytest.raises(services.ElectionError, match="未知的步骤"):
        services.record_step(world.users["village_a1"], e, "lunch", D(2026, 2, 1))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(services.ElectionError, match="晚于今天"):
        services.record_step(world.users["village_a1"], e, "voter_list_published", tomorrow)
    with pytest.raises(services.ElectionError, match="管辖范围"):
        services.record_step(world.users["township_b"], e, "voter_list_published", D(2026, 2, 1))


def test_moving_the_day_earlier_reports_the_publication_that_no_longer_meets_its_deadline(world):
    e = election(world)
    services.record_step(world.users["village_a1"], e, "voter_list_published", D(2026, 2, 25))
    move = services.move_election_date(world.users["township_a"], e, D(2026, 3, 10))
    # new latest publication day: 2026-03-10 − 20 days = 2026-02-18; published 2026-02-25 is too late
    assert [(s.key, s.deadline, s.done_on) for s in move.no_longer_met] == [
        ("voter_list_published", D(2026, 2, 18), D(2026, 2, 25))
    ]
    e.refresh_from_db()
    assert e.election_date == D(2026, 3, 10)
    assert e.rounds.get(number=1).held_on == D(2026, 3, 10)
    rec = AuditRecord.objects.get(action="election.move_date")
    assert rec.changes["election_date"] == ["2026-03-20", "2026-03-10"]
    assert rec.changes["no_longer_met"] == [None, ["公布选民名单"]]
    # moving it later again: the same publication is fine once more (2026-03-25 − 20 = 2026-03-05)
    again = services.move_election_date(world.users["county"], e, D(2026, 3, 25))
    assert again.no_longer_met == [] and again.still_late == []


def test_moving_the_day_is_for_township_and_county_before_voting(world):
    e = election(world)
    with pytest.raises(services.ElectionError, match="无权"):
        services.move_election_date(world.users["village_a1"], e, D(2026, 3, 25))
    with pytest.raises(services.ElectionError, match="不在换届工作期间"):
        services.move_election_date(world.users["township_a"], e, D(2026, 6, 1))
    e.stage = Election.VOTING
    e.save()
    with pytest.raises(services.ElectionError, match="不能再调整选举日"):
        services.move_election_date(world.users["township_a"], e, D(2026, 3, 25))
