"""Browser test in a real headless Chromium (issue 11): one village carried from the roster to the
archive as a township clerk and the village committee live it: the 工作台's to-do list, the roster
import, the voter list in group and stroke order exported to Excel, the voter list published, the
nomination form that keeps what was typed, a person found by name, the candidates fixed and passed
in bulk at the village pre-review, the list published, the vote opened on its day, the counting
form, the result, the submission, the handover and the archive with every document numbered
without gaps. Screenshots of the main pages at 1366×768 go to ``HUANJIE_SHOTS`` (if set), to be
looked at by eye.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from huanjie.elections.models import StepRecord, VoterRegistration
from huanjie.elections.nomination import services as cs
from huanjie.elections.nomination.models import Candidate
from huanjie.elections.voting import services as voting
from huanjie.elections.voting.models import VotingStation
from huanjie.review.models import ReviewCase
from huanjie.rules.idnumber import parse_id
from huanjie.testing.world import PASSWORD, build_world

from ._roster_files import person_row, xlsx_bytes
from .candidate_helpers import pass_review, setup_village
from .workflow_helpers import make_ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("HUANJIE_SHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def login(page, base, who):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", who)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=工作台")


def logout(page):
    page.click("header form button:has-text('退出')")


def _roster(people) -> bytes:
    rows = []
    for i, p in enumerate(people, 1):
        group = p.group_name or ("第二村民小组" if i % 2 else "第三村民小组")
        sex = "男" if parse_id(p.id_number).gender == "M" else "女"  # the roster says what the ID number says
        rows.append(person_row(i, p.name, sex, p.birth_date, 公民身份号码=p.id_number, 村民小组=group))
    return xlsx_bytes(rows)


def test_one_village_from_roster_to_archive(page, live_server, tmp_path):
    world = build_world()
    v = setup_village(world, register_voters=False)
    election = v.election
    campaign = election.campaign
    campaign.ends_on = dt.date.today() + dt.timedelta(days=200)  # the campaign is still running
    campaign.save()
    base = live_server.url
    asked: list[str] = []

    def answer(dialog):  # the data-confirm questions, remembered so that the test can check them
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)

    # ---- the township's 工作台: the village's overdue step, with its link
    login(page, base, "township_a")
    todos = page.locator("#todos")
    assert "东山村·村民委员会选举：公布选民名单（已逾期）" in todos.inner_text()
    shot(page, "01-township-home")
    todos.locator("a", has_text="东山村·村民委员会选举：公布选民名单").click()
    page.wait_for_url(f"**/elections/{election.pk}/voters/")
    logout(page)

    # ---- the village committee imports the roster
    login(page, base, "village_a1")
    roster = tmp_path / "东山村名册.xlsx"
    roster.write_bytes(_roster(list(v.p.values())))
    page.goto(f"{base}/elections/{election.pk}/voters/import/")
    page.set_input_files("input[name=file]", str(roster))
    page.click("button:has-text('上传并检查')")
    page.wait_for_selector("#job .tiles", timeout=30_000)
    shot(page, "00-import")
    page.click("button:has-text('全部导入')", timeout=30_000)
    page.wait_for_selector("text=已登记 30 人", timeout=30_000)
    assert "确定导入全部 30 行？" in asked  # the import button asks first (app.js, button[data-confirm])

    # ---- the voter list: groups once each, group then strokes, exported to Excel
    page.goto(f"{base}/elections/{election.pk}/voters/")
    options = page.locator("select[name=group] option").all_inner_texts()
    assert options == ["全部小组", "第一村民小组", "第二村民小组", "第三村民小组"]
    shot(page, "02-voter-list")
    with page.expect_download() as info:
        page.click("a.export-xlsx")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(Path(info.value.path()).read_bytes())).get_sheet_by_index(0)
    rows = [r for r in sheet.to_python() if r and isinstance(r[0], int | float) and r[0] >= 1]
    assert len(rows) == 30 and rows[0][4] == "第一村民小组" and rows[-1][4] == "第三村民小组"
    first_group = [r[1] for r in rows if r[4] == "第一村民小组"]
    assert first_group.index("王建国") < first_group.index("刘芳") < first_group.index("张伟")  # 王 4, 刘 6, 张 7 strokes

    # ---- the voter list is published (20 days before, R10) on the election page
    page.goto(f"{base}/elections/{election.pk}/")
    assert "下一步" in page.inner_text("#next-step")
    page.select_option("#record-step select[name=key]", "voter_list_published")
    page.fill("#record-step input[name=done_on]", "2026-02-25")
    page.click("#record-step button[type=submit]")
    page.wait_for_selector("text=工作进度已登记")
    shot(page, "03-election-page")

    # ---- the nomination form keeps what was typed when it is refused (a name typed wrong)
    page.goto(f"{base}/elections/{election.pk}/nominations/")
    form = page.locator("#enter-aggregated")
    form.locator("input[name=held_on]").fill("2026-03-02")
    form.locator("input[name=participated]").fill("20")
    form.locator("textarea[name=votes_director]").fill("王建国 12\n周名 7")
    form.locator("textarea[name=votes_deputy]").fill("刘芳 11\n陈刚 8")
    form.locator("textarea[name=votes_member]").fill("张伟 15\n杨洋 14\n黄磊 12\n吴静 11\n徐亮 5\n王小明 2")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=不是本村登记选民")
    form = page.locator("#enter-aggregated")
    assert form.locator("textarea[name=votes_member]").input_value().startswith("张伟 15\n杨洋 14")
    assert form.locator("input[name=participated]").input_value() == "20"
    assert form.locator("input[name=held_on]").input_value() == "2026-03-02"
    form.locator("textarea[name=votes_director]").fill("王建国 12\n周明 7")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已录入提名：参加 20 人")
    row = page.locator("#nominees tr[data-person=王建国]")
    row.locator("select[name=current_post]").select_option("主任")
    row.locator("button:has-text('保存')").click()
    page.wait_for_selector("text=已保存王建国的信息")

    # ---- a person found by name: 李秀英 nominates herself for 委员
    page.select_option("#ch_post", label="委员")
    page.select_option("#ch_channel", label="自荐")
    page.fill("#ch_person", "李秀")
    page.wait_for_selector("#ch_person-results .pick-option")
    option = page.locator("#ch_person-results .pick-option").first
    assert "李秀英" in option.inner_text() and "第一村民小组" in option.inner_text() and "1972年生" in option.inner_text()
    assert world.people["li"].id_number not in option.inner_text()  # the list shows the tail only
    page.locator("#ch_person").scroll_into_view_if_needed()
    page.mouse.wheel(0, 250)
    shot(page, "04-nominations-name-search")
    option.click()
    assert page.input_value("#ch_person") == world.people["li"].id_number
    page.click("button:has-text('登记提名')")
    page.wait_for_selector("text=已登记李秀英为委员被提名人")

    # ---- the candidates are fixed, then the village passes its pre-review in bulk
    page.goto(f"{base}/elections/{election.pk}/candidates/")
    page.fill("input[name=on]", "2026-03-05")
    page.click("#decide")
    page.wait_for_selector("text=已确定正式候选人 8 名")
    page.goto(f"{base}/review/cases/")
    shot(page, "05-review-cases")
    page.click("#bulk-form button:has-text('全部通过')")
    page.wait_for_selector("text=已批量审查通过 8 人")
    assert ReviewCase.objects.filter(stage=ReviewCase.TOWNSHIP).count() == 8
    for c in Candidate.objects.filter(election=election):
        pass_review(world, c)  # the township and the departments (their own pages are tested elsewhere)
    cs.explain_team_check(world.users["township_a"], election, "P11-women-share", "青年女性多外出务工。")
    page.goto(f"{base}/elections/{election.pk}/candidates/")
    page.fill("#publish input[name=published_on]", "2026-03-10")
    page.click("#publish-button")
    page.wait_for_selector("text=正式候选人名单已公布（第1版）")
    shot(page, "06-candidates")

    # ---- election day: the vote opens (the day has come), one form, the result
    make_ready(world, world.village_a1)
    voting.add_station(world.users["township_a"], election, name="中心会场", kind=VotingStation.CENTRAL,
                       location="村委会大院")
    page.goto(f"{base}/elections/{election.pk}/")
    page.click("#blockers button:has-text('进入投票阶段')")
    page.wait_for_selector("text=已进入投票阶段")
    rnd = election.rounds.get(number=1)
    page.goto(f"{base}/elections/round/{rnd.pk}/counting/")
    page.click("tr[data-station=中心会场] >> text=汇总录入")
    for name, value in zip(("issued", "returned", "valid", "blank", "invalid"), (30, 28, 26, 1, 1), strict=True):
        page.fill(f"#counting-entry input[name={name}]", str(value))
    votes = {"主任": {"王建国": 18, "周明": 8}, "副主任": {"刘芳": 16, "陈刚": 10},
             "委员": {"张伟": 20, "杨洋": 19, "黄磊": 17, "吴静": 12}}
    for post, by_name in votes.items():
        for cand, n in by_name.items():
            page.get_by_label(f"{post}{cand}得票").fill(str(n))
    shot(page, "07-counting-form")
    page.click("#save-form")
    page.wait_for_selector(".messages")
    if page.locator("text=请核对后勾选确认").count():
        for box in page.locator("input[name=ack]").all():
            box.check()
        page.click("#save-form")
    page.wait_for_selector("text=中心会场的计票单已保存并确认")
    page.click("#compute-result")
    page.wait_for_selector("#arithmetic")
    shot(page, "08-result")
    assert "王建国" in page.inner_text("main") and "刘芳" in page.inner_text("main")

    # ---- submission and handover within 10 days (R41), recorded after the vote
    page.goto(f"{base}/elections/{election.pk}/results/")
    page.click("#submit-result")
    page.wait_for_selector("text=已报送")
    page.goto(f"{base}/elections/{election.pk}/results/handover/")
    for kind in ("seals", "files", "assets"):
        form = page.locator(f"#handover-{kind} form")
        form.locator("input[name=handed_over_on]").fill("2026-03-22")
        form.locator("input[name=handed_by]").fill("王老主任")
        form.locator("input[name=received_by]").fill("王建国")
        form.locator("input[name=signed]").check()
        form.locator("button[type=submit]").click()
        page.wait_for_selector("text=移交记录")
    assert StepRecord.objects.get(election=election, key="handover").done_on == dt.date(2026, 3, 22)
    shot(page, "09-handover")

    # ---- the archive: every document, numbered without gaps
    page.goto(f"{base}/elections/{election.pk}/")
    with page.expect_download() as info:
        page.click("#aftervote a:has-text('档案包')")
    names = sorted(zipfile.ZipFile(info.value.path()).namelist())
    numbered = [n for n in names if n[:2].isdigit() and n[:2] != "00"]
    assert [int(n[:2]) for n in numbered] == list(range(1, len(numbered) + 1))
    for doc in ("选民名单公告", "正式候选人名单公告", "资格联审表", "投票选举事项公告", "选举工作人员名单公告",
                "选票样张", "计票单", "选举结果公告", "当选证书"):
        assert any(doc in n for n in numbered), doc
    assert VoterRegistration.objects.filter(election=election).count() == 30
    logout(page)

    # ---- the county's pages fit 1366 px
    login(page, base, "county")
    page.goto(f"{base}/elections/campaign/{campaign.slug}/")
    overflow = page.evaluate(
        "() => [...document.querySelectorAll('.card')].some(c => c.scrollWidth > c.clientWidth + 1)"
    )
    assert not overflow
    # nor do the summary tables need their side scroll: the long category headers wrap
    hidden = page.evaluate(
        "() => [...document.querySelectorAll('.table-scroll > table')]"
        ".filter(t => t.scrollWidth > t.parentElement.clientWidth + 1).map(t => t.id)"
    )
    assert hidden == []
    shot(page, "10-county-elections")
    page.goto(f"{base}/accounts/audit/")
    shot(page, "11-audit-log")
    page.goto(f"{base}/elections/campaign/{campaign.slug}/results/county/")
    shot(page, "12-county-dashboard")
