"""Counting-form checks (F/W/D codes): table-driven, expected codes worked out by hand."""

from __future__ import annotations

import ast
import inspect

import pytest

from huanjie.rules import forms
from huanjie.rules.forms import CODES, FormCount, Line, PostCount, check_form, compare_entries


def director(*lines, total=None, seats=1, women_only=False, candidates_only=False, post="主任"):
    return PostCount(post, seats, tuple(lines), total, women_only, candidates_only)


def form(issued=500, returned=480, blank=5, invalid=15, valid=460, posts=(), registered=None):
    return FormCount(issued, returned, blank, invalid, valid, tuple(posts), registered)


# A clean form: 460 + 5 + 15 = 480 returned ≤ 500 issued; 主任 300 + 150 = 450 ≤ 460 × 1;
# invalid 15*10 = 150 ≤ 480; returned 480*10 = 4800 ≥ 500*8 = 4000.
CLEAN = form(posts=[director(Line("张三", 300), Line("李四", 150))])


def codes(f) -> list[str]:
    return [x.code for x in check_form(f)]


CASES = [
    ("clean", CLEAN, []),
    # F.01: 510 returned > 500 issued (sums kept consistent: 490 + 5 + 15 = 510).
    ("returned>issued", form(returned=510, valid=490, posts=[director(Line("张三", 300))]), ["F.01"]),
    # F.03: 460 + 5 + 15 = 480 ≠ 479.
    ("sum≠returned", form(returned=479, posts=[director(Line("张三", 300))]), ["F.03"]),
    # F.02: 主任 1 seat, 300 + 170 = 470 > 460 × 1.
    ("post over", form(posts=[director(Line("张三", 300), Line("李四", 170))]), ["F.02"]),
    # 委员 3 seats: 460*3 = 1380 allows 450+450+450 = 1350; 1381 does not.
    ("3 seats ok", form(posts=[director(Line("甲", 450), Line("乙", 450), Line("丙", 450), seats=3)]), []),
    (
        "3 seats over",
        form(posts=[director(Line("甲", 460), Line("乙", 460), Line("丙", 460), Line("丁", 1), seats=3)]),
        ["F.02"],
    ),
    # F.04: one person 461 > 460 valid (and the post total 461 > 460 × 1 → F.02 too).
    ("one over valid", form(posts=[director(Line("张三", 461))]), ["F.04", "F.02"]),
    # F.03 on a post total: lines 300 + 150 = 450, total written 451.
    ("post total", form(posts=[director(Line("张三", 300), Line("李四", 150), total=451)]), ["F.03"]),
    # F.05: a missing and a negative number.
    ("missing", form(blank=None, posts=[director(Line("张三", 1))]), ["F.05"]),
    ("negative line", form(posts=[director(Line("张三", -1))]), ["F.05"]),
    # F.06: write-in votes without a name; the same name twice; a write-in named like a candidate.
    ("write-in no name", form(posts=[director(Line("张三", 10), Line("", 3, write_in=True))]), ["F.06"]),
    ("name twice", form(posts=[director(Line("张三", 10), Line("张三", 3))]), ["F.06"]),
    (
        "write-in = candidate",
        form(posts=[director(Line("张三", 10), Line("张三", 3, write_in=True))]),
        ["F.06"],
    ),
    # F.07: 480 returned > 470 registered.
    ("over registered", form(registered=470, posts=[director(Line("张三", 1))]), ["F.07"]),
    # F.08: a write-in in a tie re-vote.
    (
        "tie write-in",
        form(posts=[director(Line("张三", 200), Line("王五", 2, write_in=True), candidates_only=True)]),
        ["F.08"],
    ),
    # F.09 / W.04 on the women-only post.
    (
        "women no gender",
        form(
            posts=[
                director(Line("刘芳", 200), Line("陈某", 2, write_in=True), women_only=True, post="妇女委员")
            ]
        ),
        ["F.09"],
    ),
    (
        "women man",
        form(
            posts=[director(Line("刘芳", 200), Line("陈某", 2, True, "M"), women_only=True, post="妇女委员")]
        ),
        ["W.04"],
    ),
    # W.01: 49 invalid of 480: 49*10 = 490 > 480. Exactly a tenth (48*10 = 480) is not > 480.
    ("many invalid", form(invalid=49, valid=426, posts=[director(Line("张三", 300))]), ["W.01"]),
    ("a tenth invalid", form(invalid=48, valid=427, posts=[director(Line("张三", 300))]), []),
    # W.02: write-in 92 of 460 valid: 92*5 = 460 ≥ 460; 91*5 = 455 < 460.
    ("write-in fifth", form(posts=[director(Line("张三", 300), Line("王五", 92, write_in=True))]), ["W.02"]),
    ("write-in below", form(posts=[director(Line("张三", 300), Line("王五", 91, write_in=True))]), []),
    # W.03: 399 returned of 500: 3990 < 4000; 400 returned: 4000 is not < 4000.
    ("low return", form(returned=399, valid=379, posts=[director(Line("张三", 300))]), ["W.03"]),
    ("80% return", form(returned=400, valid=380, posts=[director(Line("张三", 300))]), []),
]


@pytest.mark.parametrize("name,f,expected", CASES, ids=[c[0] for c in CASES])
def test_codes(name, f, expected):
    assert codes(f) == expected


def test_errors_and_warnings_split():
    f = form(invalid=49, valid=426, posts=[director(Line("张三", 300), Line("李四", 200))])
    found = check_form(f)
    # 500 > 426 × 1 → F.02; 49*10 > 480 → W.01
    assert [x.code for x in forms.errors(found)] == ["F.02"]
    assert [x.code for x in forms.warnings(found)] == ["W.01"]
    assert found[0].as_dict()["severity"] == "error"
    assert "426" in found[0].message and "500" in found[0].message


def test_registry_complete_and_chinese():
    assert {c[0] for c in CODES} == {"F", "W", "D"}
    for code, (severity, title, explanation) in CODES.items():
        assert severity == {"F": "error", "W": "warning", "D": "difference"}[code[0]]
        assert title and explanation
        assert any("\u4e00" <= ch <= "\u9fff" for ch in title + explanation)
    # every code check_form can produce is documented in its docstring
    doc = check_form.__doc__
    for code in CODES:
        if code != "D.01":
            assert code in doc, code


def test_no_division_in_module():
    tree = ast.parse(inspect.getsource(forms))
    divisions = [
        n for n in ast.walk(tree) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div | ast.FloorDiv)
    ]
    assert divisions == []


def test_compare_entries():
    a = form(posts=[director(Line("张三", 300), Line("李四", 150), Line("王五", 3, write_in=True))])
    b = form(returned=481, posts=[director(Line("张三", 301), Line("李四", 150))])
    diffs = compare_entries(a, b)
    assert [(d.field, d.first, d.second) for d in diffs] == [
        ("returned", 480, 481),
        ("line:主任:张三", 300, 301),
        ("line:主任:王五", 3, None),
    ]
    assert compare_entries(a, a) == []
    # an empty write-in line on one side only is no difference
    c = form(posts=[director(Line("张三", 300), Line("李四", 150), Line("赵六", 0, write_in=True))])
    d = form(posts=[director(Line("张三", 300), Line("李四", 150))])
    assert compare_entries(c, d) == []
