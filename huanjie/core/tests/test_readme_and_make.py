"""The README stays true and ``make run`` takes another port (issue 11)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def test_english_readme_no_longer_calls_the_election_workflow_next():
    english = (ROOT / "README.md").read_text(encoding="utf-8").split("## English", 1)[1]
    assert "(next)" not in english
    assert "village\ncommittee election workflow" in english or "village committee election workflow" in english


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_takes_another_port():
    out = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "8123" in out.stdout
