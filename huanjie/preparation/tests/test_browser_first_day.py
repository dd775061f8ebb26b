"""Issue 10's first day, in a real browser, from an empty database.

The county is set up on the first-run page, imports its regions from an Excel code list (a bad
file first: nothing is saved), creates a campaign and changes one policy value, opens accounts for
its township and two reviewing departments; the township opens the village committee's account,
records the 离任审计 and the training of 东山村, and that village's election reaches the voting
stage. Every account logs in with its one-time password and changes it first.
"""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest

from huanjie.core.tests.test_browser_foundation import login as foundation_login
from huanjie.elections.models import Election
from huanjie.people.models import Region
from huanjie.people.tests.test_regions import xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("HUANJIE_SCREENSHOTS", "")
NEW_PASSWORD = "Qingxi-Huanjie-2027!"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CODE_LIST = [
    ["130731000000", "安平县", "", "", ""],
    ["130731100000", "安平镇", "", "", ""],
    ["130731100201", "东山村委会", "220", "1200", "380"],
    ["130731100202", "柳塘村委会", "220", "", ""],
    ["130731100001", "城关社区居委会", "111", "3100", "1020"],
    ["130731201000", "石桥乡", "", "", ""],
    ["130731201200", "石桥村委会", "220", "800", ""],
]


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=False)


def first_login(page, live_server, username, one_time_password) -> None:
    """Log in with a one-time password: the system insists on a new one before anything else."""
    foundation_login(page, live_server, username, one_time_password)
    page.wait_for_selector("h1:has-text('修改密码')")
    page.fill("input[name=old_password]", one_time_password)
    page.fill("input[name=new_password]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_selector("text=密码已修改")
    page.wait_for_selector("text=工作台")


def open_account(page, live_server, role, region, username, display_name, department=None) -> str:
    """Open one account on the account page; returns the one-time password shown once."""
    page.goto(f"{live_server.url}/accounts/users/new/")
    page.select_option("#role", role)
    page.select_option("#region", region)
    if department:
        page.select_option("#department", label=department)
    page.fill("#username", username)
    page.fill("#display_name", display_name)
    page.click("text=开设账号并生成一次性密码")
    row = page.locator("table.grid tbody tr", has_text=username)
    return row.locator("td").nth(1).inner_text().strip()


def login_again(page, live_server, username):
    foundation_login(page, live_server, username, NEW_PASSWORD)
    page.wait_for_selector("text=工作台")


def logout(page):
    page.click(".who button")
    page.wait_for_url(re.compile(r".*/login/.*"))


def test_a_county_starts_from_an_empty_database(page, live_server):
    base = live_server.url
    page.on("dialog", lambda d: d.accept())

    # --- first run: the home page leads to the setup page
    page.goto(base + "/")
    page.wait_for_selector("h1:has-text('首次使用：建立本县')")
    page.fill("#county_code", "1307310000")
    page.fill("#county_name", "安平县")
    page.fill("#username", "anping_hjb")
    page.click("#first-run-form button[type=submit]")
    assert "统计用区划代码应为 12 位数字" in page.inner_text(".setup-box")
    page.fill("#county_code", "130731000000")
    shot(page, "01-first-run")
    page.click("#first-run-form button[type=submit]")
    password = page.inner_text("#new-password").strip()
    shot(page, "02-first-run-done")
    assert Region.objects.count() == 1

    # --- regions from the code list: a bad file is refused whole, then the good one
    first_login(page, live_server, "anping_hjb", password)
    page.click(".mainnav >> text=区域")
    page.click("text=导入区划代码表")
    bad = [*CODE_LIST, ["130732100201", "邻县村", "220", "", ""], ["130731300201", "无乡村", "220", "", ""]]
    page.set_input_files("input[name=file]", {"name": "区划代码.xlsx", "mimeType": "application/octet-stream",
                                               "buffer": xlsx(bad)})
    page.click("#region-import-form button[type=submit]")
    errors = page.inner_text("#import-errors")
    assert "10\t统计用区划代码\t130732100201 不属于安平县" in errors and "上级乡镇（街道）130731300000 不存在" in errors
    shot(page, "03-region-import-errors")
    assert Region.objects.count() == 1
    page.set_input_files("input[name=file]", {"name": "区划代码.xlsx", "mimeType": "application/octet-stream",
                                               "buffer": xlsx(CODE_LIST)})
    page.click("#region-import-form button[type=submit]")
    assert "新增乡镇（街道）2 个，村（社区）4 个" in page.inner_text("#import-result")
    shot(page, "04-region-import-done")

    # --- campaign with every village preselected, then one changed policy value
    page.click("#import-result >> text=建立换届工作")
    assert page.locator("#campaign-villages input[type=checkbox]:checked").count() == 4
    page.fill("#term_number", "12")
    # The voting stage opens on the election day itself: the campaign runs around today.
    today = dt.date.today()
    page.fill("#cutoff_date", (today - dt.timedelta(days=30)).isoformat())
    page.fill("#starts_on", (today - dt.timedelta(days=30)).isoformat())
    page.fill("#ends_on", (today + dt.timedelta(days=150)).isoformat())
    page.fill("#term_start", (today + dt.timedelta(days=151)).isoformat())
    page.uncheck("#campaign-villages input[value='130731100202']")  # 柳塘村 is not in this campaign
    shot(page, "05-campaign-form")
    page.click("#campaign-form button[type=submit]")
    page.wait_for_selector("h1:has-text('换届政策')")
    shot(page, "06-policy-form")
    page.fill("#policy-notice_days input[name=p_notice_days]", "7")
    page.click("#policy-form button[type=submit]")
    page.wait_for_selector("text=换届政策已保存，修改了 1 项：公示天数")
    assert "7 天" in page.inner_text("#policy-table tr.changed")
    shot(page, "07-campaign-detail")
    slug = page.url.rstrip("/").rsplit("/", 1)[1]

    # --- accounts: the county opens its township's and two departments' (seed 004's list first)
    page.goto(f"{live_server.url}/accounts/users/departments/")
    page.click("text=添加默认名单中缺少的")
    otp = {
        "anping_town": open_account(page, live_server, "township", "130731100000", "anping_town", "安平镇换届办"),
        "police": open_account(page, live_server, "department", "130731000000", "police", "公安局联审",
                               department="县公安局"),
        "court": open_account(page, live_server, "department", "130731000000", "court", "法院联审",
                              department="县人民法院"),
    }
    shot(page, "08-account-issued")
    logout(page)
    first_login(page, live_server, "anping_town", otp["anping_town"])
    # the township opens the account of 东山村's election committee
    otp["dongshan"] = open_account(page, live_server, "village", "130731100201", "dongshan", "东山村选委会")
    logout(page)
    for username in ("dongshan", "police", "court"):
        first_login(page, live_server, username, otp[username])
        logout(page)
    login_again(page, live_server, "anping_town")

    # --- the township records the audit and the training of 东山村
    page.goto(f"{base}/campaigns/{slug}/")
    page.click("text=换届准备（离任审计、培训）")
    assert "未登记离任审计" in page.inner_text("#readiness-rows tr[data-code='130731100201']")
    page.click("#readiness-rows >> text=东山村")
    page.fill("#audit-form input[name=audited_on]", (today - dt.timedelta(days=10)).isoformat())
    page.fill("#audit-form input[name=auditor]", "安平县审计局")
    page.select_option("#audit-form select[name=conclusion]", "clean")
    page.set_input_files("#audit-form input[name=attachment]", {"name": "照片.pdf", "mimeType": "application/pdf",
                                                                "buffer": b"not a pdf"})
    page.click("#audit-form button[type=submit]")
    assert "内容不是PDF文件" in page.inner_text(".msg-error")
    page.fill("#audit-form input[name=audited_on]", (today - dt.timedelta(days=10)).isoformat())
    page.fill("#audit-form input[name=auditor]", "安平县审计局")
    page.select_option("#audit-form select[name=conclusion]", "clean")
    page.set_input_files("#audit-form input[name=attachment]", {"name": "离任审计报告.pdf",
                                                                "mimeType": "application/pdf", "buffer": PDF})
    page.click("#audit-form button[type=submit]")
    page.wait_for_selector("text=东山村的离任审计已登记")
    assert "业务培训尚未完成" in page.inner_text("#village-blockers")
    shot(page, "09-village-audit")
    page.click("#training-record >> text=登记业务培训")
    page.fill("#held_on", (today - dt.timedelta(days=5)).isoformat())
    row = page.locator("#training-villages tr[data-code='130731100201']")
    row.locator("input[name^=committee_]").check()
    row.locator("input[name^=staff_]").check()
    row.locator("textarea").fill("张建华\n李红梅\n王志强")
    shot(page, "10-training-form")
    page.click("#training-form button[type=submit]")
    page.wait_for_selector(f"text=已登记 {today - dt.timedelta(days=5)} 的业务培训，1 个村（社区）参加")
    assert "已就绪" in page.inner_text("#readiness-rows tr[data-code='130731100201']")
    assert "未登记离任审计" in page.inner_text("#readiness-rows tr[data-code='130731100001']")
    shot(page, "11-readiness")

    # --- the election of 东山村 reaches the voting stage
    page.goto(f"{base}/campaigns/{slug}/")
    page.click("text=村（居）民委员会选举")
    page.click("text=建立选举")
    page.select_option("#id_village", "130731100201")
    page.fill("#id_election_date", today.isoformat())
    page.click("form.form button[type=submit]")
    page.wait_for_selector("text=前置条件均已满足")
    page.click("text=进入投票阶段")
    page.wait_for_selector("text=已进入投票阶段")
    shot(page, "12-voting-stage")
    assert Election.objects.get(organization__code="130731100201").stage == "voting"
