"""Browser test in a real headless Chromium: the township records where a cadre who left office
went and a talk with a candidate who lost, lists a reserve cadre, and the county sees it all in
the lists and in the handover overview."""

from __future__ import annotations

import datetime as dt

import pytest

from huanjie.elections.tests.aftervote_helpers import counted_election
from huanjie.oversight.tests.test_browser_oversight import login, shot
from huanjie.reports.models import Placement, PreviousCadre, ReserveCadre, Talk
from huanjie.testing.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_township_records_placement_talk_and_reserve(page, live_server):
    world = build_world()
    counted = counted_election(world)
    for i, p in enumerate(counted.people.values()):
        p.birth_date = dt.date(1975 + i, 5, 5)
        p.save(update_fields=["birth_date"])
    wang = world.people["wang"]
    PreviousCadre.objects.create(campaign=world.campaign, village=world.village_a1, name=wang.name,
                                 id_number=wang.id_number, gender="M", birth_date=wang.birth_date, posts="村委会委员",
                                 villagers_committee=True)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, "township_a")
    page.goto(f"{live_server.url}/reports/outgoing/")
    row = page.locator(f"tr[data-key='{wang.id_number}']")
    assert "上届班子成员，未参选（离任）" in row.inner_text() and "未登记" in row.inner_text()
    row.locator("a", has_text="登记").click()
    page.select_option("#placed", "1")
    page.click("#placement-form button[type=submit]")
    assert "安排去向：必须填写" in page.inner_text(".messages")  # nothing saved, the field named
    assert not Placement.objects.exists()
    page.fill("#placed_where", "村股份经济合作社理事长")
    page.click("#placement-form button[type=submit]")
    assert "离任安排已登记" in page.inner_text(".messages")

    liu = counted.people["刘德明"]
    page.locator(f"tr[data-key='{liu.id_number}'] a", has_text="登记").click()
    page.fill("#talked_by", "镇党委副书记 孙立")
    page.fill("#content", "本人正确对待选举结果")
    page.click("#talk-form button[type=submit]")
    assert "谈心谈话已登记" in page.inner_text(".messages")
    assert Talk.objects.get().talked_by == "镇党委副书记 孙立"
    shot(page, "outgoing-list")

    page.goto(f"{live_server.url}/reports/reserve/{world.village_a1.code}/")
    page.locator("#from-election tr", has_text="刘德明").locator("button").click()
    assert "已列入后备干部" in page.inner_text(".messages")
    assert ReserveCadre.objects.get().person == liu
    assert "刘德明" in page.inner_text("#reserves")

    login(page, live_server, "county")
    page.goto(f"{live_server.url}/reports/outgoing/")
    counts = page.inner_text("#outgoing-counts")
    assert "100.00%（1/1）" in counts  # the one who left was placed
    assert "村股份经济合作社理事长" in page.inner_text(f"tr[data-key='{wang.id_number}']")
    page.goto(f"{live_server.url}/oversight/handover/")
    assert "已逾期" in page.inner_text(f"tr[data-village='{world.village_a1.code}']")
    shot(page, "handover-overview")
