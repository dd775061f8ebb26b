import datetime as dt

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from huanjie.core.access import ADMIN, COUNTY, OBSERVER, TOWNSHIP, VILLAGE, allow, require_scope
from huanjie.rules.profile_versions import STATUSES, explain_version, versions_of

from . import services
from .models import Campaign, CampaignVillage

VIEWERS = (COUNTY, TOWNSHIP, VILLAGE, OBSERVER, ADMIN)


@allow(*VIEWERS)
def campaign_list(request):
    campaigns = Campaign.objects.visible_to(request.user).select_related("county").annotate(
        village_total=Count("villages"))
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns})


@allow(*VIEWERS)
def campaign_detail(request, slug):
    user = request.user
    campaign = get_object_or_404(Campaign.objects.visible_to(user).select_related("county"), slug=slug)
    entries = campaign.villages.filter(village__code__startswith=user.scope_prefix).select_related(
        "village__parent").order_by("village__code")
    state = request.GET.get("state", "")
    if state:
        entries = entries.filter(state=state)
    counts = {row["state"]: row["n"] for row in campaign.villages.filter(
        village__code__startswith=user.scope_prefix).values("state").annotate(n=Count("id"))}
    policy = campaign.effective_policy()
    return render(request, "campaigns/campaign_detail.html", {
        "campaign": campaign, "entries": entries, "state": state,
        "state_choices": CampaignVillage.STATE_CHOICES, "counts": counts,
        "policy_items": sorted(policy.items()), "can_set_state": user.role == COUNTY,
    })


@allow(COUNTY)
@require_POST
def set_village_state(request, slug, code):
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), slug=slug)
    entry = get_object_or_404(campaign.villages.select_related("village"), village__code=code)
    require_scope(request.user, entry.village.code)
    try:
        services.set_village_state(request.user, entry, request.POST.get("state", ""),
                                   request.POST.get("reason", ""))
    except services.StateRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{entry.village.name}的状态已改为“{entry.get_state_display()}”。")
    return redirect("campaigns:detail", slug=campaign.slug)


@allow(COUNTY, TOWNSHIP)
@require_GET
def campaign_rules(request, slug):
    """The rules of the campaign's profile version, each with the text it rests on and how far that
    was checked, so that a legal officer can check them (issue 16). Read-only; ``?on=YYYY-MM-DD``
    shows the version in force on another election day. Townships see their own elections."""
    user = request.user
    campaign = get_object_or_404(Campaign.objects.visible_to(user).select_related("county"), slug=slug)
    per_day = dict(campaign.elections.filter(organization__code__startswith=user.scope_prefix)
                   .values_list("election_date").annotate(n=Count("id")).order_by("election_date"))
    day, bad_day = None, ""
    raw = request.GET.get("on", "").strip()
    if raw:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            bad_day = raw
    if day is None:  # the version the campaign's latest election uses, else the campaign's own
        day = max(per_day) if per_day else campaign.starts_on
    listing = explain_version(campaign.profile(day))
    in_use = {}
    for d, n in per_day.items():
        in_use.setdefault(campaign.profile(d).version, []).append((d, n))
    versions = []
    for v in versions_of(campaign.jurisdiction):
        days = in_use.get(v.id, [])
        versions.append({"version": v, "elections": sum(n for _d, n in days), "selected": v.id == listing["version"],
                         "first_day": days[0][0] if days else None, "last_day": days[-1][0] if days else None})
    return render(request, "campaigns/campaign_rules.html", {
        "campaign": campaign, "listing": listing, "versions": versions, "day": day, "bad_day": bad_day,
        "statuses": [(k, v, listing["status_counts"].get(k, 0)) for k, v in STATUSES.items()],
    })
