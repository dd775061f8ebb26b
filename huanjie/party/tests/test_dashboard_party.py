"""The party elections beside the villagers' committees on the township's and county's dashboards
(issue 12, "Across the county"), and 一肩挑 computed from the two results, never ticked by hand."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from huanjie.elections import services as elections
from huanjie.elections.aftervote import services as aftervote
from huanjie.elections.models import Election, Post
from huanjie.elections.voting.models import ElectedMember
from huanjie.party import services
from huanjie.party.tests.helpers import approved_election, dates

SLUG = "anping-2026"
COUNTY_URL = f"/elections/campaign/{SLUG}/results/county/"
TOWNSHIP_URL = f"/elections/campaign/{SLUG}/results/township/"


def _two_results(world, *, secretary_is_director: bool = True):
    """东山村: the party plenary elected a 书记; the villagers elected a 主任 (the same person or not)."""
    pe, roll, noms, d = approved_election(world)
    secretary = noms[0].candidate.person
    rnd = pe.plenary.rounds.get(number=1)
    ElectedMember.objects.create(election=pe.plenary, round=rnd, post=pe.plenary.posts.get(code="secretary"),
                                 person=secretary, name=secretary.name, votes=3)
    village = elections.create_election(world.users["township_a"], world.campaign, world.village_a1, d["assembly"])
    director_person = secretary if secretary_is_director else noms[1].candidate.person
    director = ElectedMember.objects.create(
        election=village, round=village.rounds.get(number=1), post=village.posts.get(code=Post.DIRECTOR),
        person=director_person, name=director_person.name, votes=300)
    return pe, village, director, secretary


def _section(html: str) -> str:
    assert 'id="section-1"' in html
    return html.split('id="section-1"')[1].split("</section>")[0]


def test_party_section_beside_the_committees_with_filters(world, client_for):
    pe, village, director, secretary = _two_results(world)
    html = client_for("county").get(COUNTY_URL).content.decode()
    section = _section(html)
    assert "村党组织换届" in section and "东山村" in section and secretary.name in section
    from django.urls import reverse

    assert reverse("party:election", args=[pe.election.pk]) in section
    assert "两推一选" in section and "清溪党〔2026〕8号" in section  # the preliminary list's 批复
    # the committees' table no longer lists the party kinds as its own rows; 一肩挑 is computed
    table = html.split('id="villages"')[1].split("</table>")[0]
    assert "村党组织" not in table and "东山村" in table
    row = table.split(f'data-village="{world.village_a1.code}"')[1].split("</tr>")[0]
    assert row.rstrip().count("<td>是</td>") == 1
    # the same filters: search, township, kind
    assert "东山村" not in _section(client_for("county").get(COUNTY_URL, {"q": "石桥"}).content.decode())
    only_b = client_for("county").get(COUNTY_URL, {"township": world.township_b.code}).content.decode()
    assert "东山村" not in _section(only_b)
    party_only = client_for("county").get(COUNTY_URL, {"kind": Election.PARTY_BRANCH}).content.decode()
    assert "东山村" in _section(party_only) and 'id="villages"' not in party_only
    committees_only = client_for("county").get(COUNTY_URL, {"kind": Election.VILLAGE_COMMITTEE}).content.decode()
    assert 'id="section-1"' not in committees_only and 'id="villages"' in committees_only


def test_dashboard_export_has_the_party_sheet(world, client_for):
    pe, village, director, secretary = _two_results(world)
    r = client_for("township_a").get(TOWNSHIP_URL, {"format": "xlsx"})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["村（居）民委员会", "村党组织换届", "村务监督委员会推选"]
    rows = [row for row in wb["村党组织换届"].iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(rows) if row[0] == "村（社区）")
    assert list(rows[header]) == services.INDEX_COLUMNS
    dongshan = next(row for row in rows[header + 1:] if row[0] == "东山村")
    assert dongshan[1] == "清溪镇" and dongshan[11] == secretary.name and dongshan[6] == "清溪党〔2026〕8号"
    committees = [row for row in wb["村（居）民委员会"].iter_rows(values_only=True)]
    assert any(row[1] == "东山村" and row[-1] == "是" for row in committees)  # 一肩挑 computed
    # a party kind chosen: the party sheet alone, with the same filter
    r = client_for("county").get(COUNTY_URL, {"format": "xlsx", "kind": Election.PARTY_BRANCH, "q": "石桥"})
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["村党组织换届"]
    assert not any(row[0] == "东山村" for row in wb.active.iter_rows(values_only=True))


@pytest.mark.parametrize("persona, url, status", [
    ("county", COUNTY_URL, 200), ("observer", COUNTY_URL, 200), ("township_a", TOWNSHIP_URL, 200),
    ("township_b", TOWNSHIP_URL, 200), ("village_a1", COUNTY_URL, 403), ("village_a1", TOWNSHIP_URL, 403),
    ("department", COUNTY_URL, 403), ("township_a", COUNTY_URL, 403),
])
def test_personas_on_the_dashboards(world, client_for, persona, url, status):
    pe, village, director, secretary = _two_results(world)
    r = client_for(persona).get(url)
    assert r.status_code == status
    if status == 200:
        html = r.content.decode()
        # the township of 石桥乡 sees no village of 清溪镇, in either table
        assert ("东山村" in _section(html)) == (persona != "township_b")


def test_party_section_queries_do_not_grow_with_villages(world, client_for, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from huanjie.campaigns.models import CampaignVillage
    from huanjie.people.models import Region

    d = dates(world)
    township = world.users["township_a"]
    client = client_for("county")

    def count() -> int:
        client.get(COUNTY_URL)  # warm caches (session, user)
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(COUNTY_URL).content.decode()
        assert 'id="section-1"' in html
        return len(ctx.captured_queries)

    services.create_party_election(township, world.campaign, world.village_a1, d["assembly"])
    one = count()
    for i in range(6):
        v = Region.objects.create(code=f"130731100{i + 200:03d}", name=f"测试{i}村", level="village",
                                  kind="village", parent=world.township_a)
        CampaignVillage.objects.create(campaign=world.campaign, village=v)
        services.create_party_election(township, world.campaign, v, d["assembly"])
    assert count() == one
    with django_assert_max_num_queries(30):
        client.get(COUNTY_URL)


def test_yijiantiao_cannot_be_ticked_by_hand_once_the_party_result_is_in(world, client_for):
    pe, village, director, secretary = _two_results(world, secretary_is_director=False)
    township = world.users["township_a"]
    # the 书记 was not elected 主任: marking the 主任 by hand contradicts the two results
    with pytest.raises(aftervote.AfterVoteError, match="由两项选举结果确定"):
        aftervote.assign_posts(township, village, {}, party_secretary=director.pk)
    aftervote.assign_posts(township, village, {director.pk: "全面工作"})
    director.refresh_from_db()
    assert director.is_party_secretary is False and director.assigned_post == "全面工作"
    page = client_for("township_a").get(f"/elections/{village.pk}/results/posts/").content.decode()
    assert "未当选村民委员会主任" in page and 'name="party_secretary"' not in page
    # the 主任 is the 书记: saving the 分工 records it, the page shows it
    director.person, director.name = secretary, secretary.name
    director.save()
    aftervote.assign_posts(township, village, {})
    director.refresh_from_db()
    assert director.is_party_secretary is True
    page = client_for("township_a").get(f"/elections/{village.pk}/results/posts/").content.decode()
    assert "本村实行“一肩挑”" in page


def test_without_the_party_result_the_office_still_marks_it(world):
    d = dates(world)
    village = elections.create_election(world.users["township_a"], world.campaign, world.village_a1, d["assembly"])
    person = world.people["wang"]
    director = ElectedMember.objects.create(
        election=village, round=village.rounds.get(number=1), post=village.posts.get(code=Post.DIRECTOR),
        person=person, name=person.name, votes=300)
    aftervote.assign_posts(world.users["township_a"], village, {}, party_secretary=director.pk)
    director.refresh_from_db()
    assert director.is_party_secretary is True
    assert aftervote.village_rows([village])[0]["yijiantiao"] is True


def test_reports_follow_the_party_result_not_an_earlier_hand_mark(world):
    """A 主任 marked 一肩挑 before the party's result was entered is no 书记 once the plenary elected
    someone else: the structure report counts the plenary's 书记."""
    from huanjie.reports.structure import current_cadres

    pe, village, director, secretary = _two_results(world, secretary_is_director=False)
    ElectedMember.objects.filter(pk=director.pk).update(is_party_secretary=True)  # the old hand mark
    cadres = {c.key: c for c in current_cadres(world.campaign, world.users["county"].scope_prefix)}
    assert cadres[director.person.id_number].secretary is False
    assert cadres[secretary.id_number].secretary is True


def test_party_certificates_name_the_electing_meeting(world):
    """The committee's members are elected by the 党员大会 (the delegates' congress at a 党员代表大会,
    R50), the 书记 by the committee's first plenary (R61): the certificates say so, not
    "经东山村第十二届党支部委员会选举"."""
    from pypdf import PdfReader

    from huanjie.elections.aftervote import documents as result_documents
    from huanjie.party.models import PartyElection

    pe, village, director, secretary = _two_results(world)
    committee = pe.election.posts.get()
    ElectedMember.objects.create(election=pe.election, round=pe.election.rounds.get(number=1), post=committee,
                                 person=secretary, name=secretary.name, votes=17)

    def text(election) -> str:
        pdf = result_documents.certificates_pdf(election, date=dates(world)["assembly"])
        return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")

    assembly = text(pe.election)
    assert "经中共东山村支部党员大会选举，当选为东山村第十二届党支部委员会委员" in assembly
    assert "经东山村第十二届党支部委员会选举" not in assembly
    assert "经中共东山村支部委员会第一次全体会议选举，当选为东山村第十二届党支部委员会书记" in text(pe.plenary)
    PartyElection.objects.filter(pk=pe.pk).update(body=PartyElection.CONGRESS)
    assert "经中共东山村支部党员代表大会选举" in text(pe.election)
    # the villagers' committee keeps its wording
    assert "经东山村第十二届村民委员会选举，当选为村民委员会主任" in text(village)


def test_result_page_and_archive_show_the_computed_yijiantiao(world, client_for):
    """The result page and the archive's data workbook read 一肩挑 from the two results, not a mark
    stored before the party's result came in."""
    from huanjie.elections.aftervote import archive

    pe, village, director, secretary = _two_results(world, secretary_is_director=False)
    ElectedMember.objects.filter(pk=director.pk).update(is_party_secretary=True)  # the old hand mark
    assert aftervote.yijiantiao_of(village) is None
    page = client_for("township_a").get(f"/elections/{village.pk}/results/").content.decode()
    row = page.split(director.name)[1].split("</tr>")[0]
    assert "是" not in row
    wb = load_workbook(io.BytesIO(archive.data_workbook(village)))
    cells = [row for ws in wb.worksheets for row in ws.iter_rows(values_only=True) if director.name in row]
    assert cells and all("是" not in row for row in cells)
    director.person, director.name = secretary, secretary.name
    director.save()
    assert aftervote.yijiantiao_of(village) == director.pk
    page = client_for("township_a").get(f"/elections/{village.pk}/results/").content.decode()
    assert "<td>是</td>" in page.split(director.name)[1].split("</tr>")[0]
