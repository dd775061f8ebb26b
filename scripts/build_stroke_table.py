#!/usr/bin/env python3
"""Regenerate the stroke tables shipped in huanjie/rules/data/ (R69 stroke-order sorting).

Sources (both passed as paths, nothing is downloaded here):

* the npm package ``cnchar-order`` (MIT), file ``cnchar.order.min.js``:
  ``cd /tmp && npm pack cnchar-order && tar xzf cnchar-order-*.tgz``
  -> ``/tmp/package/cnchar.order.min.js``;
* Unihan ``kTotalStrokes`` from Debian's ``unicode-data`` package:
  ``/usr/share/unicode/Unihan_IRGSources.txt.bz2`` (or the plain .txt / Unihan.zip).

Usage::

    python scripts/build_stroke_table.py /tmp/package/cnchar.order.min.js \\
        /usr/share/unicode/Unihan_IRGSources.txt.bz2 [--out huanjie/rules/data] [--version 3.2.6]

Writes ``strokes.tsv`` (char, total strokes, stroke sequence in the five classes 1-5) and
``unihan_strokes.txt`` (compact Unihan kTotalStrokes table for the fallback), and prints every
disagreement between the two sources so it can be recorded in data/README.md.
"""

from __future__ import annotations

import argparse
import bz2
import datetime
import io
import json
import re
import sys
import zipfile
from pathlib import Path

# cnchar's letter -> stroke name table is embedded in the same bundle (second JSON.parse);
# the mapping to R69's five classes is by stroke name, so it is checked against that table
# at build time instead of trusting the letters blindly.
#   横 1, 提 1 (R69: 提 counts as 横)
#   竖 2, 竖钩 2 (R69: 竖钩 counts as 竖)
#   撇 3
#   点 4, cnchar's "点2" (the left-falling dot of 宀 忄 火, letter d) 4, 捺 4 (R69: 捺 counts as 点)
#   every other bent or hooked stroke 5 (折).
CLASS_BY_NAME = {
    "横": "1",
    "提": "1",
    "竖": "2",
    "竖钩": "2",
    "撇": "3",
    "点": "4",
    "点2": "4",
    "捺": "4",
}
FOLD_NAMES = {
    "横折折撇",
    "竖弯",
    "横折",
    "横斜钩",
    "横折钩",
    "撇折",
    "竖折撇|竖折折",
    "横折折折钩|横撇弯钩",
    "竖折折钩",
    "弯钩",
    "斜钩|卧钩",
    "横折折|横折弯",
    "横撇|横钩",
    "横折提",
    "横折折折",
    "竖提",
    "撇点",
    "竖弯钩",
}

# Characters whose cnchar sequence is wrong, rebuilt from the cnchar sequences of their parts
# (so the table still contains no hand-typed stroke data). See data/README.md.
COMPOSED = {
    # cnchar gives 12 strokes and drops the first 撇 of 白; Unihan G and the 通用规范汉字表 give 13.
    "皙": ("析", "白"),
}
# Characters whose cnchar count disagrees with Unihan's mainland count and which are left to the
# Unihan fallback (no sequence shipped). See data/README.md.
DROPPED = {
    # cnchar writes two complete 喜 (24); Unihan G counts the shared strokes (21). Not a name character.
    "囍",
}


def read_cnchar(path: Path) -> tuple[dict[str, str], dict[str, dict]]:
    text = path.read_text(encoding="utf-8")
    blobs = re.findall(r"JSON\.parse\('(.*?)'\)", text)
    orders = strokes = None
    for blob in blobs:
        data = json.loads(blob)
        if "一" in data:
            orders = data
        elif "j" in data and isinstance(data["j"], dict) and "name" in data["j"]:
            strokes = data
    if orders is None or strokes is None:
        sys.exit(f"{path}: could not find the stroke-order and stroke-letter tables")
    return orders, strokes


def letter_classes(strokes: dict[str, dict]) -> dict[str, str]:
    mapping = {}
    for letter, info in strokes.items():
        name = info["name"]
        if name in CLASS_BY_NAME:
            mapping[letter] = CLASS_BY_NAME[name]
        elif name in FOLD_NAMES:
            mapping[letter] = "5"
        else:
            sys.exit(
                f"unknown cnchar stroke {letter!r} = {name!r}: decide its class in CLASS_BY_NAME/FOLD_NAMES"
            )
    return mapping


def read_unihan(path: Path) -> dict[int, int]:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            name = next(n for n in zf.namelist() if n.endswith("IRGSources.txt"))
            lines = io.TextIOWrapper(zf.open(name), encoding="utf-8")
            return _parse_unihan(lines)
    opener = bz2.open if path.suffix == ".bz2" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        return _parse_unihan(lines)


def _parse_unihan(lines) -> dict[int, int]:
    totals = {}
    for line in lines:
        if "\tkTotalStrokes\t" not in line:
            continue
        cp, _, value = line.rstrip("\n").split("\t")
        # Two values = (mainland G, Taiwan T); the first is the mainland count R69 needs.
        totals[int(cp[2:], 16)] = int(value.split()[0])
    return totals


def unihan_runs(totals: dict[int, int]) -> list[tuple[int, str]]:
    runs: list[tuple[int, list[str]]] = []
    prev = None
    for cp in sorted(totals):
        n = totals[cp]
        if not 1 <= n <= 94:
            sys.exit(f"U+{cp:04X}: stroke count {n} does not fit the one-character encoding")
        if prev is None or cp != prev + 1:
            runs.append((cp, []))
        runs[-1][1].append(chr(0x20 + n))
        prev = cp
    return [(start, "".join(chars)) for start, chars in runs]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("cnchar_js", type=Path, help="cnchar-order's cnchar.order.min.js")
    parser.add_argument("unihan", type=Path, help="Unihan_IRGSources.txt(.bz2) or Unihan.zip")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent.parent / "huanjie/rules/data"
    )
    parser.add_argument("--version", default="", help="cnchar-order version, written into the header")
    args = parser.parse_args(argv)

    orders, strokes = read_cnchar(args.cnchar_js)
    classes = letter_classes(strokes)
    unihan = read_unihan(args.unihan)

    sequences: dict[str, str] = {}
    for char, letters in orders.items():
        if len(char) != 1:
            continue
        sequences[char] = "".join(classes[letter] for letter in letters)

    disagreements = []
    for char in sorted(sequences):
        g = unihan.get(ord(char))
        if g is None or g != len(sequences[char]):
            disagreements.append((char, len(sequences[char]), g))
    for char, parts in COMPOSED.items():
        sequences[char] = "".join(sequences[p] for p in parts)
    for char in DROPPED:
        sequences.pop(char, None)

    remaining = [
        c for c, seq in sequences.items() if unihan.get(ord(c)) is not None and unihan[ord(c)] != len(seq)
    ]
    if remaining:
        sys.exit(f"unresolved count disagreements: {''.join(remaining)} — add them to COMPOSED or DROPPED")

    today = datetime.date.today().isoformat()
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "strokes.tsv", "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# generated by scripts/build_stroke_table.py on {today}; see README.md\n")
        f.write(f"# source: npm cnchar-order {args.version} (MIT); classes 1横 2竖 3撇 4点 5折 (R69)\n")
        f.write("# char\ttotal\tsequence\n")
        for char in sorted(sequences):
            f.write(f"{char}\t{len(sequences[char])}\t{sequences[char]}\n")
    with open(args.out / "unihan_strokes.txt", "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# generated by scripts/build_stroke_table.py on {today}; see README.md\n")
        f.write("# Unihan kTotalStrokes, first (mainland G) value, from Debian unicode-data\n")
        f.write("# line = first code point in hex, TAB, one character per code point: chr(0x20 + strokes)\n")
        for start, encoded in unihan_runs(unihan):
            f.write(f"{start:X}\t{encoded}\n")

    print(f"{len(sequences)} sequences, {len(unihan)} Unihan counts written to {args.out}")
    print("count disagreements (char, cnchar length, Unihan G):")
    for char, mine, g in disagreements:
        how = "composed" if char in COMPOSED else "dropped" if char in DROPPED else "?"
        print(f"  {char} U+{ord(char):04X}: cnchar {mine}, Unihan {g} -> {how}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
