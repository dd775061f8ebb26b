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
    sessions = TrainingSession.objects.filter(campaign=campaign, purpose=TrainingSession.ELECTION,
                                              region__code__startswith=request.user.scope_prefix)
    return render(request, "preparation/training_form.html", {
        "campaign": campaign, "values": values, "errors": errors, "attended": attended, "committees": committees,
        "sessions": sessions.prefetch_related("attendance__entry__village")[:20],
    }, status=400 if errors else 200)


# ---------------------------------------------------------------- 岗前培训 (seed 004 §二(三)3, P24)


@allow(*VIEWERS)
def induction(request, slug):
    """Who of the new teams must attend county-level 岗前培训 and has not; the county's to-do list."""
    from huanjie.documents.export import wants_xlsx, xlsx_response

    campaign = _campaign(request, slug)
    user = request.user
    show = request.GET.get("show", "missing")
    township = (request.GET.get("township") or "").strip()
    q = (request.GET.get("q") or "").strip()
    everyone = services.inductees(campaign, user.scope_prefix)
    townships = sorted({i.entry.village.parent for i in everyone if i.entry.village.parent}, key=lambda t: t.code)
    rows = everyone
    if township:
        rows = [i for i in rows if i.entry.village.parent and i.entry.village.parent.code == township]
    if q:
        rows = [i for i in rows if q in i.person.name or q in i.entry.village.name]
    if show == "missing":
        rows = [i for i in rows if not i.done]
    if wants_xlsx(request):
        return xlsx_response(f"{campaign.name}岗前培训（县级）参训情况", [
            "乡镇（街道）", "村（社区）", "姓名", "职务", "县级培训", "乡镇培训", "状态"],
            [[i.entry.village.parent.name if i.entry.village.parent else "", i.entry.village.name, i.person.name,
              "、".join(i.posts), "；".join(f"{s.held_on} {s.organiser}" for s in i.county_sessions),
              "；".join(f"{s.held_on} {s.organiser}" for s in i.other_sessions),
              "已参加县级培训" if i.done else "未参加县级培训"] for i in rows])
    from django.core.paginator import Paginator

    done = sum(1 for i in everyone if i.done)
    query = urlencode({k: v for k, v in {"show": show, "township": township, "q": q}.items() if v})
    sessions = (TrainingSession.objects.filter(campaign=campaign, purpose=TrainingSession.INDUCTION,
                                               region__code__startswith=user.scope_prefix[:6])
                .select_related("region").prefetch_related("inductees")[:20])
    return render(request, "preparation/induction.html", {
        "campaign": campaign, "page": Paginator(rows, 50).get_page(request.GET.get("page")), "query": query,
        "show": show, "township": township, "townships": townships, "q": q, "total": len(everyone), "done": done,
        "missing": len(everyone) - done, "required": campaign.effective_policy()["induction_county_sessions"],
        "can_record": user.role in RECORDERS, "sessions": sessions,
    })


@allow(*RECORDERS)
def induction_new(request, slug):
    """One 岗前培训 session and who of the new teams in the account's scope attended."""
    campaign = _campaign(request, slug)
    user = request.user
    members = sorted(services.induction_members(campaign, user.scope_prefix).items(),
                     key=lambda kv: (kv[1]["entry"].village.code, not kv[1]["required"], kv[1]["person"].name))
    values = {k: request.POST.get(k, "") for k in ("held_on", "organiser", "topic")}
    if request.method == "GET":
        region: Region = user.region
        level = "县级" if region and region.level == "county" else "乡镇"
        values["organiser"] = f"{region.name}委组织部" if level == "县级" else f"{region.name}党委"
        values["topic"] = "新一届村（社区）“两委”班子成员岗前培训"
    chosen = {int(v) for v in request.POST.getlist("person") if v.isdigit()}
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            session = services.record_induction(user, campaign, held_on=form_date(values["held_on"]),
                                                organiser=values["organiser"], topic=values["topic"],
                                                person_ids=sorted(chosen))
        except services.PreparationRefused as exc:
            errors = exc.errors
        else:
            messages.success(request, f"已登记 {session.held_on} 的岗前培训，{session.inductees.count()} 人参加。")
            return redirect("preparation:induction", slug=campaign.slug)
    return render(request, "preparation/induction_form.html", {
        "campaign": campaign, "values": values, "errors": errors, "members": [d for _, d in members],
        "chosen": chosen, "county_level": bool(user.region and user.region.level == "county"),
    }, status=400 if errors else 200)
