"""Issue 9 §4: two clerks on one counting form, and junk sent to the counting pages and API.

Found: two clerks saving the same counting form at the same time: the later save silently replaced
the earlier one (20 of 20 pairs). Junk JSON to the counting endpoint (``acknowledge: 5``, ``[{}]``,
``1e999``, 5,000 nested ``[``) gave server errors.
"""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connections
from django.urls import reverse

from huanjie.elections.models import Post
from huanjie.elections.voting import counting
from huanjie.elections.voting.models import CountingForm

from .voting_helpers import NATIONAL_CANDIDATES, election_day, form_data

D, DEP, M = Post.DIRECTOR, Post.DEPUTY, Post.MEMBER
VOTES = {
    D: {"张明": 9, "李华": 5},
    DEP: {"王强": 10, "赵敏": 4},
    M: {"孙立": 12, "周芳": 11, "吴刚": 10, "郑丽": 5, "冯伟": 3},
}
HEAD = (16, 15, 14, 0, 1)
OTHER = {**VOTES, D: {"张明": 8, "李华": 6}}


@pytest.mark.django_db
def test_a_save_based_on_an_old_version_is_refused_and_shows_both(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    a, b = world.users["village_a1"], world.users["township_a"]
    station = day.stations[0]
    first = counting.save_form(a, day.round, station, form_data(day, day.round, HEAD, VOTES), based_on=0)
    assert first.version == 1
    with pytest.raises(counting.StaleForm, match="已被他人修改") as exc:
        counting.save_form(b, day.round, station, form_data(day, day.round, HEAD, OTHER), based_on=0)
    current = counting.FormData.from_form(exc.value.current)
    rows = {r["label"]: r for r in counting.side_by_side(day.round, exc.value.mine, current)}
    assert rows["主任 张明"] == {"label": "主任 张明", "a": 8, "b": 9, "diff": True}
    assert not rows["收回选票"]["diff"]
    assert CountingForm.objects.get().lines.get(name="张明").votes == 9  # the first save stands
    second = counting.save_form(b, day.round, station, form_data(day, day.round, HEAD, OTHER), based_on=1)
    assert second.version == 2 and second.lines.get(name="张明").votes == 8


@pytest.mark.django_db
def test_the_counting_page_refuses_a_stale_save_and_shows_the_two_versions(world, client_for):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    station = day.stations[0]
    url = reverse("elections:counting_form", args=[day.round.pk, station.pk])
    c = client_for("village_a1")
    page = c.get(url).content.decode()
    assert 'name="version" value="0"' in page
    counting.save_form(
        world.users["township_a"], day.round, station, form_data(day, day.round, HEAD, VOTES), based_on=0
    )
    post = {"version": "0", "issued": "16", "returned": "15", "valid": "14", "blank": "0", "invalid": "1"}
    for race in counting.round_races(day.round):
        for i, cand in enumerate(race.candidates):
            post[f"v_{race.post.pk}_{i}"] = str(OTHER[race.post.code].get(cand["name"], 0))
    r = c.post(url, post)
    text = r.content.decode()
    assert r.status_code == 200 and "已被他人修改" in text and "stale-versions" in text
    assert 'name="version" value="1"' in text  # saving again is a deliberate overwrite of version 1
    assert CountingForm.objects.get().lines.get(name="张明").votes == 9


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_pairs_each_produce_exactly_one_refusal(world):
    """Two clerks press 保存 at the same moment, both on the page they opened (the same version)."""
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    station = day.stations[0]
    users = [world.users["village_a1"], world.users["township_a"]]
    outcomes = []
    for _pair in range(20):
        version = CountingForm.objects.filter(round=day.round, station=station).values_list("version", flat=True)
        based_on = version.first() or 0
        barrier = threading.Barrier(2)
        got: list[str] = []

        def save(user, votes, based_on=based_on, barrier=barrier, got=got):
            try:
                barrier.wait()
                counting.save_form(user, day.round, station, form_data(day, day.round, HEAD, votes), based_on=based_on)
                got.append("saved")
            except counting.StaleForm:
                got.append("refused")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=save, args=(u, v)) for u, v in zip(users, (VOTES, OTHER), strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        outcomes.append(sorted(got))
    assert outcomes == [["refused", "saved"]] * 20
    assert CountingForm.objects.get().version == 20


JUNK_BODIES = [
    b'{"station": 1, "acknowledge": 5}',
    b"[{}]",
    b'{"station": 1, "issued": 1e999}',
    b"[" * 5000,
    b"[" * 5000 + b"]" * 5000,
    b'{"station": 1, "lines": [{}]}',
    b'{"station": 1, "lines": 7}',
    b'{"station": 1, "lines": [{"post": "x"}]}',
    b'{"station": "a"}',
    b'{"station": 1, "round": -3}',
    b'{"station": 1, "issued": 99999999999999999999999}',
    b'{"station": 1, "compute": "yes"}',
    b'{"station": 1, "version": [1]}',
    b'{"station": 1, "acknowledge": [1, 2]}',
    b'{"station": 1, "acknowledge": "W.01"}',
    b"\xff\xfe\x00",
    b"null",
    b'"text"',
    b"",
]


@pytest.mark.django_db
@pytest.mark.parametrize("body", JUNK_BODIES, ids=range(len(JUNK_BODIES)))
def test_junk_json_to_the_counting_endpoint_is_a_4xx_in_chinese(world, client_for, body):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    body = body.replace(b'"station": 1', f'"station": {day.stations[0].pk}'.encode())
    c = client_for("village_a1")
    r = c.post(
        reverse("elections:counting_form_api", args=[day.election.pk]), body, content_type="application/json"
    )
    assert 400 <= r.status_code < 500, r.content[:300]
    errors = json.loads(r.content)["errors"]
    assert errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in errors)
    assert "Traceback" not in r.content.decode() and "object has no attribute" not in r.content.decode()
    assert not CountingForm.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "junk",
    [
        {"issued": "abc"},
        {"issued": "²"},
        {"issued": "99999999999999999999"},
        {"returned": "-5"},
        {"issued": ""},
        {"version": "x"},
        {"version": "99999999999999999999"},
    ],
)
def test_junk_in_the_counting_page_is_refused_in_chinese(world, client_for, junk):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    station = day.stations[0]
    post = {"issued": "16", "returned": "15", "valid": "14", "blank": "0", "invalid": "1", **junk}
    url = reverse("elections:counting_form", args=[day.round.pk, station.pk])
    r = client_for("village_a1").post(url, post)
    assert r.status_code == 200
    text = r.content.decode()
    assert "未保存" in text or "超过" in text or "版本号无效" in text
    assert not CountingForm.objects.exists()
    check = client_for("village_a1").post(
        reverse("elections:counting_check", args=[day.round.pk, station.pk]), post
    )
    assert check.status_code == 200
