"""Browser test in a real headless Chromium: the village clerk follows the election and prints the list."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from huanjie.elections import services
from huanjie.testing.world import PASSWORD, build_world

from .workflow_helpers import ELECTION_DAY, make_person, past_campaign, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_village_clerk_sees_the_timeline_records_a_step_and_downloads_the_voter_list(page, live_server):
    world = build_world()
    campaign = past_campaign(world)
    election = services.create_election(world.users["township_a"], campaign, world.village_a1, ELECTION_DAY)
    register(election, world.people["wang"])
    register(election, world.people["li"])
    register(election, make_person("陈红梅", "F", dt.date(1988, 5, 6), world.village_a1, 301, "第二村民小组"))

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "village_a1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=工作台")

    page.goto(f"{live_server.url}/campaigns/{campaign.slug}/")
    page.click("text=村（居）民委员会选举")
    page.click("#election-rows >> text=东山村")
    page.wait_for_selector("h1:has-text('东山村第十二届村民委员会选举')")

    timeline = page.locator("#timeline")
    row = timeline.locator("tr[data-key=voter_list_published]")
    assert "2026-02-28 前" in row.inner_text()  # 2026-03-20 − 20 days (R10)
    assert "已逾期" in row.inner_text()  # the day has passed and nothing was recorded
    assert "离任审计尚未完成" in page.inner_text("#blockers")

    page.select_option("#record-step select[name=key]", "voter_list_published")
    page.fill("#record-step input[name=done_on]", "2026-02-25")
    page.click("#record-step button[type=submit]")
    page.wait_for_selector("text=工作进度已登记")
    row = page.locator("#timeline tr[data-key=voter_list_published]")
    assert "已完成" in row.inner_text() and "2026-02-25" in row.inner_text()
    # the objection window appears: 2026-02-25 + 5 days = 2026-03-02
    assert "2026-03-02" in page.locator("#timeline tr[data-key=objection_deadline]").inner_text()

    with page.expect_download() as info:
        page.click("#voter-notice-link")
    download = info.value
    assert download.suggested_filename == "东山村选民名单公告.pdf"
    text = re.sub(
        r"\s+",
        "",
        "".join(p.extract_text() for p in PdfReader(io.BytesIO(open(download.path(), "rb").read())).pages),
    )
    assert "王建国" in text and "李秀英" in text and "陈红梅" in text
    assert "第一村民小组" in text and "第二村民小组" in text
    assert "2026年2月25日" in text and "2026年3月2日" in text
    assert world.people["wang"].id_number not in text
