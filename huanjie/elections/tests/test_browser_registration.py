"""Browser test in a real headless Chromium: the village clerk imports a roster, publishes the list,
handles an objection and downloads the public notice."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import xlsxwriter
from pypdf import PdfReader

from huanjie.elections import services
from huanjie.elections.models import VoterRegistration
from huanjie.rules.idnumber import make_id
from huanjie.testing.world import PASSWORD, build_world

from .workflow_helpers import ELECTION_DAY, past_campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Three adults of 东山村 (region 130731) and one row whose check digit was mistyped.
GOOD = [
    ("赵春生", "男", dt.date(1970, 4, 2), 21, "第一村民小组"),
    ("钱桂芝", "女", dt.date(1985, 9, 15), 22, "第一村民小组"),
    ("孙立新", "男", dt.date(1992, 1, 30), 23, "第二村民小组"),
]


def _roster_xlsx(path, good_ids: list[str], bad_id: str) -> None:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("名册")
    ws.write_string(0, 0, "东山村选民登记名册")  # spreadsheet row 1
    for j, h in enumerate(["序号", "姓名", "性别", "出生年月", "公民身份号码", "村民小组"]):
        ws.write_string(1, j, h)  # row 2
    rows = [
        (name, sex, f"{born.year}.{born.month:02d}", number, group)
        for (name, sex, born, _, group), number in zip(GOOD, good_ids, strict=True)
    ]
    rows.insert(2, ("周错号", "女", "1980.05", bad_id, "第二村民小组"))  # spreadsheet row 5
    for i, row in enumerate(rows):
        ws.write_number(2 + i, 0, i + 1)
        for j, value in enumerate(row, start=1):
            ws.write_string(2 + i, j, value)
    wb.close()


def test_village_clerk_imports_publishes_decides_an_objection_and_downloads_the_notice(
    page, live_server, tmp_path
):
    world = build_world()
    campaign = past_campaign(world)
    election = services.create_election(world.users["township_a"], campaign, world.village_a1, ELECTION_DAY)
    good_ids = [make_id("130731", born, seq) for _, _, born, seq, _ in GOOD]
    right = make_id("130731", dt.date(1980, 5, 6), 24)
    bad_id = right[:-1] + ("1" if right[-1] == "0" else "0")  # same number, wrong check digit
    roster_file = tmp_path / "东山村名册.xlsx"
    _roster_xlsx(roster_file, good_ids, bad_id)
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "village_a1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=工作台")

    # Upload → the preview lists the bad row and saves nothing.
    page.goto(f"{live_server.url}/elections/{election.pk}/voters/import/")
    page.set_input_files("input[name=file]", str(roster_file))
    page.click("button:has-text('上传并检查')")
    page.wait_for_selector("text=须改正的问题", timeout=20_000)
    problem = page.locator("tr", has_text="第5行")
    assert "公民身份号码" in problem.inner_text()
    assert "周错号" in problem.inner_text()  # the row's name, so the clerk finds the person
    assert "id_checksum" not in problem.inner_text()  # codes are ours, not the clerk's
    assert "校验位" in problem.inner_text()
    assert VoterRegistration.objects.filter(election=election).count() == 0
    assert not page.locator("button:has-text('全部导入')").count()  # all-or-nothing is the default

    # The explicit choice: only the good rows.
    page.click("button:has-text('只导入没有问题的 3 行')")
    page.wait_for_selector("text=已登记 3 人", timeout=20_000)
    assert "未导入 1 行" in page.inner_text("#job")
    assert page.locator("a:has-text('下载未导入的行')").count() == 1
    assert VoterRegistration.objects.filter(election=election, status="registered").count() == 3

    # The voter list is published on 2026-02-25; the objection window is 5 days (R10) → 2026-03-02.
    page.goto(f"{live_server.url}/elections/{election.pk}/")
    page.select_option("#record-step select[name=key]", "voter_list_published")
    page.fill("#record-step input[name=done_on]", "2026-02-25")
    page.click("#record-step button[type=submit]")
    page.wait_for_selector("text=工作进度已登记")

    # An objection on 2026-02-27 that 孙立新 should not be on the list; upheld on 2026-02-28.
    page.goto(f"{live_server.url}/elections/{election.pk}/objections/")
    page.fill("input[name=objector_name]", "李秀英")
    page.fill("input[name=about_id_number]", good_ids[2])
    page.select_option("select[name=kind]", "remove")
    page.fill("textarea[name=content]", "户籍已迁出并在外地居住")
    page.fill("input[name=filed_on]", "2026-02-27")
    page.click("button:has-text('登记异议')")
    page.wait_for_selector("text=异议已登记")
    row = page.locator("tr", has_text="户籍已迁出")
    row.locator("select[name=decision]").select_option("upheld")
    row.locator("input[name=decided_on]").fill("2026-02-28")
    row.locator("button:has-text('处理')").click()
    page.wait_for_selector("text=已将孙立新从选民名单中除名")
    assert "异议成立" in page.locator("tr", has_text="户籍已迁出").inner_text()
    reg = VoterRegistration.objects.get(election=election, person__id_number=good_ids[2])
    assert reg.status == "removed"

    # The public notice: the two remaining voters by group, no ID numbers, not the removed one.
    page.goto(f"{live_server.url}/elections/{election.pk}/")
    with page.expect_download() as info:
        page.click("#voter-notice-link")
    with open(info.value.path(), "rb") as fh:
        text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages))
    assert "赵春生" in text and "钱桂芝" in text
    assert "孙立新" not in text and "周错号" not in text
    assert "第一村民小组" in text
    assert "2026年2月25日" in text
    for number in [*good_ids, bad_id]:
        assert number not in text
        assert number[:14] not in text  # not even a partial number
