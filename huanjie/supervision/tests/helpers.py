"""Test helpers: the new villagers' committee of 东山村 and a supervision committee to choose."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from huanjie.elections import services as elections
from huanjie.elections.models import Candidate, Post
from huanjie.people.models import Person
from huanjie.rules.idnumber import make_id
from huanjie.supervision import services

_seq = [300]


def villager(village, name: str, gender: str = "M", birth: dt.date = dt.date(1978, 3, 3)) -> Person:
    _seq[0] += 1
    return Person.objects.create(name=name, gender=gender, birth_date=birth,
                                 id_number=make_id(village.code[:6], birth, _seq[0] % 1000),
                                 hukou_village=village, residence_village=village)


def days(world) -> dict:
    """The campaign around today: the villagers' committee voted 10 days ago, the meeting 2 days ago."""
    today = timezone.localdate()
    c = world.campaign
    c.starts_on, c.ends_on = today - dt.timedelta(days=60), today + dt.timedelta(days=120)
    c.save()
    entry = c.villages.get(village=world.village_a1)
    entry.audit_done_on = entry.training_done_on = today - dt.timedelta(days=40)
    entry.save()
    return {"vc": today - dt.timedelta(days=10), "check": today - dt.timedelta(days=4),
            "meeting": today - dt.timedelta(days=2), "today": today}


def villagers_committee(world, d) -> list[Person]:
    """東山村's villagers' committee election with its formal candidates (王建国 among them): the
    people the P6 check must keep off the supervision committee until the result is in."""
    vc = elections.create_election(world.users["township_a"], world.campaign, world.village_a1, d["vc"])
    director = vc.posts.get(code=Post.DIRECTOR)
    member = vc.posts.get(code=Post.MEMBER)
    people = [world.people["wang"], villager(world.village_a1, "刘村委"), villager(world.village_a1, "陈村委", "F")]
    Candidate.objects.create(election=vc, post=director, person=people[0], list_order=1)
    for i, p in enumerate(people[1:], 2):
        Candidate.objects.create(election=vc, post=member, person=p, list_order=i)
    return people


def supervision(world, d, body="representatives_meeting", size=3):
    return services.create_supervision(world.users["township_a"], world.campaign, world.village_a1, d["meeting"],
                                       body=body, size=size)
