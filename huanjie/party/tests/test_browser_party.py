"""Browser test in a real headless Chromium: one village's party branch from the member roll to the
approved result and the certificates (issue 12).

The roll is imported from an office-style Excel file (a defective file first: the row is reported,
nothing saved); the election is created; both recommendation meetings, the initial candidates, their
inspection, the preliminary list, the 公示 and the township's 批复 are entered on the party page;
the qualification review of each candidate is the review app's (recorded through its services, its
pages have their own browser tests). Members sign in, the 4/5 quorum is shown, the counting form of
the elections app is filled in, the engine's arithmetic is read; the plenary elects the 书记; the
township approves the result and the certificates are downloaded.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from huanjie.elections.models import Election
from huanjie.elections.voting import services as voting
from huanjie.party.models import Member
from huanjie.testing.world import PASSWORD, build_world

from .helpers import dates, pass_review, roll_row, roll_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = ["王建华", "李春梅", "张志强", "刘德顺", "陈秀兰", "杨国庆", "赵红霞", "黄建军", "周玉兰", "吴海涛",
         "徐桂英", "孙立新", "胡志明", "朱永福", "高淑珍", "林文斌", "何秀云", "郭建平", "马丽娟", "罗国华"]


def shot(page, name: str) -> None:
    """A screenshot for the eye when HUANJIE_SHOTS names a folder (the developers look at them)."""
    folder = os.environ.get("HUANJIE_SHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=False)


def keep(download, name: str) -> None:
    import shutil

    folder = os.environ.get("HUANJIE_SHOTS")
    if folder:
        shutil.copy(download.path(), os.path.join(folder, name))


def pdf_text(path) -> str:
    with open(path, "rb") as fh:
        return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages))


def roll_rows():
    rows = []
    for i, name in enumerate(NAMES):
        gender = "女" if name[-1] in "梅兰霞英珍云娟" else "男"
        birth = dt.date(1958 + i, 1 + i % 12, 3 + i)
        serial = 200 + 2 * i + (1 if gender == "男" else 0)
        rows.append(roll_row(i + 1, name, gender, birth, serial))
    rows[19][7], rows[19][8], rows[19][9] = "预备党员", "2026年7月1日", ""  # 罗国华: no vote (R49)
    return rows


def test_party_branch_from_roll_to_approved_result(page, live_server, tmp_path):
    world = build_world()
    d = dates(world)
    entry = world.campaign.villages.get(village=world.village_a1)
    entry.audit_done_on = entry.training_done_on = d["members_meeting"]
    entry.save()
    base = live_server.url
    page.on("dialog", lambda dlg: dlg.accept())
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "township_a")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=工作台")

    # ---- the member roll: a defective file is refused row by row, then the clean file
    page.goto(f"{base}/party/village/{world.village_a1.code}/members/")
    bad = roll_rows()
    bad[4][7] = "积极分子"
    path = tmp_path / "党员名册.xlsx"
    path.write_bytes(roll_xlsx(bad))
    page.set_input_files("#roll-file", str(path))
    page.click("#import button[type=submit]")
    page.wait_for_selector("#import-problems")
    assert "第9行" in page.inner_text("#import-problems") and "积极分子" in page.inner_text("#import-problems")
    assert not Member.objects.exists()
    path.write_bytes(roll_xlsx(roll_rows()))
    page.set_input_files("#roll-file", str(path))
    page.click("#import button[type=submit]")
    page.wait_for_selector("text=党员名册已导入：新增 20 人")
    assert "预备党员没有表决权" in page.inner_text("#roll")
    shot(page, "01_member_roll")

    # ---- create the election
    page.goto(f"{base}/party/campaign/{world.campaign.slug}/new/")
    page.select_option("#village", world.village_a1.code)
    page.fill("#election_date", d["assembly"].isoformat())
    page.fill("#committee_seats", "3")
    page.click("button:has-text('建立选举')")
    page.wait_for_selector("h1:has-text('中共东山村支部委员会换届选举')")
    election = Election.objects.get(kind=Election.PARTY_BRANCH)

    # ---- 两推: two meetings, tallies kept apart
    for kind, day, expected, present, votes in (
        ("members", d["members_meeting"], 19, 18, (17, 15, 14, 12, 9)),
        ("villagers", d["villagers_meeting"], 45, 40, (36, 30, 29, 25, 20)),
    ):
        page.select_option("#rec-kind", kind)
        page.fill("#rec-date", day.isoformat())
        page.fill("#rec-expected", str(expected))
        page.fill("#rec-present", str(present))
        page.fill("#rec-tallies", "\n".join(f"{n} {v}" for n, v in zip(NAMES[:5], votes, strict=True)))
        page.click("#recommendation-form button[type=submit]")
        page.wait_for_selector("text=已保存")
    tallies = page.inner_text("#tallies")
    assert "17" in tallies and "36" in tallies
    page.locator("#timeline").scroll_into_view_if_needed()
    shot(page, "02_timeline")

    # ---- initial candidates: 3 seats need at least 5 (P7)
    for name in NAMES[:5]:
        page.fill("#nominee-who", name)
        page.click("#nominee-form button[type=submit]")
        page.wait_for_selector(f"#nominees >> text={name}")
    assert "初步人选5人，按政策至少需5人" in page.inner_text("#candidates")
    for c in election.candidates.all():
        pass_review(world, c)
    page.reload()
    for row in page.locator("#nominees tbody tr").all():
        row.locator("input[name=inspected_on]").fill(d["inspected"].isoformat())
        for field, value in (("competent", "16"), ("basic", "2"), ("incompetent", "0"), ("talks", "12")):
            row.locator(f"input[name={field}]").fill(value)
        row.locator("button:has-text('登记考察')").click()
        page.wait_for_selector("text=已保存")
    assert page.locator("#nominees >> text=审查通过").count() == 5
    page.locator("#candidates").scroll_into_view_if_needed()
    shot(page, "03_candidates_policy")

    # ---- preliminary list (seats + 1), 公示, 请示 and 批复
    for name in NAMES[:4]:
        page.check(f"#preliminary-form label:has-text('{name}') input")
    page.fill("#prelim-on", d["preliminary"].isoformat())
    page.click("#preliminary-form button[type=submit]")
    page.wait_for_selector("text=已保存")
    page.fill("tr[data-notice=preliminary] input[name=on]", d["notice"].isoformat())
    page.click("tr[data-notice=preliminary] button:has-text('登记公示')")
    page.wait_for_selector("text=预备人选公示（PDF）")
    with page.expect_download() as info:
        page.click("text=预备人选公示（PDF）")
    keep(info.value, "preliminary_notice.pdf")
    notice = pdf_text(info.value.path())
    assert "王建华" in notice and "陈秀兰" not in notice
    assert "不能发出选票" in page.inner_text("#ballot-blockers")  # no 批复 yet
    # an objection received during the 公示 must be answered before the 批复 (P18)
    page.select_option("#ob-notice", "preliminary")
    page.fill("#ob-on", (d["notice"] + dt.timedelta(days=1)).isoformat())
    page.fill("#ob-about", "张志强")
    page.fill("#ob-content", "反映其承包地长期撂荒")
    page.click("#objection-form button[type=submit]")
    page.wait_for_selector("#objections >> text=反映其承包地长期撂荒")
    row = page.locator("#objections tbody tr").first
    row.locator("input[name=handled_on]").fill(d["request"].isoformat())
    row.locator("select[name=outcome]").select_option("not_upheld")
    row.locator("input[name=handling]").fill("经核实已流转耕种，反映不属实")
    row.locator("button:has-text('办结')").click()
    page.wait_for_selector("#objections >> text=反映不属实")
    page.locator("#approval").scroll_into_view_if_needed()
    shot(page, "04_notice_objections")
    page.fill("#request_number", "东山党支〔2026〕3号")
    page.fill("#request_date", d["request"].isoformat())
    page.fill("#approval_number", "清溪党〔2026〕41号")
    page.fill("#approval_date", d["approval"].isoformat())
    page.click("#approval-form button[type=submit]")
    page.wait_for_selector("text=乡镇党委批复：清溪党〔2026〕41号")
    with page.expect_download() as info:
        page.click("text=批复（PDF）")
    approval = pdf_text(info.value.path())
    assert "关于同意中共东山村支部委员会" in approval and "张志强" in approval

    # ---- the assembly: 19 with the vote, 15 signed in: 15×5 = 75 ≤ 76 blocks the ballots
    for name in NAMES[:15]:
        page.check(f"input[aria-label='{name}签到']")
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_selector("text=已保存")
    assert "15×5=75 ≤ 19×4=76" in page.inner_text("#quorum")
    assert "不能发出选票" in page.inner_text("#ballot-blockers")
    for name in NAMES[15:18]:
        page.check(f"input[aria-label='{name}签到']")
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_selector("text=已保存")
    assert "18×5=90 > 19×4=76" in page.inner_text("#quorum")
    page.locator("#assembly").scroll_into_view_if_needed()
    shot(page, "05_quorum")
    page.click("#voting button:has-text('进入投票阶段')")
    page.wait_for_selector("text=已保存")
    voting.add_station(world.users["township_a"], Election.objects.get(pk=election.pk), name="党员大会会场")

    # ---- the ballot (stroke order, R55) and the counting form of the elections app
    ballot = page.request.get(f"{base}/elections/round/{election.rounds.get(number=1).pk}/ballots.pdf")
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(ballot.body())).pages))
    assert text.index("王建华") < text.index("刘德顺") < text.index("李春梅") < text.index("张志强")  # strokes
    assert "赞成" in text and "反对" in text and "弃权" in text and "另选他人" in text
    page.goto(f"{base}/elections/round/{election.rounds.get(number=1).pk}/counting/")
    page.click("tr[data-station=党员大会会场] >> text=汇总录入")
    for field, value in zip(("issued", "returned", "valid", "blank", "invalid"), (18, 18, 18, 0, 0), strict=True):
        page.fill(f"#counting-entry input[name={field}]", str(value))
    for name, votes in zip(NAMES[:4], (17, 14, 12, 6), strict=True):
        page.get_by_label(f"委员{name}得票").fill(str(votes))
    page.click("#save-form")
    page.wait_for_selector("text=党员大会会场的计票单已保存并确认")
    page.click("#compute-result")
    page.wait_for_selector("#arithmetic")
    readout = page.inner_text("#arithmetic")
    # the rule is cited after the arithmetic (the citation text itself belongs to the law profiles)
    assert "18 × 5 = 90 > 应到 19 × 4 = 76" in readout and "票数 × 2 > 18，即至少 10 票" in readout
    assert "R58" in readout
    assert "当选" in page.inner_text("tr[data-name=王建华]")
    assert "未达到当选票数" in page.inner_text("tr[data-name=刘德顺]")

    # ---- the first plenary elects the 书记 among the new committee (等额, R61)
    page.goto(f"{base}/party/{election.pk}/")
    page.select_option("#plenary-form select[name=secretary]", "王建华")
    page.click("#plenary-form button[type=submit]")
    page.wait_for_selector("text=候选人：书记 王建华")
    page.fill("#plenary-present", "3")
    page.click("#plenary-present-form button[type=submit]")
    page.wait_for_selector("text=已保存")
    page.click("#plenary button:has-text('全体会议进入投票阶段')")
    page.wait_for_selector("text=已保存")
    plenary = election.party.plenary
    voting.add_station(world.users["township_a"], plenary, name="全体会议会场")
    page.goto(f"{base}/elections/round/{plenary.rounds.get(number=1).pk}/counting/")
    page.click("tr[data-station=全体会议会场] >> text=汇总录入")
    for field, value in zip(("issued", "returned", "valid", "blank", "invalid"), (3, 3, 3, 0, 0), strict=True):
        page.fill(f"#counting-entry input[name={field}]", str(value))
    page.get_by_label("书记王建华得票").fill("3")
    page.click("#save-form")
    page.wait_for_selector("text=全体会议会场的计票单已保存并确认")
    page.click("#compute-result")
    page.wait_for_selector("#arithmetic")
    assert "R61" in page.inner_text("#arithmetic")

    # ---- the township approves the result; the certificates
    page.goto(f"{base}/party/{election.pk}/")
    page.fill("#ra-number", "清溪党〔2026〕47号")
    page.fill("#ra-on", d["result_approved"].isoformat())
    page.click("#result-approval-form button[type=submit]")
    page.wait_for_selector("#result-approval")
    with page.expect_download() as info:
        page.click("text=书记、副书记当选证书")
    certificates = pdf_text(info.value.path())
    assert "王建华同志" in certificates and "经中共东山村支部委员会第一次全体会议选举，当选为东山村第十二届党支部委员会书记" in certificates
    with page.expect_download() as info:
        page.click("text=委员当选证书")
    keep(info.value, "certificates.pdf")
    members = pdf_text(info.value.path())
    assert "李春梅" in members and "张志强" in members and "刘德顺" not in members
    page.locator("#plenary").scroll_into_view_if_needed()
    shot(page, "06_plenary_result")
    for name in ("attendance.pdf", "approval.pdf", "meeting-notice.pdf", "tallies.pdf"):
        got = page.request.get(f"{base}/party/{election.pk}/documents/{name}")
        assert got.ok and got.body()[:4] == b"%PDF", name
        if os.environ.get("HUANJIE_SHOTS"):
            Path(os.environ["HUANJIE_SHOTS"], name).write_bytes(got.body())
    # the township's list of party elections, then the village's own view
    page.goto(f"{base}/party/")
    assert "东山村" in page.inner_text("#party-elections") and "清溪党〔2026〕41号" in page.inner_text("#party-elections")
    shot(page, "07_index_township")
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "village_a1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=工作台")
    shot(page, "08_village_home")
    page.goto(f"{base}/party/")
    assert "东山村" in page.inner_text("#party-elections")
    page.goto(f"{base}/party/{election.pk}/")
    assert page.locator("#approval-form").count() == 0 and page.locator("#body-form").count() == 0
    shot(page, "09_village_party_page")
    page.screenshot(path=str(tmp_path / "party.png"), full_page=True)


def test_the_roll_page_ticks_its_boxes_beside_their_words(page, live_server):
    """Found walking the roll page at 1366: each checkbox stood alone, centred above its words."""
    world = build_world()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "village_a1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=工作台")
    page.goto(f"{live_server.url}/party/village/{world.village_a1.code}/members/")
    for name in ("skip_bad_rows", "rights_suspended", "scattered"):
        box = page.locator(f"input[name={name}]").bounding_box()
        label = page.locator(f"label:has(> input[name={name}])").bounding_box()
        assert label["height"] < 2 * box["height"] + 12, name  # one line, not the box over its words
        assert box["x"] - label["x"] < 8, name  # the box starts the line
