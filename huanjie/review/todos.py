"""Waiting reviews on the 工作台 (``core.todos``): a department its queue, the village committee
its 村级预审, the township its 乡镇初审, each with the link where the verdict is recorded."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse

from huanjie.core.access import DEPARTMENT, TOWNSHIP, VILLAGE
from huanjie.core.todos import Todo, register

from . import services
from .models import ReviewCase, ReviewVerdict

TIER_OF_ROLE = {VILLAGE: ReviewCase.VILLAGE, TOWNSHIP: ReviewCase.TOWNSHIP}


def review_todos(user) -> list[Todo]:
    if user.role == DEPARTMENT:
        n = services.department_queue(user).count()
        if not n:
            return []
        return [Todo(text=f"资格联审：{n} 名候选人等待本部门审查", url=reverse("review:queue"), sort=("",))]
    tier = TIER_OF_ROLE.get(user.role)
    if tier is None or not user.scope_prefix:
        return []
    rows = (
        ReviewVerdict.objects.filter(
            tier=tier,
            verdict=ReviewVerdict.PENDING,
            case__stage=tier,
            case__candidate__election__organization__code__startswith=user.scope_prefix,
        )
        .values("case__candidate__election__organization__name")
        .annotate(n=Count("id"))
        .order_by("case__candidate__election__organization__code")
    )
    label = dict(ReviewCase.STAGE_CHOICES)[tier]
    url = reverse("review:cases")
    return [
        Todo(
            text=f"{r['case__candidate__election__organization__name']}：{r['n']} 名候选人等待{label}",
            url=url,
            sort=("", r["case__candidate__election__organization__name"]),
        )
        for r in rows
    ]


register(review_todos)
