"""The township clerk records each delegate candidate's category on the unit's page, corrects one,
and sees the cadres / front-line figures change (seed 003 (二)(2)); headless Chromium at 1366×768."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone

from huanjie.congress import services
from huanjie.testing.world import build_world

from .test_browser_congress import login
from .test_delegates import approved  # noqa: F401  (fixture)
from .test_planning import town  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    return build_world()


def test_unit_page_categories_and_figures(page, live_server, world, approved):  # noqa: F811
    shots = "/tmp/shots/congress15c"
    os.makedirs(shots, exist_ok=True)
    t = world.users["township_a"]
    unit = approved.units.get(number=2)  # 30 members, 3 seats
    de = services.create_delegate_election(t, unit, timezone.localdate() - dt.timedelta(days=10))
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, base, "township_a")
    page.goto(f"{base}/congress/unit/{unit.pk}/")
    # the browser refuses a candidate without a category (required); the server would too
    page.click("#candidate-form button[type=submit]")
    assert page.locator("text=已增加代表候选人").count() == 0
    for category in ("cadre", "cadre", "cadre", "front_line"):
        page.select_option("#cand-category", category)
        page.click("#candidate-form button[type=submit]")
        page.wait_for_selector("text=已增加代表候选人")
    cadre = page.inner_text("#unit-structure tr[data-key=cadre]")
    assert "75.00%（3/4）" in cadre and "不符合" in cadre
    assert "25.00%（1/4）" in page.inner_text("#unit-structure tr[data-key=front_line]")
    # correct the second candidate: a front-line member, not a cadre
    form = page.locator(".category-form").nth(1)
    form.locator("select").select_option("front_line")
    form.locator("button").click()
    page.wait_for_selector("text=的代表候选人类别")
    cadre = page.inner_text("#unit-structure tr[data-key=cadre]")
    front = page.inner_text("#unit-structure tr[data-key=front_line]")
    assert "50.00%（2/4）" in cadre and "符合" in cadre and "不符合" not in cadre
    assert "50.00%（2/4）" in front and "不符合" not in front
    page.screenshot(path=f"{shots}/unit.png", full_page=False)
    page.locator("#candidates").screenshot(path=f"{shots}/unit-candidates.png")
    # two more candidates from a sheet through the page's file field
    from huanjie.elections.models import Candidate

    from .test_structure import _sheet

    taken = set(Candidate.objects.filter(election=de.election).values_list("person_id", flat=True))
    fresh = [m.person for m in services.members_with_vote(unit, de.election.election_date)
             if m.person_id not in taken][:2]
    path = f"{shots}/候选人.xlsx"
    with open(path, "wb") as f:
        f.write(_sheet([[p.name, p.id_number, "其他"] for p in fresh]))
    page.set_input_files("#cand-file", path)
    page.click("#candidate-import-form button[type=submit]")
    page.wait_for_selector("text=已导入 2 名代表候选人")
    assert all(p.name in page.inner_text("#candidates") for p in fresh)
    page.locator("#candidate-import-form").screenshot(path=f"{shots}/unit-import.png")
