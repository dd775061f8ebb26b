"""The one rounding rule, fed with the counts the seeds publish.

Seed 001: "51名社区党委成员中,社区工作者33名,占64.47%;楼道支部党员8名,占15.69%;社区民警6名,
占11.76%;辖区单位人员4名,占8.08%" and "大专以上有48人,占94.11%". Worked by hand:
33/51 = 0.647058… → 64.71 %; 8/51 = 0.156862… → 15.69 %; 6/51 = 0.117647… → 11.76 %;
4/51 = 0.078431… → 7.84 %; 48/51 = 0.941176… → 94.12 %. Two of the printed figures are wrong.
"""

from __future__ import annotations

import pytest

from huanjie.rules.errors import EngineError
from huanjie.rules.statistics import average, format_scaled, percent, point_change, shares


def test_seed_001_committee_origin_shares():
    got = shares([33, 8, 6, 4])
    assert [s.text for s in got] == ["64.71%", "15.69%", "11.76%", "7.84%"]
    assert sum(s.scaled for s in got) == 100_00
    assert got[0].with_counts == "64.71%（33/51）"
    # the printed 64.47 % and 8.08 % are not what the counts give
    assert got[0].text != "64.47%" and got[3].text != "8.08%"


def test_seed_001_college_share():
    assert percent(48, 51).text == "94.12%"


def test_half_up_at_the_boundary():
    # 1/8 = 12.5 % exactly; at one decimal... 1/16 = 6.25 % → 6.3 % at one place
    assert percent(1, 16, places=1).text == "6.3%"
    assert percent(1, 16).text == "6.25%"
    # 1/3 = 33.333… → 33.33, 2/3 = 66.666… → 66.67
    assert percent(1, 3).text == "33.33%" and percent(2, 3).text == "66.67%"


def test_largest_remainder_adds_up():
    got = shares([1, 1, 1])
    assert [s.text for s in got] == ["33.34%", "33.33%", "33.33%"]
    got = shares([2, 1, 1], places=0)
    assert [s.text for s in got] == ["50%", "25%", "25%"]
    got = shares([1, 1, 1, 1, 1, 1, 1])  # 14.2857… each: 100.00 needs one extra unit
    assert sum(s.scaled for s in got) == 10000


def test_parts_not_the_whole_round_on_their_own():
    got = shares([1, 1], whole=3)
    assert [s.text for s in got] == ["33.33%", "33.33%"]


def test_parts_larger_than_whole_refused():
    with pytest.raises(EngineError):
        shares([3, 3], whole=5)


def test_zero_denominator():
    assert percent(0, 0).text == "—"
    assert percent(0, 0).scaled is None


def test_seed_000_points_against_previous_term():
    # 409 of 1010 under 35 (40.5 %); a previous term of 307 of 1000 (30.7 %) → +9.8 points
    now, before = percent(409, 1010, places=1), percent(307, 1000, places=1)
    assert now.text == "40.5%"
    assert format_scaled(point_change(now, before), 1) == "9.8"
    assert point_change(before, now) == -98


def test_average_age():
    assert format_scaled(average(461, 10), 1) == "46.1"
    assert format_scaled(average(4353 * 3, 300, places=2), 2) == "43.53"
    assert average(0, 0) is None


def test_bad_counts():
    with pytest.raises(EngineError):
        percent(-1, 5)
    with pytest.raises(EngineError):
        percent(True, 5)


# A hand-made team of two villages, counted by hand at the cut-off date 2027-01-01:
#   V1: 张 (M, born 1970-03-01, age 56, 大学本科, party, secretary + director: 一肩挑, both bodies)
#       李 (F, born 1995-06-30, age 31, 大专, not party, committee member)
#       王 (M, born 1991-01-01, age 36, 高中, party, party committee only)
#   V2: 赵 (F, born 1992-01-02, age 34, 初中, party, secretary, party committee only)
#       钱 (M, born 1980-05-05, age 46, 中专, party, director, committee only)
# all: 5 cadres; women 2 (李, 赵); ≤35: 李 31, 赵 34 → 2 (王 is 36); ages 56+31+36+34+46 = 203,
# average 40.6; senior high or more: 张, 李, 王, 钱 → 4; college or more: 张, 李 → 2; party members 4;
# cross 1 (张); villages 2; 一肩挑 1 (V1); secretaries 2, of whom college 1 (张).
def _team():
    from datetime import date

    from huanjie.rules.statistics import Cadre

    return [
        Cadre("1", "V1", "M", date(1970, 3, 1), "大学本科", True, True, True, True, True),
        Cadre("2", "V1", "F", date(1995, 6, 30), "大专", False, False, True),
        Cadre("3", "V1", "M", date(1991, 1, 1), "高中", True, True, False),
        Cadre("4", "V2", "F", date(1992, 1, 2), "初中", True, True, False, True, False),
        Cadre("5", "V2", "M", date(1980, 5, 5), "中专", True, False, True, False, True),
    ]


def test_structure_counts_by_hand():
    from datetime import date

    from huanjie.rules.statistics import structure_counts

    c = structure_counts(_team(), date(2027, 1, 1))
    assert (c.cadres, c.women, c.young, c.age_sum) == (5, 2, 2, 203)
    assert format_scaled(c.average_age, 1) == "40.6"
    assert (c.senior_high_plus, c.college_plus, c.party_members, c.cross_members) == (4, 2, 4, 1)
    assert (c.villages, c.yijiantiao_villages, c.secretaries, c.secretaries_college) == (2, 1, 2, 1)
    assert c.share("women").text == "40.00%"
    committee = structure_counts(_team(), date(2027, 1, 1), body="committee")
    # 张, 李, 钱: party members 张, 钱 → 2 of 3 = 66.666… → 66.67 %
    assert (committee.cadres, committee.party_members) == (3, 2)
    assert committee.share("party_members").text == "66.67%"
    party = structure_counts(_team(), date(2027, 1, 1), body="party")
    assert (party.cadres, party.women, party.young) == (3, 1, 1)


def test_turnover():
    from datetime import date

    from huanjie.rules.statistics import Cadre, turnover

    before = _team()[:3] + [Cadre("9", "V2", "M", date(1960, 1, 1))]
    assert turnover(_team(), before) == {"new_entrants": 2, "leaving": 1, "staying": 3}
