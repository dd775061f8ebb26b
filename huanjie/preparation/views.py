"""Preparation pages: the county's readiness table, a village's 离任审计, training sessions."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Min, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.core import uploads
from huanjie.core.access import ADMIN, COUNTY, OBSERVER, TOWNSHIP, VILLAGE, allow, require_scope
from huanjie.elections.view_helpers import file_response, form_date
from huanjie.people.models import Region

from . import readiness, services
from .models import OutgoingAudit, TrainingAttendance, TrainingSession

RECORDERS = (COUNTY, TOWNSHIP)
VIEWERS = (COUNTY, TOWNSHIP, ADMIN, OBSERVER)


def _campaign(request, slug) -> Campaign:
    return get_object_or_404(Campaign.objects.visible_to(request.user).select_related("county"), slug=slug)


def _entry(request, campaign, code) -> CampaignVillage:
    entry = get_object_or_404(campaign.villages.select_related("village__parent"), village__code=code)
    require_scope(request.user, entry.village.code)
    return entry


def readiness_rows(campaign: Campaign, prefix: str) -> list[dict]:
    """One row per village in scope: its gate, each blocker and the reason in the records."""
    entries = list(campaign.villages.filter(village__code__startswith=prefix)
                   .select_related("village__parent").order_by("village__code"))
    audits = {a.entry_id: a for a in OutgoingAudit.objects.filter(entry__in=entries).defer("attachment")}
    attended = {
        r["entry"]: r for r in TrainingAttendance.objects.filter(entry__in=entries).values("entry").annotate(
            committee=Min("session__held_on", filter=Q(committee_all=True)),
            staff=Min("session__held_on", filter=Q(staff=True)))
    }
    rows = []
    for e in entries:
        blockers = readiness.blockers(e)
        a = audits.get(e.pk)
        t = attended.get(e.pk, {})
        reasons = []
        for b in blockers:
            if b.kind == readiness.TRAINING:
                if not t.get("committee"):
                    reasons.append("村民选举委员会成员尚未全部参加培训")
                if not t.get("staff"):
                    reasons.append("选举工作人员尚未参加培训")
            elif b.kind == readiness.AUDIT:
                reasons.append("未登记离任审计")
            else:
                reasons.append(b.text)
        rows.append({"entry": e, "audit": a, "committee_on": t.get("committee"), "staff_on": t.get("staff"),
                     "blockers": blockers, "kinds": {b.kind for b in blockers}, "reasons": reasons})
    return rows


FILTER_KINDS = [(readiness.AUDIT, "缺离任审计"), (readiness.TRAINING, "缺业务培训"), (readiness.STATE, "整顿或暂缓")]


@allow(*VIEWERS)
def readiness_table(request, slug):
    """Which villages may not vote yet and why; filters, and the same table as Excel."""
    campaign = _campaign(request, slug)
    user = request.user
    township = (request.GET.get("township") or "").strip()
    status = request.GET.get("status", "")
    kind = request.GET.get("missing", "")
    rows = readiness_rows(campaign, user.scope_prefix)
    townships = sorted({r["entry"].village.parent for r in rows}, key=lambda t: t.code)
    total, ready = len(rows), sum(1 for r in rows if not r["blockers"])
    if township:
        rows = [r for r in rows if r["entry"].village.parent.code == township]
    if status == "ready":
        rows = [r for r in rows if not r["blockers"]]
    elif status == "not_ready":
        rows = [r for r in rows if r["blockers"]]
    if kind:
        rows = [r for r in rows if kind in r["kinds"]]
    if request.GET.get("export") == "xlsx":
        return _export(campaign, rows)
    query = urlencode({k: v for k, v in {"township": township, "status": status, "missing": kind}.items() if v})
    return render(request, "preparation/readiness.html", {
        "campaign": campaign, "rows": rows, "townships": townships, "township": township, "status": status,
        "missing": kind, "kinds": FILTER_KINDS, "total": total, "ready": ready, "not_ready": total - ready, "query": query,
        "can_record": user.role in RECORDERS,
    })


def _export(campaign: Campaign, rows: list[dict]):
    from huanjie.documents.render.excel import SheetSpec, workbook_bytes

    table = []
    for r in rows:
        e, a = r["entry"], r["audit"]
        table.append([
            e.village.parent.name, e.village.name, e.village.code, e.get_state_display(),
            a.audited_on.isoformat() if a else "", a.auditor if a else "", a.get_conclusion_display() if a else "",
            r["committee_on"].isoformat() if r["committee_on"] else "", r["staff_on"].isoformat() if r["staff_on"] else "",
            "是" if not r["blockers"] else "否", "；".join(r["reasons"]),
        ])
    content = workbook_bytes([SheetSpec(
        name="换届准备", title=f"{campaign.name}：各村换届准备情况",
        columns=["乡镇（街道）", "村（社区）", "区划代码", "换届状态", "离任审计日期", "审计单位", "审计结论",
                 "选举委员会培训日期", "工作人员培训日期", "可以进入投票阶段", "未完成原因"],
        rows=table)])
    return file_response(content, f"{campaign.name}换届准备情况.xlsx",
                         content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@allow(COUNTY, TOWNSHIP, VILLAGE, ADMIN, OBSERVER)
def village_preparation(request, slug, code):
    """One village's 离任审计 and training attendance; the township records the audit here."""
    campaign = _campaign(request, slug)
    entry = _entry(request, campaign, code)
    return render(request, "preparation/village.html", _village_context(request, campaign, entry))


def _village_context(request, campaign, entry, errors=None, values=None) -> dict:
    return {
        "campaign": campaign, "entry": entry,
        "record": OutgoingAudit.objects.filter(entry=entry).defer("attachment").first(),
        "attendance": TrainingAttendance.objects.filter(entry=entry).select_related("session")
        .order_by("session__held_on"),
        "blockers": readiness.blockers(entry), "conclusions": OutgoingAudit.CONCLUSION_CHOICES,
        "can_record": request.user.role in RECORDERS, "errors": errors or {}, "values": values or {},
        "show_findings": request.user.role != OBSERVER,
    }


@allow(*RECORDERS)
@require_POST
def record_audit(request, slug, code):
    campaign = _campaign(request, slug)
    entry = _entry(request, campaign, code)
    errors: dict[str, str] = {}
    attachment = None
    try:
        upload = uploads.uploaded_file(request, "attachment")
    except uploads.UploadRefused as exc:
        upload, errors = None, {"attachment": str(exc)}
    if upload is not None and upload.size > services.MAX_ATTACHMENT:
        # Refused before reading it into memory.
        errors = {"attachment": f"附件超过 {services.MAX_ATTACHMENT // 1024 // 1024} MB。"}
    elif upload is not None:
        attachment = services.Attachment(upload.name, upload.read())
    values = {k: request.POST.get(k, "") for k in ("audited_on", "auditor", "conclusion", "findings")}
    if not errors:
        try:
            services.record_audit(request.user, entry, audited_on=form_date(values["audited_on"]),
                                  auditor=values["auditor"], conclusion=values["conclusion"],
                                  findings=values["findings"], attachment=attachment)
        except services.PreparationRefused as exc:
            errors = exc.errors
        else:
            messages.success(request, f"{entry.village.name}的离任审计已登记。")
            return redirect("preparation:village", slug=campaign.slug, code=entry.village.code)
    return render(request, "preparation/village.html", _village_context(request, campaign, entry, errors, values),
                  status=400)


@allow(COUNTY, TOWNSHIP, VILLAGE, ADMIN)
def audit_attachment(request, slug, code):
    campaign = _campaign(request, slug)
    entry = _entry(request, campaign, code)
    record = get_object_or_404(OutgoingAudit.objects.exclude(attachment=None), entry=entry)
    return file_response(bytes(record.attachment), record.attachment_name, content_type=record.attachment_type,
                         inline=True)


def _committee_names(campaign: Campaign, entries: list[CampaignVillage]) -> dict[int, list[str]]:
    """The sitting election committee of each village (when recorded), to start its list of trainees."""
    from huanjie.elections.models import CommitteeMember

    out: dict[int, list[str]] = {}
    members = CommitteeMember.objects.filter(
        election__campaign=campaign, election__organization__in=[e.village_id for e in entries],
        status=CommitteeMember.ACTIVE, is_reserve=False).select_related("person", "election").order_by("vote_order")
    for m in members:
        out.setdefault(m.election.organization_id, []).append(m.person.name)
    return out


@allow(*RECORDERS)
def training_new(request, slug):
    """One session: date, organiser and, per village of the account's scope, who attended."""
    campaign = _campaign(request, slug)
    entries = list(campaign.villages.filter(village__code__startswith=request.user.scope_prefix)
                   .select_related("village__parent").order_by("village__code"))
    values = {k: request.POST.get(k, "") for k in ("held_on", "organiser", "topic")}
    if request.method == "GET":
        region: Region = request.user.region
        values["organiser"] = f"{region.name}换届办" if region else ""
    errors: dict[str, str] = {}
    committees = _committee_names(campaign, entries)
    attended = [services.Attended(
        e, request.POST.get(f"committee_{e.pk}") == "1", request.POST.get(f"staff_{e.pk}") == "1",
        request.POST.get(f"trainees_{e.pk}", "") if request.method == "POST" else "\n".join(committees.get(e.village_id, [])))
        for e in entries]
    if request.method == "POST":
        try:
            session = services.record_training(request.user, campaign, held_on=form_date(values["held_on"]),
                                               organiser=values["organiser"], topic=values["topic"], attended=attended)
        except services.PreparationRefused as exc:
            errors = exc.errors
        else:
            n = session.attendance.count()
            messages.success(request, f"已登记 {session.held_on} 的业务培训，{n} 个村（社区）参加。")
            return redirect("preparation:readiness", slug=campaign.slug)
    sessions = TrainingSession.objects.filter(campaign=campaign, region__code__startswith=request.user.scope_prefix)
    return render(request, "preparation/training_form.html", {
        "campaign": campaign, "values": values, "errors": errors, "attended": attended, "committees": committees,
        "sessions": sessions.prefetch_related("attendance__entry__village")[:20],
    }, status=400 if errors else 200)
