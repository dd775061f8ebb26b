"""Test helpers of the review tests: elections with candidates, departments and their accounts."""

from __future__ import annotations

import datetime as dt

from huanjie.accounts.models import Department, User
from huanjie.elections.models import Election, Post
from huanjie.elections.nomination.models import Candidate
from huanjie.people.models import Person
from huanjie.review import services
from huanjie.rules.idnumber import make_id

ELECTION_DAY = dt.date(2027, 3, 20)


def add_departments(world) -> dict[str, Department]:
    """The world's 县公安局 plus two more, each with an account scoped to the county."""
    depts = {"gongan": world.police}
    depts["fayuan"] = Department.objects.create(code="fayuan", name="县人民法院", sort_order=2)
    depts["zuzhi"] = Department.objects.create(code="zuzhi", name="县委组织部", sort_order=1)
    for code in ("fayuan", "zuzhi"):
        u = User(
            username=f"dept_{code}",
            display_name=f"{depts[code].name}审查员",
            role="department",
            region=world.county,
            department=depts[code],
        )
        u.set_password("x")
        u.save()
        world.users[f"dept_{code}"] = u
    world.users["dept_gongan"] = world.users["department"]
    return depts


def election_in(world, village, kind=Election.VILLAGE_COMMITTEE) -> Election:
    e = Election.objects.create(
        campaign=world.campaign,
        organization=village,
        kind=kind,
        title=f"{village.name}村民委员会选举",
        election_date=ELECTION_DAY,
    )
    Post.objects.create(election=e, code="director", name="主任", seats=1, rank=0)
    Post.objects.create(election=e, code="member", name="委员", seats=3, rank=3)
    return e


_seq = iter(range(300, 999))


def candidate(
    election: Election, name: str, post_code: str = "member", person: Person | None = None
) -> Candidate:
    village = election.organization
    if person is None:
        birth = dt.date(1980, 1, 1)
        person = Person.objects.create(
            name=name,
            gender="M",
            birth_date=birth,
            hukou_village=village,
            residence_village=village,
            id_number=make_id(village.code[:6], birth, next(_seq)),
        )
    post = election.posts.get(code=post_code)
    return Candidate.objects.create(election=election, post=post, person=person)


def township_user(world, village):
    return (
        world.users["township_a"]
        if village.code.startswith(world.township_a.code[:9])
        else world.users["township_b"]
    )


def village_user(world, village):
    """The village account of ``village`` (the world has one for 东山村; others are made on demand)."""
    if village.pk == world.village_a1.pk:
        return world.users["village_a1"]
    key = f"village_{village.code}"
    if key not in world.users:
        u = User(username=key, display_name=f"{village.name}选委会", role="village", region=village)
        u.set_password("x")
        u.save()
        world.users[key] = u
    return world.users[key]


def to_county(world, cand: Candidate):
    """Open the case and pass the village pre-check and the township check."""
    village = cand.election.organization
    case = services.open_review(village_user(world, village), cand)
    services.record_verdict(village_user(world, village), case.verdicts.get(tier="village"), True)
    services.record_verdict(township_user(world, village), case.verdicts.get(tier="township"), True)
    case.refresh_from_db()
    return case


def county_verdict(case, code: str):
    return case.verdicts.get(tier="county", department__code=code)
