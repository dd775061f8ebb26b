"""Browser test in a real headless Chromium: one village from the nomination count to the published
formal candidate list, with one candidate failing the county joint review and being replaced."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from huanjie.elections.nomination.models import Candidate
from huanjie.testing.world import PASSWORD, build_world

from .candidate_helpers import fail_review, pass_review, setup_village

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, who):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", who)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=工作台")


def logout(page):
    page.click("header form button:has-text('退出')")


def test_village_nominations_to_published_list_with_one_failed_review(page, live_server):
    world = build_world()
    v = setup_village(world)
    base = live_server.url
    page.on("dialog", lambda d: d.accept())  # the data-confirm prompts

    # --- the village clerk enters the nomination result
    login(page, base, "village_a1")
    page.goto(f"{base}/elections/{v.election.pk}/")
    page.click("#candidates-area >> text=提名（海选）")
    page.wait_for_selector("h1:has-text('提名（海选）')")
    form = page.locator("#enter-aggregated")
    form.locator("input[name=held_on]").fill("2026-02-20")
    form.locator("input[name=participated]").fill("20")
    form.locator("textarea[name=votes_director]").fill("王建国 12\n周明 7")
    form.locator("textarea[name=votes_deputy]").fill("刘芳 11\n陈刚 8")
    form.locator("textarea[name=votes_member]").fill("张伟 15\n杨洋 14\n黄磊 12\n吴静 11\n徐亮 5\n王小明 2")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已录入提名：参加 20 人")
    # 王建国 is the serving 主任 (otherwise a new head over 45 is refused, P2)
    row = page.locator("#nominees tr[data-person=王建国]")
    row.locator("select[name=current_post]").select_option("主任")
    row.locator("button:has-text('保存')").click()
    page.wait_for_selector("text=已保存王建国的信息")

    # --- the candidates are fixed by nomination votes (R14, R15)
    page.click("text=确定正式候选人 →")
    member = page.locator("#preview table[data-post=member]")
    assert [
        t.strip()
        for t in member.locator("tr[data-person]").evaluate_all("rs => rs.map(r => r.dataset.person)")
    ] == [
        "张伟",
        "杨洋",
        "黄磊",
        "吴静",
    ]
    page.click("#decide")
    page.wait_for_selector("text=已确定正式候选人 8 名")
    assert "村级预审" in page.inner_text("#candidate-list tr[data-person=黄磊]")

    # --- the reviews: everybody passes except 黄磊, whom the police department fails (N02)
    for c in Candidate.objects.exclude(person=v.p["huang"]):
        pass_review(world, c)
    fail_review(world, Candidate.objects.get(person=v.p["huang"]))
    page.reload()
    assert "黄磊（委员）资格审查未通过" in page.inner_text("#candidate-list")
    assert "黄磊（委员）资格审查未通过，请先处理递补" in page.inner_text("#publish-blockers")
    page.click("#candidate-list button:has-text('取消资格并递补')")
    page.wait_for_selector("text=由徐亮递补")
    member = page.locator("#candidate-list table[data-post=member]")
    assert "递补黄磊" in member.locator("tr[data-person=徐亮]").inner_text()
    pass_review(world, Candidate.objects.get(person=v.p["xu"]))
    page.reload()
    # only the 30 % women target is left: 2 women of 8 candidates (2×10 < 8×3)
    blockers = page.inner_text("#publish-blockers")
    assert "须乡镇形成专项说明" in blockers and "资格审查" not in blockers
    logout(page)

    # --- the township writes the explanation and publishes the list
    login(page, base, "township_a")
    page.goto(f"{base}/elections/{v.election.pk}/candidates/")
    row = page.locator("#team-checks tr[data-code=P11-women-share]")
    row.locator("textarea[name=text]").fill("本村青年女性多外出务工，已动员两名女性参选。")
    row.locator("button").click()
    page.wait_for_selector("text=已保存乡镇专项说明")
    assert page.locator("#publish-blockers").count() == 0
    page.fill("#publish input[name=published_on]", "2026-03-10")
    page.click("#publish-button")
    page.wait_for_selector("text=正式候选人名单已公布（第1版）")

    with page.expect_download() as info:
        page.click("#publications >> text=正式候选人名单公告（PDF）")
    data = open(info.value.path(), "rb").read()
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    assert "东山村正式候选人名单公告" in text
    assert "徐亮" in text and "黄磊" not in text
    # 委员 in vote order after the fill: 张伟 15, 杨洋 14, 吴静 11, 徐亮 5
    positions = [text.index(n) for n in ("张伟", "杨洋", "吴静", "徐亮")]
    assert positions == sorted(positions)
