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


def test_township_secretaries_sign_a_responsibility_letter(world, client_for):
    """Every township of the campaign is listed until its secretary's letter is signed; the county
    records any township's, a township only its own; errors name the field and save nothing."""
    from huanjie.accounts.models import AuditRecord
    from huanjie.oversight.models import TownshipLetter

    rows = {r["township"].name: r for r in commitments.township_rows(world.campaign, "130731")}
    assert set(rows) == {"清溪镇", "石桥乡"} and not any(r["signed"] for r in rows.values())
    county, ta = world.users["county"], world.users["township_a"]
    with pytest.raises(services.OversightError, match="乡镇党委书记：必须填写姓名"):
        commitments.record_township_letter(county, world.campaign, world.township_a, " ", TODAY)
    with pytest.raises(services.OversightError, match="签订日期：.*晚于今天"):
        commitments.record_township_letter(county, world.campaign, world.township_a, "孙书记",
                                           TODAY + dt.timedelta(days=1))
    with pytest.raises(services.OversightError, match="签订日期：上传签字件时必须填写签订日期"):
        commitments.record_township_letter(county, world.campaign, world.township_a, "孙书记", None, PNG, "x.png")
    with pytest.raises(services.OversightError, match="管辖范围"):
        commitments.record_township_letter(ta, world.campaign, world.township_b, "钱书记", TODAY)
    with pytest.raises(services.OversightError, match="无权"):
        commitments.record_township_letter(world.users["village_a1"], world.campaign, world.township_a, "孙书记", TODAY)
    assert not TownshipLetter.objects.exists()
    commitments.record_township_letter(county, world.campaign, world.township_a, "孙书记", None)  # named, not signed
    assert not commitments.township_rows(world.campaign, "130731")[0]["signed"]
    commitments.record_township_letter(ta, world.campaign, world.township_a, "孙书记", TODAY, PNG, "责任书.png")
    rows = {r["township"].name: r for r in commitments.township_rows(world.campaign, "130731")}
    assert rows["清溪镇"]["signed"] and not rows["石桥乡"]["signed"]
    assert AuditRecord.objects.filter(action="oversight.township_letter").count() == 2

    page = client_for("county").get("/oversight/commitments/").content.decode()
    assert 'data-township="130731201000"' in page and "孙书记" in page
    assert "township-letters" not in client_for("village_a1").get("/oversight/commitments/").content.decode()
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(client_for("county").get("/oversight/commitments/?format=xlsx").content))
    missing = [r for r in book.active.iter_rows(min_row=4, values_only=True)]
    assert ["石桥乡", "（未登记）"] in [[r[0], r[3]] for r in missing]
    assert "清溪镇" not in [r[0] for r in missing if r[2].startswith("换届工作责任书（乡镇")]
    # the form: a township posts its own; the other township's answers 404; a bad name keeps nothing
    r = client_for("township_b").post("/oversight/commitments/township/130731201000/",
                                      {"secretary": "", "signed_on": TODAY.isoformat()})
    assert r.status_code == 302 and not TownshipLetter.objects.filter(township=world.township_b).exists()
    assert client_for("township_b").post("/oversight/commitments/township/130731100000/",
                                         {"secretary": "x"}).status_code == 404
    pk = TownshipLetter.objects.get(township=world.township_a).pk
    codes = {"county": 200, "township_a": 200, "township_b": 404, "village_a1": 403, "department": 403,
             "observer": 403, "admin": 403, "outsider": 404}
    for persona, code in codes.items():
        assert client_for(persona).get(f"/oversight/commitments/township-copy/{pk}/").status_code == code, persona
