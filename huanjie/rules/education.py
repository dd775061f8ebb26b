"""Education codes of GB/T 4658-2006 《学历代码》 — rule R68.

Codes are two-digit strings. The category of a code is ``(code // 10) * 10`` ("14" -> "10").
Within a level, x1 = 毕业, x2 = 结业, x3 = 肄业 (初中肄业 73 and 小学肄业 83 follow the same
pattern; R68 records the 72/82 variant of another enum as the rejected alternative).

``education_code`` reads the words people actually type into rosters. Colloquial labels that
name a level without saying how it ended (大专, 本科, 高中, 初中, …) map to that level's 毕业 code:
a roster that writes 高中 means someone who finished senior high school. Two choices need
stating:

* 研究生 / 研究生学历 -> 14 硕士研究生毕业: in village rosters it almost always means a master's
  graduate. Only the category (10) matters for the policy predicates, so nothing hinges on
  11 versus 14.
* 文盲 / 半文盲 / 不识字 / 无 -> 90 其他: the standard has no code below 小学.
"""

from __future__ import annotations

import unicodedata

__all__ = [
    "EDUCATION_LABELS",
    "education_category",
    "education_code",
    "is_college_or_above",
    "is_senior_high_or_above",
]

EDUCATION_LABELS: dict[str, str] = {
    "10": "研究生教育",
    "11": "博士研究生毕业",
    "12": "博士研究生结业",
    "13": "博士研究生肄业",
    "14": "硕士研究生毕业",
    "15": "硕士研究生结业",
    "16": "硕士研究生肄业",
    "17": "研究生班毕业",
    "18": "研究生班结业",
    "19": "研究生班肄业",
    "20": "大学本科教育",
    "21": "大学本科毕业",
    "22": "大学本科结业",
    "23": "大学本科肄业",
    "28": "大学普通班毕业",
    "30": "大学专科教育",
    "31": "大学专科毕业",
    "32": "大学专科结业",
    "33": "大学专科肄业",
    "40": "中等职业教育",
    "41": "中等专科毕业",
    "42": "中等专科结业",
    "43": "中等专科肄业",
    "44": "职业高中毕业",
    "45": "职业高中结业",
    "46": "职业高中肄业",
    "47": "技工学校毕业",
    "48": "技工学校结业",
    "49": "技工学校肄业",
    "60": "普通高级中学教育",
    "61": "普通高中毕业",
    "62": "普通高中结业",
    "63": "普通高中肄业",
    "70": "初级中学教育",
    "71": "初中毕业",
    "73": "初中肄业",
    "80": "小学教育",
    "81": "小学毕业",
    "83": "小学肄业",
    "90": "其他",
}

# Level words -> the 毕业 code of that level. The 结业 / 肄业 codes are the 毕业 code + 1 / + 2
# where the standard defines them (the result is checked against EDUCATION_LABELS).
_LEVELS: dict[str, str] = {
    # doctorate
    "博士": "11",
    "博士研究生": "11",
    "博士生": "11",
    # master's
    "硕士": "14",
    "硕士研究生": "14",
    "硕士生": "14",
    "研究生": "14",
    # postgraduate class
    "研究生班": "17",
    # bachelor's
    "本科": "21",
    "大学本科": "21",
    "大本": "21",
    "大学": "21",
    "学士": "21",
    "大学普通班": "28",
    # college (专科)
    "大专": "31",
    "专科": "31",
    "大学专科": "31",
    "高职": "31",
    "高等职业": "31",
    # secondary vocational
    "中专": "41",
    "中等专科": "41",
    "中等专业": "41",
    "中等专业学校": "41",
    "职高": "44",
    "职中": "44",
    "职业高中": "44",
    "技校": "47",
    "技工": "47",
    "技工学校": "47",
    "中技": "47",
    # senior high school
    "高中": "61",
    "普高": "61",
    "普通高中": "61",
    "高级中学": "61",
    # junior high school
    "初中": "71",
    "初级中学": "71",
    # primary
    "小学": "81",
}

_OTHER_WORDS = {"其他", "其它", "文盲", "半文盲", "不识字", "无", "无学历", "没上过学"}
_OUTCOME_OFFSET = {"毕业": 0, "结业": 1, "肄业": 2}
# Words people append that carry no information about the level.
_SUFFIXES = ("文化程度", "文化", "学历", "程度", "教育", "水平")


def _clean(label: str) -> str:
    text = unicodedata.normalize("NFKC", label)
    return "".join(c for c in text if not c.isspace())


def education_code(label: str) -> str | None:
    """The GB/T 4658-2006 code for a label typed in a roster, or None if it cannot be read.

    Accepts the standard labels, the codes themselves ("21", "２１"), the level words above with
    an optional 毕业/结业/肄业, and trailing 学历/文化/文化程度; full-width characters and spaces
    are tolerated.
    """
    if not isinstance(label, str):
        return None
    text = _clean(label)
    if not text:
        return None
    if text in EDUCATION_LABELS:
        return text
    for code, name in EDUCATION_LABELS.items():
        if text == name:
            return code
    stripped = text
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if stripped.endswith(suffix) and len(stripped) > len(suffix):
                stripped = stripped[: -len(suffix)]
                changed = True
    if stripped in _OTHER_WORDS:
        return "90"
    for code, name in EDUCATION_LABELS.items():
        if stripped == name:
            return code
    outcome, outcome_word = 0, "毕业"
    for word, offset in _OUTCOME_OFFSET.items():
        if stripped.endswith(word) and len(stripped) > len(word):
            stripped = stripped[: -len(word)]
            outcome, outcome_word = offset, word
            break
    base = _LEVELS.get(stripped)
    if base is None:
        return None
    if not outcome:
        return base
    code = f"{int(base) + outcome:02d}"
    # 初中 / 小学 have no 结业 code (x2) and 大学普通班 only 毕业: the arithmetic must land on a
    # label of the same level that says the same outcome (28 + 2 = 30 is 大学专科教育, not 肄业).
    label = EDUCATION_LABELS.get(code, "")
    return code if label.endswith(outcome_word) and code[0] == base[0] else None


def _as_int(code: str | int) -> int:
    if isinstance(code, int) and not isinstance(code, bool):
        value = code
    elif isinstance(code, str) and code.strip().isascii() and code.strip().isdigit():
        value = int(code.strip())
    else:
        raise ValueError(f"不是学历代码：{code!r}")
    if not 10 <= value <= 99:
        raise ValueError(f"不是学历代码：{code!r}")
    return value


def education_category(code: str | int) -> str:
    """``(code // 10) * 10`` as a two-digit string: "14" -> "10", "47" -> "40"."""
    return f"{(_as_int(code) // 10) * 10:02d}"


def _category_or_none(code: str | int | None) -> int | None:
    if code is None or code == "":
        return None
    try:
        return (_as_int(code) // 10) * 10
    except ValueError:
        return None


def is_college_or_above(code: str | int | None) -> bool:
    """大专及以上: categories 10 研究生, 20 本科, 30 专科. False for missing or unreadable codes."""
    category = _category_or_none(code)
    return category is not None and 10 <= category <= 30


def is_senior_high_or_above(code: str | int | None) -> bool:
    """高中（含中专、职高、技校）及以上: categories 10–60. False for missing or unreadable codes."""
    category = _category_or_none(code)
    return category is not None and 10 <= category <= 60
