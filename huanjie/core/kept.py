"""Forms never lose what was typed.

A refused POST that redirects back (post/redirect/get) would show an empty form: the clerk types
the turnout and three text areas again. ``keep_form`` stores what was posted in the session for
one page view; the page renders it as JSON (``kept_form`` context, ``base.html``) and ``app.js``
puts every value back into the form that posted it (the same action path and hidden fields)."""

from __future__ import annotations

SESSION_KEY = "huanjie_kept_form"
_SKIP = {"csrfmiddlewaretoken"}
_MAX_CHARS = 20000  # a pasted ballot list fits; nothing bigger is kept in the session


def keep_form(request) -> None:
    """Remember the POST of ``request`` (a refused form) for the next page the user sees."""
    data = {k: request.POST.getlist(k) for k in request.POST if k not in _SKIP}
    if sum(len(v) for values in data.values() for v in values) > _MAX_CHARS:
        return
    request.session[SESSION_KEY] = {"action": request.path, "data": data}


def kept_form(request) -> dict:
    """Context processor: the kept form, handed out once."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session or request.method != "GET":
        return {}
    return {"kept_form": session.pop(SESSION_KEY)}
