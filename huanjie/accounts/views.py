from django.contrib import messages
from django.contrib.auth import login, logout, password_validation, update_session_auth_hash
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from huanjie.accounts.audit import chain_label
from huanjie.accounts.audit_display import action_label, describe
from huanjie.core.access import ADMIN, ALL_ROLES, COUNTY, allow, public
from huanjie.people.models import Region

from .models import AuditRecord
from .services import AccountError, LoginRefused, attempt_login, change_password


@public
@require_http_methods(["GET", "POST"])
def login_view(request):
    error = ""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST":
        try:
            user = attempt_login(request, request.POST.get("username", ""), request.POST.get("password", ""))
        except LoginRefused as exc:
            error = str(exc)
        else:
            login(request, user)
            if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                return redirect(next_url)
            return redirect("home")
    return render(request, "accounts/login.html", {"error": error, "next": next_url,
                                                   "username": request.POST.get("username", "")},
                  status=400 if error else 200)


@allow(*ALL_ROLES)
@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "您已退出登录。")
    return redirect("login")


@allow(COUNTY, ADMIN)
def audit_log(request):
    """The county office browses the audit chain of its county, filtered by action, object or person."""
    user = request.user
    records = AuditRecord.objects.select_related("actor")
    prefix = user.scope_prefix or "-"
    records = records.filter(region_code__startswith=prefix) | records.filter(region_code="")
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    obj = request.GET.get("q", "").strip()
    if action:
        records = records.filter(action__startswith=action)
    if actor:
        records = records.filter(actor_name__contains=actor)
    if obj:
        records = records.filter(object_repr__contains=obj)
    actions = AuditRecord.objects.order_by().values_list("action", flat=True).distinct()
    # Newest first across chains: a sequence number counts within its own region's chain only.
    page = Paginator(records.order_by("-id"), 50).get_page(request.GET.get("page"))
    names = dict(Region.objects.filter(code__in={r.chain for r in page}).values_list("code", "name"))
    for r in page:
        r.described = describe(r)
        r.chain_name = names.get(r.chain) or chain_label(r.chain)
    return render(request, "accounts/audit_log.html", {
        "page": page, "action": action, "actor": actor, "q": obj,
        "actions": sorted(((a, action_label(a)) for a in set(actions)), key=lambda x: x[1]),
    })


@allow(*ALL_ROLES)
@never_cache
@require_http_methods(["GET", "POST"])
def password_change(request):
    """Every account changes its own password here; an account with a one-time password is sent
    here by the middleware until it has done so."""
    user = request.user
    errors = []
    if request.method == "POST":
        try:
            change_password(user, request.POST.get("old_password", ""), request.POST.get("new_password", ""),
                            request.POST.get("new_password2", ""))
        except AccountError as exc:
            errors = exc.messages
        else:
            update_session_auth_hash(request, user)  # stay logged in with the new password
            messages.success(request, "密码已修改。")
            return redirect("home")
    return render(request, "accounts/password_change.html",
                  {"errors": errors, "forced": user.must_change_password,
                   "rules": password_validation.password_validators_help_texts()},
                  status=400 if errors else 200)
