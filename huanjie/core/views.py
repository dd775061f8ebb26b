from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.people.models import Person, Region

from .access import ALL_ROLES, COUNTY, TOWNSHIP, VILLAGE, allow, public
from .todos import todos_for


def _election_links(user, campaigns) -> list[dict]:
    """Township and village home pages link to their elections (the campaign's election list)."""
    if user.role not in {COUNTY, TOWNSHIP, VILLAGE}:
        return []
    return [{"campaign": c, "url": reverse("elections:list", kwargs={"slug": c.slug})} for c in campaigns[:5]]


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
        "todos": todos_for(user),
        "elections_links": _election_links(user, campaigns),
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
