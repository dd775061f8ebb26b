"""The county office's region pages: import the code list, add by hand, rename and merge."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from huanjie.core import uploads
from huanjie.core.access import COUNTY, allow, require_scope

from . import regions
from .models import Region


def _county(request) -> Region:
    county = request.user.region
    if county is None or county.level != Region.COUNTY:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("只有县换届办账号可以维护区域。")
    return county


def _problem_rows(problems) -> list[dict]:
    return [{"row": p.row, "field": regions.FIELD_LABELS.get(p.field, p.field), "message": p.message}
            for p in problems]


@allow(COUNTY)
def region_import(request):
    """Upload the county's code list; all rows or none unless the user keeps only the good rows."""
    county = _county(request)
    context = {"county": county, "class_codes": Region.URBAN_RURAL_CHOICES}
    if request.method == "POST":
        skip = request.POST.get("skip_bad_rows") == "1"
        context["skip"] = skip
        try:
            upload = uploads.uploaded_file(request, "file")
        except uploads.UploadRefused as exc:
            upload, context["errors"] = None, [{"row": "", "field": "文件", "message": str(exc)}]
        if upload is None and "errors" not in context:
            context["errors"] = [{"row": "", "field": "文件", "message": "请选择区划代码表文件（.xlsx、.xls 或 .csv）。"}]
        elif upload is not None:
            try:
                result = regions.import_regions(request.user, county, upload.read(), upload.name, skip_bad_rows=skip)
            except regions.RegionRefused as exc:
                context["errors"] = _problem_rows(exc.problems)
            else:
                context["result"] = result
                context["rejected"] = _problem_rows(result.rejected)
                context["notes"] = _problem_rows(result.notes)
                messages.success(request, f"已导入 {result.townships} 个乡镇（街道）、{result.villages} 个村（社区）。")
    return render(request, "people/region_import.html", context)


@allow(COUNTY)
def region_add(request):
    county = _county(request)
    fields = ("code", "name", "class_code", "population", "households")
    values = {f: (request.POST.get(f) or "").strip() for f in fields}
    errors: dict[str, str] = {}
    if request.method == "POST":
        counts = {}
        for f in ("population", "households"):
            if values[f] and not values[f].isdigit():
                errors[f] = f"应为非负整数，收到“{values[f]}”。"
            counts[f] = int(values[f]) if values[f].isdigit() else 0
        if not errors:
            try:
                region = regions.add_region(request.user, county, code=values["code"], name=values["name"],
                                            class_code=values["class_code"], **counts)
            except regions.RegionRefused as exc:
                errors = {p.field: p.message for p in exc.problems}
            else:
                messages.success(request, f"已添加{region.get_level_display()}：{region.name}（{region.code}）。")
                return redirect("people:region", code=region.code)
    return render(request, "people/region_add.html", {
        "county": county, "values": values, "errors": errors, "class_codes": Region.URBAN_RURAL_CHOICES})


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _current(request, code) -> Region:
    region = get_object_or_404(Region.objects.current(), code=code)
    require_scope(request.user, region.code)
    return region


@allow(COUNTY)
@require_POST
def region_rename(request, code):
    region = _current(request, code)
    try:
        new = regions.rename_region(request.user, region, request.POST.get("name", ""),
                                    _date(request.POST.get("valid_from", "")))
    except regions.RegionRefused as exc:
        messages.error(request, "未更名：" + "；".join(p.message for p in exc.problems))
        return redirect("people:region", code=region.code)
    messages.success(request, f"{region.name}自 {new.valid_from} 起更名为{new.name}，原名称保留在历史沿革中。")
    return redirect("people:region", code=new.code)


@allow(COUNTY)
@require_POST
def region_merge(request, code):
    region = _current(request, code)
    target = Region.objects.current().filter(code=(request.POST.get("target") or "").strip()).first()
    if target is None or not target.code.startswith(request.user.scope_prefix):
        messages.error(request, "未合并：合并后的区域代码不存在或不在本县。")
        return redirect("people:region", code=region.code)
    try:
        regions.merge_region(request.user, region, target, _date(request.POST.get("valid_from", "")))
    except regions.RegionRefused as exc:
        messages.error(request, "未合并：" + "；".join(p.message for p in exc.problems))
        return redirect("people:region", code=region.code)
    messages.success(request, f"{region.name}已并入{target.name}，历史沿革已保留。")
    return redirect("people:region", code=target.code)
