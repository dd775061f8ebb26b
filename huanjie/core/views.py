from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render

from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.people.models import Person, Region

from .access import ALL_ROLES, allow, public


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


@public
def first_run(request):
    """The first-run page: only on an empty database (no region, no account); 404 afterwards."""
    from django.http import Http404

    from . import firstrun

    if not firstrun.is_fresh():
        raise Http404("系统已经设置过。")
    fields = ("county_code", "county_name", "username", "display_name")
    values = {f: (request.POST.get(f) or "").strip() for f in fields}
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            account, password = firstrun.set_up_county(**values)
        except firstrun.SetupRefused as exc:
            errors = exc.errors
        else:
            # Shown once, on this response only: the password is not stored anywhere readable.
            return render(request, "core/first_run_done.html", {"account": account, "password": password})
    return render(request, "core/first_run.html", {"values": values, "errors": errors})
