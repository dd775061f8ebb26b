"""In a real headless Chromium: the county opens a township office's account, the township logs in
with the one-time password, is held at the password page until it sets its own, then opens an
account for every one of its villages at once and downloads their account notices.

Set HUANJIE_SCREENSHOTS=/some/dir to keep a screenshot of each step (1366×768)."""

import base64
import os
import re
from pathlib import Path

import pytest

from huanjie.testing.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    folder = os.environ.get("HUANJIE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def login(page, live_server, username, password):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def issued_password(page, username):
    row = page.locator("table.grid tbody tr", has_text=username)
    return row.locator("td").nth(1).inner_text().strip()


def test_county_to_township_to_villages(page, live_server, tmp_path):
    world = build_world()
    login(page, live_server, "county", PASSWORD)
    page.wait_for_selector("text=工作台")
    page.click("nav.mainnav >> text=账号")
    page.wait_for_selector("h1:has-text('账号管理')")
    shot(page, "01-county-account-list")
    page.click("text=联审部门")
    page.click("button:has-text('添加默认名单中缺少的')")
    page.wait_for_selector("text=已添加 16 个部门")
    shot(page, "01b-county-departments")
    page.click("text=新开账号")
    page.select_option("#role", "township")
    page.select_option("#region", world.township_a.code)
    page.fill("#username", "qingxi_office")
    page.fill("#display_name", "清溪镇换届办 陈丽")
    shot(page, "02-county-new-account-form")
    page.click("button:has-text('开设账号')")
    page.wait_for_selector("text=只显示这一次")
    shot(page, "03-county-one-time-password")
    password = issued_password(page, "qingxi_office")
    assert re.fullmatch(r"[A-Za-z0-9]{12}", password)
    with page.expect_download() as download:
        page.click("text=下载账号通知单")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and base64.b64encode(pdf)

    page.click("button:has-text('退出')")
    login(page, live_server, "qingxi_office", password)
    page.wait_for_selector("h1:has-text('修改密码')")
    assert "一次性密码" in page.inner_text("main")
    shot(page, "04-township-forced-change")
    page.goto(f"{live_server.url}/people/")  # every page leads back here until the password is changed
    page.wait_for_selector("h1:has-text('修改密码')")
    page.fill("input[name=old_password]", password)
    page.fill("input[name=new_password]", "12345678901")
    page.fill("input[name=new_password2]", "12345678901")
    page.click("button:has-text('保存新密码')")
    assert "不能全是数字" in page.inner_text("main")
    shot(page, "05-township-password-refused")
    page.fill("input[name=old_password]", password)
    page.fill("input[name=new_password]", "Qingxi-Spring-26")
    page.fill("input[name=new_password2]", "Qingxi-Spring-26")
    page.click("button:has-text('保存新密码')")
    page.wait_for_selector("text=密码已修改")

    page.click("nav.mainnav >> text=账号")
    page.click("text=批量开设")
    page.wait_for_selector("h1:has-text('批量开设账号')")
    shot(page, "06-township-bulk")
    page.click("form:has(input[value=villages]) button")
    page.wait_for_selector("text=只显示这一次")
    shot(page, "07-township-bulk-issued")
    body = page.inner_text("main")
    assert f"village_{world.village_a2.code}" in body and "东山村（已有账号）" in body
    assert f"village_{world.village_b1.code}" not in body
    page.click("nav.mainnav >> text=账号")
    shot(page, "08-township-account-list")
    assert "待修改初始密码" in page.inner_text("main")


def test_expired_form_gets_the_chinese_csrf_page(page, live_server):
    build_world()
    page.goto(f"{live_server.url}/login/")
    page.context.clear_cookies()  # as when the page stayed open past a logout elsewhere
    page.fill("input[name=username]", "county")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('页面已过期')")
    shot(page, "09-csrf-failure")
    page.goto(f"{live_server.url}/no/such/page/")
    assert "未找到" in page.inner_text("main")


def test_audit_log_rows_stay_one_line_beside_long_hashes(page, live_server):
    """A walk found the audit log's time, action and object columns wrapping into several lines at
    1366 px beside a submitted result's seal (64-character hashes): hashes are shortened, the full
    value on hover, and the row's time, action and object stay on one line."""
    from huanjie.accounts import audit

    world = build_world()
    seal = {"parts": {k: f"{i:x}" * 64 for i, k in enumerate(("elected", "forms", "registrations", "rounds"), 1)},
            "digest": "f" * 64}
    for _ in range(3):
        audit.record(world.users["village_a1"], "result.submit", world.village_a1,
                     changes={"locked": [False, True], "seal": [None, seal]})
    login(page, live_server, "county", PASSWORD)
    page.goto(f"{live_server.url}/accounts/audit/?action=result.submit")
    row = page.locator("table.grid tbody tr").first
    assert "1" * 64 not in row.inner_text()
    assert row.locator("[title*='" + "1" * 64 + "']").count() == 1
    line = row.locator("td").nth(1).bounding_box()["height"]
    for i in (0, 1, 3, 4):  # chain-seq, time, action, object: one line each
        cell = row.locator("td").nth(i)
        inner = cell.evaluate("e => { const r = document.createRange(); r.selectNodeContents(e);"
                              " return r.getClientRects().length }")
        assert inner == 1, (i, cell.inner_text())
    assert line > 0
