"""P3 / P17 review rules (huanjie.rules.review), table-driven from policy.md's text."""

from __future__ import annotations

import pytest

from huanjie.rules.errors import EngineError
from huanjie.rules.policy import DEFAULT_POLICY, get_policy
from huanjie.rules.review import (
    TierVerdict,
    check_verdict,
    negative_list,
    review_departments,
    review_outcome,
)

V, T, C = "village", "township", "county"
DEPTS = ["zuzhi", "gongan", "fayuan"]

# (case, verdicts, expected stage, expected waiting departments (county tier) or tier)
OUTCOMES = [
    ("nothing recorded: village pre-check first", [], V, [None]),
    ("village pending", [TierVerdict(V)], V, [None]),
    ("village passed → township", [TierVerdict(V, "pass")], T, [None]),
    ("township passed → every department waits", [TierVerdict(V, "pass"), TierVerdict(T, "pass")], C, DEPTS),
    (
        "two of three departments passed",
        [
            TierVerdict(V, "pass"),
            TierVerdict(T, "pass"),
            TierVerdict(C, "pass", "zuzhi"),
            TierVerdict(C, "pass", "fayuan"),
        ],
        C,
        ["gongan"],
    ),
    (
        "all three passed",
        [TierVerdict(V, "pass"), TierVerdict(T, "pass")] + [TierVerdict(C, "pass", d) for d in DEPTS],
        "passed",
        [],
    ),
    (
        "a department that is not named does not count",
        [TierVerdict(V, "pass"), TierVerdict(T, "pass"), TierVerdict(C, "pass", "other")],
        C,
        DEPTS,
    ),
    (
        "one fail among passes ends the case",
        [
            TierVerdict(V, "pass"),
            TierVerdict(T, "pass"),
            TierVerdict(C, "pass", "zuzhi"),
            TierVerdict(C, "fail", "gongan", "N02"),
            TierVerdict(C, "pending", "fayuan"),
        ],
        "failed",
        [],
    ),
    ("a village fail ends it before the township", [TierVerdict(V, "fail", None, "N09")], "failed", []),
]


@pytest.mark.parametrize("name,verdicts,stage,waiting", OUTCOMES, ids=[o[0] for o in OUTCOMES])
def test_review_outcome(name, verdicts, stage, waiting):
    out = review_outcome(verdicts, DEPTS)
    assert out.stage == stage
    assert [w.department for w in out.waiting] == waiting
    assert out.passed == (stage == "passed") and out.failed == (stage == "failed")


def test_failure_names_the_department_and_item():
    out = review_outcome(
        [TierVerdict(V, "pass"), TierVerdict(T, "pass"), TierVerdict(C, "fail", "gongan", "N02")], DEPTS
    )
    assert (out.failure.department, out.failure.negative_item) == ("gongan", "N02")


def test_no_department_means_no_pass():
    # A joint review with nobody to sign cannot be passed (P17: every department named records a verdict).
    assert review_outcome([TierVerdict(V, "pass"), TierVerdict(T, "pass")], []).stage == C


CHECKS = [
    ("pass", "", None),
    ("fail", "N02", None),
    ("fail", "", "negative_item_required"),
    ("fail", "N11", "unknown_negative_item"),  # seed 004 has ten items, N01–N10
    ("pass", "N02", "negative_item_on_pass"),
    ("maybe", "", "unknown_verdict"),
]


@pytest.mark.parametrize("verdict,item,error", CHECKS)
def test_check_verdict(verdict, item, error):
    codes = [i["code"] for i in negative_list({})]
    if error is None:
        check_verdict(verdict, item, codes)
    else:
        with pytest.raises(EngineError) as exc:
            check_verdict(verdict, item, codes)
        assert exc.value.code == error


def test_default_negative_list_is_ten_items():
    items = negative_list({})
    assert [i["code"] for i in items] == [f"N{n:02d}" for n in range(1, 11)]
    assert "村霸" in items[1]["text"]


def test_campaign_negative_list_replaces_default_and_is_checked():
    assert negative_list({"negative_list": [{"code": "X", "text": "t"}]}) == [{"code": "X", "text": "t"}]
    with pytest.raises(EngineError):
        negative_list({"negative_list": [{"code": "X", "text": "a"}, {"code": "X", "text": "b"}]})


DEPT_CASES = [
    ({}, ["zuzhi", "gongan", "fayuan"], None),
    ({"review_departments": ["fayuan", "zuzhi"]}, ["zuzhi", "fayuan"], None),  # in the known order
    ({"review_departments": ["nobody"]}, None, "invalid_policy_value"),
    ({"review_departments": []}, None, "invalid_policy_value"),
    ({"review_departments": "gongan"}, None, "invalid_policy_value"),
]


@pytest.mark.parametrize("policy,expected,error", DEPT_CASES)
def test_review_departments(policy, expected, error):
    if error:
        with pytest.raises(EngineError) as exc:
            review_departments(policy, DEPTS)
        assert exc.value.code == error
    else:
        assert review_departments(policy, DEPTS) == expected


def test_P17_review_departments_is_a_policy_value_beside_the_others():
    policy = get_policy({"review_departments": ["gongan"], "notice_days": 7})
    assert policy["review_departments"] == ["gongan"] and policy["notice_days"] == 7
    assert DEFAULT_POLICY["review_departments"] is None  # every department reviews
    with pytest.raises(EngineError):
        get_policy({"review_departments": "gongan"})
