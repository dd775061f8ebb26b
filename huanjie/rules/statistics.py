"""Percentages, shares and averages for the offices' statistics (policy.md P13, issue 14).

Every figure a report prints is computed from counts here, with one rounding rule, so that a
figure typed by hand can no longer read "33 of 51 = 64.47 %" (seed 001; the right value is
64.71 %). Integer arithmetic only; a percentage is kept as an integer number of 1/10^places
percent together with its numerator and denominator, so that a page can print "64.71%（33/51）".

The one rounding rule: round half away from zero at ``places`` decimals of a percent
(``ROUNDING``, the rule offices apply by hand: 94.1176… → 94.12, 15.685 → 15.69).

Shares of one whole (the parts of a committee by origin, seed 001) are rounded with the largest
remainder method (Hamilton) so that they add up to exactly 100 %: every share is first rounded
down, and the units still missing go to the shares with the largest remainders (ties: the larger
count, then the earlier part).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .allocation import largest_remainder
from .errors import EngineError

__all__ = [
    "BODIES",
    "ROUNDING",
    "Cadre",
    "Percent",
    "StructureCounts",
    "average",
    "format_scaled",
    "percent",
    "point_change",
    "shares",
    "structure_counts",
    "turnover",
]

ROUNDING = "四舍五入（保留两位小数）"


def _check_counts(numerator: int, denominator: int) -> None:
    for name, value in (("numerator", numerator), ("denominator", denominator)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise EngineError("wrong_type", f"{name} 应为非负整数", name)


def _div_half_up(num: int, den: int) -> int:
    """num/den rounded half away from zero (den > 0)."""
    sign = -1 if num < 0 else 1
    q, r = divmod(abs(num), den)
    if 2 * r >= den:
        q += 1
    return sign * q


def format_scaled(value: int, places: int) -> str:
    """An integer in units of 10^-places as decimal text: (6471, 2) → "64.71"."""
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 10**places)
    return f"{sign}{whole}.{frac:0{places}d}" if places else f"{sign}{whole}"


@dataclass(frozen=True)
class Percent:
    """numerator/denominator as a percentage: ``scaled`` is the percent × 10^places, rounded."""

    numerator: int
    denominator: int
    scaled: int | None  # None when the denominator is 0 (no percentage to show)
    places: int = 2

    @property
    def text(self) -> str:
        """"64.71%"; "—" when there is no denominator."""
        return "—" if self.scaled is None else f"{format_scaled(self.scaled, self.places)}%"

    @property
    def value(self) -> str:
        """"64.71" without the sign (for tables whose header says %)."""
        return "—" if self.scaled is None else format_scaled(self.scaled, self.places)

    @property
    def with_counts(self) -> str:
        """"64.71%（33/51）": the figure with what it was computed from."""
        return f"{self.text}（{self.numerator}/{self.denominator}）"

    def __str__(self) -> str:
        return self.text


def percent(numerator: int, denominator: int, places: int = 2) -> Percent:
    """numerator/denominator × 100, rounded half up at ``places`` decimals (integer arithmetic)."""
    _check_counts(numerator, denominator)
    if denominator == 0:
        return Percent(numerator, denominator, None, places)
    return Percent(numerator, denominator, _div_half_up(numerator * 100 * 10**places, denominator), places)


def shares(parts: Sequence[int], whole: int | None = None, places: int = 2) -> list[Percent]:
    """Each part as a share of ``whole`` (default: the sum of the parts).

    When the parts make up the whole, the shares add up to exactly 100 % (largest remainder
    method); when they do not (some members belong to none of the parts), each share is rounded
    on its own with the one rounding rule.
    """
    parts = list(parts)
    for p in parts:
        _check_counts(p, 0)
    total = sum(parts)
    whole = total if whole is None else whole
    _check_counts(0, whole)
    if total > whole:
        raise EngineError("parts_exceed_whole", f"各部分之和 {total} 大于总数 {whole}", "parts")
    if whole == 0:
        return [Percent(p, 0, None, places) for p in parts]
    if total != whole:
        return [percent(p, whole, places) for p in parts]
    floors, _, _ = largest_remainder(parts, 100 * 10**places)
    return [Percent(p, whole, s, places) for p, s in zip(parts, floors, strict=True)]


def point_change(now: Percent, before: Percent) -> int | None:
    """Percentage points between two shares ("比上届提高 9.80 个百分点"), in units of 10^-places,
    computed from the four counts (not from the two rounded figures) and rounded once."""
    if now.scaled is None or before.scaled is None:
        return None
    places = max(now.places, before.places)
    num = (now.numerator * before.denominator - before.numerator * now.denominator) * 100 * 10**places
    return _div_half_up(num, now.denominator * before.denominator)


def average(total: int, count: int, places: int = 1) -> int | None:
    """total/count rounded half up at ``places`` decimals (average age 46.1), or None for no count."""
    if not isinstance(total, int) or not isinstance(count, int) or count < 0:
        raise EngineError("wrong_type", "平均数的总和与人数应为整数", "average")
    if count == 0:
        return None
    return _div_half_up(total * 10**places, count)


# --------------------------------------------------------------------------------------------
# structure of the elected teams (issue 14; seed 000 §二 1; policy.md P11, P13)

BODIES = {"all": "村“两委”", "party": "村党组织", "committee": "村民委员会"}


@dataclass(frozen=True)
class Cadre:
    """One member of a village's team of one term. ``key`` identifies the person across terms
    (the ID number); ``education`` is a GB/T 4658 code or label."""

    key: str
    village: str
    gender: str
    birth: date
    education: str | None = None
    party_member: bool = False
    party_committee: bool = False
    villagers_committee: bool = False
    secretary: bool = False
    director: bool = False


@dataclass(frozen=True)
class StructureCounts:
    """The counts a structure table is computed from (all integers)."""

    body: str
    cadres: int
    women: int
    young: int
    age_sum: int
    senior_high_plus: int
    college_plus: int
    party_members: int
    cross_members: int
    villages: int
    yijiantiao_villages: int
    secretaries: int
    secretaries_college: int

    def share(self, field: str, places: int = 2) -> Percent:
        return percent(getattr(self, field), self.cadres, places)

    @property
    def average_age(self) -> int | None:
        return average(self.age_sum, self.cadres, 1)


def structure_counts(cadres: Sequence[Cadre], on: date, body: str = "all", young_age: int = 35) -> StructureCounts:
    """The counts of a team (``body``: the two committees together, the party organization or the
    villagers' committee) with ages at ``on`` (the campaign's cut-off date, P1). A person on both
    committees counts once in "all" and once as a cross-member (交叉任职)."""
    from .dates import age_on
    from .policy import _level_at_least, education_level

    if body not in BODIES:
        raise EngineError("unknown_body", f"未知的组织 {body!r}", "body")
    members = [
        c for c in cadres
        if body == "all" or (body == "party" and c.party_committee) or (body == "committee" and c.villagers_committee)
    ]
    ages = [age_on(c.birth, on) for c in members]
    levels = [education_level(c.education) for c in members]
    # 一肩挑 is a property of the village (the secretary is also the chair), whatever body is counted
    secretary_of: dict[str, set[str]] = {}
    director_of: dict[str, set[str]] = {}
    for c in cadres:
        if c.secretary:
            secretary_of.setdefault(c.village, set()).add(c.key)
        if c.director:
            director_of.setdefault(c.village, set()).add(c.key)
    yijiantiao = sum(1 for v, keys in secretary_of.items() if keys & director_of.get(v, set()))
    secretaries = [c for c in cadres if c.secretary]
    return StructureCounts(
        body=body,
        cadres=len(members),
        women=sum(1 for c in members if c.gender == "F"),
        young=sum(1 for a in ages if a <= young_age),
        age_sum=sum(ages),
        senior_high_plus=sum(1 for lv in levels if _level_at_least(lv, "senior_high")),
        college_plus=sum(1 for lv in levels if _level_at_least(lv, "college")),
        party_members=sum(1 for c in members if c.party_member),
        cross_members=sum(1 for c in members if c.party_committee and c.villagers_committee),
        villages=len({c.village for c in members}),
        yijiantiao_villages=yijiantiao,
        secretaries=len(secretaries),
        secretaries_college=sum(1 for c in secretaries if _level_at_least(education_level(c.education), "college")),
    )


def turnover(now: Sequence[Cadre], previous: Sequence[Cadre]) -> dict[str, int]:
    """New entrants (in this term, not in the previous one) and cadres leaving office."""
    now_keys, prev_keys = {c.key for c in now}, {c.key for c in previous}
    return {"new_entrants": len(now_keys - prev_keys), "leaving": len(prev_keys - now_keys),
            "staying": len(now_keys & prev_keys)}
