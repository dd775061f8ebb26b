"""Issue 17: the people list and search keep a fixed number of queries however many villages and
people the county holds, and the scope filter is the index-served form (village ids, not a join on
region codes) without changing who is in scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huanjie.people.models import Person, Region
from huanjie.rules.idnumber import make_id

pytestmark = pytest.mark.django_db


def _add_villages(world, n: int, people_each: int, first: int = 0) -> list[Region]:
    """``n`` more villages in township A, each with ``people_each`` people."""
    villages = []
    for i in range(first, first + n):
        v = Region.objects.create(code=f"130731100{100 + i:03d}", name=f"新村{i}", level="village",
                                  kind="village", parent=world.township_a)
        villages.append(v)
        Person.objects.bulk_create([
            Person(name=f"村民{i}-{k}", gender="M" if k % 2 == 0 else "F", birth_date=dt.date(1960 + k, 1, 1 + i),
                   id_number=make_id("130731", dt.date(1960 + k, 1, 1 + i), 2 * k + (k % 2 == 0)),
                   hukou_village=v, residence_village=v, group_name=f"第{k % 3 + 1}组")
            for k in range(people_each)
        ])
    return villages


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["county", "township_a", "village_a1"])
def test_people_list_queries_do_not_grow_with_the_villages(world, client_for, persona,
                                                           django_assert_max_num_queries):
    _add_villages(world, 1, 3)  # the search finds someone before as after
    client = client_for(persona)
    urls = [reverse("people:list"), reverse("people:list") + "?q=村民", reverse("api:search_people") + "?q=村民"]
    for url in urls:
        client.get(url)
    before = [_queries(client, url) for url in urls]
    _add_villages(world, 12, 30, first=1)
    after = [_queries(client, url) for url in urls]
    assert after == before
    with django_assert_max_num_queries(8):
        assert client.get(reverse("people:list")).status_code == 200


def test_scope_is_unchanged_a_resident_counts_where_they_live(world):
    """The scope rule the index form must keep: hukou or residence in scope, nothing else."""
    a1, b1 = world.village_a1, world.village_b1
    mover = Person.objects.create(name="周迁", gender="M", birth_date=dt.date(1990, 5, 5),
                                  id_number=make_id("130731", dt.date(1990, 5, 5), 21),
                                  hukou_village=b1, residence_village=a1)
    seen = set(Person.objects.visible_to(world.users["village_a1"]).values_list("name", flat=True))
    assert seen == {"王建国", "李秀英", "王小明", "周迁"}
    township_b = set(Person.objects.visible_to(world.users["township_b"]).values_list("name", flat=True))
    assert township_b == {"孙强", "周迁"}
    county = Person.objects.visible_to(world.users["county"])
    assert "钱多" not in set(county.values_list("name", flat=True))  # the neighbouring county's villager
    assert mover in county
    assert not Person.objects.visible_to(world.users["department"]).exists()


def test_scope_filter_is_an_index_condition_on_postgresql(world):
    sql = str(Person.objects.visible_to(world.users["village_a1"]).query)
    assert "LIKE" in sql  # the region codes are matched in the region table only …
    if connection.vendor == "postgresql":
        # … and the people table is filtered by ids, which its village indexes serve.
        assert sql.count("= ANY(ARRAY(") == 2
    else:
        assert sql.count(" IN (SELECT") == 2


def test_people_list_keeps_its_order_by_village_group_and_name(world, client_for):
    _add_villages(world, 2, 4)
    for persona in ("county", "township_a", "village_a1"):
        page = client_for(persona).get(reverse("people:list")).context["page"]
        keys = [(p.hukou_village.code, p.group_name, p.name, p.pk) for p in page.object_list]
        assert keys == sorted(keys), persona


def test_api_people_search_is_in_the_list_order(world, client_for):
    _add_villages(world, 2, 4)
    for persona in ("county", "township_a", "village_a1"):
        got = client_for(persona).get(reverse("api:search_people")).json()
        people = {p.pk: p for p in Person.objects.select_related("hukou_village")}
        keys = [(people[p["id"]].hukou_village.code, people[p["id"]].group_name, p["name"], p["id"]) for p in got]
        assert keys and keys == sorted(keys), persona


def test_village_groups_are_cached_and_follow_the_writes(world):
    """The 村民小组 names per village come from the VillageStats cache; a person's save drops the
    village's row, so a new or renamed group shows on the next read."""
    from huanjie.people import stats

    a1 = world.village_a1
    assert stats.groups([a1.pk])[a1.pk] == {"第一村民小组"}
    with CaptureQueriesContext(connection) as ctx:
        assert stats.groups([a1.pk])[a1.pk] == {"第一村民小组"}
    assert len(ctx.captured_queries) == 1  # the cached row only
    wang = world.people["wang"]
    wang.group_name = "第三村民小组"
    wang.save()
    assert stats.groups([a1.pk])[a1.pk] == {"第一村民小组", "第三村民小组"}
    Person.objects.create(name="新人", gender="F", birth_date=dt.date(1991, 2, 3),
                          id_number=make_id("130731", dt.date(1991, 2, 3), 22), hukou_village=a1,
                          residence_village=a1, group_name="第四村民小组")
    assert stats.groups([a1.pk])[a1.pk] == {"第一村民小组", "第三村民小组", "第四村民小组"}


def test_village_groups_query_count_does_not_grow_with_the_villages(world):
    from huanjie.people import stats

    villages = _add_villages(world, 6, 3)
    ids = [v.pk for v in villages]
    with CaptureQueriesContext(connection) as ctx:
        got = stats.groups(ids)
    assert len(ctx.captured_queries) <= 4  # cached rows, counts, groups, store
    assert got[villages[0].pk] == {"第1组", "第2组", "第3组"}
    with CaptureQueriesContext(connection) as ctx:
        stats.groups(ids)
    assert len(ctx.captured_queries) == 1
