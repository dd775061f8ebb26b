"""Oversight pages: survey, risks (一村一策), complaints, incidents and the county command page.

Views are thin: they parse the form, call ``services`` and show its Chinese message on refusal.
Complaints are seen by the county and township offices only (never a department, a village or an
observer); incidents also by the village they happened in.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from huanjie.accounts.models import User
from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.core.access import COUNTY, TOWNSHIP, VILLAGE, allow, require_scope
from huanjie.documents.render import SheetSpec, workbook_bytes
from huanjie.elections.view_helpers import file_response, form_date
from huanjie.people.models import Region

from . import command, services
from .models import RISK_CHOICES, Complaint, Incident, RiskPlan, Survey

PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def campaign_for(request) -> Campaign:
    visible = Campaign.objects.visible_to(request.user).select_related("county")
    slug = request.GET.get("campaign") or request.POST.get("campaign")
    campaign = get_object_or_404(visible, slug=slug) if slug else visible.first()
    if campaign is None:
        raise Http404("没有可查看的换届工作。")
    return campaign


def _village(request, code: str) -> Region:
    village = get_object_or_404(Region, code=code, level=Region.VILLAGE)
    require_scope(request.user, village.code)
    return village


def _villages(request, campaign: Campaign) -> list[Region]:
    prefix = request.user.scope_prefix or "-"
    return [e.village for e in CampaignVillage.objects.filter(
        campaign=campaign, village__code__startswith=prefix).select_related("village", "village__parent")]


def xlsx(title: str, columns: list[str], rows: list[list], filename: str, subtitle: str | None = None):
    sheet = SheetSpec(name=title[:31], title=title, columns=columns, rows=rows, subtitle=subtitle)
    return file_response(workbook_bytes([sheet]), filename, content_type=XLSX)


def _page(request, qs):
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


def _int(value, default=0):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


# ---------------------------------------------------------------- command page


@allow(COUNTY, TOWNSHIP)
def command_page(request):
    campaign = campaign_for(request)
    return render(request, "oversight/command.html",
                  {"campaign": campaign, **command.board(campaign, request.user)})


@allow(COUNTY, TOWNSHIP)
def command_live(request):
    """The part of the command page that refreshes itself (htmx polling) on election day."""
    campaign = campaign_for(request)
    return render(request, "oversight/_command_live.html",
                  {"campaign": campaign, **command.board(campaign, request.user)})


# ---------------------------------------------------------------- survey


@allow(COUNTY, TOWNSHIP)
def survey_list(request):
    campaign = campaign_for(request)
    q = request.GET.get("q", "").strip()
    surveys = {s.village_id: s for s in Survey.objects.filter(campaign=campaign).filter(
        services.scope_filter(request.user))}
    rows = [{"village": v, "survey": surveys.get(v.pk)} for v in _villages(request, campaign)
            if not q or q in v.name or q in v.parent.name]
    if request.GET.get("format") == "xlsx":
        return xlsx("调查摸底情况表", ["乡镇", "村（社区）", "摸底日期", "班子运行情况", "合适人选", "其中女性",
                                "其中35周岁以下", "其中大专以上", "发现的不利因素", "选情复杂村", "原因"],
                    [[r["village"].parent.name, r["village"].name] + (
                        [s.surveyed_on.isoformat(), s.team_situation, s.reserve_total, s.reserve_women,
                         s.reserve_young, s.reserve_college, s.risks_found, "是" if s.complicated else "否",
                         s.complicated_reason] if (s := r["survey"]) else ["未摸底"]) for r in rows],
                    "调查摸底情况表.xlsx", subtitle=campaign.name)
    page = _page(request, rows)
    return render(request, "oversight/survey_list.html", {
        "campaign": campaign, "page": page, "q": q, "query": urlencode({"q": q} if q else {}),
        "done": len(surveys), "total": len(rows)})


@allow(COUNTY, TOWNSHIP)
def survey_form(request, code):
    campaign = campaign_for(request)
    village = _village(request, code)
    survey = Survey.objects.filter(campaign=campaign, village=village).first()
    values = request.POST if request.method == "POST" else None
    if request.method == "POST":
        data = {
            "surveyed_on": form_date(request.POST.get("surveyed_on")),
            "team_situation": request.POST.get("team_situation", ""),
            "risks_found": request.POST.get("risks_found", ""),
            "complicated": request.POST.get("complicated") == "on",
            "complicated_reason": request.POST.get("complicated_reason", ""),
        }
        for key in ("reserve_total", "reserve_women", "reserve_young", "reserve_college"):
            data[key] = _int(request.POST.get(key), -1)
        try:
            services.save_survey(request.user, campaign, village, data)
        except services.OversightError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{village.name}的调查摸底已保存。")
            return redirect("oversight:surveys")
    return render(request, "oversight/survey_form.html",
                  {"campaign": campaign, "village": village, "survey": survey, "values": values})


# ---------------------------------------------------------------- risks


@allow(COUNTY, TOWNSHIP)
def risk_list(request):
    campaign = campaign_for(request)
    if request.GET.get("plan"):
        return redirect("oversight:plan", code=request.GET["plan"])
    q = request.GET.get("q", "").strip()
    today = timezone.localdate()
    rows = services.risk_rows(campaign, request.user.scope_prefix or "-", today, q=q)
    if request.GET.get("format") == "xlsx":
        return xlsx("选情复杂村和风险一览表", ["乡镇", "村（社区）", "换届状态", "原因", "风险类型", "应对措施",
                                       "责任人", "下次研判", "状态", "系统发现的信号"],
                    [[r["township"].name, r["village"].name, r["entry"].get_state_display()
                      + (f"：{r['entry'].state_reason}" if r["entry"].state_reason else ""), r["reason"],
                      "、".join(r["plan"].risk_labels) if r["plan"] else "",
                      r["plan"].measures if r["plan"] else "", r["plan"].responsible if r["plan"] else "",
                      r["plan"].review_on.isoformat() + ("（逾期）" if r["overdue"] else "") if r["plan"] else "",
                      r["plan"].get_status_display() if r["plan"] else "未制定一村一策",
                      "；".join(f"{s.label}：{s.detail}" for s in r["signals"])] for r in rows],
                    "选情复杂村一览表.xlsx", subtitle=campaign.name)
    page = _page(request, rows)
    return render(request, "oversight/risk_list.html", {
        "campaign": campaign, "page": page, "q": q, "query": urlencode({"q": q} if q else {}), "today": today,
        "villages": _villages(request, campaign)})


@allow(COUNTY, TOWNSHIP)
def plan_form(request, code):
    campaign = campaign_for(request)
    village = _village(request, code)
    plan = RiskPlan.objects.filter(campaign=campaign, village=village).first()
    survey = Survey.objects.filter(campaign=campaign, village=village).first()
    values = None
    if request.method == "POST":
        values = request.POST
        data = {
            "reason": request.POST.get("reason", ""), "risks": request.POST.getlist("risks"),
            "risk_detail": request.POST.get("risk_detail", ""), "measures": request.POST.get("measures", ""),
            "responsible": request.POST.get("responsible", ""),
            "review_on": form_date(request.POST.get("review_on")), "status": request.POST.get("status", ""),
        }
        try:
            services.save_plan(request.user, campaign, village, data)
        except services.OversightError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{village.name}的一村一策已保存。")
            return redirect("oversight:risks")
    signals = [s for s in services.detect_signals(campaign, village.code) if s.village.pk == village.pk]
    chosen = values.getlist("risks") if values else (plan.risks if plan else [s.kind for s in signals])
    return render(request, "oversight/plan_form.html", {
        "campaign": campaign, "village": village, "plan": plan, "survey": survey, "values": values,
        "risk_choices": RISK_CHOICES, "chosen": chosen, "signals": signals,
        "status_choices": RiskPlan.STATUS_CHOICES,
        "initial_reason": (plan.reason if plan else "") or (survey.complicated_reason if survey else "")})


# ---------------------------------------------------------------- complaints


def _complaint(request, pk) -> Complaint:
    c = get_object_or_404(services.complaints_visible_to(request.user).select_related(
        "village__parent", "candidate__person", "candidate__post", "election", "handler", "registered_by",
        "elected_member"), pk=pk)
    return c


def _complaint_rows(request, campaign):
    qs = services.complaints_visible_to(request.user).filter(campaign=campaign).select_related(
        "village__parent", "handler", "candidate__person")
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(village__name__contains=q) | Q(concerned__contains=q)
                       | Q(content__contains=q))
    if status == "open":
        qs = qs.exclude(status=Complaint.ANSWERED)
    elif status == "overdue":
        qs = qs.exclude(status=Complaint.ANSWERED).filter(deadline__lt=timezone.localdate())
    elif status in dict(Complaint.STATUS_CHOICES):
        qs = qs.filter(status=status)
    return qs, q, status


@allow(COUNTY, TOWNSHIP)
def complaint_list(request):
    campaign = campaign_for(request)
    qs, q, status = _complaint_rows(request, campaign)
    today = timezone.localdate()
    if request.GET.get("format") == "xlsx":
        rows = []
        for c in qs:
            shown = services.identity_visible(request.user, c)
            rows.append([c.number, c.received_on.isoformat(), c.get_channel_display(), c.village.parent.name,
                         c.village.name, c.get_matter_display(), c.concerned,
                         (c.complainant_name or "—") if shown else "（保密）", c.handler.display_name if c.handler else "",
                         c.deadline.isoformat(), c.get_status_display() + ("（逾期）" if c.is_overdue(today) else ""),
                         c.get_finding_display(), c.answered_on.isoformat() if c.answered_on else "",
                         c.get_consequence_display()])
        return xlsx("举报信访登记表", ["编号", "受理日期", "渠道", "乡镇", "村（社区）", "举报事项", "被举报人", "举报人",
                                  "承办人", "办结期限", "状态", "核查结论", "办结日期", "处理决定"], rows,
                    "举报信访登记表.xlsx", subtitle=campaign.name)
    page = _page(request, qs)
    for c in page:
        c.overdue = c.is_overdue(today)
    return render(request, "oversight/complaint_list.html", {
        "campaign": campaign, "page": page, "q": q, "status": status,
        "query": urlencode({k: v for k, v in {"q": q, "status": status}.items() if v}),
        "status_choices": Complaint.STATUS_CHOICES})


def _election_choices(campaign, village_code_prefix):
    from huanjie.elections.models import Candidate

    if not village_code_prefix:
        return Candidate.objects.none()
    return Candidate.objects.filter(
        election__campaign=campaign, election__organization__code__startswith=village_code_prefix
    ).select_related("person", "post", "election__organization").order_by("election__organization__code", "post__rank")


def _posted_village(request, label: str) -> Region:
    village = Region.objects.filter(code=request.POST.get("village", ""), level=Region.VILLAGE).first()
    if village is None:
        raise services.OversightError(f"{label}：请选择村（社区）。")
    return village


def _register(request, template: str, create, done, context: dict):
    """The registration form of a complaint or an incident: on a refusal the form comes back with
    the typed values and the Chinese reason; nothing is saved."""
    values = None
    if request.method == "POST":
        values = request.POST
        try:
            obj = create()
        except services.OversightError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done(obj))
            return redirect(obj)
    return render(request, template, {"values": values, **context})


@allow(COUNTY, TOWNSHIP)
def complaint_new(request):
    from huanjie.elections.models import Candidate

    campaign = campaign_for(request)

    def create():
        village = _posted_village(request, "涉及村（社区）")
        cand_id = _int(request.POST.get("candidate"), 0)
        candidate = Candidate.objects.select_related("election", "person").filter(pk=cand_id).first() \
            if cand_id else None
        post = request.POST
        return services.register_complaint(
            request.user, campaign, village=village, channel=post.get("channel", ""),
            received_on=form_date(post.get("received_on")), matter=post.get("matter", ""),
            content=post.get("content", ""), anonymous=post.get("anonymous") == "on",
            complainant_name=post.get("complainant_name", ""), complainant_contact=post.get("complainant_contact", ""),
            concerned=post.get("concerned", ""), election=candidate.election if candidate else None,
            candidate=candidate)

    return _register(request, "oversight/complaint_form.html", create,
                     lambda c: f"举报已登记，编号 {c.number}，办结期限 {c.deadline.isoformat()}。", {
                         "campaign": campaign, "villages": _villages(request, campaign),
                         "candidates": _village_candidates(request, campaign, (request.POST or {}).get("village", "")),
                         "channels": Complaint.CHANNEL_CHOICES, "matters": Complaint.MATTER_CHOICES,
                         "today": timezone.localdate()})


def _village_candidates(request, campaign, code: str):
    """The candidates of one village in scope: the complaint form lists those of the village chosen
    (a county lists thousands of candidates, a 320 KB page rendered in 0.5 s of CPU; issue 17)."""
    prefix = request.user.scope_prefix or "-"
    if not code or not code.startswith(prefix):
        return _election_choices(campaign, "")
    return _election_choices(campaign, code)


@allow(COUNTY, TOWNSHIP)
def complaint_candidates(request):
    """The candidate choices of the complaint form after a village is chosen (htmx)."""
    campaign = campaign_for(request)
    return render(request, "oversight/_candidate_options.html", {
        "candidates": _village_candidates(request, campaign, request.GET.get("village", "")),
        "values": request.GET})


@allow(COUNTY, TOWNSHIP)
def complaint_detail(request, pk):
    c = _complaint(request, pk)
    return render(request, "oversight/complaint_detail.html", {
        "c": c, "campaign": c.campaign, "identity_visible": services.identity_visible(request.user, c),
        "overdue": c.is_overdue(timezone.localdate()), "handlers": services.handlers_for(c),
        "notes": c.notes.select_related("author"), "findings": Complaint.FINDING_CHOICES,
        "today": timezone.localdate()})


def _act(request, obj, actions: dict):
    """Run one named step (``actions[name] = (call, success message)``) and come back to the record."""
    action = request.resolver_match.kwargs["action"]
    if action not in actions:
        raise Http404("未知操作。")
    call, done = actions[action]
    try:
        result = call()
    except services.OversightError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done(result) if callable(done) else done)
    return redirect(obj)


@allow(COUNTY, TOWNSHIP)
@require_POST
def complaint_action(request, pk, action):
    c, user, post = _complaint(request, pk), request.user, request.POST
    return _act(request, c, {
        "assign": (lambda: services.assign_complaint(
            user, c, User.objects.filter(pk=_int(post.get("handler"), 0)).first(), form_date(post.get("on"))),
            "已交办。"),
        "note": (lambda: services.add_complaint_note(user, c, post.get("text", "")), "办理进展已记录。"),
        "answer": (lambda: services.answer_complaint(
            user, c, finding=post.get("finding", ""), finding_text=post.get("finding_text", ""),
            answer=post.get("answer", ""), on=form_date(post.get("on"))), "已办结并答复举报人。"),
        "consequence": (lambda: services.apply_consequence(user, c, document_number=post.get("document_number", "")),
                        lambda done: f"处理决定已作出：{done.consequence_note}。"),
    })


# ---------------------------------------------------------------- incidents


def _incident(request, pk) -> Incident:
    return get_object_or_404(services.incidents_visible_to(request.user).select_related(
        "village__parent", "reported_by", "campaign"), pk=pk)


@allow(COUNTY, TOWNSHIP, VILLAGE)
def incident_list(request):
    campaign = campaign_for(request)
    qs = services.incidents_visible_to(request.user).filter(campaign=campaign).select_related("village__parent")
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(village__name__contains=q) | Q(place__contains=q)
                       | Q(description__contains=q))
    if status == "open":
        qs = qs.exclude(status=Incident.CLOSED)
    elif status in dict(Incident.STATUS_CHOICES):
        qs = qs.filter(status=status)
    if request.GET.get("format") == "xlsx":
        fmt = "%Y-%m-%d %H:%M"

        def t(v):
            return timezone.localtime(v).strftime(fmt) if v else ""

        return xlsx("突发事件登记表", ["编号", "乡镇", "村（社区）", "类别", "地点", "发生时间", "报告时间", "先期处置时间",
                                  "启动应急响应时间", "处置完毕时间", "状态", "处置层级", "事件经过", "处置结果"],
                    [[i.number, i.village.parent.name, i.village.name, i.get_category_display(), i.place,
                      t(i.occurred_at), t(i.reported_at), t(i.first_response_at), t(i.escalated_at), t(i.closed_at),
                      i.get_status_display(), i.get_level_display(), i.description, i.outcome] for i in qs],
                    "突发事件登记表.xlsx", subtitle=campaign.name)
    return render(request, "oversight/incident_list.html", {
        "campaign": campaign, "page": _page(request, qs), "q": q, "status": status,
        "query": urlencode({k: v for k, v in {"q": q, "status": status}.items() if v}),
        "status_choices": Incident.STATUS_CHOICES})


def _datetime(value: str | None):
    try:
        return dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None


@allow(COUNTY, TOWNSHIP, VILLAGE)
def incident_new(request):
    campaign = campaign_for(request)

    def create():
        post = request.POST
        return services.report_incident(
            request.user, campaign, village=_posted_village(request, "发生地村（社区）"),
            category=post.get("category", ""), place=post.get("place", ""),
            occurred_at=_datetime(post.get("occurred_at")), description=post.get("description", ""))

    return _register(request, "oversight/incident_form.html", create, lambda i: f"突发事件已报告，编号 {i.number}。", {
        "campaign": campaign, "villages": _villages(request, campaign), "categories": Incident.CATEGORY_CHOICES,
        "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})


@allow(COUNTY, TOWNSHIP, VILLAGE)
def incident_detail(request, pk):
    i = _incident(request, pk)
    return render(request, "oversight/incident_detail.html", {
        "i": i, "campaign": i.campaign, "steps": i.steps.select_related("actor"),
        "can_act": request.user.role in services.OFFICES and i.is_open})


@allow(COUNTY, TOWNSHIP)
@require_POST
def incident_action(request, pk, action):
    i, user, text = _incident(request, pk), request.user, request.POST.get("text", "")
    return _act(request, i, {
        "respond": (lambda: services.respond_incident(user, i, text), "先期处置情况已登记。"),
        "escalate": (lambda: services.escalate_incident(user, i, text), "已启动应急响应，报县换届办处置。"),
        "close": (lambda: services.close_incident(user, i, text), "事件已处置完毕。"),
    })


# ---------------------------------------------------------------- 三个100%


@allow(COUNTY, TOWNSHIP, VILLAGE)
def commitment_list(request):
    from . import commitments

    campaign = campaign_for(request)
    q = request.GET.get("q", "").strip()
    rows = commitments.village_rows(campaign, request.user.scope_prefix or "-", q)
    # the township secretaries' letters: the offices see them (a village has no business with them)
    townships = ([t for t in commitments.township_rows(campaign, request.user.scope_prefix or "-")
                  if not q or q in t["township"].name] if request.user.role in services.OFFICES else [])
    if request.GET.get("format") == "xlsx":
        out = [[t["township"].name, "", "换届工作责任书（乡镇党委书记）", t["letter"].secretary if t["letter"] else "（未登记）",
                "乡镇党委书记"] for t in townships if not t["signed"]]
        for r in rows:
            for n in r["missing"]:
                out.append([r["village"].parent.name, r["village"].name, n.kind_label, n.person.name, n.role])
        return xlsx("三个100%未签订名单", ["乡镇", "村（社区）", "类别", "姓名", "身份"], out,
                    "三个100%未签订名单.xlsx", subtitle=campaign.name)
    return render(request, "oversight/commitment_list.html", {
        "campaign": campaign, "page": _page(request, rows), "q": q, "query": urlencode({"q": q} if q else {}),
        "required": sum(r["required"] for r in rows) + len(townships),
        "signed": sum(r["signed"] for r in rows) + sum(1 for t in townships if t["signed"]),
        "townships": townships, "today": timezone.localdate(), "can_township": request.user.role in services.OFFICES})


@allow(COUNTY, TOWNSHIP)
@require_POST
def township_letter(request, code):
    from . import commitments

    campaign = campaign_for(request)
    township = get_object_or_404(Region, code=code, level=Region.TOWNSHIP)
    require_scope(request.user, township.code)
    upload = request.FILES.get("copy")
    try:
        commitments.record_township_letter(request.user, campaign, township, request.POST.get("secretary", ""),
                                           form_date(request.POST.get("signed_on")),
                                           upload.read() if upload else None, upload.name if upload else "")
    except services.OversightError as exc:
        messages.error(request, f"{township.name}：{exc}")
    else:
        messages.success(request, f"{township.name}党委书记责任书已登记。")
    return redirect("oversight:commitments")


@allow(COUNTY, TOWNSHIP)
def township_letter_copy(request, pk):
    from .models import TownshipLetter

    rec = get_object_or_404(TownshipLetter.objects.select_related("township"), pk=pk, copy__isnull=False)
    require_scope(request.user, rec.township.code)
    return file_response(bytes(rec.copy), rec.copy_name, content_type=rec.copy_type, inline=True)


@allow(COUNTY, TOWNSHIP, VILLAGE)
def commitment_village(request, code):
    from . import commitments

    campaign = campaign_for(request)
    village = _village(request, code)
    if request.method == "POST":
        upload = request.FILES.get("copy")
        try:
            commitments.record_signed(request.user, campaign, village, request.POST.get("kind", ""),
                                      _int(request.POST.get("person"), 0), form_date(request.POST.get("signed_on")),
                                      upload.read() if upload else None, upload.name if upload else "")
        except services.OversightError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "签订情况已登记。")
        return redirect("oversight:commitment_village", code=village.code)
    return render(request, "oversight/commitment_village.html", {
        "campaign": campaign, "village": village, "needs": commitments.needs(campaign, [village])[village.pk],
        "today": timezone.localdate()})


@allow(COUNTY, TOWNSHIP, VILLAGE)
def commitment_copy(request, pk):
    from .models import Commitment

    rec = get_object_or_404(Commitment.objects.select_related("village"), pk=pk, copy__isnull=False)
    require_scope(request.user, rec.village.code)
    return file_response(bytes(rec.copy), rec.copy_name, content_type=rec.copy_type, inline=True)


# ---------------------------------------------------------------- handover across the county


@allow(COUNTY, TOWNSHIP)
def handover_list(request):
    from huanjie.elections.models import HandoverItem

    from . import handover

    campaign = campaign_for(request)
    q, status = request.GET.get("q", "").strip(), request.GET.get("status", "")
    if status not in handover.STATUS_LABELS:
        status = ""
    today = timezone.localdate()
    every = handover.rows(campaign, request.user.scope_prefix or "-", today, q)
    rows = [r for r in every if not status or r["status"] == status]
    if request.GET.get("format") == "xlsx":
        return xlsx("换届工作移交情况", ["乡镇", "村（社区）", "状态", "新一届产生之日", "移交期限", "完成日期", "逾期天数"]
                    + [label for _, label in HandoverItem.KIND_CHOICES],
                    [[r["village"].parent.name, r["village"].name, r["status_label"],
                      r["took_office"].isoformat() if r["took_office"] else "",
                      r["deadline"].isoformat() if r["deadline"] else "", r["done_on"].isoformat() if r["done_on"] else "",
                      r["days_over"] or ""]
                     + [(item.handed_over_on.isoformat() + ("（已签字）" if item.signed else "（未签字）")
                         if item and item.handed_over_on else "未移交") for _, item in r["items"]] for r in rows],
                    "换届工作移交情况.xlsx", subtitle=f"{campaign.name}　截至 {today.isoformat()}")
    params = {k: v for k, v in (("q", q), ("status", status)) if v}
    return render(request, "oversight/handover.html", {
        "campaign": campaign, "page": _page(request, rows), "q": q, "status": status, "query": urlencode(params),
        "counts": handover.counts(every), "labels": handover.STATUS_LABELS, "today": today})
