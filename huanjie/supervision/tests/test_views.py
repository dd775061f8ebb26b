"""Persona tests of the supervision committee's pages: who sees, who writes, and what a clerk reads
on bad input (the field named, nothing saved)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from huanjie.elections.models import Election
from huanjie.supervision.models import Nominee, Supervision

from .helpers import days, supervision, villager, villagers_committee

pytestmark = pytest.mark.django_db


def test_list_page_personas_and_excel(world, client_for):
    d = days(world)
    supervision(world, d)
    url = reverse("supervision:list", args=[world.campaign.slug])
    for who, status in (("county", 200), ("township_a", 200), ("township_b", 200), ("village_a1", 200),
                        ("observer", 200), ("admin", 200), ("department", 403), ("outsider", 404)):
        assert client_for(who).get(url).status_code == status, who
    body = client_for("township_a").get(url).content.decode()
    assert "东山村" in body and "村民代表会议" in body and "柳塘村" in body and "石桥村" not in body
    assert "东山村" not in client_for("township_b").get(url).content.decode()
    assert "建立推选" not in client_for("village_a1").get(url).content.decode()
    r = client_for("county").get(url + "?format=xlsx")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert any(row[1] == "东山村" and row[2] == "村民代表会议" for row in rows)
    assert any(row[1] == "石桥村" and row[2] == "未建立" for row in rows)
    found = client_for("county").get(url + "?q=柳塘").content.decode()
    assert "柳塘村" in found and "东山村" not in found


def test_create_page_names_each_field_and_saves_nothing(world, client_for):
    d = days(world)
    url = reverse("supervision:create", args=[world.campaign.slug])
    for who, status in (("county", 200), ("township_a", 200), ("village_a1", 403), ("observer", 403),
                        ("department", 403)):
        assert client_for(who).get(url).status_code == status, who
    r = client_for("township_a").post(url, {"village": "", "election_date": "2027-02-30", "size": "七",
                                            "body": "representatives_meeting", "method": "ballot"})
    body = r.content.decode()
    assert r.status_code == 400 and "请选择村（社区）" in body and "请填写会议日期" in body and "成员人数应为 3 至 5" in body
    r = client_for("township_a").post(url, {"village": world.village_a1.code, "election_date": d["meeting"].isoformat(),
                                            "size": "6", "body": "representatives_meeting", "method": "ballot"})
    assert r.status_code == 400 and "「成员人数」" in r.content.decode()
    assert not Supervision.objects.exists() and not Election.objects.exists()
    r = client_for("township_a").post(url, {"village": world.village_a1.code, "election_date": d["meeting"].isoformat(),
                                            "size": "3", "body": "villagers_meeting", "method": "hands"})
    sv = Supervision.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("supervision:detail", args=[sv.election.pk])
    assert (sv.body, sv.method) == ("villagers_meeting", "hands")


def test_detail_page_personas_refusal_and_meeting_errors(world, client_for):
    d = days(world)
    villagers_committee(world, d)
    sv = supervision(world, d)
    url = reverse("supervision:detail", args=[sv.election.pk])
    post = reverse("supervision:detail_post", args=[sv.election.pk])
    for who, status in (("county", 200), ("township_a", 200), ("village_a1", 200), ("observer", 200),
                        ("township_b", 404), ("outsider", 404), ("department", 403)):
        assert client_for(who).get(url).status_code == status, who
    assert client_for("observer").post(post, {"action": "check", "on": d["check"].isoformat()}).status_code == 403
    # the machinery's election page sends you to the kind's own page
    r = client_for("county").get(reverse("elections:detail", args=[sv.election.pk]))
    assert r.status_code == 302 and r["Location"] == url
    assert client_for("township_b").get(reverse("elections:detail", args=[sv.election.pk])).status_code == 404
    clerk = client_for("village_a1")
    villager(world.village_a1, "钱会计")
    r = clerk.post(post, {"action": "candidate", "who": "钱会计", "post": "supervision_member", "roles": ["accountant"]},
                   follow=True)
    body = r.content.decode()
    assert "钱会计不得担任村务监督委员会成员：村会计（报账员）不得担任村务监督委员会成员" in body
    assert Nominee.objects.get().candidate.status == "disqualified"
    r = clerk.post(post, {"action": "candidate", "who": "查无此人", "post": "supervision_member"}, follow=True)
    assert "「姓名或身份证号码」：本村人员中没有“查无此人”" in r.content.decode()
    r = clerk.post(post, {"action": "meeting", "members": "45", "present": "46"}, follow=True)
    body = r.content.decode()
    assert "「到会人数」：到会人数不得多于组成人员" in body
    assert 'value="46"' in body  # what was typed is kept on the page
    sv.refresh_from_db()
    assert sv.present is None
    r = clerk.post(post, {"action": "meeting", "members": "45", "present": "30", "method": "ballot"}, follow=True)
    assert "30×3=90 ≥ 45×2=90" in r.content.decode()
    pdf = client_for("observer").get(reverse("supervision:candidates_pdf", args=[sv.election.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client_for("township_b").get(reverse("supervision:candidates_pdf", args=[sv.election.pk])).status_code == 404
