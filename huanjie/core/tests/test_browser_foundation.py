"""Browser test in a real headless Chromium: a village clerk sees only the own village."""

import pytest

from huanjie.testing.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username, password=PASSWORD):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_village_clerk_sees_own_village_searches_and_opens_a_person(page, live_server):
    world = build_world()
    login(page, live_server, "village_a1")
    page.wait_for_selector("text=工作台")
    page.click("nav.mainnav >> text=人员")
    rows = page.locator("#person-rows tbody tr")
    names = rows.all_inner_texts()
    assert any("王建国" in r for r in names)
    assert not any("赵丽" in r or "孙强" in r for r in names)  # other villages stay invisible
    page.fill("#q", "秀英")
    page.wait_for_function("() => !document.querySelector('#person-rows').innerText.includes('王建国')")
    assert "李秀英" in page.inner_text("#person-rows")
    page.click("#person-rows >> text=李秀英")
    page.wait_for_selector("h1:has-text('李秀英')")
    assert "配偶" in page.inner_text("main") and "王建国" in page.inner_text("main")
    # Another township's person: not found, not even its existence.
    page.goto(f"{live_server.url}/people/{world.people['sun'].pk}/")
    assert "未找到" in page.inner_text("main")


def test_outsider_is_refused(page, live_server):
    world = build_world()
    login(page, live_server, "nobody", "whatever-password")
    assert "用户名或密码不正确" in page.inner_text("main")
    login(page, live_server, "outsider")
    page.wait_for_selector("text=工作台")
    page.goto(f"{live_server.url}/people/{world.people['wang'].pk}/")
    assert "未找到" in page.inner_text("main")
    page.goto(f"{live_server.url}/campaigns/{world.campaign.slug}/")
    assert "未找到" in page.inner_text("main")
