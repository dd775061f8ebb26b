from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from huanjie.core.access import ADMIN, COUNTY, OBSERVER, TOWNSHIP, VILLAGE, allow, require_scope

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
