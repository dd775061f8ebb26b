"""Browser test in a real headless Chromium: a clerk saves a counting form that another clerk saved
meanwhile; the page refuses (已被他人修改) and shows the two versions side by side (issue 9 §4)."""

from __future__ import annotations

import os

import pytest

from huanjie.elections.voting import counting
from huanjie.elections.voting.models import CountingForm
from huanjie.testing.world import PASSWORD, build_world

from .voting_helpers import NATIONAL_CANDIDATES, election_day, form_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VOTES = {
    "director": {"张明": 9, "李华": 5},
    "deputy": {"王强": 10, "赵敏": 4},
    "member": {"孙立": 12, "周芳": 11, "吴刚": 10, "郑丽": 5, "冯伟": 3},
}


def test_stale_counting_form_is_refused_with_both_versions(page, live_server):
    world = build_world()
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    station = day.stations[0]
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "village_a1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=工作台")
    page.goto(f"{live_server.url}/elections/round/{day.round.pk}/counting/{station.pk}/")
    page.wait_for_selector("#counting-entry")
    for name, value in (("issued", "16"), ("returned", "15"), ("valid", "14"), ("blank", "0"), ("invalid", "1")):
        page.fill(f"input[name={name}]", value)
    for race in counting.round_races(day.round):
        for i, cand in enumerate(race.candidates):
            votes = VOTES[race.post.code][cand["name"]]
            page.fill(f"input[name=v_{race.post.pk}_{i}]", str(votes + (1 if cand["name"] == "李华" else 0) - (1 if cand["name"] == "张明" else 0)))
    # Meanwhile the township clerk saves the same station's form from the paper.
    counting.save_form(
        world.users["township_a"], day.round, station, form_data(day, day.round, (16, 15, 14, 0, 1), VOTES), based_on=0
    )
    page.click("#save-form")
    page.wait_for_selector("#stale-versions")
    table = page.locator("#stale-versions").inner_text()
    assert "已被他人修改" in page.content() and "主任 张明" in table
    if os.environ.get("HUANJIE_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["HUANJIE_SCREENSHOTS"], "stale-counting-form.png"), full_page=True)
    assert CountingForm.objects.get().lines.get(name="张明").votes == 9  # the other clerk's save stands
    # Saving again after looking at both is a deliberate replacement of version 1.
    page.click("#save-form")
    page.wait_for_url("**/counting/")
    assert CountingForm.objects.get().version == 2
