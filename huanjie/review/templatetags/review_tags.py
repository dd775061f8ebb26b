"""``{% review_section election %}``: each candidate's review as the viewer may see it."""

from __future__ import annotations

from django import template

from huanjie.review import services

register = template.Library()


@register.inclusion_tag("review/_election_section.html", takes_context=True)
def review_section(context, election):
    user = context["request"].user
    rows = services.election_review_rows(user, election)
    return {"rows": rows, "full": user.role in services.FULL_VIEW_ROLES, "request": context["request"]}
