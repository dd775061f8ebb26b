"""Properties of the count (hypothesis): R1, R23, R26–R29, R31–R32, R58–R59."""

from __future__ import annotations

import json
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from huanjie.rules import majority_threshold, runoff_threshold
from huanjie.rules.engine import run_case

NAMES = ["甲", "乙", "丙", "丁", "王五", "张三", "李四", "丁一"]
SETTINGS = settings(max_examples=100, deadline=None)


@st.composite
def elections(draw, kind="village_committee"):
    n_cands = draw(st.integers(2, 5))
    names = draw(st.permutations(NAMES))[:n_cands]
    seats = draw(st.integers(1, min(3, n_cands)))
    ballots = draw(
        st.lists(st.lists(st.sampled_from(names), max_size=seats + 1, unique=True), min_size=1, max_size=40)
    )
    stage = draw(st.sampled_from(["first", "runoff", "tie_revote"]))
    return {"names": names, "seats": seats, "ballots": ballots, "stage": stage, "kind": kind}


def ballot_case(e, ballots=None, names=None):
    ballots = e["ballots"] if ballots is None else ballots
    n = len(ballots)
    inputs = {
        "stage": e["stage"],
        "registered_voters": n + n // 2,
        "ballots_issued": n,
        "ballots_returned": n,
        "races": [
            {
                "post": "委员",
                "seats": e["seats"],
                "candidates": [{"name": x, "gender": "M"} for x in (names or e["names"])],
                "ballots": [{"id": i, "approve": b} for i, b in ballots],
            }
        ],
    }
    if e["kind"] != "village_committee":
        inputs.update({"expected_attendance": n + 1, "present_with_vote": n})
    return {"kind": e["kind"], "inputs": inputs}


def numbered(e):
    return list(enumerate(e["ballots"]))


def aggregated_case(e):
    valid = [b for b in e["ballots"] if len(b) <= e["seats"]]
    votes = Counter(x for b in valid for x in b)
    n = len(e["ballots"])
    inputs = {
        "stage": e["stage"],
        "registered_voters": n + n // 2,
        "ballots_issued": n,
        "ballots_returned": n,
        "races": [
            {
                "post": "委员",
                "seats": e["seats"],
                "candidates": [{"name": x, "gender": "M"} for x in e["names"]],
                "votes": dict(votes),
                "invalid_ballots": n - len(valid),
                "blank_ballots": sum(1 for b in valid if not b),
            }
        ],
    }
    if e["kind"] != "village_committee":
        inputs.update({"expected_attendance": n + 1, "present_with_vote": n})
    return {"kind": e["kind"], "inputs": inputs}


RESULT_FIELDS = (
    "election_valid",
    "threshold",
    "participation_base",
    "elected",
    "unfilled",
    "tie_revote",
    "runoff",
    "tally",
)


@SETTINGS
@given(e=st.one_of(elections(), elections("party_branch")))
def test_never_more_elected_than_seats(e):
    out = run_case(ballot_case(e, numbered(e)))
    assert len(out["elected"]) <= e["seats"]
    pending = out["tie_revote"]["seats"] if out["tie_revote"] else 0
    if out["election_valid"]:
        assert len(out["elected"]) + pending + sum(u["seats"] for u in out["unfilled"]) == e["seats"]


@SETTINGS
@given(e=st.one_of(elections(), elections("party_branch")))
def test_ballot_by_ballot_equals_aggregated_totals(e):
    by_ballot = run_case(ballot_case(e, numbered(e)))
    aggregated = run_case(aggregated_case(e))
    for field in RESULT_FIELDS:
        assert by_ballot[field] == aggregated[field], field


@SETTINGS
@given(e=elections(), data=st.data())
def test_input_order_never_changes_the_result(e, data):
    first = run_case(ballot_case(e, numbered(e)))
    shuffled_ballots = data.draw(st.permutations(numbered(e)))
    shuffled_names = data.draw(st.permutations(e["names"]))
    second = run_case(ballot_case(e, shuffled_ballots, shuffled_names))
    for field in ("election_valid", "threshold", "elected", "unfilled", "tie_revote", "runoff", "tally"):
        assert second[field] == first[field], field
    assert sorted(second["valid_ballots"]) == sorted(first["valid_ballots"])
    assert sorted(b["id"] for b in second["invalid_ballots"]) == sorted(
        b["id"] for b in first["invalid_ballots"]
    )


@SETTINGS
@given(e=elections())
def test_rerun_is_byte_identical(e):
    case = ballot_case(e, numbered(e))
    a = json.dumps(run_case(case), ensure_ascii=False, sort_keys=True)
    b = json.dumps(run_case(json.loads(json.dumps(case))), ensure_ascii=False, sort_keys=True)
    assert a == b


@SETTINGS
@given(e=st.one_of(elections(), elections("party_branch")), data=st.data())
def test_one_more_vote_never_unelects(e, data):
    e = dict(e, stage=data.draw(st.sampled_from(["first", "runoff"])))
    before = run_case(ballot_case(e, numbered(e)))
    if not before["elected"]:
        return
    winner = data.draw(st.sampled_from([x["name"] for x in before["elected"]]))
    spare = [i for i, b in enumerate(e["ballots"]) if winner not in b and len(b) < e["seats"]]
    if not spare:
        return
    j = data.draw(st.sampled_from(spare))
    ballots = [list(b) for b in e["ballots"]]
    ballots[j].append(winner)
    after = run_case(ballot_case(dict(e, ballots=ballots), list(enumerate(ballots))))
    assert winner in [x["name"] for x in after["elected"]]


@settings(max_examples=300, deadline=None)
@given(base=st.integers(0, 5000))
def test_thresholds_agree_with_brute_force(base):
    assert majority_threshold(base) == next(v for v in range(base + 2) if v * 2 > base)
    assert runoff_threshold(base) == next(v for v in range(1, base + 2) if v * 3 >= base)
