"""Browser test in a real headless Chromium (issue 11): the 十人联名 signatories are found by name
like every person field; each pick adds the line "姓名 身份证号码" once, the search box empties for
the next name, and a next name beginning with the same character still searches."""

from __future__ import annotations

import pytest

from huanjie.elections.nomination.models import Nomination
from huanjie.testing.world import PASSWORD, build_world

from .candidate_helpers import setup_village

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_joint_nomination_signatories_by_name(page, live_server):
    world = build_world()
    v = setup_village(world)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "village_a1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=工作台")
    page.goto(f"{live_server.url}/elections/{v.election.pk}/nominations/")
    page.select_option("#ch_post", label="委员")
    page.select_option("#ch_channel", label="十人联名")
    page.fill("#ch_person", v.p["xu"].name)
    page.wait_for_selector("#ch_person-results .pick-option")
    page.locator("#ch_person-results .pick-option").first.click()
    voters = [v.p[f"v{i}"] for i in range(10)]  # 村民00 … 村民09: every name begins alike
    for person in voters:
        page.fill("#ch_sign-search", "村民0")  # the same text each time
        option = page.locator(f"#ch_sign-results .pick-option[data-pick-label='{person.name}']")
        option.wait_for()
        option.click()
        page.wait_for_selector(f"#ch_sign-results .picked:has-text('{person.name}')")
        assert page.input_value("#ch_sign-search") == ""
    # picking someone twice keeps one line
    page.fill("#ch_sign-search", voters[0].name)
    page.locator(f"#ch_sign-results .pick-option[data-pick-label='{voters[0].name}']").click()
    page.wait_for_selector("#ch_sign-results .picked:has-text('已在名单中')")
    lines = [ln for ln in page.input_value("#ch_sign").splitlines() if ln.strip()]
    assert lines == [f"{p.name} {p.id_number}" for p in voters]
    page.locator("#enter-channel button[type=submit]").click()
    page.wait_for_selector(f"text=已登记{v.p['xu'].name}为委员被提名人")
    n = Nomination.objects.get(channel=Nomination.JOINT_10)
    assert {s.person_id for s in n.signatures.all()} == {p.pk for p in voters}
