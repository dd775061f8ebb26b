"""Issue 17: the campaign's election list shows its per-village tables 50 villages a page with a
search, keeps the totals over every village, and its query count does not grow with the villages."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huanjie.campaigns.models import CampaignVillage
from huanjie.elections.models import Election
from huanjie.people.models import Region

pytestmark = pytest.mark.django_db


def _villages(world, n: int, first: int = 0) -> None:
    for i in range(first, first + n):
        v = Region.objects.create(code=f"130731100{400 + i:03d}", name=f"列村{i:03d}", level="village",
                                  kind="village", parent=world.township_a)
        CampaignVillage.objects.create(campaign=world.campaign, village=v)
        Election.objects.create(campaign=world.campaign, organization=v, title=f"{v.name}村民委员会选举",
                                election_date=world.campaign.ends_on)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_election_list_is_paginated_searchable_and_totals_stay_whole(world, client_for):
    _villages(world, 55)
    client = client_for("county")
    url = f"/elections/campaign/{world.campaign.slug}/"
    resp = client.get(url)
    assert len(resp.context["rows"]) == 50
    assert resp.context["grand"]["villages"] == 58 and resp.context["grand"]["elections"] == 55
    assert len(client.get(url + "?page=2").context["rows"]) == 8
    found = client.get(url + "?q=列村054").context["rows"]
    assert [r["entry"].village.name for r in found] == ["列村054"]
    assert "第 1/2 页" in resp.content.decode()
    xlsx = client.get(url + "?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    names = {row[1] for row in sheet.iter_rows(values_only=True)}
    assert {f"列村{i:03d}" for i in range(55)} <= names  # the export keeps every village


def test_election_list_queries_do_not_grow_with_the_villages(world, client_for, django_assert_max_num_queries):
    _villages(world, 2)
    client = client_for("county")
    url = f"/elections/campaign/{world.campaign.slug}/"
    client.get(url)
    before = _count(client, url)
    _villages(world, 60, first=2)
    client.get(url)  # the new elections' voter counts are computed once and cached
    assert _count(client, url) == before
    with django_assert_max_num_queries(12):
        client.get(url)
