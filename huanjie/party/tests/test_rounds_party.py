"""Tie re-votes (R59) and further rounds (R60) of the party assembly through the services: the
engine names the round, the one machinery creates it with its own races, the assembly's 4/5 quorum
and R58's threshold apply again, and the elected of every round make up the committee."""

from __future__ import annotations

import pytest

from huanjie.elections.models import ElectedMember, Round
from huanjie.elections.voting import results
from huanjie.elections.voting.counting import FormData, LineData, save_form
from huanjie.party import services

from .helpers import approved_election
from .test_election import _vote

pytestmark = pytest.mark.django_db


def _count(user, rnd, station, issued: int, votes: dict[str, int]):
    post = rnd.election.posts.get()
    save_form(user, rnd, station, FormData(issued, issued, issued, 0, 0,
                                           [LineData(post.pk, name, n) for name, n in votes.items()]))
    return results.compute_result(user, rnd).output


def _elected(pe) -> list[str]:
    return list(ElectedMember.objects.filter(election=pe.election, status=ElectedMember.ELECTED)
                .order_by("round__number", "-votes").values_list("name", flat=True))


def test_a_tie_for_the_last_seat_is_settled_by_a_revote_among_the_tied(world):
    pe, roll, noms, d = approved_election(world, members=20, seats=3, preliminary=4)
    user = world.users["village_a1"]
    station = _vote(world, pe, present=18)
    a, b, c, dd = (n.candidate.person.name for n in noms[:4])
    out = _count(user, pe.election.rounds.get(number=1), station, 18, {a: 16, b: 14, c: 12, dd: 12})
    assert [e["name"] for e in out["elected"]] == [a, b]
    assert results.follow_ups_needed(pe.election.rounds.get(number=1)).get(Round.TIE_REVOTE)
    revote = results.create_follow_up_round(user, pe.election.rounds.get(number=1))
    assert revote.kind == Round.TIE_REVOTE and revote.number == 2
    race = revote.races.get()
    assert race.seats == 1 and sorted(x["name"] for x in race.candidates) == sorted([c, dd])
    with pytest.raises(results.ResultError):  # the same re-vote is not created twice
        results.create_follow_up_round(user, pe.election.rounds.get(number=1))
    out2 = _count(user, revote, station, 18, {c: 10, dd: 8})
    assert out2["input"]["expected_attendance"] == 20 and out2["quorum_met"] is True
    assert [e["name"] for e in out2["elected"]] == [c]
    assert _elected(pe) == [a, b, c]
    assert services.committee_elected(pe) == [a, b, c]


def test_a_shortfall_goes_to_further_rounds_with_the_threshold_each_time(world):
    pe, roll, noms, d = approved_election(world, members=20, seats=3, preliminary=4)
    user = world.users["village_a1"]
    station = _vote(world, pe, present=18)
    a, b, c, dd = (n.candidate.person.name for n in noms[:4])
    first = pe.election.rounds.get(number=1)
    out = _count(user, first, station, 18, {a: 17, b: 12, c: 9, dd: 9})
    assert [e["name"] for e in out["elected"]] == [a, b]  # 9×2 = 18 is not more than 18 (R58, R1)
    runoff = results.create_follow_up_round(user, first, kind=Round.RUNOFF)
    assert runoff.kind == Round.RUNOFF and runoff.races.get().seats == 1
    names = {x["name"] for x in runoff.races.get().candidates}
    assert names <= {c, dd} and names
    # no 1/3 rule in the party's 另行选举 (R60): 9 of 18 still does not pass
    pick = sorted(names)[0]
    out2 = _count(user, runoff, station, 18, {pick: 9})
    assert out2["elected"] == [] and out2["unfilled"][0]["seats"] == 1
    again = results.create_follow_up_round(user, runoff, kind=Round.RUNOFF)
    assert again.number == 3
    out3 = _count(user, again, station, 18, {pick: 10})
    assert [e["name"] for e in out3["elected"]] == [pick]
    assert sorted(_elected(pe)) == sorted([a, b, pick])
