"""Persona tests of the congress pages: who sees, who writes, what a clerk reads on bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from huanjie.congress import services
from huanjie.congress.models import Congress

from .test_delegates import approved  # noqa: F401  (fixture)
from .test_planning import town  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_personas(world, town, client_for):  # noqa: F811
    congress, _ = town
    services.units_from_branches(world.users["township_a"], congress)
    listing = reverse("congress:list", args=[world.campaign.slug])
    detail = reverse("congress:detail", args=[congress.pk])
    pdf = reverse("congress:document", args=[congress.pk, "allocation.pdf"])
    for who, status in (("county", 200), ("township_a", 200), ("observer", 200), ("admin", 200),
                        ("township_b", 404), ("outsider", 404), ("village_a1", 403), ("department", 403)):
        assert client_for(who).get(detail).status_code == status, who
        assert client_for(who).get(pdf).status_code == status, who
    assert client_for("township_b").get(listing).status_code == 200
    assert congress.title not in client_for("township_b").get(listing).content.decode()
    assert congress.title in client_for("county").get(listing).content.decode()
    body = client_for("observer").get(detail).content.decode()
    assert "中共北岭村支部委员会" in body and 'name="seats"' not in body
    post = reverse("congress:post", args=[congress.pk])
    assert client_for("observer").post(post, {"action": "size", "delegates_planned": "12"}).status_code == 403
    r = client_for("county").get(detail + "?format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_create_with_bad_input_names_the_fields(world, client_for):
    c = client_for("township_a")
    url = reverse("congress:list", args=[world.campaign.slug])
    r = c.post(url, {"township": world.township_a.code, "number": "三", "convene_on": "2027-02-30",
                     "delegates_planned": "350", "committee_seats": "9", "deputy_secretaries": "2",
                     "discipline_seats": "5"})
    body = r.content.decode()
    assert r.status_code == 400
    assert "届次（第几次代表大会）应为正整数" in body and "请填写拟召开日期" in body and "最多300名" in body
    assert not Congress.objects.exists()
    # the other township's office is not offered this township
    assert world.township_a.name not in client_for("township_b").get(url).content.decode().split("筹备乡镇党代会")[-1]


def test_hand_change_through_the_page(world, town, client_for):  # noqa: F811
    congress, _ = town
    services.units_from_branches(world.users["township_a"], congress)
    unit = congress.units.get(number=1)
    c = client_for("township_a")
    post = reverse("congress:post", args=[congress.pk])
    r = c.post(post, {"action": "seats", "unit": unit.pk, "seats": "3", "reason": ""}, follow=True)
    assert "调整名额应写明理由" in r.content.decode()
    unit.refresh_from_db()
    assert unit.seats_set is None
    c.post(post, {"action": "seats", "unit": unit.pk, "seats": "3", "reason": "党员外出"})
    body = c.get(reverse("congress:detail", args=[congress.pk])).content.decode()
    assert "党员外出" in body and "与代表名额10名不一致" in body
    # the county approves the number; a township account cannot
    today = timezone.localdate().isoformat()
    r = c.post(post, {"action": "approve_size", "size_approval_number": "x", "size_approved_on": today}, follow=True)
    assert "不能批准代表名额" in r.content.decode()


def test_unit_page_walks_the_delegate_election(world, approved, client_for):  # noqa: F811
    import datetime as dt

    unit = approved.units.get(number=4)  # 北岭村: 2 members, 1 seat
    url = reverse("congress:unit", args=[unit.pk])
    post = reverse("congress:unit_post", args=[unit.pk])
    for who, status in (("township_a", 200), ("county", 200), ("observer", 200), ("township_b", 404),
                        ("village_a1", 403), ("department", 403)):
        assert client_for(who).get(url).status_code == status, who
    c = client_for("township_a")
    day = timezone.localdate() - dt.timedelta(days=3)
    c.post(post, {"action": "create", "election_date": day.isoformat()})
    de = unit.delegate_election
    for m in services.members_with_vote(unit, day):
        c.post(post, {"action": "candidate", "person": m.person_id, "category": "front_line"})
    assert "候选人2人" in c.get(url).content.decode()
    c.post(post, {"action": "approve", "approval_number": "清委〔2027〕7号", "approval_date": day.isoformat()})
    r = c.post(post, {"action": "meeting", "present": "1"}, follow=True)
    assert "未超过五分之四，选举未进行" in r.content.decode() and 'id="reschedule-form"' in r.content.decode()
    r = c.post(post, {"action": "reschedule", "election_date": (day + dt.timedelta(days=1)).isoformat()}, follow=True)
    assert "已另定党员大会日期" in r.content.decode()
    c.post(post, {"action": "meeting", "present": "2"})
    de.refresh_from_db()
    assert de.meeting.quorum_met and de.meetings.count() == 2
    assert client_for("observer").post(post, {"action": "meeting", "present": "2"}).status_code == 403
