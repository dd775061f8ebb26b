"""Structure of a township congress's delegates (seed 002 三、第一步 1(3) 代表结构比例): the targets
that can be checked from the register's facts, with the figures they are computed from.

* women and minority delegates not below their share among the party members
  (``delegates_w * members >= members_w * delegates``: integer, no rounding);
* delegates aged 40 or under (40岁以下 includes 40) at least 60 %;
* junior-high education or more at least 80 %.

The seed's shares of cadres (about 70 %), professionals and model workers need occupation facts the
system does not hold and are not checked. The targets are policy (seed 002), not law.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .dates import age_on
from .policy import _level_at_least, education_level
from .statistics import Percent, percent

__all__ = ["STRUCTURE_TARGETS", "DelegateFacts", "StructureRow", "delegate_structure"]

STRUCTURE_TARGETS = {"young_age": 40, "young_percent": 60, "education_percent": 80}


@dataclass(frozen=True)
class DelegateFacts:
    gender: str
    birth: date
    ethnicity: str = "汉族"
    education: str | None = None


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
    return rows
