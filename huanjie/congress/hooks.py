"""The delegate election of a congress's election unit told to the election machinery
(see :mod:`huanjie.elections.kinds`): its post, title, wording, attendance figures (R64 with
R51–R52) and what must be done before ballots are issued (the township's approval, the quorum)."""

from __future__ import annotations

from huanjie.elections import kinds
from huanjie.elections.models import Election


def _title(campaign, village) -> str:
    from huanjie.congress.models import UnitBranch

    ub = UnitBranch.objects.filter(branch__village=village, congress__campaign=campaign).select_related(
        "unit", "congress__township").first()
    if ub is None:
        return f"{village.name}党代会代表选举"
    return f"{ub.unit.name}选举出席{ub.congress.title}代表"


def _wording(election):
    from huanjie.congress.services import delegate_election_of

    de = delegate_election_of(election)
    unit = de.unit.name if de else election.organization.name
    township = election.organization.parent
    return kinds.Wording(
        body="党代会代表",
        election_name="出席乡镇党代会代表",
        issuer=unit,
        law="《中国共产党基层组织选举工作条例》",
        electorate="应到会有选举权的党员",
        electorate_in_notice="应到会有选举权的党员",
        valid_text="实到会有选举权的党员超过应到会人数的五分之四，选举有效",
        report_to=f"中共{township.name}委员会" if township else "",
        chair="大会主持人",
    )


def _ballot_blockers(election):
    from huanjie.congress.services import ballot_blockers

    return ballot_blockers(election)


def _voting_blockers(election):
    from huanjie.congress.services import delegate_election_of

    de = delegate_election_of(election)
    if de is None or not de.approved:
        return ["乡镇党委尚未审批代表候选人名单，选举不能进行"]
    return []


def _vote_inputs(rnd):
    from huanjie.congress.services import vote_inputs

    return vote_inputs(rnd)


def register_kinds() -> None:
    kinds.register(Election.CONGRESS_DELEGATES, kinds.KindHooks(
        posts={"delegate": ("代表", 3)}, title=_title, wording=_wording, ballot_blockers=_ballot_blockers,
        voting_blockers=_voting_blockers, vote_inputs=_vote_inputs, village_readiness=False,
    ))
