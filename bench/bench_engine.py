"""Benchmark: counting 100,000 ballot-by-ballot sheets with 4 posts (target: under 1 s).

Run: ``.venv/bin/python bench/bench_engine.py [N]``. Prints the time of the real engine
(``run_case`` on the case dict, and ``main`` on the JSON text) and of a plain baseline — the
obvious loop that checks and counts every ballot one by one — and their ratio. Not a test.
"""

from __future__ import annotations

import io
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from huanjie.rules.engine import main, run_case  # noqa: E402

POSTS = [
    ("主任", 1, ["张伟", "李强"]),
    ("副主任", 1, ["王芳", "刘洋"]),
    ("委员", 3, ["陈静", "杨帆", "赵磊", "黄丽", "周杰"]),
    ("妇女委员", 1, ["吴敏", "郑丽"]),
]


def make_case(n: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    sheets = []
    for i in range(n):
        sheet: dict = {"id": str(i + 1)}
        for post, seats, cands in POSTS:
            # mostly a full or partial choice; about 1 in 100 parts marks one too many (over_selection)
            k = seats + 1 if rng.random() < 0.01 else rng.choice(range(0, seats + 1))
            picks = rng.sample(cands, min(k, len(cands)))
            part: dict = {"approve": picks}
            if rng.random() < 0.01:
                part["write_in"] = ["白云"]
            sheet[post] = part
        sheets.append(sheet)
    races = [
        {
            "post": post,
            "seats": seats,
            "candidates": [{"name": c, "gender": "F" if post == "妇女委员" else "M"} for c in cands],
            "write_in_persons": [{"name": "白云", "gender": "F"}],
        }
        for post, seats, cands in POSTS
    ]
    return {
        "kind": "village_committee",
        "config": {"jurisdiction": "national"},
        "inputs": {
            "registered_voters": n + n // 3,
            "ballots_issued": n,
            "ballots_returned": n,
            "races": races,
            "ballots": sheets,
        },
    }


def baseline(case: dict) -> dict:
    """The obvious way: one ballot at a time, every check repeated for every ballot."""
    races = case["inputs"]["races"]
    tallies = {r["post"]: {c["name"]: 0 for c in r["candidates"]} for r in races}
    valid, invalid = [], []
    for sheet in case["inputs"]["ballots"]:
        ok = True
        for race in races:
            part = sheet.get(race["post"], {})
            names = [c["name"] for c in race["candidates"]]
            approve = part.get("approve", [])
            write_in = part.get("write_in", [])
            for name in approve:
                if name not in names:
                    raise ValueError(name)
            if len(set(approve) | set(write_in)) > race["seats"]:
                invalid.append({"id": sheet["id"], "post": race["post"], "code": "over_selection"})
                ok = False
                continue
            for name in list(approve) + list(write_in):
                tallies[race["post"]][name] = tallies[race["post"]].get(name, 0) + 1
        if ok:
            valid.append(sheet["id"])
    return {"tally": tallies, "valid": valid, "invalid": invalid}


def timed(fn, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def main_bench() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    case = make_case(n)
    t_engine, out = min((timed(run_case, case) for _ in range(3)), key=lambda x: x[0])
    t_base, base = min((timed(baseline, case) for _ in range(3)), key=lambda x: x[0])
    assert isinstance(out, dict) and isinstance(base, dict)
    assert out["tally"] == {
        p: dict(Counter(t)) | {k: v for k, v in t.items()} for p, t in base["tally"].items()
    }
    assert out["valid_ballots"] == base["valid"]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
        json.dump(case, fh, ensure_ascii=False)
        path = fh.name
    real_stdout = sys.stdout
    sys.stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    try:
        t_cli, rc = timed(main, [path])
    finally:
        sys.stdout = real_stdout
    Path(path).unlink()
    print(f"sheets: {n:,} × {len(POSTS)} posts; invalid parts: {len(out['invalid_ballots']):,}")
    print(f"engine run_case (dict in, dict out):  {t_engine:.3f} s  {'OK' if t_engine < 1 else 'OVER 1 s'}")
    print(f"engine main (JSON file in, JSON out):  {t_cli:.3f} s  (exit {rc})")
    print(f"plain baseline loop:                   {t_base:.3f} s")
    print(f"ratio baseline / engine:               {t_base / t_engine:.2f}×")


if __name__ == "__main__":
    main_bench()
