"""Qualification review (资格审查 / 资格联审): P3 negative list and P17 review tiers, as pure rules.

P17: every candidate passes the village pre-check, the township check and the county joint review
in that order; in the joint review every department the campaign names records a verdict, and the
candidate passes only when every tier and every department has passed. Any failed verdict ends the
review: the candidate is refused, naming the negative-list item (P3) and the department.

The campaign stores its review data beside the P1–P13 policy values (``Campaign.policy``):
``negative_list`` and ``review_departments`` (a list of department codes, null for all) are policy
keys of :mod:`huanjie.rules.policy` and are read here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import EngineError
from .policy import DEFAULT_POLICY, get_policy

__all__ = [
    "TIERS",
    "TIER_ZH",
    "ReviewOutcome",
    "TierVerdict",
    "check_verdict",
    "negative_list",
    "review_departments",
    "review_outcome",
]

VILLAGE, TOWNSHIP, COUNTY = "village", "township", "county"
TIERS = (VILLAGE, TOWNSHIP, COUNTY)
TIER_ZH = {VILLAGE: "村级预审", TOWNSHIP: "乡镇初审", COUNTY: "县级联审"}
PENDING, PASS, FAIL = "pending", "pass", "fail"
PASSED, FAILED = "passed", "failed"
def negative_list(policy: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """P3 — the campaign's negative list (十不选) as ``[{code, text}]``; policy.md's default when unset."""
    overrides = policy or {}
    if "negative_list" not in overrides:
        return DEFAULT_POLICY.as_dict()["negative_list"]
    return get_policy({"negative_list": overrides["negative_list"]})["negative_list"]


def review_departments(policy: Mapping[str, Any] | None, known: Sequence[str]) -> list[str]:
    """P17 — the department codes of the joint review, in the order of ``known``.

    ``known`` lists every department code that exists (in display order). Without
    ``review_departments`` in the policy every known department reviews. A named code that does
    not exist is an error: a department nobody can sign for would block every candidate.
    """
    named = (policy or {}).get("review_departments")
    if named is None:
        return list(known)
    if not isinstance(named, list) or not all(isinstance(c, str) and c for c in named):
        raise EngineError(
            "invalid_policy_value",
            "政策项 review_departments 的值无效：应为部门代码的列表",
            "inputs.policy.review_departments",
        )
    unknown = [c for c in named if c not in known]
    if unknown:
        raise EngineError(
            "invalid_policy_value",
            f"政策项 review_departments 的值无效：未知的部门代码 {'、'.join(unknown)}",
            "inputs.policy.review_departments",
        )
    if not named:
        raise EngineError(
            "invalid_policy_value",
            "政策项 review_departments 的值无效：县级联审至少需要一个部门",
            "inputs.policy.review_departments",
        )
    wanted = set(named)
    return [c for c in known if c in wanted]


@dataclass(frozen=True)
class TierVerdict:
    """One verdict of a case: a tier, the department (county tier only) and pending/pass/fail."""

    tier: str
    verdict: str = PENDING
    department: str | None = None
    negative_item: str = ""


@dataclass(frozen=True)
class ReviewOutcome:
    """Where a case stands: ``stage`` is a tier (in progress), ``passed`` or ``failed``.

    ``waiting`` lists the verdicts still pending in the current tier; ``failure`` is the failed
    verdict that ended the case (None otherwise).
    """

    stage: str
    waiting: tuple[TierVerdict, ...] = ()
    failure: TierVerdict | None = None

    @property
    def passed(self) -> bool:
        return self.stage == PASSED

    @property
    def failed(self) -> bool:
        return self.stage == FAILED


def review_outcome(verdicts: Iterable[TierVerdict], departments: Sequence[str]) -> ReviewOutcome:
    """P17 — the stage of a case from its verdicts.

    Tiers count in order: a tier is done when its verdicts all passed (the village and township
    tiers have one verdict each; the county tier one per department in ``departments``). The
    first failed verdict ends the case. A tier with no verdict recorded yet is pending.
    """
    by_tier: dict[str, list[TierVerdict]] = {t: [] for t in TIERS}
    for v in verdicts:
        if v.tier not in by_tier:
            raise EngineError("unknown_tier", f"未知的审查层级 {v.tier!r}", "verdicts")
        if v.verdict not in (PENDING, PASS, FAIL):
            raise EngineError("unknown_verdict", f"未知的审查结论 {v.verdict!r}", "verdicts")
        by_tier[v.tier].append(v)
    for tier in TIERS:
        got = by_tier[tier]
        failed = [v for v in got if v.verdict == FAIL]
        if failed:
            return ReviewOutcome(FAILED, failure=failed[0])
        if tier == COUNTY:
            decided = {v.department for v in got if v.verdict == PASS}
            missing = [d for d in departments if d not in decided]
            if missing or not departments:
                waiting = tuple(TierVerdict(COUNTY, PENDING, d) for d in missing)
                return ReviewOutcome(COUNTY, waiting=waiting)
        elif not any(v.verdict == PASS for v in got):
            return ReviewOutcome(tier, waiting=(TierVerdict(tier),))
    return ReviewOutcome(PASSED)


def check_verdict(verdict: str, negative_item: str, negative_codes: Iterable[str]) -> None:
    """P3 — a failing verdict names one item of the campaign's negative list; a pass names none."""
    codes = list(negative_codes)
    if verdict == FAIL:
        if not negative_item:
            raise EngineError(
                "negative_item_required", "审查不通过时必须选择负面清单（十不选）事项", "negative_item"
            )
        if negative_item not in codes:
            raise EngineError(
                "unknown_negative_item",
                f"负面清单（十不选）中没有代码为 {negative_item} 的事项",
                "negative_item",
            )
    elif verdict == PASS:
        if negative_item:
            raise EngineError("negative_item_on_pass", "审查通过时不应选择负面清单事项", "negative_item")
    else:
        raise EngineError("unknown_verdict", f"未知的审查结论 {verdict!r}", "verdict")
