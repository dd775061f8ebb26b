from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render

from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.people.models import Person, Region

from .access import ALL_ROLES, allow, public


@public
def csrf_failure(request, reason=""):
    """Django's CSRF failure page, in Chinese: usually the page was open too long or cookies are off.

    Named by settings.CSRF_FAILURE_VIEW; ``reason`` (English, technical) is not shown to the clerk.
    """
    return render(request, "403_csrf.html", status=403)


@public
def health(request):
    return JsonResponse({"status": "ok"})


@allow(*ALL_ROLES)
def home(request):
    user = request.user
    regions = Region.objects.visible_to(user).current()
    counts = {row["level"]: row["n"] for row in regions.values("level").annotate(n=Count("id"))}
    campaigns = Campaign.objects.visible_to(user).select_related("county")
    village_states = (
        CampaignVillage.objects.filter(campaign__in=campaigns, village__code__startswith=user.scope_prefix or "-")
        .values("state").annotate(n=Count("id"))
    )
    context = {
        "region": user.region,
        "township_count": counts.get(Region.TOWNSHIP, 0),
        "village_count": counts.get(Region.VILLAGE, 0),
        "campaigns": campaigns[:10],
        "village_states": {row["state"]: row["n"] for row in village_states},
        "state_labels": dict(CampaignVillage.STATE_CHOICES),
    }
    if user.role in {"county", "township", "village", "admin"}:
        people = Person.objects.visible_to(user)
        stats = people.aggregate(
            total=Count("id"),
            women=Count("id", filter=Q(gender="F")),
            party=Count("id", filter=Q(political_status="cpc")),
            manual=Count("id", filter=Q(manual_birth_data=True)),
        )
        context["people_stats"] = stats
        if user.role != "village":
            rows = (people.values("hukou_village__name", "hukou_village__code")
                    .annotate(men=Count("id", filter=Q(gender="M")), women=Count("id", filter=Q(gender="F")),
                              party=Count("id", filter=Q(political_status="cpc")))
                    .order_by("hukou_village__code"))
            context["village_chart"] = {
                "type": "bar", "stack": "people",
                "categories": [r["hukou_village__name"] for r in rows],
                "series": [{"name": "男", "data": [r["men"] for r in rows]},
                           {"name": "女", "data": [r["women"] for r in rows]}],
            }
    return render(request, "core/home.html", context)
