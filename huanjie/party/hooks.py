"""The party kinds told to the election machinery (see :mod:`huanjie.elections.kinds`)."""

from __future__ import annotations

from huanjie.elections import kinds
from huanjie.elections.models import Election


def _posts(*codes):
    from huanjie.party.services import PARTY_POSTS

    return {c: PARTY_POSTS[c] for c in codes}


def _title(body: str):
    def title(campaign, village) -> str:
        from huanjie.elections.services import zh_number
        from huanjie.party.models import Branch

        branch = Branch.objects.filter(village=village).first()
        name = branch.name if branch else f"中共{village.name}支部委员会"
        return f"{name}换届选举（第{zh_number(campaign.term_number)}届）{body}"

    return title


def _calendar(election, day, records):
    from huanjie.party.services import party_election_of
    from huanjie.rules.party import party_calendar

    pe = party_election_of(election)
    target = pe.election if pe else election
    rec = target.steps.filter(key="preliminary_notice").first() if target.pk != election.pk else records.get(
        "preliminary_notice")
    return party_calendar(
        day, notice_days=election.campaign.effective_policy()["notice_days"], notice_published=rec.done_on if rec else None
    )


def _voting_blockers(election):
    from huanjie.party.services import party_election_of

    pe = party_election_of(election)
    if pe is None or not pe.approved:
        return ["乡镇党委尚未批复候选人预备人选（请示、批复），选举不能进行"]
    return []


def _ballot_blockers(election):
    from huanjie.party.services import ballot_blockers

    return ballot_blockers(election)


def _vote_inputs(rnd):
    from huanjie.party.services import vote_inputs

    return vote_inputs(rnd)


def register_kinds() -> None:
    common = {
        "calendar_steps": _calendar,
        "voting_blockers": _voting_blockers,
        "ballot_blockers": _ballot_blockers,
        "vote_inputs": _vote_inputs,
    }
    kinds.register(
        Election.PARTY_BRANCH, kinds.KindHooks(posts=_posts("committee_member"), title=_title("党员大会选举委员会"), **common)
    )
    kinds.register(
        Election.PARTY_PLENARY,
        kinds.KindHooks(
            posts=_posts("secretary", "deputy_secretary", "discipline_member"),
            title=_title("委员会全体会议选举书记、副书记"),
            **common,
        ),
    )
