"""村民代表 shares (R38, VCL Art. 25), the basis of representation and 四长合一 — worked cases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huanjie.rules import representatives_meeting
from huanjie.rules.errors import EngineError
from huanjie.rules.villageposts import (
    GroupLeader,
    Representative,
    four_in_one,
    meeting_makeup,
    representatives_check,
)


def reps(women: int, men: int, party: int = 0, group: str = "一组", households=None) -> list[Representative]:
    out = [Representative(group, True, i < party, households) for i in range(women)]
    out += [Representative(group, False, women + i < party, households) for i in range(men)]
    return out


def codes(result) -> set[str]:
    return {f["code"] for f in result["findings"]}


def test_worked_case_five_committee_members_need_twenty_representatives():
    # 5 committee members + 20 representatives = 25; 20*5 = 100 >= 25*4 = 100: exactly 4/5 passes (R2).
    r = representatives_check(reps(9, 11, party=5), committee_members=5, basis="group", groups=["一组"])
    assert r["meeting_members"] == 25
    assert r["representatives_ok"] is True
    assert r["representatives_share"].with_counts == "80.00%（20/25）"
    # 9 women of 25 = 36 %: 9*3 = 27 >= 25.
    assert r["women_ok"] is True and r["women_share"].with_counts == "36.00%（9/25）"
    assert r["party_share"].with_counts == "25.00%（5/20）" and r["party_ok"] is True
    assert r["publishable"] is True and r["findings"] == []


def test_nineteen_representatives_for_five_members_is_short_of_four_fifths():
    r = representatives_check(reps(9, 10, party=5), committee_members=5, basis="group", groups=["一组"])
    assert r["representatives_ok"] is False and r["publishable"] is False
    text = next(f["text"] for f in r["findings"] if f["code"] == "representatives_share")
    assert "至少需要20名村民代表" in text and "79.17%" in text


def test_women_exactly_one_third_of_the_meeting_passes_one_less_fails():
    # 4 members + 26 reps = 30; 10 women: 10*3 = 30 >= 30 passes; 9 fails.
    ok = representatives_check(reps(10, 16, party=6), committee_members=4, basis="group")
    assert ok["women_ok"] is True
    short = representatives_check(reps(9, 17, party=6), committee_members=4, basis="group")
    assert short["women_ok"] is False and "women_share" in codes(short)
    assert "至少需要10人" in next(f["text"] for f in short["findings"] if f["code"] == "women_share")


def test_party_share_below_policy_is_a_warning_only():
    r = representatives_check(reps(10, 16, party=5), committee_members=4, basis="group", party_share_min=(1, 5))
    # 5/26 < 1/5 (5*5 = 25 < 26).
    assert r["party_ok"] is False and r["publishable"] is True
    assert [f["severity"] for f in r["findings"]] == ["warning"]
    exact = representatives_check(reps(10, 15, party=5), committee_members=4, basis="group", party_share_min=(1, 5))
    assert exact["party_ok"] is True  # 5/25 is exactly 1/5


def test_households_basis_five_to_fifteen_inclusive():
    people = [Representative("一组", True, True, 5, "张三"), Representative("一组", False, False, 15, "李四"),
              Representative("一组", False, False, 16, "王五"), Representative("一组", True, False, 4, "赵六"),
              Representative("一组", True, False, None, "钱七")]
    r = representatives_check(people, committee_members=1, basis="households")
    texts = [f["text"] for f in r["findings"] if f["code"].startswith("households")]
    assert len(texts) == 3
    assert any(t.startswith("王五：由16户推选") for t in texts)
    assert any(t.startswith("赵六：由4户推选") for t in texts)
    assert any(t.startswith("钱七：按户推选时应填写") for t in texts)


def test_group_basis_each_group_needs_a_representative():
    r = representatives_check(reps(8, 8, party=4, group="一组"), committee_members=3, basis="group",
                              groups=["一组", "二组"])
    assert "group_without_representative" in codes(r)
    assert "二组尚未推选村民代表" in r["findings"][-1]["text"]


def test_no_representatives_is_not_publishable():
    r = representatives_check([], committee_members=5, basis="group")
    assert r["publishable"] is False and codes(r) == {"no_representatives"}
    assert r["party_share"].text == "—"


@pytest.mark.parametrize("bad", [{"committee_members": -1}, {"basis": "by_lot"}, {"party_share_min": (2, 1)},
                                 {"party_share_min": (1.0, 5)}])
def test_bad_input_is_an_engine_error(bad):
    kw = {"committee_members": 3, "basis": "group", **bad}
    with pytest.raises(EngineError):
        representatives_check(reps(3, 3), **kw)


def test_four_in_one_counts_over_groups_with_a_leader():
    leaders = [
        GroupLeader("一组", True, True, True, True),
        GroupLeader("二组", True, True, False, True),
        GroupLeader("三组", False, False, False, False),
    ]
    r = four_in_one(["一组", "二组", "三组", "四组"], leaders)
    assert r["without_leader"] == ["四组"]
    assert r["leader_share"].with_counts == "75.00%（3/4）"
    assert r["party_share"].with_counts == "66.67%（2/3）"
    assert r["party_group_leader_share"].with_counts == "66.67%（2/3）"
    assert r["four_in_one_share"].with_counts == "33.33%（1/3）"
    with pytest.raises(EngineError):
        four_in_one(["一组"], [GroupLeader("一组"), GroupLeader("一组")])


@given(members=st.integers(0, 400), data=st.data())
def test_makeup_agrees_with_the_fractions_and_with_the_meeting_rule(members, data):
    r = data.draw(st.integers(0, members))
    w = data.draw(st.integers(0, r))
    m = meeting_makeup(members, r, w)
    from fractions import Fraction

    assert m["representatives_ok"] == (members == 0 or Fraction(r, members) >= Fraction(4, 5))
    assert m["women_ok"] == (members == 0 or Fraction(w, members) >= Fraction(1, 3))
    # The meeting rule (R38) reads the same make-up.
    meeting = representatives_meeting(members, members, 0, representatives=r, women=w)
    assert (meeting["representatives_ok"], meeting["women_ok"]) == (m["representatives_ok"], m["women_ok"])
