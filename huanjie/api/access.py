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


def install_error_handlers(api) -> None:
    """Bad input to any operation answers 4xx with a Chinese message (issue 9 §4), never a 500 or
    django-ninja's English defaults: invalid parameters, unknown objects, numbers out of range."""
    from django.db import DataError
    from django.http import Http404
    from ninja.errors import AuthenticationError, ValidationError

    def answer(request, status: int, message: str):
        return api.create_response(request, {"detail": message}, status=status)

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        names = []
        for err in exc.errors:
            loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body")]
            names.append(".".join(loc) or "请求")
        return answer(request, 422, f"请求参数无效：{'、'.join(dict.fromkeys(names))}。")

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return answer(request, 401, "请先登录。")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return answer(request, 404, "对象不存在或不在您的管辖范围内。")

    @api.exception_handler(DataError)
    @api.exception_handler(OverflowError)
    def out_of_range(request, exc):
        return answer(request, 400, "请求参数超出范围。")


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
