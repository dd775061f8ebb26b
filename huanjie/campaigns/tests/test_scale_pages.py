"""Issue 17: the campaign page shows its villages 50 a page with a search, its tiles still count
every village, and its query count does not grow with the villages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huanjie.campaigns.models import CampaignVillage
from huanjie.people.models import Region

pytestmark = pytest.mark.django_db


def _villages(world, n: int, first: int = 0) -> None:
    for i in range(first, first + n):
        v = Region.objects.create(code=f"130731100{300 + i:03d}", name=f"增村{i:03d}", level="village",
                                  kind="village", parent=world.township_a)
        CampaignVillage.objects.create(campaign=world.campaign, village=v)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_campaign_page_is_paginated_and_searchable(world, client_for):
    _villages(world, 60)
    client = client_for("county")
    url = reverse("campaigns:detail", args=[world.campaign.slug])
    page = client.get(url)
    assert len(page.context["entries"]) == 50
    assert page.context["page"].paginator.count == 63  # the world's three and sixty more
    html = page.content.decode()
    assert "第 1/2 页" in html and "page=2" in html
    second = client.get(url + "?page=2")
    assert len(second.context["entries"]) == 13
    found = client.get(url + "?q=增村059")
    assert [e.village.name for e in found.context["entries"]] == ["增村059"]
    assert [e.village.name for e in client.get(url + "?q=石桥").context["entries"]] == ["石桥村"]
    # The state tiles count every village in scope, whatever page is shown.
    assert sum(page.context["counts"].values()) == 63


def test_campaign_page_queries_do_not_grow_with_the_villages(world, client_for, django_assert_max_num_queries):
    client = client_for("county")
    url = reverse("campaigns:detail", args=[world.campaign.slug])
    client.get(url)
    before = _count(client, url)
    _villages(world, 70)
    assert _count(client, url) == before
    with django_assert_max_num_queries(10):
        client.get(url)
