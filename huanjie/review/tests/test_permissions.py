"""Who sees what of the review: a department only its own queue, a village never the joint review's
internals, and everything outside scope answers 404."""

from __future__ import annotations

import pytest
from django.test import Client

from huanjie.review import services

from .review_helpers import add_departments, candidate, county_verdict, election_in, to_county

pytestmark = pytest.mark.django_db

P = ["county", "township_a", "township_b", "village_a1", "department", "observer", "admin", "outsider"]


def expect(**codes):
    default = codes.pop("default")
    return {p: codes.get(p, default) for p in P}


@pytest.fixture
def case_world(world):
    depts = add_departments(world)
    e = election_in(world, world.village_a1)
    case = to_county(world, candidate(e, "张审查"))
    # 法院 has failed the candidate: its verdict and the item are department internals.
    return world, depts, e, case


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


VIEWS = [
    ("home", lambda w, case: "/review/", expect(default=302, observer=403, admin=403)),
    ("queue", lambda w, case: "/review/queue/", expect(default=403, department=200)),
    ("cases", lambda w, case: "/review/cases/", expect(default=200, department=403)),
    ("county", lambda w, case: "/review/county/", expect(default=403, county=200, outsider=200)),
    (
        "township_a",
        lambda w, case: f"/review/township/{w.township_a.code}/",
        expect(default=403, county=200, township_a=200, township_b=404, outsider=404),
    ),
    (
        "table_pdf_a",
        lambda w, case: f"/review/township/{w.township_a.code}/table.pdf",
        expect(default=403, county=200, township_a=200, township_b=404, outsider=404),
    ),
    (
        "table_xlsx_a",
        lambda w, case: f"/review/township/{w.township_a.code}/table.xlsx",
        expect(default=403, county=200, township_a=200, township_b=404, outsider=404),
    ),
    (
        "gongan_verdict",
        lambda w, case: f"/review/verdicts/{county_verdict(case, 'gongan').pk}/",
        expect(default=403, department=200, township_a=404, township_b=404, village_a1=404),
    ),
    (
        "notifications",
        lambda w, case: "/review/notifications/",
        expect(
            default=403, department=200, county=200, township_a=200, township_b=200, admin=200, outsider=200
        ),
    ),
]


@pytest.mark.parametrize("persona", P)
@pytest.mark.parametrize("name,url,codes", VIEWS, ids=[v[0] for v in VIEWS])
def test_persona_access(case_world, persona, name, url, codes):
    world, _, _, case = case_world
    response = login(world.users[persona]).get(url(world, case))
    assert response.status_code == codes[persona], f"{persona} GET {url(world, case)}"


def test_department_sees_only_its_own_queue(case_world):
    world, _, _, case = case_world
    services.record_verdict(
        world.users["dept_fayuan"], county_verdict(case, "fayuan"), True, comment="法院意见：无涉诉记录"
    )
    body = login(world.users["dept_gongan"]).get("/review/queue/").content.decode()
    assert "张审查" in body and case.candidate.person.id_number in body and "东山村" in body
    assert "委员" in body
    # No other department's name, verdict or comment; nothing of the election itself.
    assert "县人民法院" not in body and "县委组织部" not in body and "无涉诉记录" not in body
    assert "选民" not in body and "选举日" not in body
    # 法院 has decided: its pending queue is empty, its decided list shows only its own verdict.
    fayuan = login(world.users["dept_fayuan"])
    assert "张审查" not in fayuan.get("/review/queue/").content.decode()
    decided = fayuan.get("/review/queue/?status=decided").content.decode()
    assert "张审查" in decided and "县公安局" not in decided


def test_department_cannot_open_or_decide_another_departments_verdict(case_world):
    world, _, _, case = case_world
    fayuan_v = county_verdict(case, "fayuan")
    gongan = login(world.users["dept_gongan"])
    assert gongan.get(f"/review/verdicts/{fayuan_v.pk}/").status_code == 404
    r = gongan.post(f"/review/verdicts/{fayuan_v.pk}/record/", {"result": "fail", "negative_item": "N02"})
    assert r.status_code == 404
    fayuan_v.refresh_from_db()
    assert fayuan_v.verdict == "pending"


def test_department_cannot_see_the_election(case_world):
    world, _, e, _ = case_world
    gongan = login(world.users["dept_gongan"])
    assert gongan.get(f"/elections/{e.pk}/").status_code == 403
    assert gongan.get("/review/cases/").status_code == 403


def test_failed_case_leaves_other_queues_without_reason(case_world):
    world, _, _, case = case_world
    services.record_verdict(
        world.users["dept_gongan"], county_verdict(case, "gongan"), False, negative_item="N02"
    )
    fayuan = login(world.users["dept_fayuan"])
    assert "张审查" not in fayuan.get("/review/queue/").content.decode()
    assert fayuan.get(f"/review/verdicts/{county_verdict(case, 'fayuan').pk}/").status_code == 404


def test_village_sees_tiers_not_departments(case_world):
    world, _, e, case = case_world
    services.record_verdict(
        world.users["dept_gongan"],
        county_verdict(case, "gongan"),
        False,
        negative_item="N02",
        comment="公安内部意见",
    )
    village = login(world.users["village_a1"])
    for url in ("/review/cases/", f"/elections/{e.pk}/"):
        body = village.get(url).content.decode()
        assert "张审查" in body and "未通过" in body, url
        for secret in ("县公安局", "县人民法院", "县委组织部", "N02", "公安内部意见"):
            assert secret not in body, (url, secret)
    assert village.get(f"/review/verdicts/{county_verdict(case, 'gongan').pk}/").status_code == 404


def test_township_and_county_see_department_verdicts(case_world):
    world, _, e, case = case_world
    services.record_verdict(
        world.users["dept_gongan"], county_verdict(case, "gongan"), False, negative_item="N02"
    )
    for persona in ("township_a", "county"):
        body = login(world.users[persona]).get(f"/elections/{e.pk}/").content.decode()
        assert "县公安局：不通过（N02）" in body, persona


def test_single_verdict_form_records_with_negative_item(case_world):
    world, _, _, case = case_world
    gongan = login(world.users["dept_gongan"])
    v = county_verdict(case, "gongan")
    page = gongan.get(f"/review/verdicts/{v.pk}/").content.decode()
    assert 'name="negative_item"' in page and "N02" in page and "data-confirm" in page
    r = gongan.post(f"/review/verdicts/{v.pk}/record/", {"result": "fail", "negative_item": ""}, follow=True)
    assert "必须选择负面清单" in r.content.decode()
    r = gongan.post(
        f"/review/verdicts/{v.pk}/record/",
        {"result": "fail", "negative_item": "N03", "document_number": "安公审〔2027〕1号"},
    )
    assert r.status_code == 302
    v.refresh_from_db()
    assert (v.verdict, v.negative_item, v.document_number) == ("fail", "N03", "安公审〔2027〕1号")


def test_bulk_form_passes_all_but_the_checked(case_world):
    world, _, e, case = case_world
    other = to_county(world, candidate(e, "李除外"))
    gongan = login(world.users["dept_gongan"])
    page = gongan.get(f"/review/queue/?township={world.township_a.code}").content.decode()
    assert 'id="bulk-form"' in page and "data-confirm" in page
    shown = [county_verdict(case, "gongan").pk, county_verdict(other, "gongan").pk]
    r = gongan.post(
        "/review/queue/bulk/",
        {"township": world.township_a.code, "shown": shown, "except": [other.candidate.pk]},
    )
    assert r.status_code == 302
    assert county_verdict(case, "gongan").verdict == "pass"
    assert county_verdict(other, "gongan").verdict == "pending"
    # A township code outside the department's county answers 404.
    assert gongan.post("/review/queue/bulk/", {"township": "130732100000"}).status_code == 404


def test_township_reminder_button(case_world):
    world, depts, _, case = case_world
    township = login(world.users["township_a"])
    page = township.get(f"/review/township/{world.township_a.code}/").content.decode()
    assert "县公安局" in page and "东山村" in page and "data-confirm" in page
    r = township.post(f"/review/township/{world.township_a.code}/remind/", {"department": depts["gongan"].pk})
    assert r.status_code == 302
    body = login(world.users["dept_gongan"]).get("/review/notifications/").content.decode()
    assert "清溪镇提醒" in body and "张审查" in body
    assert "张审查" not in login(world.users["dept_fayuan"]).get("/review/notifications/").content.decode()
    r = login(world.users["township_b"]).post(
        f"/review/township/{world.township_a.code}/remind/", {"department": depts["gongan"].pk}
    )
    assert r.status_code == 404
