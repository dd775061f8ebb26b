"""岗前培训 (seed 004 §二(三)3, P24): who must attend a county-level session, and who has not."""

from __future__ import annotations

import datetime as dt

import pytest

from huanjie.elections.tests.aftervote_helpers import counted_election
from huanjie.preparation import services
from huanjie.preparation.models import TrainingSession

ON = dt.date(2026, 11, 27)


@pytest.fixture
def counted(world):
    return counted_election(world)


def test_the_director_must_attend_a_county_session_a_township_one_does_not_count(world, counted):
    director = next(m for m in counted.members if m.post.code == "director")
    deputy = next(m for m in counted.members if m.post.code == "deputy")
    required = services.inductees(world.campaign, "130731")
    assert [(i.person.name, i.done) for i in required] == [(director.name, False)]
    everyone = services.inductees(world.campaign, "130731", required_only=False)
    assert {i.person.name for i in everyone} == {m.name for m in counted.members}
    services.record_induction(world.users["township_a"], world.campaign, held_on=ON, organiser="清溪镇党委",
                              topic="", person_ids=[director.person_id, deputy.person_id])
    assert services.inductees(world.campaign, "130731")[0].done is False  # township level
    services.record_induction(world.users["county"], world.campaign, held_on=ON, organiser="安平县委组织部",
                              topic="岗前集中培训", person_ids=[director.person_id])
    (i,) = services.inductees(world.campaign, "130731")
    assert i.done and [s.organiser for s in i.county_sessions] == ["安平县委组织部"]
    # the campaign may ask two county sessions (P24)
    world.campaign.policy = {"induction_county_sessions": 2}
    world.campaign.save()
    assert services.inductees(world.campaign, "130731")[0].done is False
    # the 业务培训 gate (P15) is not touched by 岗前培训
    assert not TrainingSession.objects.filter(purpose=TrainingSession.ELECTION).exists()
    # the audit log names the session as what it was (it read "…业务培训" for a 岗前培训)
    from huanjie.accounts.audit_display import thing
    from huanjie.accounts.models import AuditRecord

    rec = AuditRecord.objects.filter(action="preparation.induction").order_by("-id").first()
    assert thing(rec) == f"培训：{ON} 安平县委组织部岗前培训"


def test_record_induction_refuses_bad_input_and_other_scopes(world, counted):
    director = next(m for m in counted.members if m.post.code == "director")
    with pytest.raises(services.PreparationRefused) as exc:
        services.record_induction(world.users["county"], world.campaign, held_on=dt.date(2099, 1, 1),
                                  organiser="", topic="", person_ids=[])
    assert set(exc.value.errors) == {"held_on", "organiser", "people"}
    with pytest.raises(services.PreparationRefused, match="管辖范围"):
        services.record_induction(world.users["township_b"], world.campaign, held_on=ON, organiser="石桥乡党委",
                                  topic="", person_ids=[director.person_id])
    for persona in ("village_a1", "observer", "outsider"):
        with pytest.raises(services.PreparationRefused):
            services.record_induction(world.users[persona], world.campaign, held_on=ON, organiser="x", topic="",
                                      person_ids=[director.person_id])
    assert not TrainingSession.objects.exists()


def test_induction_pages_per_persona(world, client_for, counted):
    url = f"/preparation/{world.campaign.slug}/induction/"
    director = next(m for m in counted.members if m.post.code == "director")
    body = client_for("county").get(url).content.decode()
    assert director.name in body and "未参加县级培训" in body
    assert director.name in client_for("township_a").get(url).content.decode()
    assert director.name not in client_for("township_b").get(url).content.decode()
    assert client_for("observer").get(url).status_code == 200
    assert client_for("village_a1").get(url).status_code == 403
    assert client_for("department").get(url).status_code == 403
    assert client_for("county").get(url + "?format=xlsx")["Content-Type"].startswith("application/vnd")
    r = client_for("county").post(url + "new/", {"held_on": "2026-11-27", "organiser": "安平县委组织部",
                                                 "person": [str(director.person_id)]})
    assert r.status_code == 302
    assert "应参加的人员都已参加县级培训" in client_for("county").get(url).content.decode()
    bad = client_for("county").post(url + "new/", {"held_on": "", "organiser": ""})
    assert bad.status_code == 400 and "请至少勾选一名参训人员" in bad.content.decode()
    assert client_for("village_a1").post(url + "new/", {}).status_code == 403


def test_a_session_before_the_trainee_was_elected_is_refused(world, counted):
    director = next(m for m in counted.members if m.post.code == "director")
    counted.election.election_date = dt.date(2026, 11, 25)
    counted.election.save()
    with pytest.raises(services.PreparationRefused, match="早于东山村张国强当选的选举日（2026-11-25）"):
        services.record_induction(world.users["county"], world.campaign, held_on=dt.date(2026, 11, 24),
                                  organiser="安平县委组织部", topic="", person_ids=[director.person_id])
