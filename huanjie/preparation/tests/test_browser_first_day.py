"""Issue 10's first day, in a real browser, from an empty database.

The county is set up on the first-run page, imports its regions from an Excel code list (a bad
file first: nothing is saved), creates a campaign and changes one policy value; the township
records the 离任审计 and the training of 东山村, and that village's election reaches the voting
stage. Accounts for the township, the village committee and two departments are made through the
account service (the account pages are another issue's work); each logs in.
"""

from __future__ import annotations

import os
import re

import pytest

from huanjie.accounts.models import Department, User
from huanjie.accounts.services import create_account
from huanjie.core.tests.test_browser_foundation import login as foundation_login
from huanjie.elections.models import Election
from huanjie.people.models import Region
from huanjie.people.tests.test_regions import xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("HUANJIE_SCREENSHOTS", "")
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


def login(page, live_server, username, password):
    foundation_login(page, live_server, username, password)
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
    login(page, live_server, "anping_hjb", password)
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
    page.fill("#cutoff_date", "2026-11-01")
    page.fill("#starts_on", "2026-11-01")
    page.fill("#ends_on", "2027-04-30")
    page.fill("#term_start", "2027-05-01")
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
    county_user = User.objects.get(username="anping_hjb")
    logout(page)

    # --- accounts (the account pages belong to the accounts work: made through its service here)
    town, village = Region.objects.get(code="130731100000"), Region.objects.get(code="130731100201")
    police = Department.objects.create(code="gongan", name="县公安局")
    court = Department.objects.create(code="fayuan", name="县人民法院")
    accounts = {
        "anping_town": create_account(county_user, username="anping_town", display_name="安平镇换届办",
                                      role="township", region=town)[1],
        "dongshan": create_account(county_user, username="dongshan", display_name="东山村选委会",
                                   role="village", region=village)[1],
        "police": create_account(county_user, username="police", display_name="公安局联审", role="department",
                                 region=county_user.region, department=police)[1],
        "court": create_account(county_user, username="court", display_name="法院联审", role="department",
                                region=county_user.region, department=court)[1],
    }
    for username in ("dongshan", "police", "court"):
        login(page, live_server, username, accounts[username])
        logout(page)

    # --- the township records the audit and the training of 东山村
    login(page, live_server, "anping_town", accounts["anping_town"])
    page.goto(f"{base}/campaigns/{slug}/")
    page.click("text=换届准备（离任审计、培训）")
    assert "未登记离任审计" in page.inner_text("#readiness-rows tr[data-code='130731100201']")
    page.click("#readiness-rows >> text=东山村委会")
    page.fill("#audit-form input[name=audited_on]", "2026-11-20")
    page.fill("#audit-form input[name=auditor]", "安平县审计局")
    page.select_option("#audit-form select[name=conclusion]", "clean")
    page.set_input_files("#audit-form input[name=attachment]", {"name": "照片.pdf", "mimeType": "application/pdf",
                                                                "buffer": b"not a pdf"})
    page.click("#audit-form button[type=submit]")
    assert "内容不是PDF文件" in page.inner_text(".msg-error")
    page.fill("#audit-form input[name=audited_on]", "2026-11-20")
    page.fill("#audit-form input[name=auditor]", "安平县审计局")
    page.select_option("#audit-form select[name=conclusion]", "clean")
    page.set_input_files("#audit-form input[name=attachment]", {"name": "离任审计报告.pdf",
                                                                "mimeType": "application/pdf", "buffer": PDF})
    page.click("#audit-form button[type=submit]")
    page.wait_for_selector("text=东山村委会的离任审计已登记")
    assert "业务培训尚未完成" in page.inner_text("#village-blockers")
    shot(page, "08-village-audit")
    page.click("#training-record >> text=登记业务培训")
    page.fill("#held_on", "2026-11-25")
    row = page.locator("#training-villages tr[data-code='130731100201']")
    row.locator("input[name^=committee_]").check()
    row.locator("input[name^=staff_]").check()
    row.locator("textarea").fill("张建华\n李红梅\n王志强")
    shot(page, "09-training-form")
    page.click("#training-form button[type=submit]")
    page.wait_for_selector("text=已登记 2026-11-25 的业务培训，1 个村（社区）参加")
    assert "已就绪" in page.inner_text("#readiness-rows tr[data-code='130731100201']")
    assert "未登记离任审计" in page.inner_text("#readiness-rows tr[data-code='130731100001']")
    shot(page, "10-readiness")

    # --- the election of 东山村 reaches the voting stage
    page.goto(f"{base}/campaigns/{slug}/")
    page.click("text=村（居）民委员会选举")
    page.click("text=建立选举")
    page.select_option("#id_village", "130731100201")
    page.fill("#id_election_date", "2027-03-20")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("text=前置条件均已满足")
    page.click("text=进入投票阶段")
    page.wait_for_selector("text=已进入投票阶段")
    shot(page, "11-voting-stage")
    assert Election.objects.get(organization__code="130731100201").stage == "voting"
