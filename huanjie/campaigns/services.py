from __future__ import annotations

import datetime as dt

from django.db import transaction

from huanjie.accounts import audit
from huanjie.core.access import require_scope
from huanjie.people.models import Region

from .models import JURISDICTION_CHOICES, Campaign, CampaignVillage


class StateRefused(Exception):
    pass


@transaction.atomic
def set_village_state(actor, entry: CampaignVillage, state: str, reason: str) -> CampaignVillage:
    """The county puts a village under consolidation or postpones it (P16), with a reason."""
    require_scope(actor, entry.village.code)
    if actor.role != "county":
        raise StateRefused("只有县换届办可以调整村的换届状态。")
    if state not in dict(CampaignVillage.STATE_CHOICES):
        raise StateRefused("状态：未知的换届状态。")
    reason = (reason or "").strip()
    if state != CampaignVillage.IN_SCOPE and not reason:
        raise StateRefused("说明：整顿或暂缓换届必须写明原因。")
    before = {"state": entry.state, "state_reason": entry.state_reason}
    entry.state = state
    entry.state_reason = reason
    entry.save(update_fields=["state", "state_reason"])
    audit.record(actor, "campaign_village.state", entry,
                 changes=audit.diff(before, {"state": state, "state_reason": reason}))
    return entry


# ---------------------------------------------------------------- creating a campaign and its policy


class CampaignInvalid(Exception):
    """``errors`` maps a field of the campaign form to its Chinese reason."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()))
        self.errors = errors


def _slug_for(county: Region, starts_on: dt.date) -> str:
    base = f"{county.code[:6]}-{starts_on.year}"
    slug, n = base, 1
    while Campaign.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_campaign(actor, *, name: str, term_number: int, jurisdiction: str, cutoff_date: dt.date,
                    starts_on: dt.date, ends_on: dt.date, term_start: dt.date, term_years: int,
                    village_codes: list[str]) -> Campaign:
    """The county office opens a campaign for its county with the villages in scope (P16 states start normal)."""
    county = actor.region
    if actor.role != "county" or county is None or county.level != Region.COUNTY:
        raise CampaignInvalid({"name": "只有县换届办可以建立换届工作。"})
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "请填写名称。"
    if jurisdiction not in dict(JURISDICTION_CHOICES):
        errors["jurisdiction"] = "请选择适用法规。"
    if not term_number or term_number < 1 or term_number > 99:
        errors["term_number"] = "届次应为 1—99。"
    if term_years not in (3, 5):
        errors["term_years"] = "任期应为 3 年或 5 年。"
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "结束日期早于开始日期。"
    villages = list(Region.objects.current().filter(level=Region.VILLAGE, code__in=set(village_codes),
                                                    code__startswith=county.scope_prefix))
    if not villages:
        errors["villages"] = "请至少选择一个村（社区）。"
    elif len(villages) != len(set(village_codes)):
        errors["villages"] = "所选村（社区）中有的不在本县或已停用。"
    if errors:
        raise CampaignInvalid(errors)
    campaign = Campaign.objects.create(
        name=name, slug=_slug_for(county, starts_on), county=county, term_number=term_number,
        term_start=term_start, term_years=term_years, jurisdiction=jurisdiction, cutoff_date=cutoff_date,
        starts_on=starts_on, ends_on=ends_on,
    )
    CampaignVillage.objects.bulk_create([CampaignVillage(campaign=campaign, village=v) for v in villages])
    audit.record(actor, "campaign.create", campaign, changes={
        "name": [None, name], "term_number": [None, term_number], "jurisdiction": [None, jurisdiction],
        "cutoff_date": [None, cutoff_date], "starts_on": [None, starts_on], "ends_on": [None, ends_on],
        "villages": [None, len(villages)],
    })
    return campaign


@transaction.atomic
def set_policy(actor, campaign: Campaign, values: dict) -> dict:
    """Store the campaign's policy values (only those differing from the defaults); every change audited."""
    from .policy_form import effective, overrides

    if actor.role != "county":
        raise CampaignInvalid({"policy": "只有县换届办可以修改换届政策。"})
    require_scope(actor, campaign.county.code)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = effective(campaign.policy)
    stored = overrides(values, keep=campaign.policy)
    after = effective(stored)
    changes = audit.diff(before, after)
    if changes:
        campaign.policy = stored
        campaign.save(update_fields=["policy"])
        audit.record(actor, "campaign.policy", campaign, changes=changes)
    return changes
