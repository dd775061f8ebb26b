"""Report pages: the weekly figures (taken and kept), their Excel in the upward layout."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from huanjie.core.access import COUNTY, TOWNSHIP, allow, require_scope
from huanjie.documents.render import SheetSpec, workbook_bytes
from huanjie.elections.view_helpers import file_response, form_date
from huanjie.oversight.views import XLSX, campaign_for, xlsx
from huanjie.people.models import Person, Region
from huanjie.rules.education import EDUCATION_LABELS
from huanjie.rules.statistics import percent

from . import outgoing, services, structure, summary
from .models import PreviousCadre, WeeklySnapshot

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _office_region(user) -> Region:
    return user.region


@allow(COUNTY, TOWNSHIP)
def home(request):
    campaign = campaign_for(request)
    user = request.user
    region = _office_region(user)
    q = request.GET.get("q", "").strip()
    snaps = WeeklySnapshot.objects.filter(campaign=campaign, region__code__startswith=user.scope_prefix or "-"
                                          ).select_related("region", "taken_by")
    if q:
        snaps = snaps.filter(region__name__contains=q)
    if request.GET.get("format") == "xlsx":
        return xlsx("每周统计上报记录", ["填报单位", "统计周", "截止日", "上报时间", "上报人", "已完成投票", "逾期步骤",
                                   "未办结举报", "未处置事件"],
                    [[s.region.name, s.week_start.isoformat(), s.as_of.isoformat(),
                      f"{timezone.localtime(s.taken_at):%Y-%m-%d %H:%M}", str(s.taken_by), s.totals.get("held", 0),
                      s.totals.get("overdue_steps", 0), s.totals.get("complaints_open", 0),
                      s.totals.get("incidents_open", 0)] for s in snaps], "每周统计上报记录.xlsx")
    today = timezone.localdate()
    live = services.village_figures(campaign, user.scope_prefix or "-", today)
    now = services.totals(live)
    last = services.previous_snapshot(campaign, region, services.week_start(today))
    this_week = WeeklySnapshot.objects.filter(campaign=campaign, region=region,
                                              week_start=services.week_start(today)).first()
    return render(request, "reports/home.html", {
        "campaign": campaign, "region": region, "page": Paginator(snaps, 30).get_page(request.GET.get("page")),
        "q": q, "query": urlencode({"q": q} if q else {}), "comparison": services.comparison(now, last.totals
                                                                                             if last else None),
        "last": last, "this_week": this_week, "turnout": services.turnout_text(now),
        "party_turnout": services.party_turnout_text(now)})


@allow(COUNTY, TOWNSHIP)
@require_POST
def weekly_take(request):
    campaign = campaign_for(request)
    try:
        snap = services.take_snapshot(request.user, campaign, _office_region(request.user))
    except services.ReportError as exc:
        messages.error(request, str(exc))
        return redirect("reports:home")
    messages.success(request, f"{snap.region.name}本周统计已上报并保存（{snap.week_start.isoformat()}起）。")
    return redirect("reports:weekly", pk=snap.pk)


def _snapshot(request, pk) -> WeeklySnapshot:
    snap = get_object_or_404(WeeklySnapshot.objects.select_related("region", "campaign", "taken_by"), pk=pk)
    require_scope(request.user, snap.region.code)
    return snap


@allow(COUNTY, TOWNSHIP)
def weekly_detail(request, pk):
    snap = _snapshot(request, pk)
    last = services.previous_snapshot(snap.campaign, snap.region, snap.week_start)
    return render(request, "reports/weekly.html", {
        "snap": snap, "campaign": snap.campaign, "last": last, "figures": services.FIGURES[1:],
        "table": [(r, [r.get(key, 0) for key, _ in services.FIGURES[1:]]) for r in snap.rows],
        "comparison": services.comparison(snap.totals, last.totals if last else None),
        "turnout": services.turnout_text(snap.totals), "party_turnout": services.party_turnout_text(snap.totals)})


@allow(COUNTY, TOWNSHIP)
def weekly_xlsx(request, pk):
    snap = _snapshot(request, pk)
    return file_response(services.snapshot_xlsx(snap), f"{snap.region.name}每周统计{snap.week_start}.xlsx",
                         content_type=XLSX)


# ---------------------------------------------------------------- structure statistics


def _region_for(request) -> Region:
    """The region a table is computed for: the account's own, or a township/village in its scope."""
    code = request.GET.get("region", "").strip()
    if not code:
        return _office_region(request.user)
    region = get_object_or_404(Region, code=code)
    require_scope(request.user, region.code)
    return region


def _chart_json(table: dict) -> dict:
    # lines with a denominator only: a share of nobody (no supervision committee chosen yet) has no bar
    lines = [ln for ln in table["lines"] if hasattr(ln.now, "scaled") and ln.now.scaled is not None]
    return {"categories": [ln.label for ln in lines],
            "series": [{"name": "本届（%）", "data": [float(ln.now.value) if ln.now.scaled is not None else 0
                                                    for ln in lines]},
                       {"name": "上届（%）", "data": [float(ln.before.value) if ln.before is not None and
                                                     ln.before.scaled is not None else 0 for ln in lines]}]}


@allow(COUNTY, TOWNSHIP)
def structure_page(request):
    campaign = campaign_for(request)
    region = _region_for(request)
    tables = [structure.structure_table(campaign, region.scope_prefix, body) for body in ("all", "committee", "party")]
    participation = summary.participation_lines(services.totals(services.village_figures(campaign, region.scope_prefix)))
    if request.GET.get("format") == "xlsx":
        sheets = [SheetSpec(name=t["label"], title=f"{region.name}新一届{t['label']}班子结构", subtitle=campaign.name,
                            columns=summary.STRUCTURE_COLUMNS, rows=summary.structure_rows(t)) for t in tables]
        sheets.append(SheetSpec(name="参选情况", title=f"{region.name}参选情况", subtitle=campaign.name,
                                columns=["项目", "本届"], rows=[list(p) for p in participation]))
        return file_response(workbook_bytes(sheets), f"{region.name}班子结构统计.xlsx", content_type=XLSX)
    prefix = request.user.scope_prefix or "-"
    choices = Region.objects.filter(code__startswith=prefix, level__in=[Region.TOWNSHIP, Region.VILLAGE],
                                    valid_until=None).order_by("code")
    return render(request, "reports/structure.html", {
        "campaign": campaign, "region": region, "tables": tables, "choices": choices,
        "participation": participation, "rounding": summary.ROUNDING,
        "chart": _chart_json(tables[0]), "previous_count": PreviousCadre.objects.filter(
            campaign=campaign, village__code__startswith=region.scope_prefix).count()})


@allow(COUNTY, TOWNSHIP)
def previous_list(request):
    campaign = campaign_for(request)
    qs = PreviousCadre.objects.filter(campaign=campaign, village__code__startswith=request.user.scope_prefix or "-"
                                      ).select_related("village__parent")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(village__name__contains=q) | Q(posts__contains=q))
    if request.GET.get("format") == "xlsx":
        return xlsx("上届村干部名单", ["乡镇", "村（社区）", "姓名", "公民身份号码", "性别", "出生日期", "职务", "党员", "文化程度"],
                    [[p.village.parent.name, p.village.name, p.name, p.id_number, p.get_gender_display(),
                      p.birth_date.isoformat(), p.posts, "是" if p.party_member else "否", p.education] for p in qs],
                    "上届村干部名单.xlsx", subtitle=campaign.name)
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的 Excel 文件。")
        else:
            try:
                result = structure.import_previous_cadres(request.user, campaign, upload.read(), upload.name)
            except structure.ImportError_ as exc:
                messages.error(request, str(exc))
            else:
                if result.errors:
                    messages.error(request, f"文件有 {len(result.errors)} 处问题，没有导入任何一行。")
                else:
                    messages.success(request, f"已导入上届村干部 {result.saved} 人。")
                    return redirect("reports:previous")
    return render(request, "reports/previous.html", {
        "campaign": campaign, "page": Paginator(qs, 50).get_page(request.GET.get("page")), "q": q,
        "query": urlencode({"q": q} if q else {}), "result": result, "can_import": request.user.role == COUNTY})


# ---------------------------------------------------------------- the summary report


@allow(COUNTY, TOWNSHIP)
def summary_page(request):
    campaign = campaign_for(request)
    region = _office_region(request.user)
    if request.method == "POST":
        try:
            summary.save_text(request.user, campaign, region, request.POST)
        except summary.SummaryError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "工作总结的文字已保存。")
            return redirect("reports:summary")
    s = summary.build_summary(campaign, region)
    return render(request, "reports/summary.html", {
        "campaign": campaign, "region": region, "s": s, "tables": summary.report_tables(s),
        "chart": {"categories": s.chart.categories,
                  "series": [{"name": name, "data": values} for name, values in s.chart.series]}})


@allow(COUNTY, TOWNSHIP)
def summary_file(request, fmt):
    campaign = campaign_for(request)
    region = _office_region(request.user)
    s = summary.build_summary(campaign, region)
    if fmt == "pdf":
        return file_response(summary.summary_pdf(s), f"{s.title}.pdf", inline=True)
    if fmt == "docx":
        return file_response(summary.summary_docx(s), f"{s.title}.docx", content_type=DOCX)
    if fmt == "xlsx":
        return file_response(summary.summary_xlsx(s), f"{region.name}换届选举汇总表.xlsx", content_type=XLSX)
    raise Http404("未知格式。")


# ---------------------------------------------------------------- after the vote: outgoing, talks, reserve


def _village_in_scope(request, code: str) -> Region:
    village = get_object_or_404(Region, code=code, level=Region.VILLAGE)
    require_scope(request.user, village.code)
    return village


@allow(COUNTY, TOWNSHIP)
def outgoing_list(request):
    campaign = campaign_for(request)
    q = request.GET.get("q", "").strip()
    show = request.GET.get("show", "")
    rows = outgoing.outgoing_rows(campaign, request.user.scope_prefix or "-", q)
    counts = outgoing.outgoing_counts(rows)
    if show == "left":
        rows = [r for r in rows if r.left]
    elif show == "not_elected":
        rows = [r for r in rows if r.stood]
    elif show == "unplaced":
        rows = [r for r in rows if r.left and not r.placed]
    elif show == "no_talk":
        rows = [r for r in rows if r.talk is None]
    if request.GET.get("format") == "xlsx":
        return xlsx("离任和未当选人员", ["乡镇", "村（社区）", "姓名", "情况", "上届职务", "本次参选", "另行安排", "安排去向",
                                  "安排日期", "谈心谈话日期", "谈话人", "谈话情况"],
                    [[r.village.parent.name, r.village.name, r.name, r.situation, r.previous.posts if r.previous else "",
                      "、".join(r.stood), ("是" if r.placed else "否") if r.left else "",
                      r.placement.placed_where if r.placed else "",
                      r.placement.placed_on.isoformat() if r.placed and r.placement.placed_on else "",
                      r.talk.talked_on.isoformat() if r.talk else "未谈话", r.talk.talked_by if r.talk else "",
                      r.talk.content if r.talk else ""] for r in rows],
                    "离任和未当选人员.xlsx", subtitle=campaign.name)
    params = {k: v for k, v in (("q", q), ("show", show)) if v}
    return render(request, "reports/outgoing.html", {
        "campaign": campaign, "page": Paginator(rows, 50).get_page(request.GET.get("page")), "q": q, "show": show,
        "query": urlencode(params), "counts": counts,
        "placed_share": percent(counts["placed"], counts["left"]).with_counts,
        "talk_share": percent(counts["talked"], counts["people"]).with_counts})


@allow(COUNTY, TOWNSHIP)
def outgoing_person(request, code, id_number):
    campaign = campaign_for(request)
    village = _village_in_scope(request, code)
    row = next((r for r in outgoing.outgoing_rows(campaign, village.code) if r.key == id_number), None)
    if row is None:
        raise Http404("不是本村离任或未当选的人员。")
    if request.method == "POST":
        post = request.POST
        try:
            if post.get("action") == "placement":
                outgoing.record_placement(request.user, campaign, village, id_number, placed=post.get("placed") == "1",
                                          where=post.get("placed_where", ""), on=form_date(post.get("placed_on")))
                messages.success(request, "离任安排已登记。")
            else:
                outgoing.record_talk(request.user, campaign, village, id_number,
                                     talked_on=form_date(post.get("talked_on")), talked_by=post.get("talked_by", ""),
                                     content=post.get("content", ""))
                messages.success(request, "谈心谈话已登记。")
        except outgoing.OutgoingError as exc:
            messages.error(request, str(exc))
            placement = post.get("action") == "placement"
            return render(request, "reports/outgoing_person.html", {
                "campaign": campaign, "row": row, "pv": post if placement else None,
                "tv": None if placement else post, "today": timezone.localdate()}, status=400)
        return redirect("reports:outgoing")
    return render(request, "reports/outgoing_person.html", {"campaign": campaign, "row": row, "pv": None, "tv": None,
                                                            "today": timezone.localdate()})


@allow(COUNTY, TOWNSHIP)
def reserve_list(request):
    campaign = campaign_for(request)
    q = request.GET.get("q", "").strip()
    rows = outgoing.reserve_rows(campaign, request.user.scope_prefix or "-", q)
    totals = outgoing.reserve_totals(rows)
    if request.GET.get("format") == "xlsx":
        people = [[r["village"].parent.name, r["village"].name, c.person.name, c.person.get_gender_display(),
                   c.person.birth_date.isoformat(), EDUCATION_LABELS.get(c.person.education or "", c.person.education or ""), c.get_source_display(), c.note,
                   c.added_on.isoformat()] for r in rows for c in r["reserves"]]
        sheets = [
            SheetSpec(name="各村后备干部", title="各村后备干部统计", subtitle=campaign.name,
                      columns=["乡镇", "村（社区）", "后备干部", "女性", "35岁及以下", "大专及以上", "来自本次选举",
                               "调查摸底合适人选"],
                      rows=[[r["village"].parent.name, r["village"].name, r["count"], r["women"], r["young"],
                             r["college"], r["from_election"], "—" if r["survey_total"] is None else r["survey_total"]]
                            for r in rows] + [["合计", f"{totals['villages']}个村（社区）", totals["count"],
                                               totals["women"], totals["young"], totals["college"],
                                               totals["from_election"], totals["survey_total"]]]),
            SheetSpec(name="后备干部名单", title="后备干部名单", subtitle=campaign.name,
                      columns=["乡镇", "村（社区）", "姓名", "性别", "出生日期", "文化程度", "来源", "培养方向", "列入日期"],
                      rows=people),
        ]
        return file_response(workbook_bytes(sheets), "后备干部.xlsx", content_type=XLSX)
    return render(request, "reports/reserve.html", {
        "campaign": campaign, "page": Paginator(rows, 50).get_page(request.GET.get("page")), "q": q,
        "query": urlencode({"q": q} if q else {}), "totals": totals,
        "women_share": percent(totals["women"], totals["count"]).with_counts,
        "young_share": percent(totals["young"], totals["count"]).with_counts,
        "college_share": percent(totals["college"], totals["count"]).with_counts})


@allow(COUNTY, TOWNSHIP)
def reserve_village(request, code):
    from .models import ReserveCadre

    campaign = campaign_for(request)
    village = _village_in_scope(request, code)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                reserve = get_object_or_404(ReserveCadre, pk=request.POST.get("pk") or 0, campaign=campaign,
                                            village=village)
                outgoing.remove_reserve(request.user, reserve)
                messages.success(request, f"已将{reserve.person.name}移出后备干部。")
            else:
                outgoing.add_reserve(request.user, campaign, village, request.POST.get("id_number", ""),
                                     source=request.POST.get("source", ""), note=request.POST.get("note", ""),
                                     added_on=form_date(request.POST.get("added_on")))
                messages.success(request, "已列入后备干部。")
        except outgoing.OutgoingError as exc:
            messages.error(request, str(exc))
        return redirect("reports:reserve_village", code=village.code)
    row = outgoing.reserve_rows(campaign, village.code)[0] if _in_campaign(campaign, village) else None
    listed = {c.person.id_number for c in (row["reserves"] if row else [])}
    for c in row["reserves"] if row else []:
        c.education_label = EDUCATION_LABELS.get(c.person.education or "", c.person.education or "")
    # the candidates who lost and may be listed (adults only: the service refuses a minor)
    today = timezone.localdate()
    adults = set(Person.objects.filter(id_number__in=[r.key for r in outgoing.outgoing_rows(campaign, village.code)],
                                       birth_date__lte=today.replace(year=today.year - 18, day=min(today.day, 28)))
                 .values_list("id_number", flat=True))
    candidates = [r for r in outgoing.outgoing_rows(campaign, village.code)
                  if r.stood and r.key not in listed and r.key in adults]
    return render(request, "reports/reserve_village.html", {
        "campaign": campaign, "village": village, "row": row, "candidates": candidates,
        "sources": ReserveCadre.SOURCE_CHOICES, "today": timezone.localdate()})


def _in_campaign(campaign, village) -> bool:
    from huanjie.campaigns.models import CampaignVillage

    return CampaignVillage.objects.filter(campaign=campaign, village=village).exists()
