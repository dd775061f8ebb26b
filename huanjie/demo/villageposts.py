"""The demo's village 0 (东山村) after its vote: representatives with their shares (published),
group leaders with 四长合一, the supporting posts in the 分工, and 岗前培训 — a county session the
village's heads attended and a township session for the whole team; village 3's 主任 has not been
to a county session, so the county's list of who has not attended is not empty.

Everything goes through the services a village, township and county office use."""

from __future__ import annotations

import datetime as dt

from huanjie.accounts.models import User
from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.people.models import Region

D = dt.date


def _check(call, *args, **kwargs):
    from huanjie.elections.aftervote.services import AfterVoteError
    from huanjie.preparation.services import PreparationRefused
    from huanjie.villageposts.services import PostsRefused

    try:
        return call(*args, **kwargs)
    except (PostsRefused, PreparationRefused, AfterVoteError) as exc:  # the demo must not load half-played
        raise RuntimeError(f"演示数据（村民代表、小组长、岗前培训）未能装入：{exc}") from exc


def play_villageposts(campaign: Campaign, villages: list[Region]) -> None:
    from huanjie.elections.aftervote import services as aftervote
    from huanjie.elections.models import Election
    from huanjie.elections.voting.models import ElectedMember
    from huanjie.people.models import Person
    from huanjie.preparation import services as preparation
    from huanjie.villageposts import services

    clerk = User.objects.get(username="village_a1")
    township = User.objects.get(username="township_a")
    county = User.objects.get(username="county_office")
    village = villages[0]
    entry = CampaignVillage.objects.select_related("village", "campaign").get(campaign=campaign, village=village)

    # 分工 extended to the supporting organisations (seed 004 §二(二)4): a woman member chairs the
    # women's federation and is 妇女主任, the youngest member leads the youth league, a man the militia.
    election = Election.objects.get(campaign=campaign, organization=village, kind=Election.VILLAGE_COMMITTEE)
    members = list(ElectedMember.objects.filter(election=election, status=ElectedMember.ELECTED)
                   .select_related("person").order_by("-person__birth_date"))
    extra: dict[int, list[str]] = {}
    woman = next((m for m in members if m.person.gender == "F"), None)
    if woman is not None:
        extra[woman.pk] = ["women_federation", "women_director"]
    youngest = next(m for m in members if m.pk not in extra)
    extra.setdefault(youngest.pk, []).append("youth_league")
    militia = next((m for m in members if m.person.gender == "M" and m.pk not in extra), None)
    if militia is not None:
        extra[militia.pk] = ["militia"]
    _check(aftervote.assign_posts, clerk, election, {}, party_secretary=next(
        (m for m in members if m.is_party_secretary), None), extra_posts=extra)

    # 村民代表 per 村民小组 (VCL Art. 25), decided by the 村民代表会议.
    _check(services.save_setup, clerk, entry, basis="group", decided_by="村民代表会议",
           decided_on=D(2026, 11, 23), committee_members=None)
    committee = services.committee_members(entry)[0] or 5
    elected = {m.person_id for m in ElectedMember.objects.filter(election__campaign=campaign,
                                                                  election__organization=village)}
    adults = [p for p in Person.objects.filter(hukou_village=village).exclude(group_name="").order_by("id")
              if p.pk not in elected and 25 <= p.age_on(D(2026, 11, 24)) <= 70]
    groups = services.groups_of(entry)
    wanted = 4 * committee + len(groups) // 2  # R38: at least four fifths of the meeting
    by_group = {g: [p for p in adults if p.group_name == g] for g in groups}
    chosen = []
    for g in groups:  # each group: its women, its party members, then the others, in the register's order
        people = by_group[g]
        ranked = ([p for p in people if p.gender == "F"][:2] + [p for p in people if p.political_status == "cpc"][:1]
                  + people)
        per_group = -(-wanted // len(groups))
        for p in dict.fromkeys(ranked):
            if sum(1 for c in chosen if c.group_name == g) >= per_group:
                break
            chosen.append(p)
    for i, p in enumerate(chosen[:wanted]):
        _check(services.add_representative, clerk, entry, id_number=p.id_number, group_name=p.group_name,
               households=None, chosen_on=D(2026, 11, 24) + dt.timedelta(days=i % 3))
    _check(services.publish, clerk, entry, D(2026, 11, 27))

    # 村民小组长 by each group's meeting; the party members lead most groups as 党小组长 too, and
    # some of them are also 网格长 and 理事长 (四长合一).
    for i, g in enumerate(groups):
        people = [p for p in by_group[g] if p not in chosen[:1]]
        leader = next((p for p in people if p.political_status == "cpc"), people[0] if people else None)
        if leader is None:
            continue
        party = leader.political_status == "cpc"
        on = D(2026, 11, 25)
        _check(services.add_group_post, clerk, entry, id_number=leader.id_number, group_name=g, post="leader",
               chosen_on=on, party_group_leader=party, grid_leader=i % 2 == 0)
        if party and i % 2 == 0:
            _check(services.add_group_post, clerk, entry, id_number=leader.id_number, group_name=g,
                   post="council_head", chosen_on=on)
        woman = next((p for p in people if p.gender == "F" and p != leader), None)
        if woman is not None:
            _check(services.add_group_post, clerk, entry, id_number=woman.id_number, group_name=g,
                   post="women_leader", chosen_on=on)
        member = next((p for p in people if p not in (leader, woman)), None)
        if member is not None:
            _check(services.add_group_post, clerk, entry, id_number=member.id_number, group_name=g,
                   post="council_member", chosen_on=on)

    # 岗前培训: the county's session for the heads (P24) and the township's for the whole team.
    heads = [i.person.pk for i in preparation.inductees(campaign, village.code)]
    if heads:
        _check(preparation.record_induction, county, campaign, held_on=D(2026, 11, 27),
               organiser=f"{campaign.county.name}委组织部", topic="村党组织书记、村民委员会主任岗前集中培训", person_ids=heads)
    team = [pid for (_, pid) in preparation.induction_members(campaign, village.code)]
    _check(preparation.record_induction, township, campaign, held_on=D(2026, 11, 28),
           organiser=f"{village.parent.name}党委", topic="新一届“两委”班子成员岗前培训", person_ids=team)
