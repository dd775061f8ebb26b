"""What every election page needs: the roles that may see or work on it, and the scoped lookup."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from huanjie.core.access import ADMIN, COUNTY, OBSERVER, TOWNSHIP, VILLAGE, require_scope
from huanjie.elections.models import Election

VIEWERS = (COUNTY, TOWNSHIP, VILLAGE, OBSERVER, ADMIN)
WORKERS = (COUNTY, TOWNSHIP, VILLAGE)


def election_in_scope(request, pk) -> Election:
    """The election, or 404 when it is outside the account's scope (its existence does not leak)."""
    election = get_object_or_404(
        Election.objects.select_related("campaign__county", "organization__parent"), pk=pk
    )
    require_scope(request.user, election.organization.code)
    return election


def say_refusal(request, exc: Exception, *, blocked: str) -> None:
    """A refused action as the message the page shows: the service's Chinese reason; for ballots
    that may not be issued yet, ``blocked`` followed by every blocker."""
    from django.contrib import messages

    from huanjie.elections.services import VotingBlocked

    if isinstance(exc, VotingBlocked):
        messages.error(request, f"{blocked}：" + "；".join(exc.blockers) + "。")
    elif isinstance(exc, PermissionDenied):
        messages.error(request, str(exc) or "您的账号不能进行此操作。")
    else:
        messages.error(request, str(exc))


def form_date(value: str | None) -> dt.date | None:
    """A date typed in a form (YYYY-MM-DD), or None when it is empty or not a real date."""
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def file_response(content: bytes, filename: str, *, content_type: str = "application/pdf",
                  inline: bool = False) -> HttpResponse:
    """A download (or an inline view) with the Chinese file name kept intact (RFC 5987)."""
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response
