"""The county command page (指挥调度): villages by stage, red where something is overdue or at risk,
open complaints and incidents, and this week's figures against the last week reported."""

from __future__ import annotations

from django.utils import timezone

from huanjie.campaigns.models import Campaign
from huanjie.people.models import Region

from . import services
from .models import Complaint, Incident, RiskPlan


def board(campaign: Campaign, user) -> dict:
    from huanjie.reports import services as reports

    today = timezone.localdate()
    prefix = user.scope_prefix or "-"
    # the villages and their elections read once for the three reports below (issue 17)
    villages = reports.villages_of(campaign, prefix, handover=True)
    figures = reports.village_figures(campaign, prefix, today, villages)
    risks = {r["village"].code: r for r in services.risk_rows(campaign, prefix, today, entries=villages.entries)}
    from . import handover

    # after submission the timeline no longer counts overdue steps: an overdue handover is red here
    handover_late = {r["village"].code: r["days_over"] for r in handover.rows(campaign, prefix, today,
                                                                               villages=villages)
                     if r["status"] == "overdue"}
    townships: dict[str, dict] = {}
    for f in figures:
        risk = risks.get(f["code"])
        reasons = []
        if f["overdue_steps"]:
            reasons.append(f"{f['overdue_steps']}个步骤逾期")
        if f["state"]:
            reasons.append(f["state"])
        if risk:
            if risk["plan"] is not None and risk["plan"].status != RiskPlan.RESOLVED:
                reasons.append("一村一策研判逾期" if risk["overdue"] else "选情复杂村")
            elif risk["flagged"]:
                reasons.append("选情复杂村（未制定一村一策）")
            reasons.extend(s.label for s in risk["signals"])
        if f["code"] in handover_late:
            reasons.append(f"工作移交逾期{handover_late[f['code']]}天")
        if f["incidents_open"]:
            reasons.append(f"{f['incidents_open']}起突发事件未处置完毕")
        cell = dict(f, reasons=reasons, red=bool(reasons))
        t = townships.setdefault(f["township_code"], {"name": f["township"], "code": f["township_code"],
                                                      "villages": [], "red": 0})
        t["villages"].append(cell)
        t["red"] += 1 if reasons else 0
    complaints = (services.complaints_visible_to(user).filter(campaign=campaign)
                  .exclude(status=Complaint.ANSWERED).select_related("village").order_by("deadline"))
    incidents = (services.incidents_visible_to(user).filter(campaign=campaign)
                 .exclude(status=Incident.CLOSED).select_related("village").order_by("-occurred_at"))
    now = reports.totals(figures)
    region = Region.objects.filter(code=prefix.ljust(12, "0")).first() if len(prefix) < 12 else None
    # this week's live figures against the last week reported before this one
    last = reports.previous_snapshot(campaign, region, reports.week_start(today)) if region else None
    stages: dict[str, int] = {}
    for f in figures:
        stages[f["stage"]] = stages.get(f["stage"], 0) + 1
    return {
        "townships": list(townships.values()),
        "open_complaints": list(complaints[:20]),
        "open_complaints_count": complaints.count(),
        "overdue_complaints": sum(1 for c in complaints if c.is_overdue(today)),
        "open_incidents": list(incidents[:20]),
        "comparison": reports.comparison(now, last.totals if last else None),
        "last_snapshot": last,
        "turnout": reports.turnout_text(now),
        "party_turnout": reports.party_turnout_text(now),
        "stages": sorted(stages.items(), key=lambda kv: -kv[1]),
        "updated_at": timezone.localtime(),
        "today": today,
    }
