import datetime as dt

import pytest

from huanjie.elections.models import Election, Post, StepRecord, VoterRegistration

pytestmark = pytest.mark.django_db


@pytest.fixture
def elections(world):
    out = {}
    for key, village in (("a1", world.village_a1), ("b1", world.village_b1)):
        e = Election.objects.create(campaign=world.campaign, organization=village, title=f"{village.name}选举",
                                    election_date=dt.date(2027, 1, 20))
        Post.objects.create(election=e, code="director", name="主任", seats=1, rank=0)
        Post.objects.create(election=e, code="member", name="委员", seats=2, rank=2)
        out[key] = e
    VoterRegistration.objects.create(campaign=world.campaign, election=out["a1"], person=world.people["wang"],
                                     registered_on=dt.date(2026, 12, 1))
    StepRecord.objects.create(election=out["a1"], key="voter_list_published", done_on=dt.date(2026, 12, 20))
    return out


@pytest.mark.parametrize("persona,expected", [
    ("county", {"东山村选举", "石桥村选举"}), ("township_a", {"东山村选举"}), ("township_b", {"石桥村选举"}),
    ("village_a1", {"东山村选举"}), ("observer", {"东山村选举", "石桥村选举"}), ("outsider", set()),
])
def test_election_list_is_scoped(client_for, elections, persona, expected):
    body = client_for(persona).get("/api/elections").json()
    assert {e["title"] for e in body} == expected


def test_department_may_not_list_elections(client_for, elections):
    assert client_for("department").get("/api/elections").status_code == 403


def test_election_detail_has_timeline_posts_and_voters(client_for, elections):
    e = elections["a1"]
    body = client_for("village_a1").get(f"/api/elections/{e.pk}").json()
    assert [p["name"] for p in body["posts"]] == ["主任", "委员"] and body["registered_voters"] == 1
    step = next(s for s in body["timeline"] if s["key"] == "voter_list_published")
    # 20 days before 2027-01-20 is 2026-12-31 (R10, R4); published 2026-12-20 → done in time
    assert step["deadline"] == "2026-12-31" and step["done_on"] == "2026-12-20" and step["status"] == "done"
    assert body["elected"] == [] and body["submitted"] is False


def test_election_outside_scope_is_404(client_for, elections):
    assert client_for("village_a1").get(f"/api/elections/{elections['b1'].pk}").status_code == 404
    assert client_for("township_a").get(f"/api/elections/{elections['b1'].pk}").status_code == 404


def test_openapi_lists_the_endpoints(client_for, elections):
    schema = client_for("county").get("/api/openapi.json").json()
    assert {"/api/elections", "/api/elections/{election_id}", "/api/people", "/api/regions"} <= set(schema["paths"])


def test_submitted_elections_are_marked(client_for, elections, world):
    from django.utils import timezone

    from huanjie.elections.models import ResultSubmission

    ResultSubmission.objects.create(election=elections["a1"], submitted_at=timezone.now(),
                                    submitted_by=world.users["village_a1"], locked=True)
    body = {e["title"]: e["submitted"] for e in client_for("county").get("/api/elections").json()}
    assert body == {"东山村选举": True, "石桥村选举": False}
