"""What every election page needs: the roles that may see or work on it, and the scoped lookup."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from huanjie.core.access import ADMIN, COUNTY, OBSERVER, TOWNSHIP, VILLAGE, require_scope

from .models import Election

VIEWERS = (COUNTY, TOWNSHIP, VILLAGE, OBSERVER, ADMIN)
WORKERS = (COUNTY, TOWNSHIP, VILLAGE)


def election_in_scope(request, pk) -> Election:
    """The election, or 404 when it is outside the account's scope (its existence does not leak)."""
    election = get_object_or_404(
        Election.objects.select_related("campaign__county", "organization__parent"), pk=pk
    )
    require_scope(request.user, election.organization.code)
    return election
