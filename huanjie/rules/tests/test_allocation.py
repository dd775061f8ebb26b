"""Delegate seats per election unit (R62, seed 002 三、第一步): hand-computed cases and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huanjie.rules import EngineError, run_case
from huanjie.rules.allocation import UnitShare, allocate_delegates, largest_remainder
from huanjie.rules.statistics import shares


def seats(allocation) -> dict[str, int]:
    return {r.key: r.seats for r in allocation.rows}


def test_reserved_seats_and_a_unit_with_very_few_members():
    # total 10, 1 reserved for a nominee of the township committee in C: pool 9, members 102.
    # D: 9×2/102 = 0.18 < 1 → D gets the minimum 1. Rest: pool 8 over 100 members:
    # A 8×50/100 = 4.00, B 2.40, C 1.60 → wholes 4+2+1 = 7, one seat left → C (remainder .60 > .40).
    a = allocate_delegates([UnitShare("A", 50), UnitShare("B", 30), UnitShare("C", 20, reserved=1),
                            UnitShare("D", 2)], 10)
    assert (a.total, a.reserved, a.pool, a.members) == (10, 1, 9, 102)
    assert seats(a) == {"A": 4, "B": 2, "C": 3, "D": 1}
    c = a.rows[2]
    assert (c.whole, c.remainder_seat, c.elected, c.reserved, c.quota_text) == (1, True, 2, 1, "1.60")
    d = a.rows[3]
    assert d.minimum_applied and d.quota_text == "—" and d.elected == 1
    assert a.ties == []


def test_tie_in_remainders_goes_to_the_unit_with_more_members():
    # pool 9 over 18 members: A 9×5/18 = 2.5, B 3.5, C 3.0 → wholes 8, one seat left;
    # A and B both have remainder .5: B has 7 members, A 5 → B.
    a = allocate_delegates([UnitShare("A", 5), UnitShare("B", 7), UnitShare("C", 6)], 9)
    assert seats(a) == {"A": 2, "B": 4, "C": 3}
    assert a.ties == ["A", "B"]
    assert not a.rows[2].tie_broken


def test_tie_with_equal_members_goes_to_the_unit_listed_first():
    # 10 seats over three units of 10 members: 3.33 each, one seat left, all remainders equal → A.
    a = allocate_delegates([UnitShare("A", 10), UnitShare("B", 10), UnitShare("C", 10)], 10)
    assert seats(a) == {"A": 4, "B": 3, "C": 3}
    assert a.ties == ["A", "B", "C"]
    b = allocate_delegates([UnitShare("C", 10), UnitShare("B", 10), UnitShare("A", 10)], 10)
    assert seats(b) == {"A": 3, "B": 3, "C": 4}


def test_minimum_cascades_when_the_others_shares_fall():
    # pool 6 over 11 members: A and B 6/11 < 1 → 1 each. Then pool 4 over 9: C 4×2/9 = 0.89 < 1
    # (its first share 12/11 was above 1) → 1. Then D gets the 3 left.
    a = allocate_delegates([UnitShare("A", 1), UnitShare("B", 1), UnitShare("C", 2), UnitShare("D", 7)], 6)
    assert seats(a) == {"A": 1, "B": 1, "C": 1, "D": 3}
    assert [r.minimum_applied for r in a.rows] == [True, True, True, False]


def test_exact_quotas_need_no_remainder():
    a = allocate_delegates([UnitShare("一支部", 120), UnitShare("二支部", 60), UnitShare("机关", 20)], 150)
    assert seats(a) == {"一支部": 90, "二支部": 45, "机关": 15}
    assert not any(r.remainder_seat for r in a.rows)


@pytest.mark.parametrize(
    "units,total,path,text",
    [
        ([UnitShare("A", 0)], 5, "inputs.units[0].members", "党员人数"),
        ([UnitShare("A", 3), UnitShare("A", 4)], 5, "inputs.units[1].key", "重复"),
        ([UnitShare("A", 3, reserved=-1)], 5, "inputs.units[0].reserved", "保留名额"),
        ([UnitShare("A", 3, reserved=4), UnitShare("B", 3)], 5, "inputs.total", "不足2个选举单位"),
        ([], 5, "inputs.units", "没有选举单位"),
        ([UnitShare("A", 3)], 0, "inputs.total", "代表名额"),
    ],
)
def test_bad_input_names_the_unit_and_field(units, total, path, text):
    with pytest.raises(EngineError) as e:
        allocate_delegates(units, total)
    assert e.value.path == path and text in e.value.message


def test_engine_case():
    out = run_case({"kind": "delegate_allocation", "inputs": {"total": 9, "units": [
        {"unit": "A", "members": 5}, {"unit": "B", "members": 7}, {"unit": "C", "members": 6}]}})
    assert [(u["unit"], u["seats"], u["tie_broken"]) for u in out["units"]] == [
        ("A", 2, True), ("B", 4, True), ("C", 3, False)]


def test_shares_still_add_up_to_100_percent_with_the_shared_method():
    # 1/3 each: 33.33 + 33.33 + 33.33 = 99.99; the missing 0.01 to the first (equal counts)
    assert [s.value for s in shares([1, 1, 1])] == ["33.34", "33.33", "33.33"]
    assert largest_remainder([1, 1, 1], 10000)[0] == [3334, 3333, 3333]


unit_lists = st.lists(
    st.tuples(st.integers(1, 400), st.integers(0, 3)), min_size=1, max_size=12
)


@settings(max_examples=300, deadline=None)
@given(unit_lists, st.integers(1, 300), st.integers(0, 2))
def test_properties(raw, total, minimum):
    units = [UnitShare(f"U{i}", m, r) for i, (m, r) in enumerate(raw)]
    if total - sum(r for _, r in raw) < minimum * len(units):
        with pytest.raises(EngineError):
            allocate_delegates(units, total, minimum)
        return
    a = allocate_delegates(units, total, minimum)
    # every seat is given, none twice
    assert sum(r.seats for r in a.rows) == total
    assert sum(r.elected for r in a.rows) == a.pool
    for u, r in zip(units, a.rows, strict=True):
        # every unit at least the minimum of its own, plus its reserved seats
        assert r.elected >= minimum and r.seats == r.elected + u.reserved
        if not r.minimum_applied:
            # the whole part of its share, or one more (Hamilton)
            assert r.quota_numerator // r.quota_denominator == r.whole
            assert r.elected in (r.whole, r.whole + 1)
    # more members never means fewer elected seats
    for x in a.rows:
        for y in a.rows:
            if x.members > y.members:
                assert x.elected >= y.elected
                assert not (x.minimum_applied and not y.minimum_applied)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 500), min_size=1, max_size=10, unique=True), st.integers(1, 300))
def test_order_matters_only_for_ties(members, total):
    """With distinct member counts the tie rule never reaches the order, so listing the units in
    another order gives the same seats; without a minimum, it is plain Hamilton on the members."""
    units = [UnitShare(f"U{m}", m) for m in members]
    a = allocate_delegates(units, total, minimum=0)
    b = allocate_delegates(list(reversed(units)), total, minimum=0)
    assert seats(a) == seats(b)
    assert [r.elected for r in a.rows] == largest_remainder(members, total)[0]


def test_delegate_structure_by_hand():
    import datetime as dt

    from huanjie.rules.congress import DelegateFacts, delegate_structure

    on = dt.date(2027, 1, 1)
    # members: 10, of whom 3 women (30 %), 1 minority (10 %)
    members = ([DelegateFacts("F", dt.date(1990, 1, 1))] * 3 + [DelegateFacts("M", dt.date(1960, 1, 1), "回族")]
               + [DelegateFacts("M", dt.date(1970, 1, 1))] * 6)
    # delegates: 5 — 1 woman (20 % < 30 %), 1 minority (20 % ≥ 10 %), born 1987-01-01 is 40 on the day
    # (40岁以下 includes 40): 3 of 5 = 60 %; education 4 of 5 junior high or more = 80 %
    delegates = [DelegateFacts("F", dt.date(1987, 1, 1), education="41"),
                 DelegateFacts("M", dt.date(1985, 12, 31), "回族", "21"),  # 41
                 DelegateFacts("M", dt.date(1995, 5, 5), education="31"),
                 DelegateFacts("M", dt.date(1992, 5, 5), education="61"),
                 DelegateFacts("M", dt.date(1960, 5, 5), education="")]
    rows = {r.key: r for r in delegate_structure(delegates, members, on)}
    assert (rows["women"].share.with_counts, rows["women"].ok) == ("20.00%（1/5）", False)
    assert "30.00%（3/10）" in rows["women"].target
    assert rows["minority"].ok is True
    assert (rows["young"].share.numerator, rows["young"].ok) == (3, True)
    assert (rows["education"].share.numerator, rows["education"].ok) == (4, True)
    assert all(r.ok is None for r in delegate_structure([], members, on))


def test_delegate_structure_cadres_and_front_line_by_hand():
    """Seed 003 (二)(2): cadres at most 50 %, front-line members at least 30 %, counted from the
    candidates' categories; an unrecorded category counts in the denominator only."""
    import datetime as dt

    from huanjie.rules.congress import DelegateFacts, delegate_structure

    on, born = dt.date(2027, 1, 1), dt.date(1980, 1, 1)
    members = [DelegateFacts("M", born)] * 10

    def of(*cats):
        return [DelegateFacts("M", born, category=c) for c in cats]

    # 10 delegates: 5 cadres (50 % = the ceiling, allowed), 3 front line (30 % = the floor, met)
    rows = {r.key: r for r in delegate_structure(
        of(*["cadre"] * 5, *["front_line"] * 3, "professional", None), members, on)}
    assert (rows["cadre"].share.with_counts, rows["cadre"].ok) == ("50.00%（5/10）", True)
    assert (rows["front_line"].share.with_counts, rows["front_line"].ok) == ("30.00%（3/10）", True)
    assert rows["cadre"].target == "不超过50%" and rows["front_line"].target == "不少于30%"
    # 7 delegates: 4 cadres (57.14 % > 50 %), 2 front line (28.57 % < 30 %)
    rows = {r.key: r for r in delegate_structure(of(*["cadre"] * 4, *["front_line"] * 2, "model"), members, on)}
    assert (rows["cadre"].share.numerator, rows["cadre"].share.denominator, rows["cadre"].ok) == (4, 7, False)
    assert (rows["front_line"].share.numerator, rows["front_line"].ok) == (2, False)
    # the policy values can be given per congress
    rows = {r.key: r for r in delegate_structure(of(*["cadre"] * 4, *["front_line"] * 2, "model"), members, on,
                                                 {"cadre_max_percent": 70, "front_line_min_percent": 20})}
    assert rows["cadre"].ok is True and rows["front_line"].ok is True
    empty = {r.key: r for r in delegate_structure([], members, on)}
    assert empty["cadre"].ok is None and empty["front_line"].ok is None
