"""The capped pager: a million-row list is counted up to a cap, not walked on every request."""

import datetime as dt

import pytest
from django.template.loader import render_to_string

from huanjie.core.paging import CappedPaginator
from huanjie.people.models import Person
from huanjie.rules.idnumber import make_id

pytestmark = pytest.mark.django_db


def _people(world, n):
    Person.objects.bulk_create(
        Person(name=f"测试{i}", gender="M", birth_date=dt.date(1980, 1, 1),
               id_number=make_id("130731", dt.date(1980, 1, 1), 700 + i), hukou_village=world.village_a1)
        for i in range(n)
    )


def test_past_the_cap_the_count_stops_and_the_page_says_so(world):
    _people(world, 25)
    qs = Person.objects.filter(name__startswith="测试").order_by("name")
    paginator = CappedPaginator(qs, 10, cap=20)
    page = paginator.get_page(1)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (20, True, 2)
    html = render_to_string("_pagination.html", {"page": page})
    assert "超过 20 条" in html


def test_under_the_cap_the_count_is_exact(world):
    _people(world, 5)
    paginator = CappedPaginator(Person.objects.filter(name__startswith="测试"), 10, cap=20)
    paginator.get_page(1)
    assert (paginator.count, paginator.capped) == (5, False)
    assert "共 5 条" in render_to_string("_pagination.html", {"page": paginator.get_page(1)})
