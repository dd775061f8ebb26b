import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from huanjie.accounts.models import Department
from huanjie.core.access import ADMIN, COUNTY, OBSERVER, TOWNSHIP, VILLAGE, allow, require_scope
from huanjie.people.models import Region
from huanjie.rules.profile_versions import STATUSES, explain_version, versions_of

from . import policy_form, services
from .models import JURISDICTION_CHOICES, Campaign, CampaignVillage

VIEWERS = (COUNTY, TOWNSHIP, VILLAGE, OBSERVER, ADMIN)
VILLAGES_PER_PAGE = 50


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
    q = request.GET.get("q", "").strip()
    if q:
        entries = entries.filter(Q(village__name__contains=q) | Q(village__parent__name__contains=q)
                                 | Q(village__code__startswith=q))
    # 50 villages a page: a county's 500 rows, each with its state form, were a 540 KB page rendered
    # in about 150 ms of template work (issue 17); the tiles above still count every village.
    page = Paginator(entries, VILLAGES_PER_PAGE).get_page(request.GET.get("page"))
    counts = {row["state"]: row["n"] for row in campaign.villages.filter(
        village__code__startswith=user.scope_prefix).values("state").annotate(n=Count("id"))}
    departments = dict(Department.objects.values_list("code", "name"))
    return render(request, "campaigns/campaign_detail.html", {
        "campaign": campaign, "entries": page.object_list, "page": page, "q": q, "state": state,
        "query": urlencode({k: v for k, v in {"state": state, "q": q}.items() if v}),
        "state_choices": CampaignVillage.STATE_CHOICES, "counts": counts,
        "policy_rows": policy_form.table_rows(campaign.policy, departments), "can_set_state": user.role == COUNTY,
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


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


@allow(COUNTY)
def campaign_create(request):
    """A new campaign for the county, with every current village preselected."""
    county = request.user.region
    villages = list(Region.objects.current().filter(level=Region.VILLAGE, code__startswith=request.user.scope_prefix)
                    .select_related("parent").order_by("code"))
    today = dt.date.today()
    values = {
        "name": f"{county.name}{today.year}年村（社区）“两委”换届选举", "term_number": "", "jurisdiction": "national",
        "cutoff_date": "", "starts_on": "", "ends_on": "", "term_start": "", "term_years": "5",
    }
    chosen = {v.code for v in villages}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {k: (request.POST.get(k) or "").strip() for k in values}
        chosen = set(request.POST.getlist("villages"))
        dates = {k: _date(values[k]) for k in ("cutoff_date", "starts_on", "ends_on", "term_start")}
        errors = {k: "请填写有效日期（例如 2027-01-01）。" for k, d in dates.items() if d is None}
        numbers = {k: int(values[k]) if values[k].isdigit() else None for k in ("term_number", "term_years")}
        errors.update({k: "请填写整数。" for k, n in numbers.items() if n is None})
        if not errors:
            try:
                campaign = services.create_campaign(
                    request.user, name=values["name"], jurisdiction=values["jurisdiction"],
                    village_codes=sorted(chosen), **dates, **numbers)
            except services.CampaignInvalid as exc:
                errors = exc.errors
            else:
                messages.success(request, f"已建立换届工作“{campaign.name}”，包含 {campaign.villages.count()} 个村（社区）。"
                                          "请核对换届政策。")
                return redirect("campaigns:policy", slug=campaign.slug)
    townships: dict = {}
    for v in villages:
        townships.setdefault(v.parent, []).append({"region": v, "checked": v.code in chosen})
    return render(request, "campaigns/campaign_form.html", {
        "county": county, "values": values, "errors": errors, "townships": list(townships.items()),
        "jurisdictions": JURISDICTION_CHOICES,
    })


@allow(COUNTY)
def campaign_policy(request, slug):
    """Edit the campaign's policy values; each shows its default, its source and its range."""
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), slug=slug)
    require_scope(request.user, campaign.county.code)
    departments = list(Department.objects.order_by("sort_order", "code").values_list("code", "name"))
    values = policy_form.effective(campaign.policy)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            parsed = policy_form.parse(request.POST, [c for c, _ in departments])
        except policy_form.PolicyInvalid as exc:
            errors = exc.errors
        else:
            changes = services.set_policy(request.user, campaign, parsed)
            if changes:
                labels = "、".join(policy_form.SPEC_BY_KEY[k].label for k in changes if k in policy_form.SPEC_BY_KEY)
                messages.success(request, f"换届政策已保存，修改了 {len(changes)} 项：{labels}。")
            else:
                messages.success(request, "换届政策没有改动。")
            return redirect("campaigns:detail", slug=campaign.slug)
    fields = policy_form.form_fields(values, departments)
    if errors:
        policy_form.keep_input(fields, request.POST)
    for f in fields:
        f["error"] = errors.get(f["spec"].key)
    return render(request, "campaigns/campaign_policy.html", {"campaign": campaign, "fields": fields, "errors": errors})


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
