"""The /party/ list of the scope's village party elections (personas, search, Excel) and the party
rows of the JSON API, from the same rows."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from huanjie.elections.models import ElectedMember
from huanjie.party import services

from .helpers import approved_election, dates

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(world):
    pe, roll, noms, d = approved_election(world)
    rnd = pe.election.rounds.get(number=1)
    post = pe.election.posts.get()
    for n in noms[:3]:
        p = n.candidate.person
        ElectedMember.objects.create(election=pe.election, round=rnd, post=post, person=p, name=p.name, votes=15)
    sec = noms[0].candidate.person
    ElectedMember.objects.create(election=pe.plenary, round=pe.plenary.rounds.get(number=1),
                                 post=pe.plenary.posts.get(code="secretary"), person=sec, name=sec.name, votes=3)
    other = services.create_party_election(world.users["township_b"], world.campaign, world.village_b1,
                                           dates(world)["assembly"], method="public_direct")
    return pe, other, noms


@pytest.mark.parametrize("persona,villages", [
    ("county", {"东山村", "石桥村"}), ("township_a", {"东山村"}), ("township_b", {"石桥村"}),
    ("village_a1", {"东山村"}), ("observer", {"东山村", "石桥村"}),
])
def test_index_is_scoped(world, client_for, two, persona, villages):
    r = client_for(persona).get(reverse("party:index"))
    assert r.status_code == 200
    page = r.content.decode()
    assert {v for v in ("东山村", "石桥村") if f">{v}</a>" in page} == villages
    body = client_for(persona).get("/api/party/elections").json()
    assert {row["village_name"] for row in body} == villages


def test_index_refuses_departments_and_outsiders_see_nothing(client_for, two):
    assert client_for("department").get(reverse("party:index")).status_code == 403
    assert client_for("department").get("/api/party/elections").status_code == 403
    assert client_for("outsider").get("/api/party/elections").json() == []


def test_index_rows_search_and_excel(world, client_for, two):
    pe, other, noms = two
    c = client_for("county")
    page = c.get(reverse("party:index"), {"q": "石桥"}).content.decode()
    assert ">石桥村</a>" in page and ">东山村</a>" not in page and "公推直选" in page
    xlsx = c.get(reverse("party:index"), {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as zf:
        strings = zf.read("xl/sharedStrings.xml").decode()
    assert "东山村" in strings and "石桥村" in strings and noms[0].candidate.person.name in strings
    row = next(r for r in c.get("/api/party/elections").json() if r["village_name"] == "东山村")
    assert row["id"] == pe.election_id and row["plenary_id"] == pe.plenary_id
    assert row["approval_number"] == pe.approval_number and row["method"] == "两推一选"
    assert row["committee"] == [n.candidate.person.name for n in noms[:3]]
    assert row["secretary"] == noms[0].candidate.person.name
    assert row["expected_attendance"] == 20 and row["present_with_vote"] == 0 and row["quorum_met"] is False
    # nobody has signed in yet: the quorum is not "failed" but not yet known
    east = c.get(reverse("party:index"), {"q": "东山"}).content.decode()
    assert "未签到" in east and ">否</span>" not in east
    women = sum(1 for n in noms[:3] if n.candidate.person.gender == "F")
    assert row["women"] == women
    assert c.get("/api/party/elections", {"campaign": "no-such"}).status_code == 404
