from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.people import stats as people_stats
from huanjie.people.models import Region

from .access import ALL_ROLES, COUNTY, TOWNSHIP, VILLAGE, allow, public
from .todos import todos_for


def _election_links(user, campaigns) -> list[dict]:
    """Township and village home pages link to their elections (the campaign's election list)."""
    if user.role not in {COUNTY, TOWNSHIP, VILLAGE}:
        return []
    return [{"campaign": c, "url": reverse("elections:list", kwargs={"slug": c.slug})} for c in campaigns[:5]]


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
        villages = list(regions.filter(level=Region.VILLAGE).order_by("code").values_list("id", "name"))
        per_village = people_stats.village_stats(v for v, _ in villages)
        context["people_stats"] = people_stats.totals(per_village)
        if user.role != "village":
            shown = [(name, per_village[v]) for v, name in villages if per_village[v].total]
            context["village_chart"] = {
                "type": "bar", "stack": "people",
                "categories": [name for name, _ in shown],
                "series": [{"name": "男", "data": [s.men for _, s in shown]},
                           {"name": "女", "data": [s.women for _, s in shown]}],
            }
    return render(request, "core/home.html", context)


@public
def first_run(request):
    """The first-run page: only on an empty database (no region, no account); 404 afterwards."""
    from django.http import Http404

    from . import firstrun

    if not firstrun.page_open():
        raise Http404("系统已经设置过，或生产环境中请用 huanjie setup 命令设置。")
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
