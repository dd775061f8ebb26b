"""The campaign page's links, grouped (选举, 准备, 结果) so that the row no longer wraps one button at a
time under a two-line title at 1366 px: each role sees only links it may open, and each opens."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona, expected", [
    ("county", 9), ("township_a", 8), ("village_a1", 3), ("observer", 7), ("admin", 8),
])
def test_every_link_on_the_campaign_page_opens_for_its_reader(world, client_for, persona, expected):
    client = client_for(persona)
    page = client.get(f"/campaigns/{world.campaign.slug}/").content.decode()
    nav = page.split('class="link-groups"')[1].split("</nav>")[0]
    links = re.findall(r'href="([^"]+)"', nav)
    assert len(links) == expected, links
    assert f"/supervision/campaign/{world.campaign.slug}/" in links
    for url in links:
        assert client.get(url, follow=True).status_code == 200, (persona, url)  # a village is sent to its own page
