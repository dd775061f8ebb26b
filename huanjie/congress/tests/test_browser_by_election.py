"""In the browser: the credentials review orders a unit to replace an unqualified delegate (R65);
the office sets up the unit's by-election from the congress page, walks it on the unit's page, and
the next review puts the new delegate in the 代表名册 and the credentials report."""

from __future__ import annotations

import io
import os
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from huanjie.congress import services
from huanjie.congress.models import DelegateElection
from huanjie.elections import services as elections
from huanjie.elections.models import ElectedMember
from huanjie.elections.voting import counting, results
from huanjie.elections.voting import services as voting
from huanjie.party.models import Member
from huanjie.testing.world import build_world

from .test_browser_congress import login
from .test_delegates import approved, walk_unit_two  # noqa: F401  (fixture)
from .test_planning import town  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    return build_world()


def test_unit_replaces_an_unqualified_delegate(page, live_server, world, approved):  # noqa: F811
    shots = "/tmp/shots/congress15b"
    os.makedirs(shots, exist_ok=True)
    de = walk_unit_two(world, approved)
    t = world.users["township_a"]
    today = timezone.localdate()
    elected = list(ElectedMember.objects.filter(election=de.election).order_by("-votes"))
    # after the vote the delegate's rights were suspended (留置): no service edits a roll entry's status
    Member.objects.filter(person=elected[2].person).update(rights_suspended=True, suspended_reason="留置")
    base = live_server.url
    page.on("dialog", lambda dlg: dlg.accept())
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, base, "township_a")
    page.goto(f"{base}/congress/{approved.pk}/")
    page.fill("#cred-day", today.isoformat())
    page.click("#credentials-form button")
    row = page.locator("#credentials tr", has_text=elected[2].name)
    row.wait_for()
    assert "责令选举单位撤换" in row.inner_text()
    row.locator("button:has-text('建立补选')").click()
    page.wait_for_selector("text=请填写补选的党员大会日期")
    assert not DelegateElection.objects.filter(replaces__isnull=False).exists()
    row = page.locator("#credentials tr", has_text=elected[2].name)
    row.locator("input[type=date]").fill(today.isoformat())
    row.locator("button:has-text('建立补选')").click()
    page.wait_for_selector("#by-election-note")
    assert f"责令撤换代表{elected[2].name}" in page.inner_text("#by-election-note")
    fresh = [m for m in services.members_with_vote(de.unit, today) if m.person_id not in {x.person_id for x in elected}]
    for m in fresh[:2]:
        page.select_option("#cand-person", str(m.person_id))
        page.select_option("#cand-category", "front_line")
        page.click("#candidate-form button")
        page.wait_for_selector(f"text=已增加代表候选人{m.person.name}")
    assert "候选人2人" in page.inner_text("#margin")
    page.fill("#ap-no", "清委〔2027〕8号")
    page.fill("#ap-day", today.isoformat())
    page.click("#approve-form button")
    page.wait_for_selector("text=已登记乡镇党委审批")
    page.fill("#present", "25")
    page.click("#meeting-form button")
    page.wait_for_selector("text=到会人数已登记")
    page.screenshot(path=f"{shots}/by-election-unit.png", full_page=True)

    # the vote and the count through the machinery (its counting pages have their own browser tests)
    by = DelegateElection.objects.get(replaces=elected[2])
    e = by.election
    elections.open_voting(t, e)
    e.refresh_from_db()
    station = voting.add_station(t, e, name="党员大会会场")
    rnd = e.rounds.get(number=1)
    lines = [counting.LineData(e.posts.get().pk, m.person.name, v) for m, v in zip(fresh[:2], (19, 6), strict=True)]
    counting.save_form(t, rnd, station, counting.FormData(25, 25, 25, 0, 0, lines))
    results.compute_result(t, rnd)

    page.goto(f"{base}/congress/{approved.pk}/")
    page.fill("#cred-day", today.isoformat())
    page.click("#credentials-form button")
    page.wait_for_selector(f"#credentials tr:has-text('{fresh[0].person.name}')")
    assert f"已由选举单位补选{fresh[0].person.name}替换" in page.inner_text("#credentials")
    page.locator("#credentials").scroll_into_view_if_needed()
    page.screenshot(path=f"{shots}/by-election-credentials.png")
    for name in ("credentials.pdf", "register.pdf"):
        r = page.request.get(f"{base}/congress/{approved.pk}/documents/{name}")
        assert r.status == 200 and r.body()[:4] == b"%PDF"
        with open(f"{shots}/{name}", "wb") as fh:
            fh.write(r.body())
        text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.body())).pages))
        assert fresh[0].person.name in text and f"替换{elected[2].name}" in text, name
