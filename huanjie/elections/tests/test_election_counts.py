"""Voter counts across villages for the township and the county (issue 4): per village, by category,
gender and age band on each village's own election day, and only within the account's scope."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from huanjie.elections import services
from huanjie.elections.registration import services as registration

from .workflow_helpers import make_person, past_campaign, register

pytestmark = pytest.mark.django_db

A1_DAY = dt.date(2026, 3, 20)
A2_DAY = dt.date(2026, 3, 21)
B1_DAY = dt.date(2026, 3, 22)


@pytest.fixture
def setup(world):
    campaign = past_campaign(world)
    a1 = services.create_election(world.users["township_a"], campaign, world.village_a1, A1_DAY)
    a2 = services.create_election(world.users["township_a"], campaign, world.village_a2, A2_DAY)
    b1 = services.create_election(world.users["township_b"], campaign, world.village_b1, B1_DAY)
    # 东山村 (day 2026-03-20): born 1995-03-20 is 31 on the day (birthday counts, R5) → 31–40;
    # born 1995-03-21 is still 30 → 18–30; born 1950-07-01 is 75 → 71+.
    register(a1, make_person("甲一", "M", dt.date(1995, 3, 20), world.village_a1, 501, "第一组"))
    register(a1, make_person("甲二", "F", dt.date(1995, 3, 21), world.village_a1, 502, "第一组"))
    register(
        a1,
        make_person("甲三", "F", dt.date(1950, 7, 1), world.village_a1, 503, "第二组"),
        category="hukou_away_taking_part",
    )
    # 2nd village of 清溪镇 (day 2026-03-21): the same birthday 1995-03-21 is 31 there → 31–40.
    register(a2, make_person("乙一", "M", dt.date(1995, 3, 21), world.village_a2, 504))
    removed = register(a2, make_person("乙二", "F", dt.date(1980, 1, 1), world.village_a2, 505))
    removed.status = "removed"
    removed.save()
    # 石桥乡 (township B): 51–60 on 2026-03-22 (born 1970-03-22 → 56).
    register(b1, make_person("丙一", "F", dt.date(1970, 3, 22), world.village_b1, 506))
    return {"a1": a1, "a2": a2, "b1": b1, "campaign": campaign}


def test_village_counts_use_each_villages_own_election_day(setup):
    got = registration.village_counts([setup["a1"], setup["a2"], setup["b1"]])
    bands = [registration.age_band_label(lo, hi) for lo, hi in registration.AGE_BANDS]
    assert bands == ["18–30岁", "31–40岁", "41–50岁", "51–60岁", "61–70岁", "71岁以上"]
    a1, a2, b1 = got[setup["a1"].pk], got[setup["a2"].pk], got[setup["b1"].pk]
    assert (a1["total"], a1["M"], a1["F"]) == (3, 1, 2)
    assert a1["categories"] == {"hukou_resident": 2, "hukou_away_taking_part": 1}
    assert a1["age_bands"] == [1, 1, 0, 0, 0, 1]
    # the removed 乙二 is not counted; 乙一 is 31 on 2026-03-21
    assert (a2["total"], a2["M"], a2["F"]) == (1, 1, 0)
    assert a2["age_bands"] == [0, 1, 0, 0, 0, 0]
    assert b1["age_bands"] == [0, 0, 0, 1, 0, 0]


def _row_cells(body: str, code: str) -> list[str]:
    row = body.split(f'data-village="{code}"')[1].split("</tr>")[0]
    return re.findall(r"<td>(.*?)</td>", row)


def _chart(body: str, chart_id: str) -> dict:
    return json.loads(
        body.split(f'<script id="{chart_id}" type="application/json">')[1].split("</script>")[0]
    )


def test_county_sees_every_village_with_categories_gender_and_age_bands(world, setup, client_for):
    body = client_for("county").get(f"/elections/campaign/{setup['campaign'].slug}/").content.decode()
    table = body.split('id="village-counts"')[1].split("</table>")[0]
    head = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", table.split("</thead>")[0])
    assert head[:5] == ["乡镇（街道）", "村（社区）", "登记选民", "男", "女"]
    # only the two categories present get a column, then the six age bands
    assert head[5:] == [
        "户籍在本村并在本村居住",
        "户籍在本村、不在本村居住，本人表示参加选举",
        "18–30岁",
        "31–40岁",
        "41–50岁",
        "51–60岁",
        "61–70岁",
        "71岁以上",
    ]
    assert _row_cells(table, world.village_a1.code) == ["清溪镇", "东山村", "3", "1", "2", "2", "1"] + [
        "1",
        "1",
        "0",
        "0",
        "0",
        "1",
    ]
    assert _row_cells(table, world.village_a2.code)[2:] == [
        "1",
        "1",
        "0",
        "1",
        "0",
        "0",
        "1",
        "0",
        "0",
        "0",
        "0",
    ]
    assert _row_cells(table, world.village_b1.code)[:2] == ["石桥乡", "石桥村"]
    # county total: 3 + 1 + 1 = 5 voters, men 1 + 1 + 0 = 2, women 2 + 0 + 1 = 3
    foot = re.findall(r"<th[^>]*>(.*?)</th>", table.split("<tfoot>")[1])
    assert foot[:4] == ["合计", "5", "2", "3"]
    # categories 4 + 1; bands: 18–30 1, 31–40 1 + 1, 51–60 1, 71+ 1
    assert foot[4:] == ["4", "1", "1", "2", "0", "1", "0", "1"]
    towns = body.split('id="township-totals"')[1].split("</table>")[0]
    # 清溪镇: 2 villages, 2 elections, 4 voters, M 2, F 2, categories 3 + 1, bands 1, 2, 0, 0, 0, 1
    assert (
        re.sub(r"\s+", "", towns).count(
            "<td>清溪镇</td><td>2</td><td>2</td><td>2</td><td>4</td><td>2</td><td>2</td><td>3</td><td>1</td>"
            "<td>1</td><td>2</td><td>0</td><td>0</td><td>0</td><td>1</td>"
        )
        == 1
    )
    chart = _chart(body, "age-chart")
    assert chart["stack"] and chart["categories"] == ["东山村", world.village_a2.name, "石桥村"]
    assert [s["name"] for s in chart["series"]][0] == "18–30岁"
    assert chart["series"][1]["data"] == [1, 1, 0]  # 31–40 per village
    cat = _chart(body, "category-chart")
    assert cat["series"][0]["data"] == [2, 1, 1]  # 户籍在本村且居住 per village
    assert "vendor/echarts/echarts.min.js" in body


def test_township_a_never_sees_township_b(world, setup, client_for):
    body = client_for("township_a").get(f"/elections/campaign/{setup['campaign'].slug}/").content.decode()
    assert f'data-village="{world.village_b1.code}"' not in body
    assert "石桥村" not in body and "石桥乡" not in body and "丙一" not in body
    table = body.split('id="village-counts"')[1].split("</table>")[0]
    foot = re.findall(r"<th[^>]*>(.*?)</th>", table.split("<tfoot>")[1])
    assert foot[:4] == ["合计", "4", "2", "2"]  # 东山村 3 + the other village 1, nothing of 石桥乡
    assert _chart(body, "age-chart")["categories"] == ["东山村", world.village_a2.name]
    body_b = client_for("township_b").get(f"/elections/campaign/{setup['campaign'].slug}/").content.decode()
    assert "东山村" not in body_b and f'data-village="{world.village_b1.code}"' in body_b


# ---------------------------------------------------------------- the cached counts (issue 17)


def _fresh(elections):
    """The counts computed from the registrations themselves, bypassing the cache."""
    from huanjie.elections.models import VoterCounts

    VoterCounts.objects.all().delete()
    return registration.village_counts(elections)


def test_cached_counts_follow_every_write_that_changes_them(setup, world):
    from huanjie.elections.models import Election, VoterCounts

    elections = [setup["a1"], setup["a2"], setup["b1"]]
    first = registration.village_counts(elections)
    assert VoterCounts.objects.count() == 3
    assert registration.village_counts(elections) == first  # answered from the cache

    # a new registration, a removal, a person's sex, the election day: each drops the row it changes
    register(setup["a2"], make_person("乙三", "F", dt.date(2000, 5, 5), world.village_a2, 507))
    got = registration.village_counts(elections)
    assert got[setup["a2"].pk]["F"] == 1 and got == _fresh(elections)

    reg = setup["a1"].voters.get(person__name="甲一")
    reg.status = "removed"
    reg.save()
    got = registration.village_counts(elections)
    assert got[setup["a1"].pk]["total"] == 2 and got == _fresh(elections)

    person = setup["b1"].voters.get().person
    person.gender = "M"
    person.save()
    got = registration.village_counts(elections)
    assert (got[setup["b1"].pk]["M"], got[setup["b1"].pk]["F"]) == (1, 0) and got == _fresh(elections)

    b1 = Election.objects.get(pk=setup["b1"].pk)
    b1.election_date = dt.date(2030, 3, 22)  # 丙一 is 60 then, still 51–60; move once more to 61–70
    b1.election_date = dt.date(2031, 3, 22)
    b1.save()
    got = registration.village_counts([setup["a1"], setup["a2"], b1])
    assert got[b1.pk]["age_bands"] == [0, 0, 0, 0, 1, 0]


def test_people_counts_of_villages_follow_saves_moves_and_deletes(world):
    from huanjie.people import stats
    from huanjie.people.models import VillageStats

    a1, a2 = world.village_a1.pk, world.village_a2.pk
    before = stats.village_stats([a1, a2])
    p = make_person("丁一", "F", dt.date(1990, 1, 1), world.village_a1, 611)
    after = stats.village_stats([a1, a2])
    assert (after[a1].total, after[a1].women) == (before[a1].total + 1, before[a1].women + 1)

    from huanjie.people.models import Person

    p = Person.objects.get(pk=p.pk)
    p.hukou_village = world.village_a2
    p.save()
    moved = stats.village_stats([a1, a2])
    assert moved[a1].total == before[a1].total and moved[a2].total == before[a2].total + 1

    p.delete()
    gone = stats.village_stats([a1, a2])
    assert gone[a2].total == before[a2].total
    VillageStats.objects.all().delete()
    assert {k: v.total for k, v in stats.village_stats([a1, a2]).items()} == {k: v.total for k, v in gone.items()}
