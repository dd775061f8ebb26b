"""The campaign's rules page (issue 16): every rule of the profile version with its sources and
status; elections on either side of 2026-01-01 rest on different versions."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from huanjie.elections import services

pytestmark = pytest.mark.django_db

BEFORE, AFTER = dt.date(2025, 12, 31), dt.date(2026, 1, 2)


@pytest.fixture
def two_elections(world):
    campaign = world.campaign
    campaign.starts_on = dt.date(2025, 11, 1)
    campaign.save()
    before = services.create_election(world.users["township_a"], campaign, world.village_a1, BEFORE)
    after = services.create_election(world.users["township_b"], campaign, world.village_b1, AFTER)
    return before, after


def r24_row(body: str) -> str:
    match = re.search(r'<tr id="R24">(.*?)</tr>', body, re.S)
    assert match, "R24 row missing"
    return match.group(1)


def test_elections_on_either_side_of_2026_use_their_own_version(two_elections):
    before, after = two_elections
    assert before.profile().version == "national-2018"
    assert after.profile().version == "national-2026"


def test_page_shows_different_sources_for_2025_12_31_and_2026_01_02(world, client_for, two_elections):
    client = client_for("county")
    url = f"/campaigns/{world.campaign.slug}/rules/"
    old = client.get(url, {"on": BEFORE.isoformat()}).content.decode()
    new = client.get(url, {"on": AFTER.isoformat()}).content.decode()
    assert "全国通用（2018年修正的组织法）" in old and "自 2018-12-29 起施行，至 2025-12-31 止" in old
    assert "《村民委员会组织法》第十五条第二款" in r24_row(old)
    assert "已核对法规文本" in r24_row(old)
    assert "全国通用（2026年1月1日起）" in new and "自 2026-01-01 起施行" in new
    assert "《村民委员会组织法》（2018年修正文本）第十五条第二款" in r24_row(new)
    assert "沿用修订前文本，尚未与现行文本核对" in r24_row(new)
    # what the 2026 text is known to change is marked as such
    assert "新法要求村民委员会成员中应当有妇女成员" in new and "新法要求" not in old
    assert '<span class="tag bad">新法已修改此项，条文原文未取得' in new
    assert '<span class="tag bad">' not in old
    # one election on each version; the page names them
    assert re.search(r"national-2018.*?1 个（选举日 2025-12-31）", old, re.S)
    assert re.search(r"national-2026.*?1 个（选举日 2026-01-02）", old, re.S)


def test_page_defaults_to_the_latest_elections_version_and_explains_a_bad_date(world, client_for, two_elections):
    client = client_for("county")
    url = f"/campaigns/{world.campaign.slug}/rules/"
    body = client.get(url).content.decode()
    assert "全国通用（2026年1月1日起）" in body
    response = client.get(url, {"on": "2026-02-30"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "日期“2026-02-30”无效" in text and "全国通用（2026年1月1日起）" in text


def test_township_sees_the_page_read_only_with_its_own_elections(world, client_for, two_elections):
    body = client_for("township_a").get(f"/campaigns/{world.campaign.slug}/rules/").content.decode()
    # township A has only the 2025-12-31 election; its default version is the 2018 reading
    assert "全国通用（2018年修正的组织法）" in body.split("各项规则及其依据")[0].split("<h1>")[1]
    assert "选举日 2026-01-02" not in body
    assert 'method="post"' not in body.split("<main")[1]  # nothing to change here


def test_campaign_page_links_to_the_rules_page_for_county_and_township(world, client_for):
    link = f'href="/campaigns/{world.campaign.slug}/rules/"'
    for persona, shown in (("county", True), ("township_a", True), ("village_a1", False), ("observer", False)):
        body = client_for(persona).get(f"/campaigns/{world.campaign.slug}/").content.decode()
        assert (link in body) is shown, persona
