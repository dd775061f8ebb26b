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


def _explain(*args):
    result = run("--explain", *args)
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout)


def test_engine_explain_lists_the_version_in_force_on_the_day():
    # issue 16: an election on 2025-12-31 rests on the 2018 text, one on 2026-01-02 on the 2026
    # version, where the renumbered village law makes every 2018 article "not yet checked".
    code, before = _explain("national", "--date", "2025-12-31")
    assert code == 0
    assert (before["version"], before["effective"], before["in_force_until"]) == (
        "national-2018", "2018-12-29", "2025-12-31")
    code, after = _explain("national", "--date", "2026-01-02")
    assert code == 0
    assert (after["version"], after["effective"], after["in_force_until"]) == ("national-2026", "2026-01-01", None)
    r24_before = next(r for r in before["rules"] if r["rule"] == "R24")
    r24_after = next(r for r in after["rules"] if r["rule"] == "R24")
    assert r24_before["citation"] == "《村民委员会组织法》第十五条第二款"
    assert [s["status"] for s in r24_before["sources"]] == ["checked"]
    assert r24_after["citation"] == "《村民委员会组织法》（2018年修正文本）第十五条第二款"
    assert [(s["status"], s["status_zh"]) for s in r24_after["sources"]] == [
        ("unchecked", "沿用修订前文本，尚未与现行文本核对")]
    assert "unchecked" not in before["status_counts"] and after["status_counts"]["unchecked"] > 30
    assert [r["rule"] for r in before["rules"]][:3] == ["R1", "R2", "R3"]
    # R1–R70 and the policy items the pages cite (P7, P8, P11, P12, P17, P18, P21, P22)
    codes = [r["rule"] for r in before["rules"]]
    first_p = next(i for i, c in enumerate(codes) if c.startswith("P"))
    assert all(c.startswith("R") for c in codes[:first_p]) and len(codes[:first_p]) >= 70
    assert codes[first_p:] == ["P7", "P8", "P11", "P12", "P17", "P18", "P25", "P26"]


def test_engine_explain_refuses_bad_arguments_in_chinese():
    assert _explain("mars")[1]["error"]["code"] == "unknown_jurisdiction"
    code, out = _explain("zhejiang", "--date", "2026-02-30")
    assert code == 2 and out["error"]["code"] == "invalid_date" and "不存在的日期" in out["error"]["message"]
    code, out = _explain()
    assert code == 2 and out["error"]["code"] == "usage" and "--explain" in out["error"]["message"]
