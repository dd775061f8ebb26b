"""Browser check of the party page's other modes: the 党员代表大会 (delegates as the electorate,
the quorum on delegates) and 公推直选's three 公示 with their PDFs, as the township clerk sees them."""

from __future__ import annotations

import pytest

from huanjie.party import services
from huanjie.party.models import Branch, PartyElection
from huanjie.testing.world import PASSWORD, build_world

from .helpers import approved_election
from .test_browser_party import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=工作台")


def test_congress_mode_and_public_direct_notices_on_the_page(page, live_server):
    world = build_world()
    pe, roll, noms, d = approved_election(world, members=20)
    township = world.users["township_a"]
    services.set_branch(township, pe.branch, Branch.BRANCH, True)
    base = live_server.url
    page.on("dialog", lambda dlg: dlg.accept())
    _login(page, base, "township_a")
    page.goto(f"{base}/party/{pe.election.pk}/#body")
    page.select_option("#body-select", "congress")
    page.fill("#body-number", "清溪党〔2026〕3号")
    page.fill("#body-on", d["request"].isoformat())
    page.click("#body-form button[type=submit]")
    page.wait_for_selector("text=选举机构：党员代表大会")
    page.fill("#dl-who", "、".join(m.person.name for m in roll[:10]))
    page.fill("#dl-unit", "第一党小组")
    page.click("#delegates-form button[type=submit]")
    page.wait_for_selector("text=代表名单（10 名）")
    for m in roll[:8]:
        page.check(f"input[aria-label='{m.person.name}签到']")
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_selector("text=已保存")
    assert "应到会代表10人，实到会有选举权的代表8人：8×5=40 ≤ 10×4=40" in page.inner_text("#quorum")
    assert page.locator(f"input[aria-label='{roll[15].person.name}签到']").count() == 0  # not a delegate
    page.locator("#body").scroll_into_view_if_needed()
    shot(page, "10_congress_delegates")
    page.locator("#assembly").scroll_into_view_if_needed()
    shot(page, "11_congress_quorum")
    assert PartyElection.objects.get(pk=pe.pk).body == PartyElection.CONGRESS
