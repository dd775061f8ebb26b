"""Persona tests: every view, every persona, allowed or refused exactly as role and scope say.

Objects outside an account's scope answer 404 (their existence does not leak); a role that may
not use a view at all answers 403; anonymous visitors are sent to the login page.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

P = ["county", "township_a", "township_b", "village_a1", "department", "observer", "admin", "outsider"]


def expect(**codes):
    """Map each persona to the expected status; unspecified personas get ``default``."""
    default = codes.pop("default")
    return {p: codes.get(p, default) for p in P}


# (name, method, url builder, expected statuses)
VIEWS = [
    ("home", "get", lambda w: "/", expect(default=200)),
    ("region_tree", "get", lambda w: "/regions/", expect(default=200, department=403)),
    ("region_a1", "get", lambda w: f"/regions/{w.village_a1.code}/",
     expect(default=200, township_b=404, department=403, outsider=404)),
    ("region_b1", "get", lambda w: f"/regions/{w.village_b1.code}/",
     expect(default=200, township_a=404, village_a1=404, department=403, outsider=404)),
    ("region_township_a", "get", lambda w: f"/regions/{w.township_a.code}/",
     expect(default=200, township_b=404, village_a1=404, department=403, outsider=404)),
    ("people_list", "get", lambda w: "/people/", expect(default=200, department=403, observer=403)),
    ("person_a1", "get", lambda w: f"/people/{w.people['wang'].pk}/",
     expect(default=200, township_b=404, department=403, observer=403, outsider=404)),
    ("person_b1", "get", lambda w: f"/people/{w.people['sun'].pk}/",
     expect(default=200, township_a=404, village_a1=404, department=403, observer=403, outsider=404)),
    ("person_other_county", "get", lambda w: f"/people/{w.people['far'].pk}/",
     expect(default=404, department=403, observer=403, outsider=200)),
    ("person_new", "get", lambda w: "/people/new/", expect(default=200, department=403, observer=403, admin=403)),
    ("person_edit_a1", "get", lambda w: f"/people/{w.people['wang'].pk}/edit/",
     expect(default=200, township_b=404, department=403, observer=403, admin=403, outsider=404)),
    ("campaign_list", "get", lambda w: "/campaigns/", expect(default=200, department=403)),
    ("campaign_detail", "get", lambda w: f"/campaigns/{w.campaign.slug}/",
     expect(default=200, department=403, outsider=404)),
    ("campaign_rules", "get", lambda w: f"/campaigns/{w.campaign.slug}/rules/",
     expect(default=403, county=200, township_a=200, township_b=200, outsider=404)),
    ("campaign_rules_post", "post", lambda w: f"/campaigns/{w.campaign.slug}/rules/",
     expect(default=403, county=405, township_a=405, township_b=405, outsider=405)),
    ("audit_log", "get", lambda w: "/accounts/audit/", expect(default=403, county=200, admin=200, outsider=200)),
    # account management by the office above (issue 9 §2, issue 10); outsider is another county's office
    ("user_list", "get", lambda w: "/accounts/users/", expect(default=403, county=200, township_a=200,
                                                              township_b=200, admin=200, outsider=200)),
    ("user_new", "get", lambda w: "/accounts/users/new/", expect(default=403, county=200, township_a=200,
                                                                 township_b=200, admin=200, outsider=200)),
    ("user_bulk", "get", lambda w: "/accounts/users/bulk/", expect(default=403, county=200, township_a=200,
                                                                   township_b=200, admin=200, outsider=200)),
    ("user_template", "get", lambda w: "/accounts/users/template.xlsx",
     expect(default=403, county=200, township_a=200, township_b=200, admin=200, outsider=200)),
    ("user_reset_township_b", "post", lambda w: f"/accounts/users/{w.users['township_b'].pk}/reset/",
     expect(default=403, county=200, admin=200, township_a=404, township_b=404, outsider=404)),
    ("user_unlock_village_a1", "post", lambda w: f"/accounts/users/{w.users['village_a1'].pk}/unlock/",
     expect(default=403, county=302, township_a=302, admin=302, township_b=404, outsider=404)),
    ("departments", "get", lambda w: "/accounts/users/departments/", expect(default=403, county=200, admin=200,
                                                                      outsider=200)),
    ("password_change", "get", lambda w: "/accounts/password/", expect(default=200)),
    ("set_state_a1", "post", lambda w: f"/campaigns/{w.campaign.slug}/villages/{w.village_a1.code}/state/",
     expect(default=403, county=302, outsider=404)),
    ("relation_delete_a1", "post",
     lambda w: f"/people/{w.people['wang'].pk}/relations/999999/delete/",
     expect(default=404, department=403, observer=403, admin=403)),
    # issue 10: regions, campaign setup, preparation records
    ("region_import", "get", lambda w: "/regions/import/", expect(default=403, county=200, outsider=200)),
    ("region_add", "get", lambda w: "/regions/new/", expect(default=403, county=200, outsider=200)),
    ("region_rename_a1", "post", lambda w: f"/regions/{w.village_a1.code}/rename/",
     expect(default=403, county=302, outsider=404)),
    ("region_merge_a1", "post", lambda w: f"/regions/{w.village_a1.code}/merge/",
     expect(default=403, county=302, outsider=404)),
    ("campaign_create", "get", lambda w: "/campaigns/new/", expect(default=403, county=200, outsider=200)),
    ("campaign_policy", "get", lambda w: f"/campaigns/{w.campaign.slug}/policy/",
     expect(default=403, county=200, outsider=404)),
    ("readiness", "get", lambda w: f"/preparation/{w.campaign.slug}/",
     expect(default=200, village_a1=403, department=403, outsider=404)),
    ("preparation_a1", "get", lambda w: f"/preparation/{w.campaign.slug}/villages/{w.village_a1.code}/",
     expect(default=200, township_b=404, department=403, outsider=404)),
    ("record_audit_a1", "post", lambda w: f"/preparation/{w.campaign.slug}/villages/{w.village_a1.code}/audit/",
     expect(default=403, county=400, township_a=400, township_b=404, outsider=404)),
    ("audit_attachment_a1", "get",
     lambda w: f"/preparation/{w.campaign.slug}/villages/{w.village_a1.code}/audit/attachment/",
     expect(default=404, department=403, observer=403)),
    ("training_new", "get", lambda w: f"/preparation/{w.campaign.slug}/training/new/",
     expect(default=403, county=200, township_a=200, township_b=200, outsider=404)),
    ("api_regions", "get", lambda w: "/api/regions", expect(default=200, department=403)),
    ("api_campaigns", "get", lambda w: "/api/campaigns", expect(default=200)),
    ("api_people", "get", lambda w: "/api/people?q=王", expect(default=200, department=403, observer=403)),
    ("api_person_a1", "get", lambda w: f"/api/people/{w.people['wang'].pk}",
     expect(default=200, township_b=404, department=403, observer=403, outsider=404)),
]


@pytest.mark.parametrize("persona", P)
@pytest.mark.parametrize("name,method,url,codes", VIEWS, ids=[v[0] for v in VIEWS])
def test_persona_access(world, client_for, persona, name, method, url, codes):
    client = client_for(persona)
    data = {"state": "in_scope", "reason": ""} if method == "post" else None
    response = getattr(client, method)(url(world), data=data)
    assert response.status_code == codes[persona], f"{persona} {method.upper()} {url(world)}"


@pytest.mark.parametrize("name,method,url,codes", VIEWS, ids=[v[0] for v in VIEWS])
def test_anonymous_is_sent_to_login(world, client, name, method, url, codes):
    response = getattr(client, method)(url(world))
    if url(world).startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_lists_only_show_what_is_in_scope(world, client_for):
    body = client_for("village_a1").get("/people/").content.decode()
    assert "王建国" in body and "赵丽" not in body and "孙强" not in body
    body = client_for("township_a").get("/people/").content.decode()
    assert "王建国" in body and "赵丽" in body and "孙强" not in body
    body = client_for("outsider").get("/people/").content.decode()
    assert "钱多" in body and "王建国" not in body
    api = client_for("township_b").get("/api/people").json()
    assert [p["name"] for p in api] == ["孙强"]


def test_observer_never_sees_id_numbers(world, client_for):
    body = client_for("observer").get(f"/regions/{world.village_a1.code}/").content.decode()
    assert world.people["wang"].id_number not in body
    assert "人员库" not in body.split("<main")[1]


@pytest.mark.parametrize("persona", ["observer", "admin"])
def test_readers_workbench_links_the_pages_they_may_read(world, client_for, persona):
    """The observer's 工作台 had no to-do list and no way to the dashboards it may read; each link
    it now shows opens for that account."""
    import re

    client = client_for(persona)
    body = client.get("/").content.decode()
    card = body.split('id="readable"')[1].split("</section>")[0]
    links = re.findall(r'href="([^"]+)"', card)
    assert f"/elections/campaign/{world.campaign.slug}/results/county/" in links and len(links) == 4
    for url in links:
        assert client.get(url).status_code == 200, url
