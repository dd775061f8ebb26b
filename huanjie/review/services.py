"""Qualification review services (资格审查 / 资格联审, P3, P17) for candidates of any election kind.

The order of the tiers, when a case has passed and what a failed verdict must name are decided by
:mod:`huanjie.rules.review`; this module turns those decisions into rows, notifications and audit
records. Every write runs in one ``transaction.atomic()`` with its audit record.

Who records which verdict ("谁审核、谁负责"): the village pre-check a village account of the
candidate's village, the township check a township account over it, each joint-review verdict an
account of that department whose scope covers the village.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from huanjie.accounts import audit
from huanjie.accounts.models import Department
from huanjie.core.access import COUNTY, DEPARTMENT, TOWNSHIP, VILLAGE, in_scope
from huanjie.elections.nomination.models import Candidate
from huanjie.people.models import Region
from huanjie.rules.errors import EngineError
from huanjie.rules.review import (
    FAILED,
    PASSED,
    TIER_ZH,
    TierVerdict,
    check_verdict,
    negative_list,
    review_departments,
    review_outcome,
)

from .models import Notification, ReviewCase, ReviewVerdict

STAGE_ZH = dict(ReviewCase.STAGE_CHOICES)
TIER_ROLE = {ReviewCase.VILLAGE: VILLAGE, ReviewCase.TOWNSHIP: TOWNSHIP, ReviewCase.COUNTY: DEPARTMENT}
# The office roles and the tier each reviews (the county tier is the departments').
OFFICE_TIER = {VILLAGE: ReviewCase.VILLAGE, TOWNSHIP: ReviewCase.TOWNSHIP}
# Roles that see the joint review's internals (which department decided what).
FULL_VIEW_ROLES = frozenset({COUNTY, TOWNSHIP})


class ReviewError(Exception):
    """A refused review action; ``str(exc)`` is the Chinese reason shown to the user."""


# ---------------------------------------------------------------------------------------------
# campaign data


def negative_items(campaign) -> list[dict[str, str]]:
    """The campaign's 十不选 list ``[{code, text}]`` (P3; ``Campaign.policy["negative_list"]``)."""
    try:
        return negative_list(campaign.policy or {})
    except EngineError as exc:
        raise ReviewError(f"换届政策的负面清单设置有误：{exc.message}") from exc


def negative_text(campaign, code: str) -> str:
    for item in negative_items(campaign):
        if item["code"] == code:
            return item["text"]
    return ""


def departments_for(campaign) -> list[Department]:
    """The joint-review departments the campaign names (``Campaign.policy["review_departments"]``),
    every department when it names none."""
    all_depts = list(Department.objects.order_by("sort_order", "code"))
    try:
        codes = review_departments(campaign.policy or {}, [d.code for d in all_depts])
    except EngineError as exc:
        raise ReviewError(f"换届政策的联审部门设置有误：{exc.message}") from exc
    wanted = set(codes)
    return [d for d in all_depts if d.code in wanted]


# ---------------------------------------------------------------------------------------------
# reading a case


def _engine_verdicts(case: ReviewCase) -> list[TierVerdict]:
    return [
        TierVerdict(v.tier, v.verdict, v.department.code if v.department_id else None, v.negative_item)
        for v in case.verdicts.select_related("department")
    ]


def _outcome(case: ReviewCase):
    campaign = case.candidate.election.campaign
    return review_outcome(_engine_verdicts(case), [d.code for d in departments_for(campaign)])


def _village_of(candidate: Candidate) -> Region:
    return candidate.election.organization


def _township_of(region: Region) -> Region | None:
    if region.level == Region.TOWNSHIP:
        return region
    parent = region.parent
    while parent is not None and parent.level != Region.TOWNSHIP:
        parent = parent.parent
    return parent


def review_status(candidate: Candidate) -> dict:
    """Where the candidate's review stands, in words every viewer may see (no department names).

    ``{"stage": "none"|"village"|"township"|"county"|"passed"|"failed", "stage_label": …,
    "passed": bool, "failed": bool, "blocking": str | None}`` — ``blocking`` says why the
    candidate cannot be on the formal list yet (None once passed).
    """
    return review_statuses([candidate])[candidate.pk]


def review_statuses(candidates: Iterable[Candidate]) -> dict[int, dict]:
    """:func:`review_status` of many candidates by id, in two queries whatever their number (the
    candidates page lists them all)."""
    candidates = list(candidates)
    cases = {c.candidate_id: c for c in ReviewCase.objects.filter(candidate__in=[c.pk for c in candidates])}
    failed_tiers: dict[int, str] = {}
    failed = [c.pk for c in cases.values() if c.stage == ReviewCase.FAILED]
    if failed:
        for case_id, tier in (
            ReviewVerdict.objects.filter(case_id__in=failed, verdict=ReviewVerdict.FAIL)
            .order_by("pk")
            .values_list("case_id", "tier")
        ):
            failed_tiers.setdefault(case_id, tier)
    out = {}
    for candidate in candidates:
        case = cases.get(candidate.pk)
        name = candidate.person.name
        if case is None:
            out[candidate.pk] = {
                "stage": "none",
                "stage_label": "未提交审查",
                "passed": False,
                "failed": False,
                "blocking": f"{name}尚未提交资格审查",
            }
            continue
        if case.stage == ReviewCase.PASSED:
            blocking = None
        elif case.stage == ReviewCase.FAILED:
            blocking = f"{name}{TIER_ZH.get(failed_tiers.get(case.pk), '资格审查')}未通过"
        else:
            blocking = f"{name}的资格审查尚在{STAGE_ZH[case.stage]}阶段，未全部通过"
        out[candidate.pk] = {
            "stage": case.stage,
            "stage_label": STAGE_ZH[case.stage],
            "passed": case.stage == ReviewCase.PASSED,
            "failed": case.stage == ReviewCase.FAILED,
            "blocking": blocking,
        }
    return out


# ---------------------------------------------------------------------------------------------
# opening a case and recording verdicts


def open_review(actor, candidate: Candidate) -> ReviewCase:
    """Open the candidate's review with the village pre-check pending (again: returns the open case)."""
    with transaction.atomic():
        case, created = ReviewCase.objects.get_or_create(candidate=candidate)
        if not created:
            return case
        ReviewVerdict.objects.create(case=case, tier=ReviewCase.VILLAGE)
        audit.record(
            actor,
            "review.open",
            case,
            object_repr=f"资格审查：{candidate}",
            changes={"stage": [None, ReviewCase.VILLAGE]},
        )
        return case


def _check_reviewer(actor, verdict: ReviewVerdict) -> None:
    candidate = verdict.case.candidate
    code = candidate.election.organization.code
    expected = TIER_ROLE[verdict.tier]
    if getattr(actor, "role", None) != expected:
        raise ReviewError(f"{TIER_ZH[verdict.tier]}应由{'、'.join(_role_label(expected))}账号审查。")
    if not in_scope(actor, code):
        raise ReviewError(f"{candidate.person.name}所在村（社区）不在您的管辖范围内。")
    if verdict.tier == ReviewCase.COUNTY and actor.department_id != verdict.department_id:
        raise ReviewError("只能审查本部门的联审事项。")


def _role_label(role: str) -> list[str]:
    from huanjie.core.access import ROLE_LABELS

    return [ROLE_LABELS[role]]


def _advance(actor, case: ReviewCase) -> None:
    """Bring the case's stage in line with its verdicts (P17), queueing the next tier."""
    candidate = case.candidate
    before = case.stage
    outcome = _outcome(case)
    if outcome.stage in (ReviewCase.TOWNSHIP, ReviewCase.COUNTY):
        have = set(case.verdicts.filter(tier=outcome.stage).values_list("department__code", flat=True))
        depts = {d.code: d for d in departments_for(candidate.election.campaign)}
        for w in outcome.waiting:
            if w.department not in have:
                ReviewVerdict.objects.create(
                    case=case,
                    tier=outcome.stage,
                    department=depts.get(w.department) if w.department else None,
                )
    if outcome.stage == before:
        return
    case.stage = outcome.stage
    if outcome.stage in (PASSED, FAILED):
        case.closed_at = timezone.now()
    case.save(update_fields=["stage", "closed_at"])
    audit.record(
        actor,
        "review.stage",
        case,
        object_repr=f"资格审查：{candidate}",
        changes={"stage": [before, outcome.stage]},
    )
    if outcome.stage == FAILED:
        failure = outcome.failure
        dept = Department.objects.filter(code=failure.department).first() if failure.department else None
        who = dept.name if dept else TIER_ZH[failure.tier]
        item_text = negative_text(candidate.election.campaign, failure.negative_item)
        old = candidate.status
        candidate.status = Candidate.DISQUALIFIED
        candidate.save(update_fields=["status"])
        audit.record(
            actor,
            "candidate.disqualified",
            candidate,
            changes={
                "status": [old, Candidate.DISQUALIFIED],
                "reason": [None, f"{who}认定 {failure.negative_item}：{item_text}"],
            },
        )


def record_verdict(
    actor,
    verdict: ReviewVerdict,
    passed: bool,
    negative_item: str = "",
    comment: str = "",
    document_number: str = "",
    on: dt.date | None = None,
) -> ReviewVerdict:
    """Record one tier's (or one department's) verdict; a fail names a 十不选 item and ends the case."""
    with transaction.atomic():
        # Lock the case first: two departments passing at the same moment must not both see the
        # other still pending and leave an all-passed case in the joint review.
        ReviewCase.objects.select_for_update().filter(pk=verdict.case_id).first()
        verdict = (
            ReviewVerdict.objects.select_for_update(of=("self",))
            .select_related("case__candidate__election__campaign", "case__candidate__person", "department")
            .get(pk=verdict.pk)
        )
        case = verdict.case
        _check_reviewer(actor, verdict)
        if case.stage in (ReviewCase.PASSED, ReviewCase.FAILED):
            raise ReviewError(
                f"{case.candidate.person.name}的资格审查已结束（{STAGE_ZH[case.stage]}），不能再审查。"
            )
        if verdict.verdict != ReviewVerdict.PENDING:
            raise ReviewError(
                f"{case.candidate.person.name}的{_verdict_title(verdict)}已于"
                f"{verdict.decided_on}由{verdict.reviewer_name}作出，不能重复审查。"
            )
        if verdict.tier != case.stage:
            raise ReviewError(
                f"须按顺序审查：{case.candidate.person.name}目前处于{STAGE_ZH[case.stage]}阶段，"
                f"尚不能进行{TIER_ZH[verdict.tier]}。"
            )
        value = ReviewVerdict.PASS if passed else ReviewVerdict.FAIL
        campaign = case.candidate.election.campaign
        negative_item = (negative_item or "").strip()
        try:
            check_verdict(value, negative_item, [i["code"] for i in negative_items(campaign)])
        except EngineError as exc:
            raise ReviewError(exc.message) from exc
        verdict.verdict = value
        verdict.negative_item = negative_item
        verdict.comment = (comment or "").strip()[:500]
        verdict.document_number = (document_number or "").strip()[:60]
        verdict.reviewer = actor
        verdict.reviewer_name = str(actor)[:80]
        verdict.decided_on = on or timezone.localdate()
        verdict.save()
        audit.record(
            actor,
            "review.verdict",
            case,
            object_repr=f"{_verdict_title(verdict)}：{case.candidate}",
            changes=_verdict_changes(verdict),
        )
        _advance(actor, case)
        return verdict


def _verdict_title(verdict: ReviewVerdict) -> str:
    if verdict.tier == ReviewCase.COUNTY and verdict.department_id:
        return f"县级联审（{verdict.department.name}）"
    return TIER_ZH[verdict.tier]


def _verdict_changes(verdict: ReviewVerdict) -> dict:
    changes = {
        "verdict": [ReviewVerdict.PENDING, verdict.verdict],
        "tier": [None, verdict.tier],
        "decided_on": [None, verdict.decided_on],
    }
    if verdict.department_id:
        changes["department"] = [None, verdict.department.code]
    for field in ("negative_item", "comment", "document_number"):
        if getattr(verdict, field):
            changes[field] = [None, getattr(verdict, field)]
    return changes


# ---------------------------------------------------------------------------------------------
# department queues, bulk verdicts, reminders


def _region_prefix(region: Region) -> str:
    return region.scope_prefix


def department_queue(
    user, *, pending_only: bool = True, township: Region | None = None, search: str = ""
) -> QuerySet[ReviewVerdict]:
    """The joint-review verdicts of the user's department over the villages in the user's scope.

    Only cases at the county tier (or decided by this department) are listed: a department
    never sees another department's verdicts, nor cases still in the village or township tier.
    """
    if getattr(user, "role", None) != DEPARTMENT or not user.department_id or user.scope_prefix is None:
        return ReviewVerdict.objects.none()
    qs = ReviewVerdict.objects.filter(
        tier=ReviewCase.COUNTY,
        department_id=user.department_id,
        case__candidate__election__organization__code__startswith=user.scope_prefix,
    ).select_related(
        "case__candidate__person", "case__candidate__post", "case__candidate__election__organization"
    )
    if pending_only:
        qs = qs.filter(verdict=ReviewVerdict.PENDING, case__stage=ReviewCase.COUNTY)
    if township is not None:
        qs = qs.filter(case__candidate__election__organization__code__startswith=_region_prefix(township))
    search = (search or "").strip()
    if search:
        from django.db.models import Q

        qs = qs.filter(
            Q(case__candidate__person__name__contains=search)
            | Q(case__candidate__person__id_number__startswith=search.upper())
            | Q(case__candidate__election__organization__name__contains=search)
        )
    return qs.order_by(
        "case__candidate__election__organization__code",
        "case__candidate__post__rank",
        "case__candidate__list_order",
        "id",
    )


@transaction.atomic
def bulk_verdict(
    actor,
    township: Region,
    except_candidates: Iterable[Candidate | int] = (),
    *,
    verdict_ids: Sequence[int] | None = None,
    comment: str = "",
    document_number: str = "",
    on: dt.date | None = None,
) -> list[ReviewVerdict]:
    """ "All candidates here pass, except these", in one action: a department for a township at
    the county joint review, the village committee at its 村级预审, the township at its 乡镇初审
    (``township`` is then the village or township whose candidates are reviewed).

    ``verdict_ids`` (the rows the reviewer had on screen) limits the action, so a candidate queued
    after the page was opened is not passed unseen. The excepted candidates stay pending for a
    single verdict. One summary audit record lists every candidate passed.
    """
    role = getattr(actor, "role", None)
    if (role == DEPARTMENT and not actor.department_id) or role not in (DEPARTMENT, *OFFICE_TIER):
        raise ReviewError("只有联审部门、村民选举委员会或乡镇换届办账号可以批量审查。")
    if not in_scope(actor, township.code):
        raise ReviewError(f"{township.name}不在您的管辖范围内。")
    excepted = {c.pk if isinstance(c, Candidate) else int(c) for c in except_candidates}
    qs = department_queue(actor, township=township) if role == DEPARTMENT else office_queue(actor, township)
    if verdict_ids is not None:
        qs = qs.filter(pk__in=list(verdict_ids))
    # Cases locked in id order (as record_verdict locks them) so concurrent actions cannot deadlock.
    list(
        ReviewCase.objects.select_for_update().filter(pk__in=qs.values("case_id")).order_by("pk").values("pk")
    )
    qs = qs.select_for_update(of=("self",))
    chosen = [v for v in qs if v.case.candidate_id not in excepted]
    if not chosen:
        what = "本部门审查" if role == DEPARTMENT else TIER_ZH[OFFICE_TIER[role]]
        raise ReviewError(f"{township.name}没有待{what}且未被排除的候选人。")
    day = on or timezone.localdate()
    passed_names = []
    for v in chosen:
        v.verdict = ReviewVerdict.PASS
        v.negative_item = ""
        v.comment = (comment or "").strip()[:500]
        v.document_number = (document_number or "").strip()[:60]
        v.reviewer = actor
        v.reviewer_name = str(actor)[:80]
        v.decided_on = day
        v.save()
        passed_names.append(f"{v.case.candidate.election.organization.name} {v.case.candidate.person.name}")
    who = actor.department.name if role == DEPARTMENT else TIER_ZH[OFFICE_TIER[role]]
    audit.record(
        actor,
        "review.bulk_pass",
        township,
        object_type="review.BulkVerdict",
        object_repr=f"{who}批量审查通过：{township.name} {len(chosen)} 人",
        region_code=township.code,
        changes={
            "department": [None, actor.department.code if role == DEPARTMENT else TIER_ZH[OFFICE_TIER[role]]],
            "passed": [None, passed_names],
            "verdict_ids": [None, [v.pk for v in chosen]],
            "excepted": [None, sorted(excepted)],
            "document_number": [None, document_number],
            "decided_on": [None, day],
        },
    )
    for v in chosen:
        _advance(actor, v.case)
    return chosen


def office_queue(actor, region: Region) -> QuerySet[ReviewVerdict]:
    """The village committee's 村级预审 or the township's 乡镇初审 still to do under ``region``."""
    tier = OFFICE_TIER.get(getattr(actor, "role", None))
    if tier is None or actor.scope_prefix is None:
        return ReviewVerdict.objects.none()
    prefix = region.code if region.level == Region.VILLAGE else _region_prefix(region)
    return (
        ReviewVerdict.objects.filter(
            tier=tier,
            verdict=ReviewVerdict.PENDING,
            case__stage=tier,
            case__candidate__election__organization__code__startswith=prefix,
        )
        .filter(case__candidate__election__organization__code__startswith=actor.scope_prefix)
        .select_related("case__candidate__person", "case__candidate__election__organization")
        .order_by("case__candidate__election__organization__code", "case__candidate__list_order", "id")
    )


@transaction.atomic
def send_reminder(actor, department: Department, cases: Iterable[ReviewCase]) -> Notification:
    """A township's reminder to a department that has candidates of the township still waiting."""
    if getattr(actor, "role", None) not in (TOWNSHIP, COUNTY):
        raise ReviewError("只有乡镇或县换届办账号可以催办。")
    cases = list(cases)
    if not cases:
        raise ReviewError("请选择需要催办的候选人。")
    waiting = []
    for case in cases:
        code = case.candidate.election.organization.code
        if not in_scope(actor, code):
            raise ReviewError(f"{case.candidate.person.name}所在村（社区）不在您的管辖范围内。")
        pending = case.verdicts.filter(
            tier=ReviewCase.COUNTY, department=department, verdict=ReviewVerdict.PENDING
        ).first()
        if pending is None or case.stage != ReviewCase.COUNTY:
            raise ReviewError(f"{case.candidate.person.name}没有等待{department.name}审查的事项，无需催办。")
        waiting.append((case, pending))
    today = timezone.localdate()
    longest = max(days_waiting(p, today) for _, p in waiting)
    names = "、".join(
        f"{c.candidate.election.organization.name}{c.candidate.person.name}" for c, _ in waiting[:5]
    )
    more = f"等 {len(waiting)} 人" if len(waiting) > 5 else f"共 {len(waiting)} 人"
    region = actor.region.name if actor.region_id else ""
    text = f"{region}提醒：{names}{more}的资格联审尚待贵单位审查，最长已等待 {longest} 天，请尽快办理。"
    note = Notification.objects.create(
        recipient_department=department, sender=actor, text=text[:500], link=reverse("review:queue")
    )
    audit.record(
        actor,
        "review.remind",
        note,
        object_type="review.Notification",
        object_repr=f"催办{department.name}",
        region_code=actor.region.code if actor.region_id else "",
        changes={"department": [None, department.code], "cases": [None, [c.pk for c, _ in waiting]]},
    )
    return note


def notifications_for(user) -> QuerySet[Notification]:
    from django.db.models import Q

    cond = Q(recipient_user=user)
    if user.department_id:
        cond |= Q(recipient_department_id=user.department_id)
    return Notification.objects.filter(cond).select_related("sender")


@transaction.atomic
def mark_read(user, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


_PREVIOUS_TIER = {ReviewCase.TOWNSHIP: ReviewCase.VILLAGE, ReviewCase.COUNTY: ReviewCase.TOWNSHIP}


def days_waiting(verdict: ReviewVerdict, today: dt.date | None = None) -> int:
    """Whole days since the candidate reached this queue (0 on that day).

    The queue starts on the day the previous tier decided (its recorded date, which a clerk may enter
    after the fact), or, for the first tier, when the verdict row was queued."""
    today = today or timezone.localdate()
    since = timezone.localtime(verdict.queued_at).date()
    previous_tier = _PREVIOUS_TIER.get(verdict.tier)
    if previous_tier:
        decided = (ReviewVerdict.objects.filter(case_id=verdict.case_id, tier=previous_tier)
                   .exclude(decided_on=None).values_list("decided_on", flat=True).first())
        if decided is not None and decided < since:
            since = decided
    return max(0, (today - since).days)


@dataclass
class Waiting:
    candidate: Candidate
    case: ReviewCase
    verdict: ReviewVerdict
    waiting_on: str
    days: int


def waiting_report(township: Region, *, campaign=None, today: dt.date | None = None) -> list[dict]:
    """Per village of the township: who is waiting on which tier or department, for how many days.

    ``[{"village": Region, "rows": [Waiting…], "longest": int}]`` in village code order, longest
    wait first inside a village; villages with nobody waiting are left out.
    """
    today = today or timezone.localdate()
    qs = ReviewVerdict.objects.filter(
        verdict=ReviewVerdict.PENDING,
        case__stage__in=[ReviewCase.VILLAGE, ReviewCase.TOWNSHIP, ReviewCase.COUNTY],
        case__candidate__election__organization__code__startswith=township.scope_prefix,
    ).select_related(
        "department",
        "case__candidate__person",
        "case__candidate__post",
        "case__candidate__election__organization",
    )
    if campaign is not None:
        qs = qs.filter(case__candidate__election__campaign=campaign)
    per_village: dict[int, dict] = {}
    for v in qs:
        if v.tier != v.case.stage:
            continue
        org = v.case.candidate.election.organization
        entry = per_village.setdefault(org.pk, {"village": org, "rows": []})
        on = v.department.name if v.department_id else TIER_ZH[v.tier]
        entry["rows"].append(Waiting(v.case.candidate, v.case, v, on, days_waiting(v, today)))
    out = []
    for entry in sorted(per_village.values(), key=lambda e: e["village"].code):
        entry["rows"].sort(key=lambda w: (-w.days, w.waiting_on, w.candidate.person.name))
        entry["longest"] = entry["rows"][0].days
        out.append(entry)
    return out


def waiting_by_department(township: Region, *, campaign=None, today: dt.date | None = None) -> list[dict]:
    """The same waits grouped by department (for the reminder buttons): ``[{department, cases, longest}]``."""
    groups: dict[int, dict] = {}
    for entry in waiting_report(township, campaign=campaign, today=today):
        for w in entry["rows"]:
            if w.verdict.department_id is None:
                continue
            g = groups.setdefault(
                w.verdict.department_id, {"department": w.verdict.department, "cases": [], "longest": 0}
            )
            g["cases"].append(w.case)
            g["longest"] = max(g["longest"], w.days)
    return sorted(groups.values(), key=lambda g: (g["department"].sort_order, g["department"].code))


# ---------------------------------------------------------------------------------------------
# what a viewer may see of a candidate's review, and the 资格联审表

TIER_STATE_ZH = {"passed": "通过", "failed": "未通过", "in_progress": "审查中", "not_started": "未开始"}


def tier_summary(case: ReviewCase | None) -> list[dict]:
    """Per tier only passed / failed / in progress / not started — no department names (for villages)."""
    states = []
    stage_index = {t: i for i, t in enumerate((ReviewCase.VILLAGE, ReviewCase.TOWNSHIP, ReviewCase.COUNTY))}
    verdicts = list(case.verdicts.all()) if case else []
    for tier in (ReviewCase.VILLAGE, ReviewCase.TOWNSHIP, ReviewCase.COUNTY):
        mine = [v for v in verdicts if v.tier == tier]
        if case is None or not mine:
            state = "not_started"
        elif any(v.verdict == ReviewVerdict.FAIL for v in mine):
            state = "failed"
        elif case.stage == ReviewCase.PASSED or stage_index.get(case.stage, 99) > stage_index[tier]:
            state = "passed"
        elif case.stage == ReviewCase.FAILED:
            state = (
                "not_started" if not any(v.verdict != ReviewVerdict.PENDING for v in mine) else "in_progress"
            )
        else:
            state = "in_progress"
        states.append(
            {"tier": tier, "label": TIER_ZH[tier], "state": state, "state_label": TIER_STATE_ZH[state]}
        )
    return states


def election_review_rows(user, election) -> list[dict]:
    """Each candidate's review as the user may see it: full (county, township) or per tier only."""
    full = getattr(user, "role", None) in FULL_VIEW_ROLES
    candidates = election.candidates.select_related("person", "post", "review").prefetch_related(
        "review__verdicts__department"
    )
    rows = []
    for cand in candidates:
        try:
            case = cand.review
        except ReviewCase.DoesNotExist:
            case = None
        row = {
            "candidate": cand,
            "case": case,
            "tiers": tier_summary(case),
            "stage_label": STAGE_ZH[case.stage] if case else "未提交审查",
            "stage": case.stage if case else "none",
        }
        if full and case:
            row["departments"] = [v for v in case.verdicts.all() if v.tier == ReviewCase.COUNTY]
        rows.append(row)
    return rows


def _stage_cell(stage: str, compact: bool = False) -> str:
    """The 审查结论 column; in the PDF's narrow column under its header: 通过 / 不通过 / 审查中."""
    if not compact:
        return STAGE_ZH[stage]
    return {ReviewCase.PASSED: "通过", ReviewCase.FAILED: "不通过"}.get(stage, "审查中")


def _verdict_cell(v: ReviewVerdict | None, compact: bool = False) -> str:
    if v is None:
        return "—"
    if v.verdict == ReviewVerdict.PASS:
        return "通过"
    if v.verdict == ReviewVerdict.FAIL:
        return f"不通过\n{v.negative_item}" if compact else f"不通过（{v.negative_item}）"
    return "待审"


def joint_review_table(township: Region, campaign, compact: bool = False) -> dict:
    """The 资格联审表 of a township: one row per candidate, one column per department.

    ``compact`` breaks a failed cell in two lines for the narrow department columns of the PDF.
    """
    depts = departments_for(campaign)
    cases = (
        ReviewCase.objects.filter(
            candidate__election__campaign=campaign,
            candidate__election__organization__code__startswith=township.scope_prefix,
        )
        .select_related("candidate__person", "candidate__post", "candidate__election__organization")
        .prefetch_related("verdicts__department")
        .order_by(
            "candidate__election__organization__code",
            "candidate__post__rank",
            "candidate__list_order",
            "candidate__id",
        )
    )
    columns = ["序号", "村（社区）", "姓名", "性别", "公民身份号码", "职位", "村级预审", "乡镇初审"]
    columns += [d.name for d in depts] + ["审查结论"]
    rows = []
    failures = []
    for i, case in enumerate(cases, start=1):
        cand = case.candidate
        by = defaultdict(dict)
        for v in case.verdicts.all():
            by[v.tier][v.department_id] = v
        row = [
            i,
            cand.election.organization.name,
            cand.person.name,
            {"M": "男", "F": "女"}.get(cand.person.gender, ""),
            cand.person.id_number,
            cand.post.name,
            _verdict_cell(by[ReviewCase.VILLAGE].get(None), compact),
            _verdict_cell(by[ReviewCase.TOWNSHIP].get(None), compact),
        ]
        row += [_verdict_cell(by[ReviewCase.COUNTY].get(d.pk), compact) for d in depts]
        row.append(_stage_cell(case.stage, compact))
        rows.append(row)
        for v in case.verdicts.all():
            if v.verdict == ReviewVerdict.FAIL:
                who = v.department.name if v.department_id else TIER_ZH[v.tier]
                failures.append(
                    f"{cand.person.name}：{who}认定 {v.negative_item} "
                    f"{negative_text(campaign, v.negative_item)}"
                    + (f"（{v.document_number}）" if v.document_number else "")
                )
    # A township's table covers its villages; the archive of one village holds that village's rows.
    if township.level == Region.VILLAGE:
        title = f"{township.name}“两委”换届候选人资格联审表"
    else:
        title = f"{township.name}村（社区）“两委”换届候选人资格联审表"
    subtitle = (
        f"{campaign.name}　　填报单位：{township.name}　　制表日期：{timezone.localdate():%Y年%m月%d日}"
    )
    signatures = [f"{d.name}（盖章）审查人" for d in depts]
    return {
        "title": title,
        "subtitle": subtitle,
        "columns": columns,
        "rows": rows,
        "footer": ["说明：“待审”为尚未作出结论；不通过须注明负面清单（十不选）事项代码。", *failures],
        "signatures": signatures,
        "departments": depts,
    }


def joint_review_pdf(township: Region, campaign) -> bytes:
    from huanjie.documents.render.pdf import table_pdf

    t = joint_review_table(township, campaign, compact=True)
    # Every column keeps its values whole: an 18-digit ID number, a name, "不通过" (its item code on
    # the next line). table_pdf shrinks the font until they fit; with many departments the table
    # starts at 9 pt. The weights only share out what is left (the departments' headers wrap).
    many = len(t["departments"]) > 8
    size = 9.0 if many else 10.5
    widths = [22, 46, 48, 18, 100, 36, 30, 30] + [40] * len(t["departments"]) + [36]
    return table_pdf(
        t["title"],
        t["columns"],
        t["rows"],
        landscape=True,
        subtitle=t["subtitle"],
        footer_lines=t["footer"],
        signature_lines=t["signatures"],
        widths=widths,
        font_size=size,
        whole=list(range(len(t["columns"]))),
    )


def joint_review_xlsx(township: Region, campaign) -> bytes:
    from huanjie.documents.render.excel import SheetSpec, workbook_bytes

    t = joint_review_table(township, campaign)
    rows = [list(r) for r in t["rows"]]
    rows.append([])
    rows += [[s, "", "", "（签字）", "", "年　月　日"] for s in t["signatures"]]
    return workbook_bytes(
        [
            SheetSpec(
                name="资格联审表", title=t["title"], columns=t["columns"], rows=rows, subtitle=t["subtitle"]
            )
        ]
    )
