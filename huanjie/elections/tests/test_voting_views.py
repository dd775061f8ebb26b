"""Election-day pages: permissions (scope 404, observer read-only), entry with F/W codes, result page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from huanjie.elections.models import Post
from huanjie.elections.voting import counting, results
from huanjie.elections.voting.models import CountingForm
from huanjie.rules.forms import CODES

from .voting_helpers import NATIONAL_CANDIDATES, clerk, election_day, form_data

pytestmark = pytest.mark.django_db

D, DEP, M = Post.DIRECTOR, Post.DEPUTY, Post.MEMBER
VOTES = {
    D: {"张明": 9, "李华": 5},
    DEP: {"王强": 10, "赵敏": 4},
    M: {"孙立": 12, "周芳": 11, "吴刚": 10, "郑丽": 5, "冯伟": 3},
}


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def page_urls(day):
    e, r, s = day.election, day.round, day.stations[0]
    return [
        reverse("elections:voting", kwargs={"pk": e.pk}),
        reverse("elections:voting_staff", kwargs={"pk": e.pk}),
        reverse("elections:ballots", kwargs={"pk": e.pk}),
        reverse("elections:ballot_pdf", kwargs={"pk": r.pk}),
        reverse("elections:arrangements_pdf", kwargs={"pk": e.pk}),
        reverse("elections:staff_pdf", kwargs={"pk": e.pk}),
        reverse("elections:counting", kwargs={"pk": r.pk}),
        reverse("elections:counting_form", kwargs={"pk": r.pk, "station_pk": s.pk}),
        reverse("elections:counting_compare", kwargs={"pk": r.pk, "station_pk": s.pk}),
        reverse("elections:counting_ballots", kwargs={"pk": r.pk, "station_pk": s.pk}),
        reverse("elections:result", kwargs={"pk": r.pk}),
    ]


def post_body(day, rnd, head, votes) -> dict:
    issued, returned, valid, blank, invalid = head
    body = {"issued": issued, "returned": returned, "valid": valid, "blank": blank, "invalid": invalid}
    from huanjie.elections.voting.services import round_races

    for race in round_races(rnd):
        for i, c in enumerate(race.candidates):
            body[f"v_{race.post.pk}_{i}"] = votes.get(race.post.code, {}).get(c["name"], 0)
    return body


def test_pages_for_the_village_and_scope(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    own = login(world.users["village_a1"])
    for url in page_urls(day):
        assert own.get(url).status_code == 200, url
    # another village's clerk, township B and another county: 404, the election is not revealed
    other_village = login(clerk(world, "clerk_a2", world.village_a2))
    for c in (other_village, login(world.users["township_b"]), login(world.users["outsider"])):
        for url in page_urls(day):
            assert c.get(url).status_code == 404, url
    assert (
        other_village.post(
            page_urls(day)[7], post_body(day, day.round, (16, 15, 14, 0, 1), VOTES)
        ).status_code
        == 404
    )
    # the department has no business with the count
    assert login(world.users["department"]).get(page_urls(day)[0]).status_code == 403


def test_observer_reads_but_cannot_write(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    obs = login(world.users["observer"])
    for url in page_urls(day):
        assert obs.get(url).status_code == 200, url
    url = reverse("elections:counting_form", kwargs={"pk": day.round.pk, "station_pk": day.stations[0].pk})
    assert obs.post(url, post_body(day, day.round, (16, 15, 14, 0, 1), VOTES)).status_code == 403
    assert obs.post(reverse("elections:result_compute", kwargs={"pk": day.round.pk})).status_code == 403
    assert (
        obs.post(reverse("elections:voting", kwargs={"pk": day.election.pk}), {"name": "x"}).status_code
        == 403
    )
    assert not CountingForm.objects.exists()
    html = obs.get(url).content.decode()
    assert "保存计票单" not in html


def test_entry_page_f_error_then_saved(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    c = login(world.users["village_a1"])
    url = reverse("elections:counting_form", kwargs={"pk": day.round.pk, "station_pk": day.stations[0].pk})
    # returned 17 > issued 16 → F.01; 14 + 0 + 1 ≠ 17 → F.03
    html = c.post(url, post_body(day, day.round, (16, 17, 14, 0, 1), VOTES)).content.decode()
    assert (
        'data-code="F.01"' in html
        and 'data-code="F.03"' in html
        and "收回选票 17 张，多于发出的 16 张" in html
    )
    assert not CountingForm.objects.exists()
    r = c.post(url, post_body(day, day.round, (16, 15, 14, 0, 1), VOTES))
    assert r.status_code == 302
    assert CountingForm.objects.get().status == CountingForm.ACCEPTED


def test_entry_page_warning_needs_ack(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    c = login(world.users["village_a1"])
    url = reverse("elections:counting_form", kwargs={"pk": day.round.pk, "station_pk": day.stations[0].pk})
    votes = {D: {"张明": 9, "李华": 4}, DEP: {"王强": 9, "赵敏": 4}, M: {"孙立": 12}}
    body = post_body(day, day.round, (16, 15, 13, 0, 2), votes)  # 2 × 10 = 20 > 15 → W.01
    html = c.post(url, body).content.decode()
    assert 'name="ack" value="W.01"' in html and not CountingForm.objects.exists()
    assert c.post(url, {**body, "ack": "W.01"}).status_code == 302
    assert CountingForm.objects.get().acknowledged_warnings == ["W.01"]


def test_htmx_check_fragment(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    c = login(world.users["village_a1"])
    url = reverse("elections:counting_check", kwargs={"pk": day.round.pk, "station_pk": day.stations[0].pk})
    body = post_body(day, day.round, (16, 15, 14, 0, 1), {**VOTES, D: {"张明": 9, "李华": 6}})
    html = c.post(url, body, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-code="F.02"' in html and "<html" not in html
    assert not CountingForm.objects.exists()  # checking never saves
    ok = c.post(url, post_body(day, day.round, (16, 15, 14, 0, 1), VOTES)).content.decode()
    assert "检查通过" in ok


def test_codes_page_lists_every_code(client_for, world):
    html = client_for("department").get(reverse("elections:counting_codes")).content.decode()
    for code, (_sev, title, _expl) in CODES.items():
        assert f'id="{code}"' in html and title in html


def test_result_page_arithmetic_and_follow_up_button(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    user = world.users["village_a1"]
    tie = {**VOTES, M: {"孙立": 12, "周芳": 11, "吴刚": 9, "郑丽": 9, "冯伟": 1}}
    counting.save_form(user, day.round, day.stations[0], form_data(day, day.round, (16, 15, 14, 0, 1), tie))
    c = login(user)
    assert c.post(reverse("elections:result_compute", kwargs={"pk": day.round.pk})).status_code == 302
    html = c.get(reverse("elections:result", kwargs={"pk": day.round.pk})).content.decode()
    assert "票数 × 2 &gt; 15，即至少 8 票" in html
    assert 'id="create-tie-revote"' in html and "data-confirm" in html
    assert "得票相等，须再次投票<span class=\"cite\">（" in html and '<small class="rule-ref">R29</small>）' in html
    # observers see the arithmetic but no buttons
    obs = (
        login(world.users["observer"])
        .get(reverse("elections:result", kwargs={"pk": day.round.pk}))
        .content.decode()
    )
    assert "即至少 8 票" in obs and 'id="create-tie-revote"' not in obs
    r = c.post(reverse("elections:result_follow_up", kwargs={"pk": day.round.pk}), {"kind": "tie_revote"})
    assert r.status_code == 302
    assert day.election.rounds.count() == 2


def test_void_only_by_township(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    user = world.users["village_a1"]
    counting.save_form(user, day.round, day.stations[0], form_data(day, day.round, (16, 15, 14, 0, 1), VOTES))
    results.compute_result(user, day.round)
    m = day.round.elected.get(name="孙立")
    url = reverse("elections:void_election", kwargs={"member_pk": m.pk})
    body = {"reason": "贿选", "document_number": "清政〔2027〕3号"}
    assert login(user).post(url, body).status_code == 403
    assert login(world.users["township_b"]).post(url, body).status_code == 404
    assert login(world.users["township_a"]).post(url, body).status_code == 302
    m.refresh_from_db()
    assert m.status == "void"


def test_election_detail_links(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    html = login(world.users["village_a1"]).get(reverse("elections:detail", kwargs={"pk": day.election.pk}))
    text = html.content.decode()
    assert reverse("elections:ballots", kwargs={"pk": day.election.pk}) in text
    assert reverse("elections:counting", kwargs={"pk": day.round.pk}) in text
