"""The township clerk in a real browser: the village's representatives with their shares, a
refused entry, an all-or-nothing import, publishing, and the group leaders' 四长合一."""

from __future__ import annotations

import datetime as dt

import pytest

from huanjie.core.tests.test_browser_foundation import login
from huanjie.elections.tests.workflow_helpers import make_person
from huanjie.testing.world import build_world
from huanjie.villageposts.tests.test_villageposts import xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_township_clerk_builds_and_publishes_the_list(page, live_server, tmp_path):
    world = build_world()
    people = [make_person(f"村民{i:02d}", "F" if i < 5 else "M", dt.date(1980, 1, 1) + dt.timedelta(days=i),
                          world.village_a1, 700 + 2 * i + (0 if i < 5 else 1), group="第一村民小组")
              for i in range(12)]
    login(page, live_server, "township_a")
    page.wait_for_selector("text=工作台")
    page.goto(f"{live_server.url}/campaigns/{world.campaign.slug}/")
    page.click("#villageposts-link")
    page.click("#posts-rows >> text=东山村")
    page.wait_for_selector("h1:has-text('东山村：村民代表')")
    page.select_option("#setup-form select[name=decided_by]", "村民代表会议")
    page.fill("#setup-form input[name=decided_on]", "2026-11-20")
    page.fill("#setup-form input[name=committee_members]", "3")
    page.click("#setup-form button[type=submit]")
    page.wait_for_selector("text=推选方式已保存")
    # a person who is not a villager of 东山村: refused, in Chinese, nothing saved
    page.fill("#rep-form input[name=id_number]", world.people["zhao"].id_number)
    page.fill("#rep-form input[name=group_name]", "第一村民小组")
    page.fill("#rep-form input[name=chosen_on]", "2026-11-21")
    page.click("#rep-form button[type=submit]")
    page.wait_for_selector("#form-errors >> text=不在东山村的人员名册中")
    # an import with one bad row saves nothing
    rows = [["村民小组", "姓名", "公民身份号码", "推选日期"]] + [
        ["第一村民小组", p.name, p.id_number, "2026-11-21"] for p in people]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(rows[:3] + [["第一村民小组", "不符", people[3].id_number, "2026-11-21"]]))
    page.set_input_files("#rep-import-form input[type=file]", str(bad))
    page.once("dialog", lambda d: d.accept())
    page.click("#rep-import-form button[type=submit]")
    page.wait_for_selector("#import-errors >> text=第 4 行，姓名：表中为“不符”")
    assert page.locator("#rep-rows tbody tr").first.inner_text().startswith("尚未登记")
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(rows))
    page.set_input_files("#rep-import-form input[type=file]", str(good))
    page.once("dialog", lambda d: d.accept())
    page.click("#rep-import-form button[type=submit]")
    page.wait_for_selector("text=已导入 12 名村民代表")
    # 3 members + 12 representatives: 80.00 % and 5 women of 15 = 33.33 %, both met
    assert "80.00%" in page.inner_text("#shares") and "33.33%" in page.inner_text("#shares")
    page.fill("#publish-form input[name=published_on]", "2026-11-22")
    page.once("dialog", lambda d: d.accept())
    page.click("#publish-form button[type=submit]")
    page.wait_for_selector("#published >> text=名单已于 2026-11-22 公告")
    assert page.locator("#rep-form").count() == 0  # the list is fixed
    response = page.request.get(f"{live_server.url}/villageposts/{world.campaign.slug}/{world.village_a1.code}/notice.pdf")
    assert response.body().startswith(b"%PDF")
