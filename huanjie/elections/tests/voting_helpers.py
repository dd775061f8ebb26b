"""Test helpers for election day: an election in the voting stage with voters, candidates, stations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from huanjie.accounts.models import User
from huanjie.elections import services
from huanjie.elections.models import Candidate, Election, Post, Round, VoterRegistration
from huanjie.elections.voting import services as voting
from huanjie.elections.voting.counting import FormData, LineData
from huanjie.elections.voting.models import VotingStation
from huanjie.people.models import Person
from huanjie.rules.idnumber import make_id

from .workflow_helpers import make_ready, past_campaign

# A day in the past: counting is an election-day fact, recorded on or after the election day
# (rules.dates.check_fact_date), so the tests' election has been held already.
DAY = dt.date(2026, 3, 15)


@dataclass
class Day:
    election: Election
    round: Round
    posts: dict[str, Post]
    candidates: dict[str, Candidate] = field(default_factory=dict)
    stations: list[VotingStation] = field(default_factory=list)


def clerk(world, username: str, village=None, role: str = "village") -> User:
    u = User(username=username, display_name=username, role=role, region=village or world.village_a1)
    u.set_password("x")
    u.save()
    return u


def add_voters(election: Election, n: int, seq_start: int = 500) -> None:
    village = election.organization
    # every voter has their own birth day, so one sequence number keeps the ID numbers unique
    births = [dt.date(1950, 1, 1) + dt.timedelta(days=3 * i) for i in range(n)]
    people = [
        Person(
            name=f"选民{i}",
            gender="F" if i % 2 else "M",
            birth_date=births[i],
            id_number=make_id(village.code[:6], births[i], seq_start % 1000),
            hukou_village=village,
            residence_village=village,
        )
        for i in range(n)
    ]
    Person.objects.bulk_create(people, batch_size=2000)
    people = Person.objects.filter(id_number__in=[p.id_number for p in people])
    VoterRegistration.objects.bulk_create(
        [
            VoterRegistration(
                campaign=election.campaign, election=election, person=p, registered_on=dt.date(2026, 2, 1)
            )
            for p in people
        ],
        batch_size=2000,
    )


_seq = [900]


def candidate(
    day: Day, post_code: str, name: str, gender: str = "M", order: int = 0, person=None
) -> Candidate:
    village = day.election.organization
    if person is None:
        _seq[0] += 1
        birth = dt.date(1975, 5, 5)
        person = Person.objects.create(
            name=name,
            gender=gender,
            birth_date=birth,
            id_number=make_id(village.code[:6], birth, _seq[0] % 1000),
            hukou_village=village,
            residence_village=village,
        )
    c = Candidate.objects.create(
        election=day.election,
        post=day.posts[post_code],
        person=person,
        list_order=order,
        status=Candidate.ACTIVE,
    )
    day.candidates[name] = c
    return c


def election_day(
    world,
    *,
    jurisdiction: str = "national",
    voters: int = 20,
    candidates: dict | None = None,
    stations: tuple[str, ...] = ("中心会场",),
    double_entry: bool = False,
    village=None,
) -> Day:
    """An election in the voting stage. ``candidates``: {post code: [(name, gender), ...]} in list order."""
    village = village or world.village_a1
    campaign = past_campaign(world, jurisdiction)
    township = (
        world.users["township_a"] if village.code.startswith("130731100") else world.users["township_b"]
    )
    election = services.create_election(township, campaign, village, DAY)
    make_ready(world, village)
    election = services.open_voting(township, election)
    if double_entry:
        election.double_entry = True
        election.save()
    add_voters(election, voters)
    day = Day(election, election.rounds.get(number=1), {p.code: p for p in election.posts.all()})
    for code, names in (candidates or {}).items():
        for i, (name, gender) in enumerate(names, 1):
            candidate(day, code, name, gender, i)
    for k, name in enumerate(stations):
        kind = VotingStation.CENTRAL if k == 0 else VotingStation.STATION
        day.stations.append(voting.add_station(township, election, name=name, kind=kind))
    return day


def form_data(day: Day, rnd: Round, head: tuple, votes: dict, write_ins: dict | None = None) -> FormData:
    """head = (issued, returned, valid, blank, invalid); votes = {post code: {name: n}};
    write_ins = {post code: [(name, votes, gender)]}."""
    issued, returned, valid, blank, invalid = head
    lines = []
    for code, by_name in votes.items():
        for name, n in by_name.items():
            lines.append(LineData(day.posts[code].pk, name, n))
    for code, rows in (write_ins or {}).items():
        for name, n, gender in rows:
            lines.append(LineData(day.posts[code].pk, name, n, True, gender))
    return FormData(issued, returned, valid, blank, invalid, lines)


NATIONAL_CANDIDATES = {
    Post.DIRECTOR: [("张明", "M"), ("李华", "F")],
    Post.DEPUTY: [("王强", "M"), ("赵敏", "F")],
    Post.MEMBER: [("孙立", "M"), ("周芳", "F"), ("吴刚", "M"), ("郑丽", "F"), ("冯伟", "M")],
}
