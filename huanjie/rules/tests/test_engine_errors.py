"""Bad input never crashes the engine: a JSON result (exit 0) or a JSON error (exit 2)."""

from __future__ import annotations

import io
import json
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huanjie.rules.counting import COUNT_KINDS
from huanjie.rules.engine import KINDS, main

ALL_KINDS = sorted(KINDS) + list(COUNT_KINDS)


def run_bytes(data: bytes, monkeypatch) -> tuple[int, dict]:
    out = io.BytesIO()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out, encoding="utf-8"))
    code = main(["-"])
    sys.stdout.flush()
    return code, json.loads(out.getvalue().decode("utf-8"))


@pytest.mark.parametrize(
    ("data", "code"),
    [
        pytest.param(b"not json", "invalid_json", id="not-json"),
        pytest.param(b"\xff\xfe", "invalid_json", id="not-utf8"),
        pytest.param(b"[1, 2]", "wrong_type", id="not-an-object"),
        pytest.param(b'{"kind": "lottery"}', "unknown_kind", id="unknown-kind"),
        pytest.param(
            b'{"kind": "calendar", "config": {"proxy.max": 3}, "inputs": {}}',
            "unknown_switch",
            id="unknown-switch",
        ),
        pytest.param(
            b'{"kind": "calendar", "config": {"jurisdiction": "hubei"}, "inputs": {}}',
            "unknown_jurisdiction",
            id="unknown-jurisdiction",
        ),
        pytest.param(
            b'{"kind": "calendar", "config": {"proxy.max_per_agent": -1}, "inputs": {}}',
            "invalid_switch_value",
            id="bad-switch-value",
        ),
        pytest.param(b'{"kind": "calendar", "inputs": {}}', "missing_field", id="missing-field"),
        pytest.param(
            b'{"kind": "calendar", "inputs": {"election_date": "2026-02-30"}}', "invalid_date", id="bad-date"
        ),
        pytest.param(
            b'{"kind": "recall", "inputs": {"registered_voters": -5}}', "negative_number", id="negative"
        ),
        pytest.param(b"[" * 100000, "invalid_json", id="deep-nesting"),
    ],
)
def test_bad_input_gives_json_error_and_exit_2(data, code, monkeypatch):
    rc, out = run_bytes(data, monkeypatch)
    assert rc == 2
    assert out["error"]["code"] == code
    assert set(out["error"]) == {"code", "message", "path"}


def test_path_points_at_the_field(monkeypatch):
    case = {
        "kind": "village_committee",
        "inputs": {
            "registered_voters": 10,
            "ballots_issued": 6,
            "ballots_returned": 6,
            "races": [{"post": "主任", "seats": 1, "candidates": ["甲"], "votes": {"乙": 3}}],
        },
    }
    rc, out = run_bytes(json.dumps(case).encode(), monkeypatch)
    assert rc == 2
    assert out["error"] == {
        "code": "unknown_candidate",
        "message": out["error"]["message"],
        "path": "inputs.races[0].votes",
    }


def test_usage_error(capsysbinary):
    assert main([]) == 2
    assert json.loads(capsysbinary.readouterr().out)["error"]["code"] == "usage"
    assert main(["/nonexistent/case.json"]) == 2


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 10**6)
    | st.floats(allow_nan=False)
    | st.text(max_size=6)
    | st.sampled_from(["甲", "乙", "主任", "委员", "2026-05-10"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(max_size=8)
            | st.sampled_from(["name", "post", "seats", "votes", "id", "approve", "candidates"]),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)
FIELDS = [
    "registered_voters",
    "ballots_issued",
    "ballots_returned",
    "races",
    "ballots",
    "election_date",
    "persons",
    "proxies",
    "names",
    "ids",
    "labels",
    "candidates",
    "stage",
    "members_total",
    "present_with_vote",
    "expected_attendance",
    "pairs",
    "boxes",
    "delegates",
    "seats",
    "nominations",
    "petitions",
    "votes",
    "cutoff_date",
    "policy",
    "committee_members",
    "present",
    "unit_seats",
    "delegates_planned",
]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(ALL_KINDS),
    inputs=st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6),
    config=st.sampled_from([{}, {"jurisdiction": "zhejiang"}, {"ballot.extra_mark_invalid": "x"}]),
)
def test_junk_inputs_never_crash(kind, inputs, config, monkeypatch):
    rc, out = run_bytes(
        json.dumps({"kind": kind, "config": config, "inputs": inputs}, ensure_ascii=False).encode(),
        monkeypatch,
    )
    assert rc in (0, 2)
    if rc == 2:
        assert out["error"]["code"] != "internal_error", out
    else:
        assert "error" not in out


ballot = st.fixed_dictionaries(
    {"id": st.integers(0, 30)},
    optional={
        "approve": st.lists(st.sampled_from(["甲", "乙", "丙", "丁", 3, None]), max_size=4),
        "oppose": st.lists(st.sampled_from(["甲", "乙", "丙"]), max_size=2),
        "write_in": st.lists(st.sampled_from(["白云", "甲", ""]), max_size=2),
        "unreadable": st.sampled_from([True, False, "yes"]),
        "unreadable_entries": st.sampled_from([0, 1, 2, -1, [1]]),
        "extra_mark": st.booleans(),
        "write_in_marked": st.sampled_from([True, False, [True], []]),
    },
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(list(COUNT_KINDS)),
    ballots=st.lists(ballot, max_size=8),
    seats=st.sampled_from([1, 2, 0, -1, "2"]),
    stage=st.sampled_from(["first", "runoff", "tie_revote", "final"]),
    jurisdiction=st.sampled_from(["national", "zhejiang", "henan"]),
)
def test_junk_ballots_never_crash(kind, ballots, seats, stage, jurisdiction, monkeypatch):
    n = len(ballots)
    case = {
        "kind": kind,
        "config": {"jurisdiction": jurisdiction},
        "inputs": {
            "stage": stage,
            "registered_voters": 2 * n + 1,
            "expected_attendance": n,
            "present_with_vote": n,
            "present": n,
            "committee_members": ["甲", "乙", "丙", "丁"],
            "ballots_issued": n,
            "races": [{"post": "委员", "seats": seats, "candidates": ["甲", "乙", "丙"], "ballots": ballots}],
        },
    }
    rc, out = run_bytes(json.dumps(case, ensure_ascii=False).encode(), monkeypatch)
    assert rc in (0, 2)
    if rc == 2:
        assert out["error"]["code"] != "internal_error", out
