"""Handover across the county (R41, P20): which villages have handed over seals, files and 三资
within the 10-day limit. Read-only: each village's handover is recorded on its election's handover
page (huanjie/elections/aftervote); here the township and county see all of them, overdue first."""

from __future__ import annotations

import datetime as dt

from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.elections.aftervote import services as aftervote
from huanjie.elections.models import Election, HandoverItem
from huanjie.elections.services import calendar_objections

# overdue first (the office acts on these), then done late, still due, done, no new team yet
ORDER = {"overdue": 0, "late": 1, "due": 2, "done": 3, "none": 4}
STATUS_LABELS = {"overdue": "已逾期", "late": "完成但超过期限", "due": "待办", "done": "按期完成",
                 "none": "尚未产生新一届"}


def rows(campaign: Campaign, prefix: str, today: dt.date, q: str = "", status: str = "",
         villages=None) -> list[dict]:
    """One row per village of the campaign under ``prefix``: its villagers' (residents') committee
    election's handover, with each item's date. ``villages``: the villages and elections already
    read by the page (reports.services.villages_of with ``handover=True``)."""
    if villages is None:  # this page alone: only the elections with a new team are read
        entries = (CampaignVillage.objects.filter(campaign=campaign, village__code__startswith=prefix)
                   .select_related("village__parent").order_by("village__code"))
        chosen = aftervote.dashboard_elections(campaign, prefix).filter(
            stage__in=[Election.COUNTED, Election.SUBMITTED]).prefetch_related(
            "steps", calendar_objections(), "handover")  # the calendar and the handover status read them
    else:
        entries, chosen = villages.entries, villages.elections
    elections = {e.organization_id: e for e in chosen if e.stage in (Election.COUNTED, Election.SUBMITTED)}
    out = []
    for entry in entries:
        v = entry.village
        if q and q not in v.name and q not in v.parent.name:
            continue
        e = elections.get(v.pk)
        st = aftervote.handover_status(e, today) if e is not None else None
        key = st.status if st is not None else "none"
        if key == "due" and st.deadline is None:
            key = "none"
        items = {r["kind"]: r["item"] for r in st.items} if st else {}
        out.append({
            "village": v, "election": e, "status": key, "status_label": STATUS_LABELS[key],
            "took_office": st.took_office if st else None, "deadline": st.deadline if st else None,
            "done_on": st.done_on if st else None,
            "days_over": (today - st.deadline).days if st and key == "overdue" else 0,
            "items": [(label, items.get(kind)) for kind, label in HandoverItem.KIND_CHOICES],
        })
    if status:
        out = [r for r in out if r["status"] == status]
    return sorted(out, key=lambda r: (ORDER[r["status"]], -r["days_over"], r["village"].code))


def counts(all_rows: list[dict]) -> dict[str, int]:
    c = {k: 0 for k in ORDER}
    for r in all_rows:
        c[r["status"]] += 1
    return c
