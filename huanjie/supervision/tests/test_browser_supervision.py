"""Browser test in a real headless Chromium (1366×768): one village's 村务监督委员会 end to end.

The township clerk sets the choice up from the campaign's list (a wrong size first: the field is
named, nothing saved). The village user proposes a candidate who is the wife of a candidate of the
new villagers' committee (refused, the reason shown per person), then the 主任 and the 委员; the
list is checked and put to the 村民代表会议; an impossible attendance is refused naming the field,
the real one shows the R38 arithmetic; the counting form of the elections app is filled in, the
engine's arithmetic read, the result submitted, and the notice, certificates and candidate list
downloaded and read.
"""

from __future__ import annotations

import io
import os
import re

import pytest
from pypdf import PdfReader

from huanjie.elections.models import Election
from huanjie.elections.voting import services as voting
from huanjie.supervision.models import Supervision
from huanjie.testing.world import PASSWORD, build_world

from .helpers import days, villager, villagers_committee

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("HUANJIE_SHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def pdf_text(path) -> str:
    with open(path, "rb") as fh:
        return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages))


def login(page, base: str, who: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", who)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=工作台")


def test_supervision_committee_end_to_end(page, live_server, tmp_path):
    world = build_world()
    d = days(world)
    villagers_committee(world, d)
    for name, gender in (("周监督", "M"), ("吴会计师", "F"), ("郑监督", "M"), ("孔监督", "F")):
        villager(world.village_a1, name, gender)
    base = live_server.url
    page.on("dialog", lambda dlg: dlg.accept())

    # ---- the township sets it up from the campaign's election list
    login(page, base, "township_a")
    page.goto(f"{base}/elections/campaign/{world.campaign.slug}/")
    page.click("text=村务监督委员会")
    page.click("text=建立推选")
    page.select_option("#village", world.village_a1.code)
    page.select_option("#body", "representatives_meeting")
    page.fill("#election_date", d["meeting"].isoformat())
    page.fill("#size", "6")
    page.click("#create-form button[type=submit]")
    page.wait_for_selector("text=「成员人数」")
    assert "3 至 5 人组成" in page.inner_text("#create-form")
    assert not Supervision.objects.exists()
    shot(page, "01-create-refused")
    page.fill("#size", "3")
    page.click("#create-form button[type=submit]")
    page.wait_for_selector("h1:has-text('东山村第十二届村务监督委员会推选')")
    sv = Supervision.objects.get()
    e = sv.election

    # ---- the village proposes candidates; the wife of a villagers' committee candidate is refused
    login(page, base, "village_a1")
    page.goto(f"{base}/supervision/{e.pk}/")
    page.fill("#who", "李秀英")
    page.select_option("#post", "supervision_member")
    page.click("#candidate-form button[type=submit]")
    page.wait_for_selector("text=李秀英不得担任村务监督委员会成员")
    row = page.inner_text("tr[data-person=李秀英]")
    assert "与村民委员会成员（候选人）王建国系夫妻关系" in row and "未列入名单" in row
    for name, post, accounting in (("周监督", "supervision_director", False), ("吴会计师", "supervision_member", True),
                                   ("郑监督", "supervision_member", False), ("孔监督", "supervision_member", False)):
        page.fill("#who", name)
        page.select_option("#post", post)
        if accounting:
            page.check("#candidate-form input[name=accounting]")
        page.click("#candidate-form button[type=submit]")
        page.wait_for_selector(f"tr[data-person={name}]")
    assert "具备" in page.inner_text("tr[data-person=吴会计师]")
    page.fill("#check-on", d["check"].isoformat())
    page.click("#check-form button[type=submit]")
    page.wait_for_selector("text=已于")
    shot(page, "02-candidates-checked")
    page.click("#voting button:has-text('名单提交会议表决')")
    page.wait_for_selector("text=已保存")
    voting.add_station(world.users["township_a"], Election.objects.get(pk=e.pk), name="村民代表会议会场")

    # ---- the meeting's attendance: an impossible figure names the field, then the quorum (R38)
    page.fill("#members", "45")
    page.fill("#present", "46")
    page.click("#meeting-form button[type=submit]")
    page.wait_for_selector("text=「到会人数」")
    assert page.input_value("#present") == "46"
    page.fill("#present", "30")
    page.click("#meeting-form button[type=submit]")
    page.wait_for_selector("#quorum-text")
    assert "30×3=90 ≥ 45×2=90" in page.inner_text("#quorum-text")
    shot(page, "03-meeting-quorum")

    # ---- the counting form of the elections app and the engine's arithmetic
    rnd = e.rounds.get(number=1)
    page.goto(f"{base}/elections/round/{rnd.pk}/counting/")
    page.click("tr[data-station=村民代表会议会场] >> text=汇总录入")
    for field, value in zip(("issued", "returned", "valid", "blank", "invalid"), (30, 30, 30, 0, 0), strict=True):
        page.fill(f"#counting-entry input[name={field}]", str(value))
    page.get_by_label("主任周监督得票").fill("28")
    for name, votes in (("吴会计师", 25), ("郑监督", 17), ("孔监督", 12)):
        page.get_by_label(f"委员{name}得票").fill(str(votes))
    page.click("#save-form")
    page.wait_for_selector("text=村民代表会议会场的计票单已保存并确认")
    page.click("#compute-result")
    page.wait_for_selector("#arithmetic")
    readout = page.inner_text("#arithmetic")
    assert "村民代表会议组成人员 45 人，到会 30 人" in readout
    assert "票数 × 2 > 到会 30 人，即至少 16 票" in readout
    assert "当选" in page.inner_text("tr[data-name=郑监督]")
    assert "未达到当选票数" in page.inner_text("tr[data-name=孔监督]")
    shot(page, "04-result-arithmetic")

    # ---- the result, checked again, submitted; the documents
    page.goto(f"{base}/supervision/{e.pk}/")
    assert "符合" in page.inner_text("#elected")
    page.goto(f"{base}/elections/{e.pk}/results/")
    page.click("#submit-result")
    page.wait_for_selector("text=已报送")
    page.goto(f"{base}/supervision/{e.pk}/")
    shot(page, "05-detail-result")
    files = {}
    for label in ("推选结果公告（PDF）", "当选证书（PDF）", "候选人名单（PDF）"):
        with page.expect_download() as info:
            page.click(f"text={label}")
        path = tmp_path / f"{label}.pdf"
        info.value.save_as(path)
        files[label] = path
        if SHOTS:
            import shutil

            shutil.copy(path, os.path.join(SHOTS, f"{label}.pdf"))
    notice = pdf_text(files["推选结果公告（PDF）"])
    assert "东山村第十二届村务监督委员会推选结果公告" in notice and "村民代表会议组成人员45名" in notice
    assert "周监督" in notice and "东山村村民委员会" in notice
    certs = pdf_text(files["当选证书（PDF）"])
    assert "郑监督" in certs and "村务监督委员会委员" in certs
    listing = pdf_text(files["候选人名单（PDF）"])
    assert "李秀英" in listing and "夫妻关系" in listing and "吴会计师" in listing
    assert Election.objects.get(pk=e.pk).stage == Election.SUBMITTED
