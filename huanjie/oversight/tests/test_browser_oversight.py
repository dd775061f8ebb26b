"""Browser tests in a real headless Chromium: a complaint from registration to its answer (anonymous,
assigned, noted, closed), and an incident from the village's report to the county closing it; the
command page shows them while they are open."""

from __future__ import annotations

import os

import pytest

from huanjie.oversight.models import Complaint, Incident
from huanjie.testing.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("HUANJIE_SCREENSHOTS")  # a directory: keep screenshots to look at


def login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/**")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_complaint_registered_anonymous_assigned_answered(page, live_server):
    world = build_world()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, "township_a")
    page.goto(f"{live_server.url}/oversight/complaints/new/")
    page.select_option("#channel", "mailbox")
    page.select_option("#village", world.village_a1.code)
    page.select_option("#matter", "vote_buying")
    page.fill("#concerned", "某候选人")
    page.fill("#content", "选举前夜挨家送烟酒拉票")
    page.click("#complaint-form button[type=submit]")
    # real-name complaint without a name: refused, input kept
    assert "实名举报请填写姓名" in page.inner_text(".messages")
    assert page.input_value("#content") == "选举前夜挨家送烟酒拉票"
    page.check("#anonymous")
    page.fill("#complainant_name", "刘知情")
    page.fill("#complainant_contact", "13900001111")
    page.click("#complaint-form button[type=submit]")
    assert "举报已登记" in page.inner_text(".messages")
    complaint = Complaint.objects.get()
    # the township registered it, but the anonymous identity is the county's only
    assert "刘知情" not in page.inner_text("#complainant")
    page.select_option("#handler", str(world.users["township_a"].pk))
    page.click("#assign-form button[type=submit]")
    assert "已交办" in page.inner_text(".messages")
    page.fill("#note-form textarea", "已走访三户村民核实")
    page.click("#note-form button[type=submit]")
    assert "已走访三户村民核实" in page.inner_text("#notes")
    shot(page, "complaint-handling")

    login(page, live_server, "county")
    page.goto(f"{live_server.url}/oversight/")
    assert complaint.number in page.inner_text("#open-complaints")
    page.goto(f"{live_server.url}/oversight/complaints/{complaint.pk}/")
    assert "刘知情" in page.inner_text("#complainant")
    page.select_option("#finding", "partly")
    page.fill("#finding_text", "送烟酒属实，未发现以此要求投票")
    page.fill("#answer", "经核查，反映问题部分属实，已对相关人员批评教育。")
    page.click("#answer-form button[type=submit]")
    assert "已办结并答复举报人" in page.inner_text(".messages")
    assert page.inner_text("#finding") == "部分属实"
    shot(page, "complaint-answered")
    complaint.refresh_from_db()
    assert complaint.status == Complaint.ANSWERED and complaint.handler == world.users["township_a"]
    page.goto(f"{live_server.url}/oversight/")
    assert complaint.number not in page.inner_text("#open-complaints")


def test_incident_reported_responded_escalated_closed(page, live_server):
    world = build_world()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, "village_a1")
    page.goto(f"{live_server.url}/oversight/incidents/new/")
    page.select_option("#category", "venue_disorder")
    page.fill("#place", "东山村文化礼堂选举大会会场")
    page.fill("#description", "十余人在会场喧哗，阻止唱票")
    page.click("#incident-form button[type=submit]")
    assert "突发事件已报告" in page.inner_text(".messages")
    incident = Incident.objects.get()
    assert incident.village == world.village_a1
    assert page.locator("#respond-form").count() == 0  # the village reports; the township responds

    login(page, live_server, "county")
    page.goto(f"{live_server.url}/oversight/")
    assert incident.number in page.inner_text("#open-incidents")
    assert "未处置完毕" in page.inner_text(f".vcell[data-village='{world.village_a1.code}']")
    shot(page, "command-page")

    login(page, live_server, "township_a")
    page.goto(f"{live_server.url}/oversight/incidents/{incident.pk}/")
    page.fill("#respond-form textarea", "镇派出所民警到场劝离，暂停唱票")
    page.click("#respond-form button[type=submit]")
    assert "先期处置情况已登记" in page.inner_text(".messages")
    page.fill("#escalate-form textarea", "聚集人数增加，无法控制")
    page.click("#escalate-form button[type=submit]")
    assert page.inner_text("#level") == "县"
    assert page.locator("#close-form").count() == 0  # escalated: the county closes it

    login(page, live_server, "county")
    page.goto(f"{live_server.url}/oversight/incidents/{incident.pk}/")
    page.fill("#close-form textarea", "县公安局到场处置，秩序恢复，唱票继续")
    page.click("#close-form button[type=submit]")
    assert page.inner_text("#status") == "已处置完毕"
    steps = page.inner_text("#steps")
    for label in ("报告", "先期处置", "启动应急响应（报县）", "处置完毕"):
        assert label in steps
    shot(page, "incident-closed")
    incident.refresh_from_db()
    assert incident.status == Incident.CLOSED and incident.closed_at >= incident.escalated_at


def test_complaint_candidate_list_follows_the_village_chosen(page, live_server):
    """Issue 17: the candidate choices load for the village chosen (htmx), not the county's thousands;
    choosing one names the candidate on the registered complaint, and a refusal keeps the choice."""
    from huanjie.review.tests.review_helpers import candidate, election_in

    world = build_world()
    e1 = election_in(world, world.village_a1)
    mine = candidate(e1, "甲候选", post_code="director")
    candidate(election_in(world, world.village_a2), "乙候选", post_code="director")
    login(page, live_server, "township_a")
    page.goto(f"{live_server.url}/oversight/complaints/new/")
    assert "甲候选" not in page.inner_text("#candidate") and "先选择村" in page.inner_text("#candidate")
    page.select_option("#village", world.village_a1.code)
    page.wait_for_selector(f"#candidate option[value='{mine.pk}']", state="attached")
    assert "乙候选" not in page.inner_text("#candidate")
    page.select_option("#candidate", str(mine.pk))
    page.select_option("#channel", "mailbox")
    page.select_option("#matter", "vote_buying")
    page.fill("#content", "拉票")
    page.click("#complaint-form button[type=submit]")  # real name without a name: refused
    assert "实名举报请填写姓名" in page.inner_text(".messages")
    assert page.input_value("#candidate") == str(mine.pk)  # the village's list and the choice are kept
    shot(page, "complaint-candidate-kept")
    page.check("#anonymous")
    page.click("#complaint-form button[type=submit]")
    assert "举报已登记" in page.inner_text(".messages")
    assert Complaint.objects.get().candidate == mine
