"""One access check for every view: role and scope.

Every view is wrapped by :func:`allow` (naming the roles that may use it) or :func:`public`.
The wrapper records an :class:`AccessRule` on the view function; ``huanjie.core.checks`` makes
the application refuse to start when a URL pattern leads to a view without one.

Scope is the statistical division code: a county account's prefix is the first 6 digits of its
county's code, a township's the first 9, a village's all 12. An object is in scope when its
region code starts with the account's prefix. Objects outside scope are answered with 404, so
their existence does not leak.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

COUNTY = "county"
TOWNSHIP = "township"
VILLAGE = "village"
DEPARTMENT = "department"
OBSERVER = "observer"
ADMIN = "admin"

ROLE_LABELS = {
    COUNTY: "县换届办",
    TOWNSHIP: "乡镇换届办",
    VILLAGE: "村民选举委员会",
    DEPARTMENT: "联审部门",
    OBSERVER: "监督员/观察员",
    ADMIN: "系统管理员",
}
ALL_ROLES = frozenset(ROLE_LABELS)
OFFICE_ROLES = frozenset({COUNTY, TOWNSHIP, VILLAGE, ADMIN})
"""Roles that work with the people register (ID numbers, addresses)."""
WRITE_ROLES = frozenset({COUNTY, TOWNSHIP, VILLAGE})


@dataclass(frozen=True)
class AccessRule:
    roles: frozenset[str]
    public: bool = False

    def describe(self) -> str:
        if self.public:
            return "公开"
        return "、".join(ROLE_LABELS[r] for r in sorted(self.roles))


def _mark(view, rule: AccessRule):
    view.huanjie_access = rule
    return view


def public(view):
    """A view anyone may open (login page, health check)."""
    return _mark(view, AccessRule(roles=frozenset(), public=True))


def allow(*roles: str):
    """Only logged-in, active accounts with one of ``roles`` may open the view."""
    unknown = set(roles) - ALL_ROLES
    if unknown or not roles:
        raise ValueError(f"unknown roles {unknown}")
    rule = AccessRule(roles=frozenset(roles))

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if user.role not in rule.roles:
                raise PermissionDenied("您的账号角色无权访问此页面。")
            return view(request, *args, **kwargs)

        return _mark(wrapped, rule)

    return decorator


def in_scope(user, region_code: str | None) -> bool:
    prefix = user.scope_prefix
    if prefix is None:
        return False
    return bool(region_code) and region_code.startswith(prefix)


def require_scope(user, region_code: str | None) -> None:
    """404 for objects outside the account's scope: do not reveal they exist."""
    if not in_scope(user, region_code):
        raise Http404("对象不存在或不在您的管辖范围内。")


def require_write(user) -> None:
    if user.role not in WRITE_ROLES:
        raise PermissionDenied("您的账号是只读账号，不能修改数据。")
