"""Weekly figures (每周统计上报): computed per village from the elections, the review and the
oversight records, frozen per week so that last week stays as it was reported.

No figure is typed: each one is counted here, and percentages come from
:mod:`huanjie.rules.statistics` with its one rounding rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from huanjie.accounts import audit
from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.core.access import COUNTY, TOWNSHIP, in_scope
from huanjie.documents.render import SheetSpec, workbook_bytes
from huanjie.people.models import Region
from huanjie.rules.statistics import percent

from .models import WeeklySnapshot


class ReportError(Exception):
    """A refused report action; ``str(exc)`` is the Chinese reason."""


# The figures of a week, in the order of the upward table; (key, label). Counts only: the
# percentages are derived from them when shown.
FIGURES = [
    ("villages", "换届村（社区）数"),
    ("elections_set_up", "已建立选举"),
    ("held", "已完成投票计票"),
    ("submitted", "已报送结果"),
    ("overdue_steps", "逾期未完成的步骤"),
    ("reviewed", "完成资格审查的候选人"),
    ("disqualified", "资格审查未通过"),
    ("registered", "已计票村登记选民"),
    ("returned", "已计票村参加投票"),
    ("elected", "村（居）民委员会当选人数"),
    ("party_held", "已召开党员大会选举"),
    ("party_expected", "党员大会应到会人数"),
    ("party_present", "党员大会实到会人数"),
    ("complaints", "受理举报信访"),
    ("complaints_open", "未办结举报信访"),
    ("incidents", "发生突发事件"),
    ("incidents_open", "未处置完毕的突发事件"),
    ("complicated", "选情复杂村"),
]
FIGURE_LABELS = dict(FIGURES)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass
class Villages:
    """The campaign's villages under a prefix and their committee elections, read once for the pages
    that combine several per-village reports (the command page: figures, risks and handover; the
    summary: figures and handover), instead of once per report (issue 17)."""

    entries: list  # CampaignVillage with village and township, in code order
    elections: list  # the committee election of each village, with what the calendar and handover read


def villages_of(campaign: Campaign, prefix: str, handover: bool = False) -> Villages:
    from huanjie.elections.aftervote.services import dashboard_elections
    from huanjie.elections.services import calendar_objections

    entries = list(CampaignVillage.objects.filter(campaign=campaign, village__code__startswith=prefix)
                   .select_related("village__parent").order_by("village__code"))
    # every election is the campaign's own: one Campaign object for all, not one per row
    qs = (dashboard_elections(campaign, prefix).select_related(None).select_related("organization__parent")
          .prefetch_related("steps", calendar_objections(), *(["handover"] if handover else [])))
    elections = list(qs)
    for e in elections:
        e.campaign = campaign
    return Villages(entries, elections)


def village_figures(campaign: Campaign, prefix: str, today: dt.date | None = None,
                    villages: Villages | None = None) -> list[dict]:
    """One row per village of the campaign under ``prefix``, with the counts of FIGURES."""
    from huanjie.elections.aftervote.services import village_rows
    from huanjie.elections.services import timeline
    from huanjie.oversight.models import Complaint, Incident
    from huanjie.review.models import ReviewCase

    today = today or timezone.localdate()
    villages = villages or villages_of(campaign, prefix)
    entries, elections = villages.entries, villages.elections
    by_village = {r["village"].pk: r for r in village_rows(elections)}
    reviewed: dict[int, int] = {}
    disqualified: dict[int, int] = {}
    for row in (ReviewCase.objects.filter(candidate__election__campaign=campaign,
                                          candidate__election__organization__code__startswith=prefix,
                                          stage__in=[ReviewCase.PASSED, ReviewCase.FAILED])
                .values("candidate__election__organization_id", "stage").annotate(n=Count("id"))):
        vid = row["candidate__election__organization_id"]
        reviewed[vid] = reviewed.get(vid, 0) + row["n"]
        if row["stage"] == ReviewCase.FAILED:
            disqualified[vid] = disqualified.get(vid, 0) + row["n"]

    party = party_attendance(campaign, prefix)

    def per_village(qs, open_filter):
        total, still_open = {}, {}
        for row in qs.values("village_id", "status").annotate(n=Count("id")):
            total[row["village_id"]] = total.get(row["village_id"], 0) + row["n"]
            if open_filter(row["status"]):
                still_open[row["village_id"]] = still_open.get(row["village_id"], 0) + row["n"]
        return total, still_open

    complaints, complaints_open = per_village(
        Complaint.objects.filter(campaign=campaign, village__code__startswith=prefix, received_on__lte=today),
        lambda s: s != Complaint.ANSWERED)
    incidents, incidents_open = per_village(
        Incident.objects.filter(campaign=campaign, village__code__startswith=prefix),
        lambda s: s != Incident.CLOSED)
    rows = []
    for entry in entries:
        v = entry.village
        r = by_village.get(v.pk)
        overdue = 0
        if r is not None and r["election"].stage != r["election"].SUBMITTED:
            overdue = sum(1 for s in timeline(r["election"], today=today) if s.status == "overdue")
        counted = bool(r and r["counted"])
        rows.append({
            "code": v.code, "village": v.name, "township": v.parent.name if v.parent else "",
            "township_code": v.parent.code if v.parent else "",
            "stage": r["stage"] if r else "未建立选举",
            "state": entry.get_state_display() if entry.state != CampaignVillage.IN_SCOPE else "",
            "villages": 1,
            "elections_set_up": 1 if r else 0,
            "held": 1 if counted else 0,
            "submitted": 1 if r and r["locked"] else 0,
            "overdue_steps": overdue,
            "reviewed": reviewed.get(v.pk, 0),
            "disqualified": disqualified.get(v.pk, 0),
            "registered": r["registered"] if counted else 0,
            "returned": r["returned"] if counted else 0,
            "elected": r["elected_count"] if r else 0,
            "complaints": complaints.get(v.pk, 0),
            "complaints_open": complaints_open.get(v.pk, 0),
            "incidents": incidents.get(v.pk, 0),
            "incidents_open": incidents_open.get(v.pk, 0),
            "complicated": 1 if entry.complicated else 0,
            "party_held": 1 if v.pk in party else 0,
            "party_expected": party.get(v.pk, (0, 0))[0],
            "party_present": party.get(v.pk, (0, 0))[1],
        })
    return rows


def party_attendance(campaign: Campaign, prefix: str) -> dict[int, tuple[int, int]]:
    """Per village id, the party members' assembly of its party election as counted: 应到会人数
    and 实到会有选举权的人数 (R51–R52), from the first round's stored result (the engine's figures,
    never typed again)."""
    from huanjie.elections.models import Election, RoundResult

    out: dict[int, tuple[int, int]] = {}
    for village_id, output in RoundResult.objects.filter(
            round__election__campaign=campaign, round__election__kind=Election.PARTY_BRANCH, round__number=1,
            round__election__organization__code__startswith=prefix).values_list(
            "round__election__organization_id", "output"):
        given = (output or {}).get("input") or {}
        expected, present = given.get("expected_attendance"), given.get("present_with_vote")
        if isinstance(expected, int) and isinstance(present, int):
            out[village_id] = (expected, present)
    return out


def party_turnout_text(figures: dict) -> str:
    """党员参会率: members present with the vote over 应到会人数 of the assemblies held."""
    return percent(figures.get("party_present", 0), figures.get("party_expected", 0)).with_counts


def totals(rows: list[dict]) -> dict:
    return {key: sum(r.get(key, 0) for r in rows) for key, _ in FIGURES}


def turnout_text(figures: dict) -> str:
    return percent(figures.get("returned", 0), figures.get("registered", 0)).with_counts


def comparison(this_week: dict, last_week: dict | None) -> list[dict]:
    """Each figure this week, last week and the change (None when there is no last week)."""
    out = []
    for key, label in FIGURES:
        now = this_week.get(key, 0)
        # a week reported before a figure existed shows "—" for it, not a zero
        before = None if last_week is None or key not in last_week else last_week[key]
        out.append({"key": key, "label": label, "now": now, "before": before,
                    "change": None if before is None else now - before})
    return out


def _check_office(actor, region: Region) -> None:
    if actor.role not in (COUNTY, TOWNSHIP):
        raise ReportError("只有乡镇和县换届办上报每周统计。")
    if not in_scope(actor, region.code):
        raise ReportError(f"{region.name}不在您的管辖范围内。")


@transaction.atomic
def take_snapshot(actor, campaign: Campaign, region: Region, as_of: dt.date | None = None) -> WeeklySnapshot:
    """Freeze this week's figures of a township or the county as reported. A week is reported once:
    what went upward is not rewritten by later changes."""
    _check_office(actor, region)
    as_of = as_of or timezone.localdate()
    if as_of > timezone.localdate():
        raise ReportError(f"统计截止日 {as_of.isoformat()} 晚于今天。")
    week = week_start(as_of)
    if WeeklySnapshot.objects.filter(campaign=campaign, region=region, week_start=week).exists():
        raise ReportError(f"{region.name}{week.isoformat()}起的一周已经上报，上报的数字不再改动。")
    prefix = region.scope_prefix
    rows = village_figures(campaign, prefix, as_of)
    try:
        with transaction.atomic():
            snap = WeeklySnapshot.objects.create(campaign=campaign, region=region, week_start=week, as_of=as_of,
                                                 taken_by=actor, rows=rows, totals=totals(rows))
    except IntegrityError as exc:
        raise ReportError(f"{region.name}{week.isoformat()}起的一周已经上报。") from exc
    audit.record(actor, "reports.weekly_snapshot", snap, changes={"week_start": [None, week],
                                                                  "totals": [None, snap.totals]})
    return snap


def previous_snapshot(campaign: Campaign, region: Region, before_week: dt.date) -> WeeklySnapshot | None:
    return (WeeklySnapshot.objects.filter(campaign=campaign, region=region, week_start__lt=before_week)
            .order_by("-week_start").first())


def snapshot_xlsx(snap: WeeklySnapshot) -> bytes:
    """The weekly table in the layout offices send upward: one line per village, a total line, and
    a second sheet with each figure against last week."""
    columns = (["乡镇", "村（社区）", "换届阶段", "整顿/暂缓"] + [label for key, label in FIGURES[1:]]
               + ["参选率", "党员参会率"])
    body = []
    for r in snap.rows:
        body.append([r["township"], r["village"], r["stage"], r["state"]]
                    + [r.get(key, 0) for key, _ in FIGURES[1:]] + [turnout_text(r) if r["registered"] else "—",
                                                                 party_turnout_text(r) if r.get("party_expected") else "—"])
    t = snap.totals
    body.append(["合计", f"{t.get('villages', 0)}个村（社区）", "", ""]
                + [t.get(key, 0) for key, _ in FIGURES[1:]] + [turnout_text(t), party_turnout_text(t)])
    last = previous_snapshot(snap.campaign, snap.region, snap.week_start)
    compare = comparison(snap.totals, last.totals if last else None)
    sub = (f"填报单位：{snap.region.name}　统计周：{snap.week_start.isoformat()}起　"
           f"截至 {snap.as_of.isoformat()}　上报时间：{timezone.localtime(snap.taken_at):%Y-%m-%d %H:%M}")
    return workbook_bytes([
        SheetSpec(name="本周统计", title=f"{snap.campaign.name}每周统计表", columns=columns, rows=body,
                  subtitle=sub),
        SheetSpec(name="与上周比较", title="本周与上周比较",
                  subtitle=(f"上周：{last.week_start.isoformat()}起（截至 {last.as_of.isoformat()}）" if last
                            else "没有上周的上报记录"),
                  columns=["项目", "上周", "本周", "增减"],
                  rows=[[c["label"], "—" if c["before"] is None else c["before"], c["now"],
                         "—" if c["change"] is None else (f"+{c['change']}" if c["change"] > 0 else c["change"])]
                        for c in compare]),
    ])
