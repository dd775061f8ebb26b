"""Browser test in a real headless Chromium: a township congress from the allocation to the county's
批复 (issue 15). The township office creates the congress (a bad form first), groups two small
organisations into one unit, makes the others units, reserves a seat, changes a unit's seats by hand
(without a reason first), sends the 请示; the county approves the number and the request. The
allocation table and the request are downloaded and read."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from huanjie.congress.models import Congress
from huanjie.party import services as party
from huanjie.party.tests.helpers import add_members
from huanjie.people.models import Region
from huanjie.testing.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "/tmp/shots/congress15"


def pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=工作台")


def test_congress_from_allocation_to_approval(page, live_server):
    world = build_world()
    today = timezone.localdate()
    c = world.campaign
    c.starts_on, c.ends_on = today - dt.timedelta(days=60), today + dt.timedelta(days=120)
    c.save()
    actor = world.users["township_a"]
    villages = [world.village_a1, world.village_a2]
    for code, name in (("130731100006", "河西村"), ("130731100008", "北岭村")):
        villages.append(Region.objects.create(code=code, name=name, level="village", kind="village",
                                              parent=world.township_a))
    for v, n in zip(villages, (40, 30, 6, 3), strict=True):
        add_members(actor, party.branch_of(actor, v), n, prefix=v.name)
    base = live_server.url
    page.on("dialog", lambda dlg: dlg.accept())
    login(page, base, "township_a")

    # ---- create the congress: a bad form first
    page.goto(f"{base}/campaigns/{c.slug}/")
    page.click("a:has-text('乡镇党代会')")
    page.wait_for_selector("h1:has-text('乡镇党代会')")
    page.select_option("#township", world.township_a.code)
    page.fill("#number", "3")
    page.fill("#convene_on", (today + dt.timedelta(days=30)).isoformat())
    page.fill("#delegates_planned", "350")
    page.click("button:has-text('建立党代会')")
    page.wait_for_selector("text=代表名额350名超出范围：最多300名")
    assert not Congress.objects.exists()
    page.fill("#delegates_planned", "20")
    page.click("button:has-text('建立党代会')")
    page.wait_for_selector("h1:has-text('中国共产党清溪镇第三次代表大会')")
    congress = Congress.objects.get()

    # ---- units: two small organisations together, the others one each
    page.fill("#unit-name", "河西北岭联合选举单位")
    page.check("input[name=branches] >> nth=2")
    page.check("input[name=branches] >> nth=3")
    page.click("#add-unit button[type=submit]")
    page.wait_for_selector("text=选举单位已添加。")
    page.click("button:has-text('未划入的党组织各作为一个选举单位')")
    page.wait_for_selector("text=已按党组织划分 2 个选举单位。")
    # 20 seats over 79 members: 联合 9 → 2.28, 东山 40 → 10.13, 柳塘 30 → 7.59 → 2, 10, 8
    rows = page.locator("#allocation-table tbody tr")
    assert rows.count() == 3
    assert page.inner_text("#total-seats").startswith("20 / 20")
    assert page.inner_text("tr[data-unit='中共柳塘村支部委员会'] td.computed") == "8"

    # ---- a reserved seat, then a hand change: without a reason it is refused
    page.fill("input[aria-label='中共东山村支部委员会保留名额']", "1")
    page.locator("tr[data-unit='中共东山村支部委员会'] button:has-text('保存')").click()
    page.wait_for_selector("text=保留名额已保存")
    row = "tr[data-unit='河西北岭联合选举单位']"
    page.fill(f"{row} input[name=seats]", "3")
    page.locator(f"{row} button:has-text('调整')").click()
    page.wait_for_selector("text=调整名额应写明理由")
    assert Congress.objects.get().units.get(name="河西北岭联合选举单位").seats_set is None
    page.fill(f"{row} input[name=seats]", "3")
    page.fill(f"{row} input[name=reason]", "两村相距较远，各保证至少1名")
    page.locator(f"{row} button:has-text('调整')").click()
    page.wait_for_selector("text=各选举单位名额合计21名，与代表名额20名不一致")
    row2 = "tr[data-unit='中共柳塘村支部委员会']"
    page.fill(f"{row2} input[name=seats]", "6")
    page.fill(f"{row2} input[name=reason]", "调出1名给联合选举单位")
    page.locator(f"{row2} button:has-text('调整')").click()
    page.wait_for_selector("#request-form")
    page.screenshot(path=f"{SHOTS}/allocation.png", full_page=True)
    table = pdf_text(page.request.get(f"{base}/congress/{congress.pk}/documents/allocation.pdf").body())
    assert "两村相距较远" in table and "代表名额20名" in table

    # ---- the 请示
    page.fill("#req-no", "清委〔2027〕1号")
    page.fill("#req-day", today.isoformat())
    page.click("#request-form button[type=submit]")
    page.wait_for_selector("text=已登记召开党代会的请示。")
    request = pdf_text(page.request.get(f"{base}/congress/{congress.pk}/documents/request.pdf").body())
    assert "代表名额为20名" in request and "河西北岭联合选举单位" in request and "清委〔2027〕1号" in request

    # ---- the county: the number, then the 批复; afterwards nothing can be changed
    login(page, base, "county")
    page.goto(f"{base}/congress/{congress.pk}/")
    page.fill("#size-no", "安组〔2027〕3号")
    page.fill("#size-day", today.isoformat())
    page.click("#approve-size button[type=submit]")
    page.wait_for_selector("text=已登记县委批准代表名额。")
    page.fill("#app-no", "安委〔2027〕9号")
    page.fill("#app-day", today.isoformat())
    page.click("#approval-form button[type=submit]")
    page.wait_for_selector("text=已登记县委批复。")
    assert "县委已批复 安委〔2027〕9号" in page.inner_text(".page-head")
    assert page.locator("input[name=seats]").count() == 0
    page.screenshot(path=f"{SHOTS}/approved.png", full_page=True)
    approval = pdf_text(page.request.get(f"{base}/congress/{congress.pk}/documents/approval.pdf").body())
    assert "同意大会代表名额为20名" in approval
