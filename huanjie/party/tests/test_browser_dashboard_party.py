"""The county and the township read the party elections beside the villagers' committees on
their dashboards in the browser (1366×768), filter them and export them."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from huanjie.elections.models import Election
from huanjie.testing.world import PASSWORD, build_world

from .test_browser_party import shot
from .test_dashboard_party import _two_results

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, who):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", who)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_county_and_township_dashboards_show_the_party_elections(page, live_server, tmp_path):
    world = build_world()
    pe, village, director, secretary = _two_results(world)
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 768})
    _login(page, base, "county")
    page.goto(f"{base}/elections/campaign/{world.campaign.slug}/results/county/")
    section = page.locator("#section-1")
    assert "村党组织换届" in section.inner_text() and secretary.name in section.inner_text()
    row = page.locator(f'#villages tr[data-village="{world.village_a1.code}"]')
    assert row.locator("td").nth(9).inner_text().strip() == "是"  # 一肩挑 from the two results
    shot(page, "dashboard_county_top")
    section.scroll_into_view_if_needed()
    shot(page, "dashboard_county_party")
    page.select_option("select[name=kind]", Election.PARTY_BRANCH)
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#villages").count() == 0 and "东山村" in page.locator("#section-1").inner_text()
    with page.expect_download() as d:
        page.click("a.export-xlsx")
    path = tmp_path / "party.xlsx"
    d.value.save_as(path)
    assert load_workbook(path).sheetnames == ["村党组织换届"]
    shot(page, "dashboard_county_party_only")

    page.context.clear_cookies()
    _login(page, base, "township_a")
    page.goto(f"{base}/elections/campaign/{world.campaign.slug}/results/township/")
    assert "东山村" in page.locator("#section-1").inner_text()
    shot(page, "dashboard_township_top")
    page.locator("#section-1").scroll_into_view_if_needed()
    shot(page, "dashboard_township_party")
    page.goto(f"{base}/elections/{village.pk}/results/posts/")
    assert "本村实行“一肩挑”" in page.locator("#yijiantiao-computed").inner_text()
    assert page.locator("input[name=party_secretary]").count() == 0
    shot(page, "assign_posts_computed")
