"""Report pages: the weekly figures (taken and kept), their Excel in the upward layout."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from huanjie.core.access import COUNTY, TOWNSHIP, allow, require_scope
from huanjie.elections.view_helpers import file_response
from huanjie.oversight.views import XLSX, campaign_for, xlsx
from huanjie.people.models import Region

from . import services
from .models import WeeklySnapshot


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
        "last": last, "this_week": this_week, "turnout": services.turnout_text(now)})


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
        "turnout": services.turnout_text(snap.totals)})


@allow(COUNTY, TOWNSHIP)
def weekly_xlsx(request, pk):
    snap = _snapshot(request, pk)
    return file_response(services.snapshot_xlsx(snap), f"{snap.region.name}每周统计{snap.week_start}.xlsx",
                         content_type=XLSX)
