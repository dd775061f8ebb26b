"""System check: every URL pattern must carry an access rule (role and scope).

Run at start-up (``runserver``, ``check``, ``migrate``) and in the tests, so a view added
without :func:`huanjie.core.access.allow` or :func:`~huanjie.core.access.public` stops the
application instead of silently being open.
"""

from django.core.checks import Error, register
from django.urls import URLPattern, URLResolver, get_resolver

# Framework-provided handlers that are not application views.
_EXEMPT_PREFIXES = ("django.views.static", "django.contrib.staticfiles")


def _iter_patterns(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _iter_patterns(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def unguarded_patterns():
    from huanjie.api.access import ninja_operations_without_rule

    found = []
    for route, pattern in _iter_patterns(get_resolver().url_patterns):
        callback = pattern.callback
        inner = getattr(callback, "func", callback)  # functools.partial
        if getattr(inner, "__module__", "").startswith("ninja") and inner.__name__ == "default_home":
            continue  # the API root only redirects to the (guarded) docs
        module = getattr(callback, "__module__", "") or ""
        if module.startswith(_EXEMPT_PREFIXES):
            continue
        if module.startswith("ninja"):
            continue  # checked operation by operation below
        view = getattr(callback, "view_class", None) or callback
        if not hasattr(callback, "huanjie_access") and not hasattr(view, "huanjie_access"):
            found.append(route)
    found.extend(ninja_operations_without_rule())
    return found


@register()
def every_url_has_access_rule(app_configs, **kwargs):
    return [
        Error(
            f"URL “{route}” 没有访问控制（缺少 @allow 或 @public）。",
            hint="给视图加上 huanjie.core.access.allow(...) 或 public。",
            id="huanjie.E001",
        )
        for route in unguarded_patterns()
    ]
