"""The congress's 59 steps (seed 003 篇7): windows from the congress day, facts recorded elsewhere
mark their steps done, the others are marked by hand; done / due / overdue / late."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from huanjie.congress import services
from huanjie.congress.steps import STEPS

from .test_planning import town  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_timeline(world, town, client_for):  # noqa: F811
    congress, _ = town
    t = world.users["township_a"]
    today = timezone.localdate()
    congress.convene_on = today + dt.timedelta(days=20)  # phase 1 (−41…−36) is past: overdue
    congress.save()
    rows = services.timeline(congress)
    assert len(rows) == len(STEPS) == 59
    r1 = rows[0]
    assert (r1.earliest, r1.due, r1.status) == (congress.convene_on - dt.timedelta(days=41),
                                                congress.convene_on - dt.timedelta(days=36), "overdue")
    assert rows[58].due == congress.convene_on + dt.timedelta(days=30) and rows[58].status == "due"
    # step 6 is done when the 请示 is recorded, not by hand
    with pytest.raises(services.CongressError, match="由系统"):
        services.record_step(t, congress, 6, today)
    services.units_from_branches(t, congress)
    services.record_request(t, congress, "清委〔2027〕1号", today)
    services.record_step(t, congress, 1, today - dt.timedelta(days=30), "传达县委文件")
    with pytest.raises(services.CongressInvalid, match="晚于今天"):
        services.record_step(t, congress, 2, today + dt.timedelta(days=1))
    with pytest.raises(services.CongressInvalid, match="1至59"):
        services.record_step(t, congress, 60, today)
    rows = {r.step.number: r for r in services.timeline(congress)}
    assert rows[1].status == "done" and rows[1].note == "传达县委文件"
    # 请示 recorded today, 15 days after its phase ended: done but late
    assert rows[6].done_on == today and rows[6].recorded_by_system and rows[6].status == "late"
    body = client_for("township_a").get(reverse("congress:detail", args=[congress.pk])).content.decode()
    assert 'id="steps-done">3<' in body and "完成但不在期限内" in body
    r = client_for("county").get(reverse("congress:detail", args=[congress.pk]) + "?list=timeline&format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
