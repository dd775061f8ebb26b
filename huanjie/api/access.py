"""Access rules for the JSON API: the same roles and scope as the web views.

Each operation is decorated with :func:`api_allow`; the system check reports any operation
without one.
"""

from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied
from ninja.errors import HttpError
from ninja.security import SessionAuth

from huanjie.core.access import ALL_ROLES, AccessRule


class SessionAuthCSRF(SessionAuth):
    """Session login (the same accounts as the web pages); CSRF is checked for writes."""


def api_allow(*roles: str):
    unknown = set(roles) - ALL_ROLES
    if unknown or not roles:
        raise ValueError(f"unknown roles {unknown}")
    rule = AccessRule(roles=frozenset(roles))

    def decorator(func):
        @functools.wraps(func)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                raise HttpError(401, "请先登录。")
            if user.role not in rule.roles:
                raise HttpError(403, "您的账号角色无权使用此接口。")
            try:
                return func(request, *args, **kwargs)
            except PermissionDenied as exc:
                raise HttpError(403, str(exc) or "无权操作。") from exc

        wrapped.huanjie_access = rule
        return wrapped

    return decorator


def ninja_operations_without_rule() -> list[str]:
    from huanjie.api.views import api

    missing = []
    for bound in api._get_bound_routers():
        prefix = bound.prefix
        for path, path_view in bound.path_operations.items():
            for op in path_view.operations:
                if not hasattr(op.view_func, "huanjie_access"):
                    missing.append(f"api{prefix}{path} ({','.join(op.methods)})")
    return missing
