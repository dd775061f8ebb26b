"""Every worked case in shared/spec/cases runs through the engine's command line and matches
every field of its ``expected`` (list items that are objects are matched on the keys given)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from huanjie.rules.engine import main

CASES = Path(__file__).parents[3].parent / "shared/spec/cases"
FILES = sorted(CASES.glob("*.json")) if CASES.is_dir() else []


def matches(expected, actual, path="expected") -> list[str]:
    """Differences between expected and actual; objects inside lists match on their given keys."""
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {expected!r}, got {actual!r}"]
        out = []
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            if isinstance(e, dict) and isinstance(a, dict):
                for k, v in e.items():
                    out += matches(v, a.get(k, "<missing>"), f"{path}[{i}].{k}")
            else:
                out += matches(e, a, f"{path}[{i}]")
        return out
    if expected != actual or type(expected) is not type(actual):
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    return []


def run_main(args, capsysbinary, stdin: bytes | None = None, monkeypatch=None) -> tuple[int, dict]:
    code = main(args)
    out = capsysbinary.readouterr().out
    return code, json.loads(out.decode("utf-8"))


@pytest.mark.skipif(
    not FILES, reason=f"SKIPPED LOUDLY: worked cases not found at {CASES} (shared/ must sit beside the repo)"
)
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_worked_case(path, capsysbinary):
    case = json.loads(path.read_text(encoding="utf-8"))
    code, out = run_main([str(path)], capsysbinary)
    assert code == 0, out
    problems = []
    for key, value in case["expected"].items():
        assert key in out, f"{path.name}: output lacks field {key}"
        problems += matches(value, out[key], key)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_cases_directory_present():
    if not FILES:
        pytest.skip(
            f"SKIPPED LOUDLY: no worked cases at {CASES}; the engine was not checked against the spec examples"
        )
    assert len(FILES) >= 8


@pytest.mark.skipif(not FILES, reason=f"worked cases not found at {CASES}")
def test_python_dash_m_and_stdin_are_byte_identical():
    path = FILES[0]
    root = Path(__file__).parents[3]
    a = subprocess.run(
        [sys.executable, "-m", "huanjie.rules.engine", str(path)], capture_output=True, cwd=root, check=False
    )
    b = subprocess.run(
        [sys.executable, "-m", "huanjie.rules.engine", "-"],
        input=path.read_bytes(),
        capture_output=True,
        cwd=root,
        check=False,
    )
    assert a.returncode == 0 and b.returncode == 0
    assert a.stdout == b.stdout
    assert a.stderr == b"" and b.stderr == b""
    text = a.stdout.decode("utf-8")
    assert "\\u" not in text  # UTF-8, not ASCII-escaped


def test_every_counting_field_present(capsysbinary, tmp_path):
    case = {
        "kind": "village_committee",
        "inputs": {
            "registered_voters": 10,
            "ballots_issued": 6,
            "ballots_returned": 6,
            "races": [{"post": "主任", "seats": 1, "candidates": ["甲", "乙"], "votes": {"甲": 4, "乙": 2}}],
        },
    }
    p = tmp_path / "c.json"
    p.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    code, out = run_main([str(p)], capsysbinary)
    assert code == 0
    for field in (
        "election_valid reason participation_base threshold quorum_met margin_ok tally valid_ballots invalid_ballots "
        "elected unfilled tie_revote runoff removed_for_avoidance not_counted ignored_write_ins warnings "
        "may_remain_vacant shortfall_action rule_basis report_for_approval"
    ).split():
        assert field in out, field
    assert out["threshold"] == 4  # 3*2 = 6 is not > 6


@pytest.mark.parametrize(
    ("case", "fields"),
    [
        pytest.param(
            {"kind": "party_attendance", "inputs": {"expected_attendance": 10, "present_with_vote": 9}},
            ["with_vote", "expected_attendance", "quorum_met", "election_may_proceed"],
            id="party_attendance",
        ),
        pytest.param(
            {
                "kind": "eligibility",
                "inputs": {
                    "election_date": "2026-05-10",
                    "persons": [{"name": "甲", "birth_date": "2000-01-01"}],
                },
            },
            ["decisions"],
            id="eligibility",
        ),
        pytest.param(
            {
                "kind": "voter_registration",
                "inputs": {
                    "election_date": "2026-05-10",
                    "registration_date": "2026-04-01",
                    "persons": [{"name": "甲", "hukou_here": True}],
                },
            },
            ["decisions"],
            id="voter_registration",
        ),
        pytest.param(
            {"kind": "proxies", "inputs": {"election_date": "2026-05-10", "proxies": []}},
            ["decisions", "publish_lists_by"],
            id="proxies",
        ),
        pytest.param(
            {
                "kind": "relations",
                "config": {"jurisdiction": "zhejiang"},
                "inputs": {"pairs": [{"a": "甲", "b": "乙", "relation": "夫妻"}]},
            },
            ["conflicts", "resolution"],
            id="relations",
        ),
        pytest.param(
            {"kind": "calendar", "inputs": {"election_date": "2026-05-10"}},
            [
                "list_publication_ok",
                "objection_deadline",
                "objection_on_time",
                "objection_decision_deadline",
                "candidate_list_latest",
                "voting_arrangements_latest",
                "withdrawal_latest",
                "proxy_filing_latest",
                "proxy_lists_published_by",
            ],
            id="calendar",
        ),
        pytest.param(
            {
                "kind": "recall",
                "inputs": {
                    "registered_voters": 100,
                    "reps_total": 30,
                    "petitions": [{"id": "p", "villager_signatures": 20}],
                    "votes": [{"id": "v", "ballots_returned": 60, "approve": 31}],
                },
            },
            ["petition_sufficient", "votes"],
            id="recall",
        ),
        pytest.param(
            {
                "kind": "mobile_boxes",
                "inputs": {
                    "boxes": [
                        {"id": "1", "township_approved": True, "voter_list_published": True, "scrutineers": 3}
                    ]
                },
            },
            ["compliant", "reasons"],
            id="mobile_boxes",
        ),
        pytest.param(
            {
                "kind": "residents_nomination",
                "inputs": {
                    "seats": 5,
                    "nominations": [{"name": "甲", "by_voters": 10}],
                    "size_proposals": [5],
                },
            },
            ["valid_nominees", "invalid_nominees", "uncontested_allowed", "size_valid"],
            id="residents_nomination",
        ),
        pytest.param(
            {
                "kind": "credentials",
                "inputs": {
                    "delegates": [
                        {
                            "name": "甲",
                            "unit": "一",
                            "unit_expected": 10,
                            "unit_present": 9,
                            "member_status": "formal",
                        }
                    ]
                },
            },
            ["decisions"],
            id="credentials",
        ),
        pytest.param(
            {"kind": "congress_size", "inputs": {"delegates_planned": 150, "unit_seats": 5, "candidates": 6}},
            ["size_ok", "margin_ok"],
            id="congress_size",
        ),
        pytest.param(
            {
                "kind": "sorting",
                "inputs": {
                    "names": ["张三", "王五"],
                    "method": "nomination_votes",
                    "nomination_votes": {"张三": 5, "王五": 5},
                },
            },
            ["order"],
            id="sorting",
        ),
        pytest.param(
            {"kind": "education_code", "inputs": {"labels": ["大学本科毕业"]}},
            ["codes", "categories"],
            id="education_code",
        ),
        pytest.param(
            {
                "kind": "candidate_policy",
                "inputs": {
                    "cutoff_date": "2021-01-01",
                    "candidates": [{"name": "甲", "gender": "M", "birth_date": "1980-01-01", "post": "委员"}],
                },
            },
            ["decisions", "team_checks"],
            id="candidate_policy",
        ),
    ],
)
def test_every_kind_has_its_fields(case, fields, tmp_path, capsysbinary):
    p = tmp_path / "c.json"
    p.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    code, out = run_main([str(p)], capsysbinary)
    assert code == 0, out
    for field in fields:
        assert field in out, field


def test_R70_sorting_by_nomination_votes_ties_by_stroke(tmp_path, capsysbinary):
    case = {
        "kind": "sorting",
        "inputs": {
            "method": "nomination_votes",
            "names": ["张三", "王五", "丁一"],
            "nomination_votes": {"张三": 30, "王五": 30, "丁一": 10},
        },
    }
    p = tmp_path / "c.json"
    p.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    _, out = run_main([str(p)], capsysbinary)
    assert out["order"] == ["王五", "张三", "丁一"]  # 30, 30 (王 4 strokes before 张 7), 10
