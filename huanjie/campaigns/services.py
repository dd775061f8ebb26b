from __future__ import annotations

from django.db import transaction

from huanjie.accounts import audit
from huanjie.core.access import require_scope

from .models import CampaignVillage


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
