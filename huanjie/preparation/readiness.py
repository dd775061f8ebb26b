"""Is a village ready for its voting stage? The one place that answers (policy.md P14–P16).

The voting stage of an election (:func:`huanjie.elections.services.voting_blockers`), the election
list and the county's readiness table all ask :func:`blockers`; the gate's two dates are written
only by :mod:`huanjie.preparation.services` from the 离任审计 and training records.
"""

from __future__ import annotations

from dataclasses import dataclass

from huanjie.campaigns.models import CampaignVillage

AUDIT, TRAINING, STATE = "audit", "training", "state"
SHORT = {AUDIT: "离任审计", TRAINING: "业务培训"}


@dataclass(frozen=True)
class Blocker:
    kind: str  # audit / training / state
    short: str  # a column label: 离任审计, 业务培训, 集中整顿中 …
    text: str  # the sentence a clerk reads

    def __str__(self) -> str:
        return self.text


def blockers(entry: CampaignVillage) -> list[Blocker]:
    """What keeps the village's voting stage closed; empty when it may open."""
    out = []
    if entry.audit_done_on is None:
        out.append(Blocker(AUDIT, SHORT[AUDIT], "村“两委”离任审计尚未完成（先审计后换届，P14）"))
    if entry.training_done_on is None:
        out.append(Blocker(TRAINING, SHORT[TRAINING], "选举工作人员业务培训尚未完成（先培训再换届，P15）"))
    reason = f"：{entry.state_reason}" if entry.state_reason else ""
    if entry.state == CampaignVillage.CONSOLIDATION:
        out.append(Blocker(STATE, entry.get_state_display(), "该村正在集中整顿，县换届办解除前不能选举（P16）" + reason))
    elif entry.state == CampaignVillage.POSTPONED:
        out.append(Blocker(STATE, entry.get_state_display(), "该村已暂缓换届，县换届办解除前不能选举（P16）" + reason))
    return out
