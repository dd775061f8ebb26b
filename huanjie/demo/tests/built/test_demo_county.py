"""The demo county as built (seed 3): realistic people and regions, valid ID numbers, every role."""

from __future__ import annotations

import pytest

from huanjie.accounts.models import User
from huanjie.campaigns.models import Campaign
from huanjie.people.models import Person, Region, Relation
from huanjie.rules.idnumber import parse_id

pytestmark = pytest.mark.django_db


def test_demo_county_is_realistic_and_valid(demo_county):
    result = demo_county
    assert result.villages == 12
    assert Region.objects.current().filter(level="township").count() == 2
    people = list(Person.objects.all())
    assert len(people) == result.people and 2400 <= len(people) <= 3600
    assert all(parse_id(p.id_number).valid for p in people)
    assert all(parse_id(p.id_number).gender == p.gender for p in people)
    assert all(parse_id(p.id_number).birth_date == p.birth_date for p in people)
    party = sum(p.political_status == "cpc" for p in people)
    assert 0.04 <= party / len(people) <= 0.09  # about 6 % party members
    for rel in Relation.objects.filter(kind__in=["parent", "grandparent"]).select_related("elder", "younger")[:500]:
        assert rel.elder.birth_date < rel.younger.birth_date
    assert set(User.objects.values_list("role", flat=True)) == {
        "county", "township", "village", "department", "observer", "admin"}
    assert Campaign.objects.get(slug="anping-2026").villages.count() == 12
    merged = Region.objects.get(name="北坡村")
    assert merged.valid_until is not None and merged.successor.name == "东山村"


def test_no_child_of_the_demo_is_a_party_member(demo_county):
    """A child moved to be born after its parents kept what the generator gave its first birth date:
    a six-year-old 中共党员 (the party roll left them off; the people list showed them)."""
    import datetime as dt

    from django.utils import timezone

    from huanjie.rules.dates import age_on

    today = timezone.localdate()
    minors = [p for p in Person.objects.filter(birth_date__gt=today - dt.timedelta(days=18 * 366))
              if age_on(p.birth_date, today) < 17]  # a year's margin: the generator counts by year
    assert len(minors) > 300
    assert [p.name for p in minors if p.political_status in ("cpc", "cpc_probationary")] == []
    assert [p.name for p in minors if p.phone or p.residence_village_id is None or p.deprived_from] == []
