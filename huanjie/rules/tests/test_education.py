"""R68 education codes (GB/T 4658-2006)."""

import pytest

from huanjie.rules.education import (
    EDUCATION_LABELS,
    education_category,
    education_code,
    is_college_or_above,
    is_senior_high_or_above,
)


def test_all_codes_of_r68_are_present():
    codes = (
        "10 11 12 13 14 15 16 17 18 19 20 21 22 23 28 30 31 32 33 40 41 42 43 44 45 46 47 48 49 "
        "60 61 62 63 70 71 73 80 81 83 90"
    ).split()
    assert sorted(EDUCATION_LABELS) == codes


@pytest.mark.parametrize(
    "code, label",
    [
        ("11", "博士研究生毕业"),
        ("12", "博士研究生结业"),
        ("13", "博士研究生肄业"),
        ("15", "硕士研究生结业"),
        ("16", "硕士研究生肄业"),
        ("17", "研究生班毕业"),
        ("18", "研究生班结业"),
        ("19", "研究生班肄业"),
        ("22", "大学本科结业"),
        ("23", "大学本科肄业"),
        ("28", "大学普通班毕业"),
        ("32", "大学专科结业"),
        ("33", "大学专科肄业"),
        ("42", "中等专科结业"),
        ("43", "中等专科肄业"),
        ("45", "职业高中结业"),
        ("46", "职业高中肄业"),
        ("48", "技工学校结业"),
        ("49", "技工学校肄业"),
        ("62", "普通高中结业"),
        ("63", "普通高中肄业"),
        ("73", "初中肄业"),
        ("83", "小学肄业"),
        ("90", "其他"),
    ],
)
def test_labels(code, label):
    assert EDUCATION_LABELS[code] == label
    assert education_code(label) == code


@pytest.mark.parametrize(
    "typed, code",
    [
        ("大专", "31"),
        ("大学专科", "31"),
        ("专科", "31"),
        ("本科", "21"),
        ("大学", "21"),
        ("大学本科", "21"),
        ("研究生", "14"),  # documented choice: 研究生 means a master's graduate
        ("硕士", "14"),
        ("博士", "11"),
        ("高中", "61"),
        ("中专", "41"),
        ("职高", "44"),
        ("技校", "47"),
        ("初中", "71"),
        ("小学", "81"),
        ("文盲", "90"),
        ("半文盲", "90"),
        ("不识字", "90"),
        ("其他", "90"),
        ("其它", "90"),
        ("高中毕业", "61"),
        ("初中肄业", "73"),
        ("小学肄业", "83"),
        ("大专肄业", "33"),
        ("本科结业", "22"),
        ("本科学历", "21"),
        ("初中文化", "71"),
        ("高中文化程度", "61"),
        (" 大　专 ", "31"),  # spaces, including the ideographic space
        ("２１", "21"),  # a full-width code
        ("61", "61"),
    ],
)
def test_typed_labels(typed, code):
    assert education_code(typed) == code


@pytest.mark.parametrize("typed", ["", "  ", "初中结业", "小学结业", "幼儿园", "大学普通班肄业", "99", None])
def test_unreadable_labels(typed):
    # 初中 and 小学 have no 结业 code; 大学普通班 only 毕业
    assert education_code(typed) is None


@pytest.mark.parametrize(
    "code, category",
    [("11", "10"), ("19", "10"), ("28", "20"), ("33", "30"), ("47", "40"), ("63", "60"), ("73", "70"),
     ("83", "80"), ("90", "90"), (14, "10")],
)  # fmt: skip
def test_category(code, category):
    assert education_category(code) == category


def test_category_rejects_garbage():
    with pytest.raises(ValueError):
        education_category("本科")
    with pytest.raises(ValueError):
        education_category("5")


@pytest.mark.parametrize(
    "code, college, senior_high",
    [
        ("11", True, True),
        ("17", True, True),
        ("21", True, True),
        ("28", True, True),
        ("31", True, True),
        ("33", True, True),  # 大专肄业 is still category 30
        ("41", False, True),  # 中专
        ("44", False, True),  # 职高
        ("47", False, True),  # 技校
        ("61", False, True),
        ("63", False, True),
        ("71", False, False),
        ("81", False, False),
        ("90", False, False),
        (None, False, False),
        ("", False, False),
        ("本科", False, False),
    ],
)
def test_level_predicates(code, college, senior_high):
    assert is_college_or_above(code) is college
    assert is_senior_high_or_above(code) is senior_high
