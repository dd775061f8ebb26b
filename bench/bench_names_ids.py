"""Benchmark R69 stroke sorting and R66/R67 ID validation against plain implementations.

    .venv/bin/python bench/bench_names_ids.py [--names 200000] [--ids 1000000]

Targets: sorting 200,000 names under 1 s; validating 1,000,000 IDs under 5 s. Each line prints
the measured time and its ratio against a baseline written the obvious way below (per-call
table lookups building nested tuples; a regex plus a weighted-sum loop plus strptime).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from huanjie.rules.idnumber import make_id, validate_ids  # noqa: E402
from huanjie.rules.strokes import sort_by_strokes  # noqa: E402

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰文辉志强红梅建华海燕春梅小红金凤"
    "宇浩然子轩梓涵欣怡雨萱佳琪思远博文俊杰晨阳嘉怡一鸣天佑紫萱诗琪梦瑶振华德明淑珍凤英秀珍丽娟永刚"
)
REGIONS = ("110105", "330102", "330782", "440524", "510104", "410102", "370202", "320106", "420111", "130104")


def make_names(n: int, rng: random.Random) -> list[str]:
    names = []
    for _ in range(n):
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
        names.append(rng.choice(SURNAMES) + given)
    return names


def make_ids(n: int, rng: random.Random) -> list[str]:
    start = date(1930, 1, 1).toordinal()
    span = date(2008, 12, 31).toordinal() - start
    return [
        make_id(rng.choice(REGIONS), date.fromordinal(start + rng.randrange(span)), rng.randrange(1000))
        for _ in range(n)
    ]


# --- baselines: the straightforward way -----------------------------------------------------


def baseline_sort(names: list[str]) -> list[str]:
    table = {}
    text = resources.files("huanjie.rules").joinpath("data/strokes.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            char, total, seq = line.split("\t")
            table[char] = (total, seq)

    def key(name):
        parts = []
        for c in name:
            if c in table:
                total, seq = table[c]
                parts.append((0, int(total), tuple(int(d) for d in seq), ord(c)))
            else:
                parts.append((1, 0, (), ord(c)))
        return (tuple(parts), name)

    return sorted(names, key=key)


@dataclass(frozen=True)
class BaselineId:
    raw: str
    valid: bool
    birth_date: date | None
    gender: str | None


_ID_RE = re.compile(r"^\d{17}[\dXx]$")
_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def baseline_validate(ids: list[str], reference: date) -> list[BaselineId]:
    out = []
    for raw in ids:
        s = raw.strip().upper()
        if not _ID_RE.match(s):
            out.append(BaselineId(raw, False, None, None))
            continue
        total = sum(int(s[i]) * _W[i] for i in range(17))
        if "10X98765432"[total % 11] != s[17]:
            out.append(BaselineId(raw, False, None, None))
            continue
        try:
            birth = datetime.strptime(s[6:14], "%Y%m%d").date()
        except ValueError:
            out.append(BaselineId(raw, False, None, None))
            continue
        if birth > reference:
            out.append(BaselineId(raw, False, None, None))
            continue
        out.append(BaselineId(raw, True, birth, "M" if int(s[16]) % 2 else "F"))
    return out


def timed(fn, *args):
    t0 = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t0, result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--names", type=int, default=200_000)
    parser.add_argument("--ids", type=int, default=1_000_000)
    args = parser.parse_args()
    rng = random.Random(20260320)
    names = make_names(args.names, rng)
    ids = make_ids(args.ids, rng)
    reference = date(2026, 3, 20)

    t_fast, fast = timed(sort_by_strokes, names)
    t_base, base = timed(baseline_sort, names)
    assert fast == base, "sort_by_strokes and the baseline disagree"
    print(f"sort {len(names)} names: {t_fast:.2f} s (baseline {t_base:.2f} s, {t_base / t_fast:.1f}x)")

    t_fast, fast = timed(validate_ids, ids, reference)
    t_base, base = timed(baseline_validate, ids, reference)
    assert all(r.valid for r in fast) and all(r.valid for r in base)
    print(f"validate {len(ids)} ids: {t_fast:.2f} s (baseline {t_base:.2f} s, {t_base / t_fast:.1f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
