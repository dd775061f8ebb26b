"""Account management by the office above: the list, new accounts one by one, per village, per
department or from a spreadsheet, reset, unlock, deactivate; and the reviewing departments (P17).

Pages that hand out passwords answer the POST directly (no redirect) and are never cached: the
one-time passwords and their printable notice exist only in that one response.
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from huanjie.campaigns.models import Campaign
from huanjie.core.access import ADMIN, COUNTY, DEPARTMENT, ROLE_LABELS, TOWNSHIP, VILLAGE, allow
from huanjie.documents.render import workbook_bytes
from huanjie.documents.render.excel import SheetSpec
from huanjie.elections.view_helpers import file_response
from huanjie.people.models import Region

from . import services
from .models import Department, LoginThrottle, User
from .notices import account_notices_pdf, accounts_workbook, status_label
from .services import AccountError, AccountSpec

MANAGERS = (COUNTY, TOWNSHIP, ADMIN)
PAGE_SIZE = 50


def _office_name(user) -> str:
    """How the notice signs: the office, not the clerk (``县换届办`` of 安平县 → 安平县换届办)."""
    if user.role in (COUNTY, TOWNSHIP) and user.region_id:
        return f"{user.region.name}换届办"
    return f"{user.region.name}{user.role_label}" if user.region_id else user.role_label


def _accounts(request):
    now = timezone.now()
    lock = LoginThrottle.objects.filter(username=OuterRef("username"), locked_until__gt=now).values("locked_until")
    accounts = (services.managed_accounts(request.user)
                .select_related("region__parent__parent", "department")
                .annotate(locked_until=Subquery(lock[:1])))
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    if q:
        accounts = accounts.filter(Q(username__icontains=q) | Q(display_name__contains=q) | Q(region__name__contains=q))
    if role in ROLE_LABELS:
        accounts = accounts.filter(role=role)
    return accounts.order_by("region__code", "role", "username"), q, role


@allow(*MANAGERS)
def account_list(request):
    accounts, q, role = _accounts(request)
    if request.GET.get("export") == "xlsx":
        title = f"{_office_name(request.user)}管理的账号"
        return file_response(accounts_workbook(accounts, title=title), "账号名单.xlsx",
                             content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    for user in page:
        user.status = status_label(user)
    query = "&".join(f"{k}={v}" for k, v in (("q", q), ("role", role)) if v)
    return render(request, "accounts/account_list.html", {
        "page": page, "q": q, "role": role, "query": query,
        "roles": [(r, ROLE_LABELS[r]) for r in services.manageable_roles(request.user)],
    })


def _issued_response(request, issued, *, title: str, skipped=()):
    """The one page that shows the new passwords, with their account notices as a PDF in the page itself
    (every view that calls this is ``never_cache``: the page must not stay in a browser cache)."""
    pdf = account_notices_pdf(issued, issuer=_office_name(request.user),
                              login_url=request.build_absolute_uri(reverse("login")), on=timezone.localdate())
    return render(request, "accounts/issued.html", {
        "issued": issued, "title": title, "skipped": skipped,
        "pdf_data": base64.b64encode(pdf).decode("ascii"),
        "pdf_name": f"账号通知单-{timezone.localtime():%Y%m%d-%H%M}.pdf",
    })


def _region_choices(actor, role):
    return list(services.regions_for(actor, role).select_related("parent"))


@allow(*MANAGERS)
@never_cache
@require_http_methods(["GET", "POST"])
def account_new(request):
    actor = request.user
    roles = services.manageable_roles(actor)
    errors, values = [], {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in ("username", "display_name", "role", "region", "department")}
        region = Region.objects.filter(code=values["region"]).first() if values["region"] else None
        dept = Department.objects.filter(code=values["department"]).first() if values["department"] else None
        spec = AccountSpec(values["username"], values["display_name"], values["role"], region,
                           dept if values["role"] == DEPARTMENT else None)
        try:
            issued = services.create_accounts(actor, [spec])
        except AccountError as exc:
            errors = [m.removeprefix("第 1 个账号 ") for m in exc.messages]
        else:
            return _issued_response(request, issued, title="新开账号")
    regions = {role: _region_choices(actor, role) for role in roles}
    return render(request, "accounts/account_new.html", {
        "errors": errors, "values": values,
        "roles": [(r, ROLE_LABELS[r]) for r in roles],
        "regions": [(r, ROLE_LABELS[r], regions[r]) for r in roles],
        "departments": Department.objects.all() if DEPARTMENT in roles else [],
    }, status=400 if errors else 200)


def _campaigns(actor):
    return Campaign.objects.visible_to(actor).select_related("county").order_by("-starts_on")


@allow(*MANAGERS)
@never_cache
@require_http_methods(["GET", "POST"])
def account_bulk(request):
    """Many accounts in one action: one per village of a township or of a campaign, one per reviewing
    department of a campaign, or every row of a spreadsheet. All or nothing."""
    actor = request.user
    roles = services.manageable_roles(actor)
    errors = []
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        try:
            if kind == "villages":
                issued, skipped = _bulk_villages(request)
            elif kind == "departments" and DEPARTMENT in roles:
                issued, skipped = _bulk_departments(request)
            elif kind == "file":
                issued, skipped = services.import_accounts(actor, _uploaded_table(request)), []
            else:
                raise AccountError("请选择批量开设的方式。")
        except AccountError as exc:
            errors = exc.messages
        else:
            if not issued:
                errors = ["没有需要新开的账号：" + "、".join(skipped)] if skipped else ["没有需要新开的账号。"]
            else:
                return _issued_response(request, issued, title="批量开设账号", skipped=skipped)
    townships = (Region.objects.current().filter(level="township", code__startswith=actor.scope_prefix or "-")
                 .order_by("code"))
    return render(request, "accounts/account_bulk.html", {
        "errors": errors, "townships": townships, "campaigns": _campaigns(actor),
        "departments": DEPARTMENT in roles, "template_columns": services.IMPORT_TEMPLATE_COLUMNS,
    }, status=400 if errors else 200)


def _bulk_villages(request):
    actor = request.user
    villages = services.regions_for(actor, VILLAGE)
    source = request.POST.get("source", "")
    if source.startswith("township:"):
        villages = villages.filter(code__startswith=source.removeprefix("township:")[:9], level="village")
        if not villages.exists():
            raise AccountError("该乡镇没有您可以开设账号的村（社区）。")
    elif source.startswith("campaign:"):
        campaign = _campaigns(actor).filter(slug=source.removeprefix("campaign:")).first()
        if campaign is None:
            raise AccountError("没有这项换届工作。")
        villages = villages.filter(campaign_entries__campaign=campaign)
    else:
        raise AccountError("请选择乡镇或换届工作。")
    specs, skipped = services.village_account_specs(actor, villages)
    return (services.create_accounts(actor, specs) if specs else []), skipped


def _bulk_departments(request):
    from huanjie.review.services import ReviewError, departments_for

    actor = request.user
    campaign = _campaigns(actor).filter(slug=request.POST.get("campaign", "")).first()
    if campaign is None:
        raise AccountError("请选择换届工作。")
    try:
        departments = departments_for(campaign)
    except ReviewError as exc:
        raise AccountError(str(exc)) from exc
    specs, skipped = services.department_account_specs(actor, campaign.county, departments)
    return (services.create_accounts(actor, specs) if specs else []), skipped


def _uploaded_table(request):
    """The first sheet of the uploaded account list, through the one safe reader for uploads (size
    limit as the bytes arrive, container checks, parsing in a limited child process)."""
    from huanjie.core import uploads

    try:
        upload = uploads.uploaded_file(request, "file")
        if upload is None:
            raise AccountError("请选择要导入的 Excel 文件。")
        return uploads.read_table(upload.read(), upload.name)
    except uploads.UploadRefused as exc:
        raise AccountError(str(exc)) from exc


@allow(*MANAGERS)
def import_template(request):
    """An empty account list with the columns the import reads and one example row."""
    example = [["village_example", "某某村村民选举委员会", "村民选举委员会", "（12 位统计代码）", ""]]
    sheet = SheetSpec(name="账号", title="账号名单", columns=services.IMPORT_TEMPLATE_COLUMNS, rows=example,
                      text_columns=["区域代码"],
                      subtitle="角色可填：乡镇换届办、村民选举委员会、联审部门、监督员；联审部门账号填所属部门的名称或代码")
    return file_response(workbook_bytes([sheet]), "账号名单模板.xlsx",
                         content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@allow(*MANAGERS)
@never_cache
@require_POST
def account_action(request, pk: int, action: str):
    """Reset (a new one-time password, shown once), unlock, deactivate or reactivate a managed account."""
    target = get_object_or_404(services.managed_accounts(request.user).select_related("region", "department"), pk=pk)
    if action == "reset":
        issued = services.reset_password(request.user, target)
        return _issued_response(request, [issued], title="重置密码")
    if action == "unlock":
        services.unlock(request.user, target)
        messages.success(request, f"账号 {target.username} 已解锁。")
    elif action in ("deactivate", "activate"):
        services.set_active(request.user, target, action == "activate")
        messages.success(request, f"账号 {target.username} 已{'启用' if action == 'activate' else '停用'}。")
    else:
        raise Http404("没有这个操作。")
    return redirect(request.POST.get("back") if str(request.POST.get("back", "")).startswith("/accounts/users/")
                    else "accounts:users")


@allow(COUNTY, ADMIN)
@require_http_methods(["GET", "POST"])
def departments(request):
    """The reviewing departments (联审部门) and which of them review each campaign's candidates (P17)."""
    from huanjie.review.services import ReviewError, departments_for

    actor = request.user
    campaigns = list(_campaigns(actor))
    errors = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "defaults":
                added = services.add_default_departments(actor)
                messages.success(request, f"已添加 {len(added)} 个部门。" if added else "默认名单中的部门都已存在。")
            elif action == "create":
                dept = services.create_department(actor, request.POST.get("code", ""), request.POST.get("name", ""))
                messages.success(request, f"已添加部门：{dept.name}。")
            elif action == "campaign":
                campaign = next((c for c in campaigns if c.slug == request.POST.get("campaign")), None)
                if campaign is None:
                    raise AccountError("没有这项换届工作。")
                services.set_review_departments(actor, campaign, request.POST.getlist("codes"))
                messages.success(request, f"已保存“{campaign.name}”的联审部门。")
            else:
                raise AccountError("未知的操作。")
        except AccountError as exc:
            errors = exc.messages
        else:
            return redirect("accounts:departments")
    depts = list(Department.objects.all())
    accounts = {}
    for user in User.objects.filter(role=DEPARTMENT, is_active=True,
                                    region__code__startswith=actor.scope_prefix or "-").order_by("username"):
        accounts.setdefault(user.department_id, []).append(user.username)
    rows = []
    for campaign in campaigns:
        try:
            chosen = {d.pk for d in departments_for(campaign)}
        except ReviewError as exc:
            errors.append(str(exc))
            chosen = set()
        rows.append((campaign, chosen))
    return render(request, "accounts/departments.html", {
        "departments": [(d, accounts.get(d.pk, [])) for d in depts], "campaign_rows": rows, "errors": errors,
        "missing_defaults": [n for c, n in services.DEFAULT_DEPARTMENTS
                             if not any(d.code == c or d.name == n for d in depts)],
    }, status=400 if errors and request.method == "POST" else 200)
