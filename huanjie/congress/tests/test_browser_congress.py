"""Browser test in a real headless Chromium: a township congress from the allocation to the county's
approval of the result (issue 15). The township office creates the congress (a bad form first),
groups two small organisations into one unit, makes the others units, reserves a seat, changes a
unit's seats by hand (without a reason first), sends the 请示; the county approves the number and the
request. A unit's delegate election is walked on its page (a failed quorum, the re-election); the
other units' counts are entered through the machinery's services (its counting pages have their own
browser tests). The credentials review, the candidate lists' approval, the preparatory meeting, the
scrutineers, the headcount, both ballot sets, the first plenaries and the county's approval of the
result are done on the congress page; every document is downloaded and read."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from huanjie.campaigns.models import CampaignVillage
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
        CampaignVillage.objects.create(campaign=c, village=villages[-1])
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

    # ---- delegates: the joint unit on its page (short of the quorum, then again), the others by services
    login(page, base, "township_a")
    congress.refresh_from_db()
    joint = congress.units.get(name="河西北岭联合选举单位")
    page.goto(f"{base}/congress/{congress.pk}/")
    page.click("#allocation-table a:has-text('河西北岭联合选举单位')")
    page.fill("#de-date", (today - dt.timedelta(days=2)).isoformat())
    page.click("#create button[type=submit]")
    page.wait_for_selector("text=代表选举已建立。")
    for category in ("cadre", "front_line", "cadre", "front_line"):  # 3 seats need 4 candidates
        page.select_option("#cand-category", category)
        page.click("#candidate-form button[type=submit]")
        page.wait_for_selector("text=已增加代表候选人")
    assert "符合" in page.inner_text("#margin")
    page.fill("#ap-no", "清委〔2027〕5号")
    page.fill("#ap-day", (today - dt.timedelta(days=3)).isoformat())
    page.click("#approve-form button[type=submit]")
    page.wait_for_selector("text=已登记乡镇党委审批。")
    page.fill("#present", "7")  # 7 of 9 is not over 4/5
    page.click("#meeting-form button[type=submit]")
    page.wait_for_selector("text=未超过五分之四，选举未进行")
    page.fill("#re-date", (today - dt.timedelta(days=1)).isoformat())
    page.click("#reschedule-form button[type=submit]")
    page.wait_for_selector("text=已另定党员大会日期，重新选举。")
    page.fill("#present", "9")
    page.click("#meeting-form button[type=submit]")
    page.wait_for_selector("text=超过五分之四")
    page.screenshot(path=f"{SHOTS}/unit.png", full_page=True)
    from huanjie.congress import services
    from huanjie.congress.models import DelegateElection

    from .test_congress_meeting import count

    de = DelegateElection.objects.get(unit=joint)
    cands = list(de.election.candidates.select_related("person"))
    count(actor, de.election, [("delegate", c.person.name, (9, 9, 8, 1)[i]) for i, c in enumerate(cands)], 9)
    for unit in congress.units.exclude(pk=joint.pk):
        d = services.create_delegate_election(actor, unit, today - dt.timedelta(days=1))
        members = services.members_with_vote(unit, d.election.election_date)
        need = services.candidate_check(d)["need"]
        for m in members[:need]:
            services.add_candidate(actor, d, m.person, category="other")
        services.approve_candidates(actor, d, "清委〔2027〕6号", today - dt.timedelta(days=2))
        n = len(members)
        services.record_meeting(actor, d, n)
        seats = d.election.posts.get().seats
        losers = need - seats  # each loser takes one vote from a winner: no sheet carries more than its seats
        count(actor, d.election, [("delegate", m.person.name, n - (i < losers) if i < seats else 1)
                                  for i, m in enumerate(members[:need])], n)

    # ---- credentials, the congress's elections, candidate lists (the county approves them)
    page.goto(f"{base}/congress/{congress.pk}/")
    page.fill("#cred-day", today.isoformat())
    page.click("#credentials-form button[type=submit]")
    page.wait_for_selector("text=代表资格审查已登记：20名代表。")
    report = pdf_text(page.request.get(f"{base}/congress/{congress.pk}/documents/credentials.pdf").body())
    assert "20名代表的产生符合规定程序" in report
    page.fill("#el-day", today.isoformat())  # the congress meets today (planned for later, held earlier)
    page.click("#set-up-form button[type=submit]")
    page.wait_for_selector("text=大会选举已建立。")
    congress.refresh_from_db()
    delegates = {d.elected.person_id for d in congress.credentials.all()}
    pool = [m.person for u in congress.units.all() for m in services.unit_members(u) if m.person_id not in delegates]
    for p in pool[:11]:
        services.add_body_candidate(actor, congress, "committee", p)
    for p in pool[11:17]:
        services.add_body_candidate(actor, congress, "discipline", p)
    login(page, base, "county")
    page.goto(f"{base}/congress/{congress.pk}/")
    page.fill("#bca-no", "安组〔2027〕12号")
    page.fill("#bca-day", today.isoformat())
    page.click("#body-approval-form button[type=submit]")
    page.wait_for_selector("text=已登记县委批复候选人预备人选。")

    # ---- preparatory meeting, scrutineers, headcount (short first), ballots
    login(page, base, "township_a")
    page.goto(f"{base}/congress/{congress.pk}/")
    page.fill("#prep-day", today.isoformat())
    page.fill("#prep-presidium", "主席甲\n主席乙")
    page.fill("#prep-sg", "秘书长丙")
    page.click("#prep-form button[type=submit]")
    page.wait_for_selector("text=预备会议已登记。")
    page.check("#scrutineer-form input[name=chief]")
    page.click("#scrutineer-form button[type=submit]")
    page.wait_for_selector("text=监票人已登记。")
    assert "总监票人" in page.inner_text("#scrutineers")
    page.fill("#hc-present", "15")  # 15 of 20 is not over 4/5
    page.click("#headcount-form button[type=submit]")
    page.wait_for_selector("text=未超过应到会人数的五分之四，不能进行选举")
    assert "不能进行选举" in page.inner_text("#meeting-blockers")
    page.fill("#hc-present", "19")
    page.click("#headcount-form button[type=submit]")
    page.wait_for_selector("#headcount.ok")
    assert page.locator("#meeting-blockers").count() == 0
    formal = pdf_text(page.request.get(f"{base}/congress/{congress.pk}/documents/ballots-committee-formal.pdf").body())
    spare = pdf_text(page.request.get(f"{base}/congress/{congress.pk}/documents/ballots-committee-spare.pdf").body())
    assert "正式选票" in formal and "备用选票" in spare and pool[0].name in formal and pool[0].name in spare
    congress.refresh_from_db()
    names = [p.name for p in pool[:17]]
    count(actor, congress.committee_election,
          [("committee_member", n, 18 if i < 9 else 2) for i, n in enumerate(names[:11])], 19)
    count(actor, congress.discipline_election,
          [("commission_member", n, 18 if i < 5 else 3) for i, n in enumerate(names[11:17])], 19)
    headcount = pdf_text(page.request.get(f"{base}/congress/{congress.pk}/documents/headcount.pdf").body())
    returned = pdf_text(page.request.get(f"{base}/congress/{congress.pk}/documents/ballots-returned.pdf").body())
    assert "实到会代表19名" in headcount and "纪委委员选票" in returned

    # ---- first plenaries on the page (R61), then the county approves the result
    page.goto(f"{base}/congress/{congress.pk}/")
    page.select_option("#pl-sec", label=names[0])
    page.check(f"#plenary-form-committee label:has-text('{names[1]}') input")
    page.check(f"#plenary-form-committee label:has-text('{names[2]}') input")
    page.click("#plenary-form-committee button[type=submit]")
    page.wait_for_selector("text=第一次全体会议选举已建立。")
    page.select_option("#pl-dsec", label=names[11])
    page.click("#plenary-form-discipline button[type=submit]")
    page.wait_for_selector("text=第一次全体会议选举已建立。")
    page.fill("#pp-committee", "9")
    page.locator("#plenary-committee button[type=submit]").click()
    page.wait_for_selector("text=全体会议到会人数已登记。")
    page.fill("#pp-discipline", "5")
    page.locator("#plenary-discipline button[type=submit]").click()
    page.wait_for_selector("text=全体会议到会人数已登记。")
    congress.refresh_from_db()
    count(actor, congress.committee_plenary, [("secretary", names[0], 9), ("deputy_secretary", names[1], 9),
                                              ("deputy_secretary", names[2], 8)], 9)
    count(actor, congress.discipline_plenary, [("discipline_secretary", names[11], 5)], 5)
    login(page, base, "county")
    page.goto(f"{base}/congress/{congress.pk}/")
    page.fill("#ra-no", "安委〔2027〕20号")
    page.fill("#ra-day", today.isoformat())
    page.click("#result-approval-form button[type=submit]")
    page.wait_for_selector("text=已登记县委批复选举结果。")
    assert f"书记：{names[0]}" in page.inner_text("#plenary-committee")
    assert f"纪委书记：{names[11]}" in page.inner_text("#plenary-discipline")
    page.screenshot(path=f"{SHOTS}/result.png", full_page=True)
    result = pdf_text(page.request.get(
        f"{base}/congress/{congress.pk}/documents/result-committee_plenary.pdf").body())
    assert names[0] in result
