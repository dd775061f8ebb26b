"""Test helpers of the election workflow tests (elections, calendar, committee, documents)."""

from __future__ import annotations

import datetime as dt

from huanjie.elections.models import Election, VoterRegistration
from huanjie.people.models import Person
from huanjie.rules.idnumber import make_id

ELECTION_DAY = dt.date(2026, 3, 20)


def past_campaign(world, jurisdiction: str = "national"):
    """Move the test campaign into the past, so done steps can be recorded on real (past) days."""
    c = world.campaign
    c.starts_on, c.ends_on, c.jurisdiction = dt.date(2025, 11, 1), dt.date(2026, 4, 30), jurisdiction
    c.save()
    return c


def make_person(name: str, gender: str, birth: dt.date, village, seq: int, group: str = "") -> Person:
    return Person.objects.create(
        name=name,
        gender=gender,
        birth_date=birth,
        id_number=make_id(village.code[:6], birth, seq),
        hukou_village=village,
        residence_village=village,
        group_name=group,
    )


def register(election: Election, person: Person, group: str | None = None, category: str = "hukou_resident"):
    return VoterRegistration.objects.create(
        campaign=election.campaign,
        election=election,
        person=person,
        category=category,
        group_name=person.group_name if group is None else group,
        registered_on=dt.date(2026, 2, 1),
    )


def make_ready(world, village):
    entry = world.campaign.villages.get(village=village)
    entry.audit_done_on = dt.date(2026, 1, 10)
    entry.training_done_on = dt.date(2026, 1, 15)
    entry.save()
    return entry
