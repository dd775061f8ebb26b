"""Helpers shared by the rules tests: build a counting case from a few arguments."""

from __future__ import annotations

from typing import Any

import pytest

from huanjie.rules.engine import run_case


def cands(*names: str, gender: str = "M") -> list[dict]:
    """Candidates as engine input; a name ending in ``:F`` / ``:M`` sets that person's gender."""
    out = []
    for n in names:
        if ":" in n:
            name, g = n.split(":")
            out.append({"name": name, "gender": g})
        else:
            out.append({"name": n, "gender": gender})
    return out


def village(
    races: list[dict],
    *,
    registered: int = 900,
    returned: int = 600,
    issued: int | None = None,
    kind: str = "village_committee",
    config: dict | None = None,
    **inputs: Any,
) -> dict:
    case = {
        "kind": kind,
        "config": config or {},
        "inputs": {
            "registered_voters": registered,
            "ballots_issued": returned if issued is None else issued,
            "ballots_returned": returned,
            "races": races,
            **inputs,
        },
    }
    return run_case(case)


def party(
    races: list[dict],
    *,
    expected: int,
    present: int,
    returned: int | None = None,
    issued: int | None = None,
    kind: str = "party_branch",
    config: dict | None = None,
    **inputs: Any,
) -> dict:
    returned = present if returned is None else returned
    case = {
        "kind": kind,
        "config": config or {},
        "inputs": {
            "expected_attendance": expected,
            "present_with_vote": present,
            "ballots_issued": returned if issued is None else issued,
            "ballots_returned": returned,
            "races": races,
            **inputs,
        },
    }
    return run_case(case)


def elected_names(out: dict) -> list[str]:
    return [e["name"] for e in out["elected"]]


@pytest.fixture
def run():
    return run_case
