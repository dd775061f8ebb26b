"""Browser test in a real headless Chromium: one village's election day from ballots to the elected.

Ballots downloaded; two counting forms (two stations), the first with an F error shown and then
corrected; a tie for the last 委员 seat leads to a tie re-vote round with its own form; the result
page shows the elected; the results notice and the certificates are downloaded.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from huanjie.testing.world import PASSWORD, build_world

from .voting_helpers import NATIONAL_CANDIDATES, election_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_text(path) -> str:
    with open(path, "rb") as fh:
        return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages))


def fill_form(page, head, votes, *, write_ins=None):
    """head = (issued, returned, valid, blank, invalid); votes = {post name: {candidate: n}}."""
    for name, value in zip(("issued", "returned", "valid", "blank", "invalid"), head, strict=True):
        page.fill(f"#counting-entry input[name={name}]", str(value))
    for post, by_name in votes.items():
        for cand, n in by_name.items():
            page.get_by_label(f"{post}{cand}得票").fill(str(n))


def test_election_day_end_to_end(page, live_server):
    world = build_world()
    # registered 20; two stations; the list order of the candidates is the formal list order
    day = election_day(world, candidates=NATIONAL_CANDIDATES, stations=("中心会场", "第二投票站"))
    election = day.election
    page.on("dialog", lambda d: d.accept())  # data-confirm prompts

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "village_a1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=工作台")

    # ---- ballots
    page.goto(f"{live_server.url}/elections/{election.pk}/")
    page.click("#ballots-link")
    page.wait_for_selector("h1:has-text('选票')")
    with page.expect_download() as info:
        page.click(".ballot-pdf >> nth=0")
    text = pdf_text(info.value.path())
    assert "东山村第十二届村民委员会选举选票" in text
    assert text.index("孙立") < text.index("周芳") < text.index("冯伟")  # R70: the list order
    assert "另选他人" in text

    # ---- round 1, station 1: an F error first (returned 10 > issued 9 → F.01), then corrected
    page.goto(f"{live_server.url}/elections/round/{day.round.pk}/counting/")
    page.click("tr[data-station=中心会场] >> text=汇总录入")
    a_votes = {
        "主任": {"张明": 6, "李华": 3},
        "副主任": {"王强": 6, "赵敏": 3},
        "委员": {"孙立": 7, "周芳": 7, "吴刚": 5, "郑丽": 5, "冯伟": 1},
    }
    fill_form(page, (9, 10, 9, 0, 1), a_votes)
    # the htmx check shows the code while typing, before anything is saved
    page.wait_for_selector("#findings [data-code='F.01']")
    assert "收回选票 10 张，多于发出的 9 张" in page.inner_text("#findings")
    page.click("#save-form")
    page.wait_for_selector("text=计票单有错误（F），未保存")
    assert page.locator("#findings [data-code='F.01']").count() == 1
    fill_form(page, (10, 9, 9, 0, 0), a_votes)  # the paper says 10 issued, 9 returned, none invalid
    page.wait_for_selector("#findings >> text=检查通过")
    page.click("#save-form")
    page.wait_for_selector("text=中心会场的计票单已保存并确认")

    # ---- round 1, station 2
    page.click("tr[data-station=第二投票站] >> text=汇总录入")
    fill_form(
        page,
        (7, 6, 6, 0, 0),
        {
            "主任": {"张明": 3, "李华": 3},
            "副主任": {"王强": 4, "赵敏": 2},
            "委员": {"孙立": 5, "周芳": 4, "吴刚": 4, "郑丽": 4, "冯伟": 0},
        },
    )
    page.click("#save-form")
    page.wait_for_selector("text=第二投票站的计票单已保存并确认")

    # ---- result: returned 9 + 6 = 15 of 20 registered; threshold v×2 > 15 → 8.
    # 委员: 孙立 12, 周芳 11, then 吴刚 9 and 郑丽 9 tie for the last seat (R29).
    page.click("#compute-result")
    page.wait_for_selector("#arithmetic")
    readout = page.inner_text("#arithmetic")
    assert "15 × 2 = 30 > 登记选民 20 人" in readout and "即至少 8 票" in readout
    assert "得票相等" in page.inner_text("tr[data-name=吴刚]")
    page.click("#create-tie-revote")
    page.wait_for_selector("h1:has-text('第2轮计票')")

    # ---- round 2: the tie re-vote with its own ballot and form
    round2 = election.rounds.get(number=2)
    with page.expect_download() as info:
        page.click("text=本轮选票（PDF）")
    text2 = pdf_text(info.value.path())
    assert "吴刚" in text2 and "郑丽" in text2 and "孙立" not in text2
    page.click("tr[data-station=中心会场] >> text=汇总录入")
    fill_form(page, (15, 15, 15, 0, 0), {"委员": {"吴刚": 8, "郑丽": 7}})
    page.click("#save-form")
    page.wait_for_selector("text=中心会场的计票单已保存并确认")
    page.click("#compute-result")
    page.wait_for_selector("#arithmetic")
    assert "不要求过半数" in page.inner_text("#arithmetic")
    assert "当选" in page.inner_text("tr[data-name=吴刚]")
    seats = page.inner_text("#seats")
    for name in ("张明", "王强", "孙立", "周芳", "吴刚"):
        assert name in seats
    assert "应选名额已选足" in page.inner_text(".page-head")
    assert round2.kind == "tie_revote"

    # ---- the results notice and the certificates (documents of the results work)
    with page.expect_download() as info:
        page.click("#results-notice")
    assert "吴刚" in pdf_text(info.value.path())
    with page.expect_download() as info:
        page.click("#certificates")
    certificates = pdf_text(info.value.path())
    assert "吴刚" in certificates and "张明" in certificates
