"""Issue 9 §4: the HTML forms of nomination, committee and counting answer junk (non-numeric and
huge numbers, missing fields) with a Chinese message and save nothing, never a server error."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from huanjie.elections.models import CommitteeMember
from huanjie.elections.nomination.models import Nomination, NominationCount

from .candidate_helpers import setup_village

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"
JUNK_NUMBERS = ["abc", "²", "-3", HUGE, "1e999", "", " ", "0x10", "1.5"]


def _client(world, who="village_a1") -> Client:
    c = Client(raise_request_exception=False)
    c.force_login(world.users[who])
    return c


def _page(client, r) -> str:
    text = r.content.decode()
    if r.status_code == 302:
        text += client.get(r["Location"]).content.decode()
    return text


def _has_chinese_message(text: str) -> bool:
    return "msg-error" in text or 'class="error"' in text


@pytest.mark.parametrize("junk", JUNK_NUMBERS)
def test_nomination_count_with_junk_numbers(world, junk):
    v = setup_village(world)
    c = _client(world)
    url = reverse("elections:nominations_count", args=[v.election.pk])
    wang = v.p["wang"].id_number
    for data in (
        {"held_on": "2026-02-20", "participated": junk, "votes_director": f"{wang} 3"},
        {"held_on": "2026-02-20", "participated": "20", "votes_director": f"{wang} {junk}"},
        {"held_on": junk, "participated": "20", "votes_director": f"{wang} 3"},
        {"participated": "20"},
        {},
    ):
        r = c.post(url, data)
        assert r.status_code < 500, (data, r.status_code)
        assert _has_chinese_message(_page(c, r)), data
    assert not NominationCount.objects.exists() and not Nomination.objects.exists()


@pytest.mark.parametrize("junk", JUNK_NUMBERS)
def test_channel_nomination_with_junk_numbers(world, junk):
    v = setup_village(world)
    c = _client(world)
    post = v.election.posts.get(code="director")
    r = c.post(
        reverse("elections:nominations_channel", args=[v.election.pk]),
        {"post": post.pk, "person": v.p["zhou"].id_number, "channel": "self", "votes": junk},
    )
    assert r.status_code < 500
    if junk.strip():
        assert _has_chinese_message(_page(c, r))
    r = c.post(reverse("elections:nominations_channel", args=[v.election.pk]), {"post": junk or "x"})
    assert r.status_code < 500


@pytest.mark.parametrize("junk", JUNK_NUMBERS)
def test_committee_form_with_junk_numbers(world, junk):
    v = setup_village(world)
    c = _client(world)
    url = reverse("elections:committee", args=[v.election.pk])
    for data in (
        {"id_number": v.p["zhou"].id_number, "post": "member", "chosen_by": "villagers_meeting",
         "vote_order": junk, "joined_on": "2026-01-20"},
        {"id_number": v.p["zhou"].id_number, "post": "member", "chosen_by": "villagers_meeting",
         "vote_order": "1", "votes": junk, "joined_on": "2026-01-20"},
        {"id_number": junk, "post": "member", "chosen_by": "villagers_meeting", "vote_order": "1",
         "joined_on": "2026-01-20"},
        {"id_number": v.p["zhou"].id_number},
        {},
    ):
        r = c.post(url, data)
        assert r.status_code < 500, (data, r.status_code)
        if r.status_code != 302 and data:  # an empty POST just shows the blank form again
            assert _has_chinese_message(r.content.decode()), data
    assert not CommitteeMember.objects.filter(vote_order__gt=99).exists()
