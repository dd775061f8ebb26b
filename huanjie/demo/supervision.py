"""The demo county's 村务监督委员会 (issue 13), through the supervision services.

Village 0 (its villagers' committee elected and submitted on 2026-11-21): the township sets up the
choice by the 村民代表会议 (3 members), the village proposes a near relative of an elected member
of the new villagers' committee (refused with the engine's reason, P6), then a 主任 (a member of the
new party committee, seed 004) and three
candidates for two 委员 seats (one with accounting knowledge); the list is checked, put to the
meeting (38 of 45 present, R38), counted, and the result submitted.
"""

from __future__ import annotations

import datetime as dt

from huanjie.accounts.models import User
from huanjie.campaigns.models import Campaign
from huanjie.people.models import Person, Region

D = dt.date


class SupervisionScenarioError(RuntimeError):
    """A service refused a step of the supervision demo (the demo data or a service changed)."""


def _check(call, *args, **kwargs):
    from huanjie.elections.aftervote.services import AfterVoteError
    from huanjie.elections.services import ElectionError
    from huanjie.supervision.services import SupervisionError

    try:
        return call(*args, **kwargs)
    except (ElectionError, SupervisionError, AfterVoteError) as exc:
        raise SupervisionScenarioError(
            f"村务监督委员会演示场景：{getattr(call, '__name__', call)} 被拒绝：{exc}") from exc


def play_supervision(campaign: Campaign, villages: list[Region]) -> dict:
    """Village 0 of the demo's order; returns ``{0: Supervision}``."""
    from huanjie.elections import services as elections
    from huanjie.elections.aftervote import services as aftervote
    from huanjie.elections.models import Election
    from huanjie.elections.voting import counting, results
    from huanjie.elections.voting import services as voting
    from huanjie.elections.voting.models import ElectedMember
    from huanjie.people.models import Relation
    from huanjie.supervision import services

    township = User.objects.get(username="township_a")
    clerk = User.objects.get(username="village_a1")
    v0 = villages[0]
    sv = _check(services.create_supervision, township, campaign, v0, D(2026, 11, 26),
                body="representatives_meeting", size=3)
    e = sv.election
    committee, _state = services.villagers_committee(e)
    ids = [p.pk for p in committee]
    # The refused one: an adult spouse, child or parent of a member of the new villagers' committee
    # (a child under eighteen could not be put forward at all).
    adult = e.election_date.replace(year=e.election_date.year - 18)
    rel = (Relation.objects.filter(elder_id__in=ids, younger__birth_date__lte=adult).exclude(younger_id__in=ids)
           .select_related("younger").order_by("pk").first()
           or Relation.objects.filter(younger_id__in=ids, elder__birth_date__lte=adult).exclude(elder_id__in=ids)
           .select_related("elder").order_by("pk").first())
    if rel is None:
        raise SupervisionScenarioError("村务监督委员会演示场景：新一届村民委员会成员没有成年的近亲属")
    relative = rel.younger if rel.elder_id in ids else rel.elder
    refused = _check(services.add_candidate, clerk, sv, relative, services.MEMBER, on=D(2026, 11, 23))
    if not refused.refusals:
        raise SupervisionScenarioError("村务监督委员会演示场景：近亲属未被拒绝")
    # Four villagers who may sit: aged 30–65 on the meeting day, none barred by P6. The 主任 comes
    # first: by seed 004 a member of the new party committee (its 纪检委员 where it has one).
    taken = set(ids) | {relative.pk}
    party = [m.person for m in ElectedMember.objects.filter(
        election__campaign=campaign, election__organization=v0, election__kind=Election.PARTY_BRANCH,
        status=ElectedMember.ELECTED).select_related("person").order_by("-person__birth_date")]
    chair = services.discipline_member(e)
    pool = ([chair] if chair else []) + party + list(
        Person.objects.filter(hukou_village=v0, residence_village=v0).order_by("pk"))
    pool = [p for p in dict.fromkeys(pool)
            if p.pk not in taken and p.birth_date and 30 <= (e.election_date.year - p.birth_date.year) <= 65]
    chosen: list[Person] = []
    for p in pool:
        if not services.check_people(e, [(p, "委员", [])])[p.pk]:
            chosen.append(p)
        if len(chosen) == 4:
            break
    if len(chosen) < 4:
        raise SupervisionScenarioError("村务监督委员会演示场景：可推选的村民不足四人")
    _check(services.add_candidate, clerk, sv, chosen[0], services.DIRECTOR, on=D(2026, 11, 23))
    for i, p in enumerate(chosen[1:]):
        _check(services.add_candidate, clerk, sv, p, services.MEMBER, accounting=i == 0, on=D(2026, 11, 23))
    _check(services.check_list, clerk, sv, D(2026, 11, 24))
    _check(elections.open_voting, township, e)
    e.refresh_from_db()
    _check(services.record_meeting, clerk, sv, members=45, present=38)
    station = _check(voting.add_station, township, e, name="村民代表会议会场")
    rnd = e.rounds.get(number=1)
    director = e.posts.get(code=services.DIRECTOR)
    member = e.posts.get(code=services.MEMBER)
    lines = [counting.LineData(director.pk, chosen[0].name, 35),
             counting.LineData(member.pk, chosen[1].name, 33), counting.LineData(member.pk, chosen[2].name, 27),
             counting.LineData(member.pk, chosen[3].name, 14)]
    _check(counting.save_form, clerk, rnd, station, counting.FormData(38, 38, 37, 0, 1, lines))
    _check(results.compute_result, clerk, rnd)
    e = Election.objects.get(pk=e.pk)
    _check(aftervote.submit_result, clerk, e)
    return {0: services.supervision_of(e)}
