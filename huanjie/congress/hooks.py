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
        seal="选举单位盖章",
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


def _meeting_calendar(label: str, rule: str):
    def steps(election, day, records):
        from huanjie.rules.party import meeting_calendar

        return meeting_calendar(day, label, rule) if day else ()

    return steps


# What the office does in each stage when no dated step is due (to-do wording; the village's
# default speaks of a voter list and nominations, which a congress election has not).
_UNIT_WORK = {
    Election.SETUP: "确定代表候选人，报乡镇党委审批",
    Election.REGISTRATION: "确定代表候选人，报乡镇党委审批",
    Election.NOMINATION: "确定代表候选人，报乡镇党委审批",
    Election.CANDIDATES: "党员签到，召开党员大会选举代表",
    Election.VOTING: "录入计票单，计算选举结果",
    Election.COUNTED: "核对代表选举结果并报乡镇党委",
}
_CONGRESS_WORK = {
    Election.SETUP: "候选人名单报县委审批",
    Election.REGISTRATION: "候选人名单报县委审批",
    Election.NOMINATION: "候选人名单报县委审批",
    Election.CANDIDATES: "清点人数，发放选票",
    Election.VOTING: "录入计票单，计算选举结果",
    Election.COUNTED: "核对选举结果，报县委审批",
}


_MEETINGS = {
    "township_party_committee": "党代会选举新一届党委委员",
    "township_discipline_commission": "党代会选举新一届纪委委员",
    "township_committee_plenary": "党委第一次全体会议选举书记、副书记",
    "township_discipline_plenary": "纪委第一次全体会议选举书记",
    "township_county_delegates": "党代会选举出席县党代会代表",
}


def register_kinds() -> None:
    kinds.register(Election.CONGRESS_DELEGATES, kinds.KindHooks(
        posts={"delegate": ("代表", 3)}, title=_title, wording=_wording, ballot_blockers=_ballot_blockers,
        voting_blockers=_voting_blockers, vote_inputs=_vote_inputs, village_readiness=False, village_team=False,
        calendar_steps=_meeting_calendar("召开党员大会选举出席乡镇党代会代表", "R64"), stage_work=_UNIT_WORK,
    ))


# ---------------------------------------------------------------- the congress's own elections

_TITLES = {
    "township_party_committee": "{c}选举新一届党委委员",
    "township_discipline_commission": "{c}选举新一届纪委委员",
    "township_committee_plenary": "中共{t}委员会第一次全体会议选举书记、副书记",
    "township_discipline_plenary": "中共{t}纪律检查委员会第一次全体会议选举书记",
    "township_county_delegates": "{c}选举出席{county}党代会代表",
}
_BODY = {
    "township_party_committee": ("乡镇党委委员", "党委委员"),
    "township_discipline_commission": ("乡镇纪委委员", "纪委委员"),
    "township_committee_plenary": ("乡镇党委书记、副书记", "党委书记、副书记"),
    "township_discipline_plenary": ("乡镇纪委书记", "纪委书记"),
    "township_county_delegates": ("出席县党代会代表", "出席县党代会代表"),
}


def _congress_title(kind):
    def title(campaign, township) -> str:
        from huanjie.congress.models import Congress

        congress = Congress.objects.filter(campaign=campaign, township=township).first()
        county = township.parent.name if township.parent else "县"
        return _TITLES[kind].format(c=congress.title if congress else f"{township.name}党代会", t=township.name,
                                    county=county)

    return title


# the body a congress's election elects (or whose first plenary it is), as the titles name it
_HEADING = {
    "township_party_committee": ("委员会", "委员"),
    "township_discipline_commission": ("纪律检查委员会", "委员"),
    "township_committee_plenary": ("委员会第一次全体会议", "书记、副书记"),
    "township_discipline_plenary": ("纪律检查委员会第一次全体会议", "书记"),
}


def _committee_term(election) -> str:
    """中共清溪镇第三届: the township committee's own term. The Nth congress elects the Nth
    committee (the congress's number is the committee's term); the campaign's term number is the
    villages' committees'."""
    from huanjie.congress.services import congress_of
    from huanjie.elections.services import zh_number

    congress, _ = congress_of(election)
    t = election.organization.name
    return f"中共{t}第{zh_number(congress.number)}届" if congress else f"中共{t}"


def _congress_wording(election):
    plenary = "plenary" in election.kind
    body, name = _BODY[election.kind]
    county = election.organization.parent
    if election.kind == "township_county_delegates":
        # the congress itself elects them: 中国共产党清溪镇第三次代表大会出席安平县党代会代表
        from huanjie.congress.services import congress_of

        congress, _ = congress_of(election)
        county_name = county.name if county else "县"
        heading, title_name = (congress.title if congress else election.organization.name), f"出席{county_name}党代会代表"
    else:
        organ, title_name = _HEADING[election.kind]
        heading = f"{_committee_term(election)}{organ}"
    return kinds.Wording(
        body=body,
        election_name=title_name,
        heading=heading,
        issuer=f"{election.organization.name}党员代表大会主席团" if not plenary else f"中共{election.organization.name}委员会",
        law="《中国共产党基层组织选举工作条例》",
        electorate="应到会委员" if plenary else "应到会代表",
        electorate_in_notice="应到会委员" if plenary else "应到会代表",
        valid_text="到会委员超过规定人数，选举有效" if plenary else "实到会代表超过应到会代表人数的五分之四，选举有效",
        report_to=f"中共{county.name}委员会" if county else "",
        chair="会议主持人" if plenary else "大会执行主席",
        seal="党委盖章" if plenary else "大会主席团盖章",
    )


def _congress_ballot_blockers(election):
    from huanjie.congress.services import congress_ballot_blockers

    return congress_ballot_blockers(election)


def _congress_vote_inputs(rnd):
    from huanjie.congress.services import congress_vote_inputs

    return congress_vote_inputs(rnd)


def register_congress_kinds() -> None:
    posts = {
        "township_party_committee": {"committee_member": ("委员", 3)},
        "township_discipline_commission": {"commission_member": ("纪委委员", 3)},
        "township_committee_plenary": {"secretary": ("书记", 1), "deputy_secretary": ("副书记", 2)},
        "township_discipline_plenary": {"discipline_secretary": ("纪委书记", 1)},
        "township_county_delegates": {"delegate": ("代表", 3)},
    }
    for kind, table in posts.items():
        kinds.register(kind, kinds.KindHooks(
            posts=table, title=_congress_title(kind), wording=_congress_wording,
            ballot_blockers=_congress_ballot_blockers, vote_inputs=_congress_vote_inputs,
            village_readiness=False, organization_level="township",
            engine_kind="party_plenary" if "plenary" in kind else "township_congress_delegates",
            calendar_steps=_meeting_calendar(_MEETINGS[kind], "R61" if "plenary" in kind else "R62"),
            stage_work=_CONGRESS_WORK,
        ))
