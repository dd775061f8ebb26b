"""Qualification review pages: department queue, verdict form, township and county overviews, 资格联审表."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from huanjie.accounts.models import Department
from huanjie.campaigns.models import Campaign
from huanjie.core.access import ADMIN, COUNTY, DEPARTMENT, OBSERVER, TOWNSHIP, VILLAGE, allow, require_scope
from huanjie.core.kept import keep_form
from huanjie.documents.export import wants_xlsx, xlsx_response
from huanjie.people.models import Region

from . import services
from .models import ReviewCase, ReviewVerdict

PER_PAGE = 100


def _next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _campaign(request) -> Campaign | None:
    visible = Campaign.objects.visible_to(request.user)
    slug = request.GET.get("campaign") or request.POST.get("campaign")
    if slug:
        return get_object_or_404(visible, slug=slug)
    return visible.first()


def _township(request, code: str) -> Region:
    township = get_object_or_404(Region, code=code, level=Region.TOWNSHIP)
    require_scope(request.user, township.code)
    return township


@allow(COUNTY, TOWNSHIP, VILLAGE, DEPARTMENT)
def home(request):
    user = request.user
    if user.role == DEPARTMENT:
        return redirect("review:queue")
    if user.role == COUNTY:
        return redirect("review:county")
    if user.role == TOWNSHIP and user.region_id:
        return redirect("review:township", code=user.region.code)
    return redirect("review:cases")


# ---------------------------------------------------------------------------------------------
# department


@allow(DEPARTMENT)
def queue(request):
    user = request.user
    if not user.department_id:
        raise Http404("您的账号未设置所属部门。")
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "pending")
    township = None
    tcode = request.GET.get("township", "").strip()
    if tcode:
        township = get_object_or_404(Region, code=tcode, level=Region.TOWNSHIP)
        require_scope(user, township.code)
    qs = services.department_queue(user, pending_only=(status != "decided"), township=township, search=q)
    if status == "decided":
        qs = qs.exclude(verdict=ReviewVerdict.PENDING)
    if wants_xlsx(request):
        return xlsx_response(
            f"{user.department.name}资格审查队列",
            ["乡镇", "村（社区）", "职位", "姓名", "性别", "身份证号码", "等待天数", "结论", "审查意见"],
            [
                [c.election.organization.parent.name if c.election.organization.parent else "",
                 c.election.organization.name, c.post.name, c.person.name, c.person.get_gender_display(),
                 c.person.id_number, services.days_waiting(v), v.get_verdict_display(), v.comment]
                for v in qs.select_related("case__candidate__election__organization__parent")
                for c in [v.case.candidate]
            ],
        )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    for v in page:
        v.days = services.days_waiting(v)
    townships = Region.objects.filter(
        level=Region.TOWNSHIP, code__startswith=user.scope_prefix or "-"
    ).order_by("code")
    query = urlencode({k: v for k, v in {"q": q, "status": status, "township": tcode}.items() if v})
    unread = services.notifications_for(user).filter(read_at__isnull=True).count()
    return render(
        request,
        "review/queue.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "township": township,
            "townships": townships,
            "query": query,
            "unread": unread,
            "department": user.department,
            "pending_total": services.department_queue(user).count(),
        },
    )


@allow(DEPARTMENT, VILLAGE, TOWNSHIP)
@require_POST
def bulk(request):
    user = request.user
    # A department passes a township's candidates; the village committee its village's at the
    # 村级预审, the township its own at the 乡镇初审 (services.bulk_verdict checks the tier).
    level = Region.TOWNSHIP if user.role != VILLAGE else Region.VILLAGE
    township = get_object_or_404(Region, code=request.POST.get("township", ""), level=level)
    require_scope(user, township.code)
    back = (
        f"{_queue_url()}?{urlencode({'township': township.code})}" if user.role == DEPARTMENT else _cases_url()
    )
    try:
        shown = [int(x) for x in request.POST.getlist("shown")]
        excepted = [int(x) for x in request.POST.getlist("except")]
    except ValueError:
        messages.error(request, "批量审查：提交的候选人编号无效。")
        return redirect(back)
    try:
        done = services.bulk_verdict(
            user,
            township,
            excepted,
            verdict_ids=shown,
            comment=request.POST.get("comment", ""),
            document_number=request.POST.get("document_number", ""),
        )
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{township.name}：已批量审查通过 {len(done)} 人"
            + (f"，{len(excepted)} 人留待逐个审查。" if excepted else "。"),
        )
    return redirect(back)


def _queue_url() -> str:
    from django.urls import reverse

    return reverse("review:queue")


@allow(DEPARTMENT, ADMIN, COUNTY, TOWNSHIP)
def notifications(request):
    items = services.notifications_for(request.user)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "review/notifications.html", {"page": page, "query": ""})


@allow(DEPARTMENT, ADMIN, COUNTY, TOWNSHIP)
@require_POST
def notification_read(request, pk):
    note = get_object_or_404(services.notifications_for(request.user), pk=pk)
    services.mark_read(request.user, note)
    return redirect("review:notifications")


# ---------------------------------------------------------------------------------------------
# one verdict (any tier)


def _verdict_for(request, pk) -> ReviewVerdict:
    """The verdict if the user may record or read it; 404 otherwise (its existence does not leak)."""
    v = get_object_or_404(
        ReviewVerdict.objects.select_related(
            "case__candidate__person",
            "case__candidate__post",
            "case__candidate__election__organization",
            "case__candidate__election__campaign",
            "department",
        ),
        pk=pk,
    )
    user = request.user
    require_scope(user, v.case.candidate.election.organization.code)
    if services.TIER_ROLE[v.tier] != user.role:
        raise Http404("对象不存在或不在您的管辖范围内。")
    if v.tier == ReviewCase.COUNTY and v.department_id != user.department_id:
        raise Http404("对象不存在或不在您的管辖范围内。")
    # A case another department has failed leaves this department's queue: it must not learn why.
    if v.verdict == ReviewVerdict.PENDING and v.case.stage != v.tier:
        raise Http404("该审查事项已不在您的队列中。")
    return v


@allow(VILLAGE, TOWNSHIP, DEPARTMENT)
def verdict_form(request, pk):
    v = _verdict_for(request, pk)
    campaign = v.case.candidate.election.campaign
    default_next = _queue_url() if request.user.role == DEPARTMENT else _cases_url()
    return render(
        request,
        "review/verdict_form.html",
        {
            "v": v,
            "candidate": v.case.candidate,
            "items": services.negative_items(campaign),
            "next": _next(request, default_next),
            "title": services._verdict_title(v),
            "open": v.verdict == ReviewVerdict.PENDING and v.case.stage == v.tier,
        },
    )


@allow(VILLAGE, TOWNSHIP, DEPARTMENT)
@require_POST
def verdict_record(request, pk):
    v = _verdict_for(request, pk)
    result = request.POST.get("result", "")
    default_next = _queue_url() if request.user.role == DEPARTMENT else _cases_url()
    if result not in ("pass", "fail"):
        messages.error(request, "审查结论：请选择“通过”或“不通过”。")
        keep_form(request)
        return redirect("review:verdict", pk=v.pk)
    try:
        services.record_verdict(
            request.user,
            v,
            result == "pass",
            negative_item=request.POST.get("negative_item", "") if result == "fail" else "",
            comment=request.POST.get("comment", ""),
            document_number=request.POST.get("document_number", ""),
        )
    except services.ReviewError as exc:
        messages.error(request, f"{v.case.candidate.person.name}：{exc}")
        keep_form(request)  # the verdict, choice and reason come back on the form
        return redirect("review:verdict", pk=v.pk)
    messages.success(
        request,
        f"已记录{v.case.candidate.person.name}的审查结论：{'通过' if result == 'pass' else '不通过'}。",
    )
    return redirect(_next(request, default_next))


# ---------------------------------------------------------------------------------------------
# offices


def _cases_url() -> str:
    from django.urls import reverse

    return reverse("review:cases")


@allow(COUNTY, TOWNSHIP, VILLAGE, OBSERVER, ADMIN)
def cases(request):
    """The review cases in scope; villages and observers see only each tier's state."""
    user = request.user
    prefix = user.scope_prefix or "-"
    qs = (
        ReviewCase.objects.filter(candidate__election__organization__code__startswith=prefix)
        .select_related("candidate__person", "candidate__post", "candidate__election__organization")
        .prefetch_related("verdicts__department")
        .order_by(
            "candidate__election__organization__code", "candidate__post__rank", "candidate__list_order", "id"
        )
    )
    q = request.GET.get("q", "").strip()
    stage = request.GET.get("stage", "")
    if q:
        qs = qs.filter(candidate__person__name__contains=q)
    if stage in services.STAGE_ZH:
        qs = qs.filter(stage=stage)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    full = user.role in services.FULL_VIEW_ROLES
    my_tier = {VILLAGE: ReviewCase.VILLAGE, TOWNSHIP: ReviewCase.TOWNSHIP}.get(user.role)
    rows = []
    for case in page:
        verdicts = list(case.verdicts.all())
        mine = next(
            (
                v
                for v in verdicts
                if v.tier == my_tier and v.verdict == ReviewVerdict.PENDING and case.stage == my_tier
            ),
            None,
        )
        rows.append(
            {
                "case": case,
                "candidate": case.candidate,
                "tiers": services.tier_summary(case),
                "to_review": mine,
                "departments": [v for v in verdicts if v.tier == ReviewCase.COUNTY] if full else None,
            }
        )
    query = urlencode({k: v for k, v in {"q": q, "stage": stage}.items() if v})
    # Bulk pass at the office's own tier, as the departments have it at the county (one region:
    # the village committee's village, the township's township).
    bulk_rows = [r for r in rows if r["to_review"] is not None]
    bulk_region = user.region if my_tier is not None and bulk_rows else None
    return render(
        request,
        "review/cases.html",
        {
            "bulk_rows": bulk_rows,
            "bulk_region": bulk_region,
            "bulk_tier": services.TIER_ZH.get(my_tier, ""),
            "page": page,
            "rows": rows,
            "full": full,
            "q": q,
            "stage": stage,
            "stages": ReviewCase.STAGE_CHOICES,
            "query": query,
        },
    )


@allow(COUNTY, TOWNSHIP)
def township(request, code):
    region = _township(request, code)
    campaign = _campaign(request)
    report = services.waiting_report(region, campaign=campaign)
    groups = services.waiting_by_department(region, campaign=campaign)
    return render(
        request,
        "review/township.html",
        {
            "township": region,
            "campaign": campaign,
            "report": report,
            "groups": groups,
        },
    )


@allow(COUNTY, TOWNSHIP)
@require_POST
def remind(request, code):
    region = _township(request, code)
    campaign = _campaign(request)
    department = get_object_or_404(Department, pk=request.POST.get("department") or 0)
    group = next(
        (
            g
            for g in services.waiting_by_department(region, campaign=campaign)
            if g["department"].pk == department.pk
        ),
        None,
    )
    if group is None:
        messages.error(request, f"{region.name}没有等待{department.name}审查的候选人，无需催办。")
    else:
        try:
            services.send_reminder(request.user, department, group["cases"])
        except services.ReviewError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已向{department.name}发送催办提醒（{len(group['cases'])} 人）。")
    url = _township_url(region)
    return redirect(f"{url}?{urlencode({'campaign': campaign.slug})}" if campaign else url)


def _township_url(region: Region) -> str:
    from django.urls import reverse

    return reverse("review:township", kwargs={"code": region.code})


@allow(COUNTY)
def county(request):
    user = request.user
    campaign = _campaign(request)
    townships = Region.objects.filter(
        level=Region.TOWNSHIP, code__startswith=user.scope_prefix or "-"
    ).order_by("code")
    rows = []
    for t in townships:
        qs = ReviewCase.objects.filter(candidate__election__organization__code__startswith=t.scope_prefix)
        if campaign is not None:
            qs = qs.filter(candidate__election__campaign=campaign)
        counts = {s: 0 for s in services.STAGE_ZH}
        for s in qs.values_list("stage", flat=True):
            counts[s] += 1
        report = services.waiting_report(t, campaign=campaign)
        longest = max((e["longest"] for e in report), default=None)
        rows.append({"township": t, "counts": counts, "total": sum(counts.values()), "longest": longest})
    return render(
        request,
        "review/county.html",
        {"campaign": campaign, "rows": rows, "stages": ReviewCase.STAGE_CHOICES},
    )


def _table_campaign(request) -> Campaign:
    campaign = _campaign(request)
    if campaign is None:
        raise Http404("没有可用的换届工作。")
    return campaign


@allow(COUNTY, TOWNSHIP)
def table_pdf(request, code):
    region = _township(request, code)
    campaign = _table_campaign(request)
    try:
        data = services.joint_review_pdf(region, campaign)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
        return redirect("review:township", code=region.code)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(region.name + '资格联审表.pdf')}"
    return response


@allow(COUNTY, TOWNSHIP)
def table_xlsx(request, code):
    region = _township(request, code)
    campaign = _table_campaign(request)
    data = services.joint_review_xlsx(region, campaign)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{_quote(region.name + '资格联审表.xlsx')}"
    )
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
