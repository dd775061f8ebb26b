"""Counted elections for the after-vote tests: the rows the counting work writes (a station, a
counting form with its lines, the engine's output in RoundResult, ElectedMember rows), made here
with the ORM. The result is real engine output: ``huanjie.rules.count_vote`` on the form's figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from huanjie.elections.models import Election, Post, Round
from huanjie.elections.nomination.models import Candidate as CandidateRow
from huanjie.elections.services import POST_LABELS, POST_RANK, profile_of
from huanjie.elections.voting.models import (
    CountingForm,
    CountingLine,
    ElectedMember,
    RoundResult,
    VotingStation,
)
from huanjie.rules import Candidate, Race, VoteCount, count_vote

from .workflow_helpers import make_person, register

ELECTION_DAY = dt.date(2026, 3, 20)

# The scenario of the tests (one station, first round). 40 registered voters; 38 ballots issued,
# 36 returned, of which 2 invalid and 1 blank. Base (R23) = 36 returned; first-round threshold
# (R27) v*2 > 36, i.e. at least 19 votes.
FIRST_ROUND = {
    "issued": 38,
    "returned": 36,
    "blank": 1,
    "invalid": 2,
    "votes": {
        Post.DIRECTOR: [("张国强", "M", 24), ("刘德明", "M", 7)],
        Post.DEPUTY: [("陈秀兰", "F", 21), ("周海", "M", 11)],
        Post.MEMBER: [("杨光", "M", 20), ("黄志", "M", 10)],
    },
    "write_ins": {Post.DIRECTOR: [("吴另选", 2)], Post.MEMBER: [("郑写入", 3)]},
}


@dataclass
class Counted:
    election: Election
    round: Round
    form: CountingForm
    output: dict
    members: list[ElectedMember]
    people: dict


def make_election(world, village=None, *, day: dt.date = ELECTION_DAY, voters: int = 40) -> Election:
    village = village or world.village_a1
    election = Election.objects.create(
        campaign=world.campaign,
        organization=village,
        title=f"{village.name}第十二届村民委员会选举",
        election_date=day,
        stage=Election.VOTING,
    )
    for code, seats in ((Post.DIRECTOR, 1), (Post.DEPUTY, 1), (Post.MEMBER, 1)):
        Post.objects.create(
            election=election, code=code, name=POST_LABELS[code], seats=seats, rank=POST_RANK[code]
        )
    # ID numbers must be unique: the birth date carries the village, the sequence the gender (R67).
    # The village's slot is its key modulo 30 (a test's villages have consecutive keys): PostgreSQL
    # does not reset its sequences between tests, so the key itself grew into minors' birth dates
    # and past the calendar's end.
    for i in range(voters):
        gender = "F" if i % 2 else "M"
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=(village.pk % 30) * 400 + i)
        p = make_person(
            f"选民{village.code[-3:]}{i:03d}",
            gender,
            birth,
            village,
            300 + 2 * i + (gender == "M"),
            group="第一村民小组",
        )
        register(election, p)
    return election


def count_round(
    election: Election,
    user,
    scenario: dict = FIRST_ROUND,
    *,
    number: int = 1,
    kind: str = Round.FIRST,
    created_from: Round | None = None,
    held_on: dt.date | None = None,
    with_candidates: bool = True,
) -> Counted:
    """One station's accepted counting form, the engine's count of it, and the elected rows."""
    posts = {p.code: p for p in election.posts.all()}
    village = election.organization
    people = {}
    rnd = Round.objects.create(
        election=election,
        number=number,
        kind=kind,
        created_from=created_from,
        held_on=held_on or election.election_date,
    )
    station = VotingStation.objects.get_or_create(election=election, name="中心会场")[0]
    form = CountingForm.objects.create(
        round=rnd,
        station=station,
        entered_by=user,
        ballots_issued=scenario["issued"],
        ballots_returned=scenario["returned"],
        blank_ballots=scenario["blank"],
        invalid_ballots=scenario["invalid"],
        status=CountingForm.ACCEPTED,
    )
    races = []
    seq = 900 + number * 20
    for code, entries in scenario["votes"].items():
        post = posts[code]
        cands = []
        for name, gender, votes in entries:
            person = people.get(name)
            if person is None:
                from huanjie.people.models import Person

                person = Person.objects.filter(name=name, hukou_village=village).first()
                if person is None:
                    seq += 2
                    birth = dt.date(1970, 1, 1) + dt.timedelta(days=(village.pk % 30) * 400)
                    person = make_person(name, gender, birth, village, seq + (gender == "M"))
                people[name] = person
            if with_candidates and number == 1:
                CandidateRow.objects.create(election=election, post=post, person=person)
            CountingLine.objects.create(form=form, post=post, name=name, person=person, votes=votes)
            cands.append(Candidate(name, gender))
        write_ins = dict(scenario.get("write_ins", {}).get(code, []))
        for name, votes in write_ins.items():
            CountingLine.objects.create(form=form, post=post, name=name, write_in=True, votes=votes)
        races.append(
            Race(
                post=post.name,
                seats=post.seats,
                candidates=tuple(cands),
                votes={n: v for n, _g, v in entries},
                write_in_votes=write_ins,
                invalid_ballots=scenario["invalid"],
                blank_ballots=scenario["blank"],
            )
        )
    vote = VoteCount(
        kind="village_committee",
        stage=kind,
        races=tuple(races),
        registered_voters=election.voters.filter(status="registered").count(),
        ballots_issued=scenario["issued"],
        ballots_returned=scenario["returned"],
    )
    output = count_vote(vote, profile_of(election.campaign)).as_dict()
    RoundResult.objects.create(round=rnd, output=output)
    by_name = {p.name: p for p in posts.values()}
    members = [
        ElectedMember.objects.create(
            election=election,
            round=rnd,
            post=by_name[e["post"]],
            person=people.get(e["name"]),
            name=e["name"],
            votes=e["votes"],
        )
        for e in output["elected"]
    ]
    election.stage = Election.COUNTED
    election.save(update_fields=["stage"])
    return Counted(election, rnd, form, output, members, people)


def counted_election(
    world, village=None, scenario: dict = FIRST_ROUND, user=None, day: dt.date = ELECTION_DAY
) -> Counted:
    election = make_election(world, village, day=day)
    return count_round(election, user or world.users["village_a1"], scenario)
