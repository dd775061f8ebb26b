"""Forwarded headers are believed only from the proxy that a setting names.

A client can send ``X-Forwarded-Proto: https`` or ``X-Forwarded-For: 1.2.3.4`` itself. This WSGI
wrapper applies them (the scheme, and the client address as the last hop before our proxies) only
when the request comes from an address in ``HUANJIE_TRUSTED_PROXIES``, and removes every
forwarded header otherwise, so no later layer can be fooled by them. It works the same under
``huanjie serve`` (waitress) and the development server.
"""

from __future__ import annotations

FORWARDED_KEYS = ("HTTP_X_FORWARDED_", "HTTP_FORWARDED")


class TrustedProxyMiddleware:
    def __init__(self, app, trusted: list[str] | tuple[str, ...]):
        self.app = app
        self.trusted = frozenset(trusted)

    def __call__(self, environ, start_response):
        if environ.get("REMOTE_ADDR", "") in self.trusted:
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
            hops = [h.strip() for h in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
            for addr in reversed(hops):  # the nearest address that is not one of our proxies
                if addr not in self.trusted:
                    environ["REMOTE_ADDR"] = addr
                    break
        else:
            for key in [k for k in environ if k.startswith(FORWARDED_KEYS)]:
                del environ[key]
        return self.app(environ, start_response)
