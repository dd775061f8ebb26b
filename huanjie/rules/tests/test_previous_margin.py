"""R63 with seed 003 篇7 step 12: a unit's initial delegate candidates keep a margin of at least the
previous congress's share ("按照不低于上次代表差额比例"). Worked by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huanjie.rules.congress import margin_not_below_previous
from huanjie.rules.errors import EngineError


def test_previous_share_of_a_quarter():
    # last time 150 seats, 188 candidates: 38/150 = 25.33 %. A unit with 8 seats needs
    # 8*38/150 = 2.03 → 3 more candidates, so 11; 10 candidates (2/8 = 25 %) are below.
    low = margin_not_below_previous(8, 10, 150, 188)
    assert not low.ok and low.minimum == 11
    assert low.share.with_counts == "25.00%（2/8）" and low.previous.with_counts == "25.33%（38/150）"
    assert "上次代表差额比例25.33%（38/150）" in low.text and "至少需11人" in low.text
    assert margin_not_below_previous(8, 11, 150, 188).ok


def test_equal_share_is_enough():
    # 20 % last time (120 seats, 144 candidates); 5 seats with 6 candidates is exactly 20 %
    r = margin_not_below_previous(5, 6, 120, 144)
    assert r.ok and r.minimum == 6


def test_an_uncontested_previous_list_asks_nothing_more():
    r = margin_not_below_previous(3, 3, 100, 100)
    assert r.ok and r.minimum == 3


@pytest.mark.parametrize("args,path", [((0, 1, 100, 120), "seats"), ((3, 2, 100, 120), "candidates"),
                                       ((3, 4, 0, 0), "previous_seats"), ((3, 4, 100, 90), "previous_candidates")])
def test_bad_figures_name_the_field(args, path):
    with pytest.raises(EngineError) as exc:
        margin_not_below_previous(*args)
    assert exc.value.path == path and exc.value.message


@given(st.integers(1, 60), st.integers(0, 60), st.integers(1, 300), st.integers(0, 300))
def test_minimum_is_the_least_count_that_passes(seats, extra, prev_seats, prev_extra):
    r = margin_not_below_previous(seats, seats + extra, prev_seats, prev_seats + prev_extra)
    assert r.ok == (seats + extra >= r.minimum)
    assert margin_not_below_previous(seats, r.minimum, prev_seats, prev_seats + prev_extra).ok
    if r.minimum > seats:
        assert not margin_not_below_previous(seats, r.minimum - 1, prev_seats, prev_seats + prev_extra).ok


def test_check_targets_takes_whole_numbers_in_range_and_names_the_rest():
    from huanjie.rules.congress import check_targets

    assert check_targets({"young_age": " 35 ", "cadre_max_percent": "", "x": "9"}) == ({"young_age": 35}, {})
    targets, errors = check_targets({"young_age": "29", "young_percent": "-1", "education_percent": "８０",
                                     "front_line_min_percent": "30.5"})
    assert targets == {} and set(errors) == {"young_age", "young_percent", "education_percent",
                                             "front_line_min_percent"}
    assert errors["young_age"] == "「年轻代表的年龄上限（岁）」应为 30 至 50 的整数，收到“29”"
