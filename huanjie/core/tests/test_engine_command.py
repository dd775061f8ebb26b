"""`huanjie engine` is wired to the rules engine and answers without starting Django."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "huanjie.cli", "engine", *args], input=stdin,
                          capture_output=True, text=True, cwd=ROOT)


def test_engine_reads_stdin_and_prints_json():
    # ex01 shape: 618 of 1000 voted, 618*2=1236 > 1000 valid; threshold v*2 > 618 -> 310
    case = {"kind": "village_committee", "config": {"jurisdiction": "national"}, "inputs": {
        "registered_voters": 1000, "ballots_issued": 620, "ballots_returned": 618,
        "races": [{"post": "主任", "seats": 1, "candidates": [{"name": "张伟", "gender": "M"}, {"name": "李娜", "gender": "F"}],
                   "votes": {"张伟": 350, "李娜": 250}, "invalid_ballots": 10, "blank_ballots": 8}]}}
    result = run("-", stdin=json.dumps(case, ensure_ascii=False))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["threshold"] == 310 and out["elected"] == [{"name": "张伟", "post": "主任", "votes": 350}]
    assert "张伟" in result.stdout  # UTF-8, not ASCII-escaped


def test_engine_error_is_json_with_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = run(str(bad))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    error = json.loads(result.stdout)["error"]
    assert error["code"] and error["message"]
