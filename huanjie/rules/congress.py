"""Structure of a township congress's delegates (seed 002 三、第一步 1(3) 代表结构比例): the targets
that can be checked from the register's facts, with the figures they are computed from.

* women and minority delegates not below their share among the party members
  (``delegates_w * members >= members_w * delegates``: integer, no rounding);
* delegates aged 40 or under (40岁以下 includes 40) at least 60 %;
* junior-high education or more at least 80 %.

* leading cadres (领导干部: township and village cadres) at most 50 % and members working on the
  front line of production (生产一线的党员: workers, farmers…) at least 30 %: seed 003 (二)(2)
  代表构成的指导性比例 "乡干部和村干部占50%；生产一线的党员占30%" (seed 002 gives the cadres
  "70%左右"; the stricter seed-003 value is the default). Each candidate's category is recorded
  when the candidate is added (``CATEGORIES``); one without a category counts in neither numerator.

The targets are policy (seeds 002/003), not law.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .dates import age_on
from .errors import EngineError
from .policy import _level_at_least, education_level
from .statistics import Percent, percent

__all__ = ["CATEGORIES", "STRUCTURE_TARGETS", "TARGET_FIELDS", "check_targets", "DelegateFacts", "MarginComparison", "StructureRow", "delegate_structure",
           "margin_not_below_previous"]

STRUCTURE_TARGETS = {"young_age": 40, "young_percent": 60, "education_percent": 80,
                     # seed 003 (二)(2): 乡干部和村干部占50%（a ceiling），生产一线的党员占30%（a floor）
                     "cadre_max_percent": 50, "front_line_min_percent": 30}

# a delegate candidate's category (seed 002 ①–③, seed 003 (二)(2) and 附例 "领导干部…先进人物…
# 知识分子和专业技术人员")
CADRE, PROFESSIONAL, MODEL, FRONT_LINE, OTHER = "cadre", "professional", "model", "front_line", "other"
CATEGORIES = {CADRE: "领导干部（乡村干部、乡镇直单位股所级以上）", PROFESSIONAL: "专业技术人员",
              MODEL: "各条战线先进模范人物", FRONT_LINE: "生产和工作第一线党员（工人、农民等）", OTHER: "其他"}


# Each target's label and the range a county's 实施方案 may set it in (whole numbers).
TARGET_FIELDS = {"young_age": ("年轻代表的年龄上限（岁）", 30, 50),
                 "young_percent": ("年轻代表不少于（%）", 0, 100),
                 "education_percent": ("初中以上文化程度不少于（%）", 0, 100),
                 "cadre_max_percent": ("领导干部不超过（%）", 0, 100),
                 "front_line_min_percent": ("生产和工作第一线党员不少于（%）", 0, 100)}


def check_targets(values: dict) -> tuple[dict, dict]:
    """Seeds 002/003 give the guiding shares; a county may set its own. ``values`` maps a target to
    its text as typed: the whole numbers within TARGET_FIELDS's ranges come back, and a reason per
    field for the rest. An empty text keeps the seeds' figure."""
    targets, errors = {}, {}
    for key, (label, low, high) in TARGET_FIELDS.items():
        text = str(values.get(key, "") or "").strip()
        if not text:
            continue
        if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
            errors[key] = f"「{label}」应为 {low} 至 {high} 的整数，收到“{text[:20]}”"
            continue
        targets[key] = int(text)
    return targets, errors


@dataclass(frozen=True)
class DelegateFacts:
    gender: str
    birth: date
    ethnicity: str = "汉族"
    education: str | None = None
    category: str | None = None  # one of CATEGORIES, None when not recorded


@dataclass(frozen=True)
class StructureRow:
    key: str
    label: str
    share: Percent  # among the delegates (or candidates)
    target: str
    ok: bool | None  # None when there is nothing to check (no delegates)


def delegate_structure(delegates: Sequence[DelegateFacts], members: Sequence[DelegateFacts], on: date,
                       targets: dict | None = None) -> list[StructureRow]:
    """Seed 002 structure targets on ``delegates`` (ages at ``on``), against the ``members``."""
    t = {**STRUCTURE_TARGETS, **(targets or {})}
    n, m = len(delegates), len(members)

    def women(people):
        return sum(1 for p in people if p.gender == "F")

    def minority(people):
        return sum(1 for p in people if (p.ethnicity or "汉族") != "汉族")

    young = sum(1 for p in delegates if age_on(p.birth, on) <= t["young_age"])
    educated = sum(1 for p in delegates if _level_at_least(education_level(p.education), "junior_high"))
    rows = []
    for key, label, count in (("women", "妇女", women), ("minority", "少数民族", minority)):
        d, mm = count(delegates), count(members)
        rows.append(StructureRow(key, f"{label}代表", percent(d, n),
                                 f"不低于{label}党员所占比例 {percent(mm, m).with_counts}",
                                 None if n == 0 else d * m >= mm * n))
    rows.append(StructureRow("young", f"{t['young_age']}岁以下", percent(young, n), f"不少于{t['young_percent']}%",
                             None if n == 0 else young * 100 >= t["young_percent"] * n))
    rows.append(StructureRow("education", "初中以上文化程度", percent(educated, n),
                             f"不少于{t['education_percent']}%",
                             None if n == 0 else educated * 100 >= t["education_percent"] * n))
    cadres = sum(1 for p in delegates if p.category == CADRE)
    front = sum(1 for p in delegates if p.category == FRONT_LINE)
    rows.append(StructureRow("cadre", "领导干部", percent(cadres, n), f"不超过{t['cadre_max_percent']}%",
                             None if n == 0 else cadres * 100 <= t["cadre_max_percent"] * n))
    rows.append(StructureRow("front_line", "生产和工作第一线党员", percent(front, n),
                             f"不少于{t['front_line_min_percent']}%",
                             None if n == 0 else front * 100 >= t["front_line_min_percent"] * n))
    return rows


@dataclass(frozen=True)
class MarginComparison:
    seats: int
    candidates: int
    share: Percent  # (candidates - seats) / seats of this unit
    previous: Percent  # (candidates - seats) / seats of the previous congress
    minimum: int  # the fewest candidates whose share is not below the previous one
    ok: bool
    text: str


def margin_not_below_previous(seats: int, candidates: int, previous_seats: int,
                              previous_candidates: int) -> MarginComparison:
    """R63 with seed 003 篇7 step 12 ("选举单位……按照不低于上次代表差额比例，提出代表候选人初步
    人选"): a unit's margin share (candidates - seats)/seats is not below the previous congress's
    (previous_candidates - previous_seats)/previous_seats. Compared crosswise in integers:
    ``(candidates - seats) * previous_seats >= (previous_candidates - previous_seats) * seats``.
    The minimum is ``seats + ceil((previous_candidates - previous_seats) * seats / previous_seats)``.
    The 20 % floor at the election (R63 ``margin_ok``) is checked besides this, not instead."""
    for value, path, label in ((seats, "seats", "应选代表名额"), (previous_seats, "previous_seats", "上次代表名额")):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise EngineError("invalid_count", f"{label}应为正整数", path)
    for value, low, path, label in ((candidates, seats, "candidates", "候选人数"),
                                    (previous_candidates, previous_seats, "previous_candidates", "上次代表候选人数")):
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise EngineError("invalid_count", f"{label}应为不少于名额（{low}）的整数", path)
    extra, previous_extra = candidates - seats, previous_candidates - previous_seats
    minimum = seats + -(-previous_extra * seats // previous_seats)
    ok = extra * previous_seats >= previous_extra * seats
    share, previous = percent(extra, seats), percent(previous_extra, previous_seats)
    text = (f"上次代表差额比例{previous.with_counts}，本单位差额比例{share.with_counts}，"
            f"应选{seats}名至少需{minimum}人")
    return MarginComparison(seats, candidates, share, previous, minimum, ok, text)
