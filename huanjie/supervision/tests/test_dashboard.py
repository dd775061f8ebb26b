"""The supervision committees on the township's and county's dashboards: a section of their own,
not a 13th village in the committees' table with a "— 38/0" turnout (a walk of the demo found it:
a meeting's choice has no registered voters)."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from huanjie.campaigns.models import CampaignVillage
from huanjie.elections.aftervote import services as aftervote
from huanjie.elections.models import Election
from huanjie.people.models import Region
from huanjie.supervision import services

from .helpers import days, supervision, villagers_committee
from .test_services import _count, _ready_list

pytestmark = pytest.mark.django_db
SLUG = "anping-2026"
COUNTY_URL = f"/elections/campaign/{SLUG}/results/county/"
TOWNSHIP_URL = f"/elections/campaign/{SLUG}/results/township/"


def _chosen(world):
    """東山村's supervision committee chosen and submitted: 周监督 (主任), 吴监督 (F), 郑监督."""
    d = days(world)
    villagers_committee(world, d)
    sv = supervision(world, d)
    clerk = world.users["village_a1"]
    _ready_list(world, d, sv)
    services.check_list(clerk, sv, d["check"])
    sv.election = services.elections.open_voting(clerk, sv.election)
    services.record_meeting(clerk, sv, members=45, present=30)
    _count(world, sv, {"周监督": 28, "吴监督": 25, "郑监督": 16, "孔监督": 15}, 30)
    aftervote.submit_result(clerk, sv.election)
    return sv


def _section(html: str, title: str) -> str:
    for part in html.split('class="dash-section"')[1:]:
        part = part.split("</section>")[0]
        if f"<h2>{title}</h2>" in part:
            return part
    raise AssertionError(f"no section {title}")


def test_supervision_has_its_own_section_not_a_village_row(world, client_for):
    sv = _chosen(world)
    html = client_for("county").get(COUNTY_URL).content.decode()
    table = html.split('id="villages"')[1].split("</table>")[0]
    assert "村务监督委员会" not in table and "38/0" not in html
    # the committees' tiles count villagers' committees only: 东山村's committee election is one
    villages = Election.objects.filter(campaign=world.campaign, kind__in=[Election.VILLAGE_COMMITTEE,
                                                                          Election.RESIDENTS_COMMITTEE]).count()
    tiles = html.split('id="totals"')[1].split("</div>\n<section")[0]
    assert f'<div class="tile-num">{villages}</div><div class="tile-label">村（社区）</div>' in tiles
    section = _section(html, "村务监督委员会推选")
    row = section.split("东山村")[1].split("</tr>")[0]
    assert "村民代表会议" in row and "<td>45</td>" in row and "<td>30</td>" in row
    assert "周监督" in row and "吴监督、郑监督" in row and "已报送锁定" in row
    assert "孔监督" not in row
    assert f"/supervision/{sv.election_id}/" in section
    assert "不计参选率" in section and "应到/实到" not in section
    # filters: the township, the search, the kind
    assert "东山村" not in _section(client_for("county").get(COUNTY_URL, {"township": world.township_b.code})
                                   .content.decode(), "村务监督委员会推选")
    assert "东山村" not in _section(client_for("county").get(COUNTY_URL, {"q": "石桥"}).content.decode(),
                                   "村务监督委员会推选")
    only = client_for("county").get(COUNTY_URL, {"kind": Election.VILLAGE_SUPERVISION}).content.decode()
    assert 'id="villages"' not in only and "周监督" in _section(only, "村务监督委员会推选")
    # a walk found the committees' tiles and turnout chart left on such a page, all zeros
    assert 'id="totals"' not in only and "turnout-chart" not in only
    assert "东山村" not in _section(client_for("township_b").get(TOWNSHIP_URL).content.decode(), "村务监督委员会推选")


def test_dashboard_export_has_the_supervision_sheet(world, client_for):
    _chosen(world)
    r = client_for("township_a").get(TOWNSHIP_URL, {"format": "xlsx"})
    wb = load_workbook(io.BytesIO(r.content))
    assert "村务监督委员会推选" in wb.sheetnames
    rows = list(wb["村务监督委员会推选"].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "村（社区）")
    assert list(rows[header]) == services.DASHBOARD_COLUMNS
    dongshan = next(row for row in rows[header + 1:] if row[0] == "东山村")
    assert dongshan[1] == "清溪镇" and dongshan[8] == "周监督" and dongshan[10] == 1 and dongshan[12] == "已报送锁定"
    assert not any(row[2] == "村务监督委员会" for row in wb["村（居）民委员会"].iter_rows(values_only=True))


def test_section_and_list_queries_do_not_grow_with_villages(world, client_for):
    d = days(world)
    client = client_for("county")
    list_url = f"/supervision/campaign/{SLUG}/"

    def count(url) -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    supervision(world, d)
    one = (count(COUNTY_URL), count(list_url))
    for i in range(5):
        v = Region.objects.create(code=f"130731100{i + 300:03d}", name=f"监督{i}村", level="village",
                                  kind="village", parent=world.township_a)
        CampaignVillage.objects.create(campaign=world.campaign, village=v)
        services.create_supervision(world.users["township_a"], world.campaign, v, d["meeting"],
                                    body="villagers_meeting", size=3)
    assert (count(COUNTY_URL), count(list_url)) == one
