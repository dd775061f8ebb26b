"""三个100%: who must sign comes from the data (previous secretary, candidates, election workers);
signing is recorded with its copy; the list of who has not signed is per village."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from huanjie.oversight import commitments, services
from huanjie.reports.models import PreviousCadre
from huanjie.review.tests.review_helpers import candidate, election_in

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


@pytest.fixture
def village(world):
    wang = world.people["wang"]
    PreviousCadre.objects.create(campaign=world.campaign, village=world.village_a1, name=wang.name,
                                 id_number=wang.id_number, gender="M", birth_date=wang.birth_date, posts="党组织书记",
                                 party_committee=True, secretary=True, party_member=True)
    e = election_in(world, world.village_a1)
    return candidate(e, "周候选", post_code="director")


def test_needs_and_signing(world, village):
    rows = {r["village"].name: r for r in commitments.village_rows(world.campaign, world.county.scope_prefix)}
    assert (rows["东山村"]["required"], rows["东山村"]["signed"]) == (2, 0)
    assert [(n.kind, n.person.name, n.role) for n in rows["东山村"]["missing"]] == [
        ("responsibility", "王建国", "村党组织书记"), ("pledge", "周候选", "主任候选人")]
    assert rows["柳塘村"]["required"] == 0
    ta = world.users["township_a"]
    with pytest.raises(services.OversightError, match="只能上传 PDF、PNG 或 JPG"):
        commitments.record_signed(ta, world.campaign, world.village_a1, "pledge", village.person.pk, TODAY,
                                  b"MZ\x90\x00", "x.exe")
    with pytest.raises(services.OversightError, match="不在本村应签订的名单中"):
        commitments.record_signed(ta, world.campaign, world.village_a1, "guarantee", village.person.pk, TODAY)
    with pytest.raises(services.OversightError, match="晚于今天"):
        commitments.record_signed(ta, world.campaign, world.village_a1, "pledge", village.person.pk,
                                  TODAY + dt.timedelta(days=1))
    with pytest.raises(services.OversightError, match="无权"):
        commitments.record_signed(world.users["observer"], world.campaign, world.village_a1, "pledge",
                                  village.person.pk, TODAY)
    rec = commitments.record_signed(world.users["village_a1"], world.campaign, world.village_a1, "pledge",
                                    village.person.pk, TODAY, PNG, "承诺书.png")
    assert rec.copy_type == "image/png"
    rows = {r["village"].name: r for r in commitments.village_rows(world.campaign, world.county.scope_prefix)}
    assert rows["东山村"]["signed"] == 1 and [n.person.name for n in rows["东山村"]["missing"]] == ["王建国"]


def test_pages(world, village, client_for):
    commitments.record_signed(world.users["township_a"], world.campaign, world.village_a1, "pledge",
                              village.person.pk, TODAY, PNG, "承诺书.png")
    from huanjie.oversight.models import Commitment

    pk = Commitment.objects.get().pk
    codes = {"county": 200, "township_a": 200, "township_b": 200, "village_a1": 200, "department": 403,
             "observer": 403, "admin": 403, "outsider": 404}
    for persona, code in codes.items():
        assert client_for(persona).get("/oversight/commitments/").status_code == code, persona
        assert client_for(persona).get("/oversight/commitments/?format=xlsx").status_code == code, persona
    village_codes = dict(codes, township_b=404)
    for persona, code in village_codes.items():
        assert client_for(persona).get(f"/oversight/commitments/{world.village_a1.code}/").status_code == code
        assert client_for(persona).get(f"/oversight/commitments/copy/{pk}/").status_code == code, persona
    page = client_for("township_a").get("/oversight/commitments/").content.decode()
    assert "王建国（村党组织书记）" in page
    r = client_for("village_a1").get(f"/oversight/commitments/copy/{pk}/")
    assert r.content == PNG and r["Content-Type"] == "image/png"
