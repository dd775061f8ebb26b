"""The demo county's township party congress, through the congress services (issue 15).

清溪镇 (the first township) plans its congress: every village's party organisation gets its roll,
the two smallest organisations are grouped into one election unit, one unit gets a seat reserved for
a candidate the township committee nominates, one unit's seats are changed by hand with a reason,
the county approves the number of delegates, the township's 请示 goes up and the county's 批复
comes back (which locks the number and the allocation).

Then every unit elects its delegates on the machinery; the first unit's assembly falls short of the
4/5 quorum and meets again a week later. The credentials committee confirms the delegates, the
county approves the candidate lists, the preparatory meeting elects the presidium and the
scrutineers, the congress elects the committee and the discipline commission, their first plenaries
elect the secretaries (R61) and the county approves the result.

The demo's party rolls are small (about ninety members in the township), so the congress has 30
delegates: below the usual 100–200 (R62), which the page shows as a warning. Fixed past dates, so
the demo stays deterministic and obeys the services' date rule.
"""

from __future__ import annotations

import datetime as dt

from huanjie.accounts.models import User
from huanjie.campaigns.models import Campaign
from huanjie.people.models import Person, Region

D = dt.date


class CongressScenarioError(RuntimeError):
    """A service refused a step of the congress demo (the demo data or a service changed)."""


def _check(call, *args, **kwargs):
    from huanjie.congress.services import CongressError
    from huanjie.elections.services import ElectionError

    try:
        return call(*args, **kwargs)
    except (CongressError, ElectionError) as exc:
        raise CongressScenarioError(f"党代会演示场景：{getattr(call, '__name__', call)} 被拒绝：{exc}") from exc


def play_congress(campaign: Campaign, villages: list[Region]):
    from huanjie.congress import services
    from huanjie.demo.party import _roll
    from huanjie.party.models import Branch

    township_user = User.objects.get(username="township_a")
    county_user = User.objects.get(username="county_office")
    township = villages[0].parent
    # the organisations the party demo has not set up yet get their rolls now
    for v in Region.objects.filter(parent=township, level=Region.VILLAGE, valid_until__isnull=True).order_by("code"):
        has_members = Person.objects.filter(hukou_village=v, political_status__in=["cpc", "cpc_probationary"]).exists()
        if has_members and not Branch.objects.filter(village=v).exists():
            _roll(township_user, v, [])
    congress = _check(services.create_congress, township_user, campaign, township, number=3,
                      convene_on=D(2026, 11, 28), delegates_planned=30, committee_seats=9, deputy_secretaries=2,
                      discipline_seats=5)
    branches = sorted(services.township_branches(congress), key=lambda b: (b.member_count, b.village.code))
    # the two smallest organisations elect together (seed 002: 必要时也可以将几个基层党组织划分为一个选举单位)
    small = branches[:2]
    _check(services.add_unit, township_user, congress, f"{small[0].village.name}、{small[1].village.name}联合选举单位",
           small)
    units = _check(services.units_from_branches, township_user, congress)
    largest = max(units, key=lambda u: u.number)
    # a seat for the township's discipline secretary, nominated by the committee to elect in this unit
    _check(services.set_reserved, township_user, largest, 1)
    table = services.allocation_table(congress)
    first, second = table.rows[1], table.rows[2]
    # one seat moved by hand, with its reason: the totals still add up to the approved number
    _check(services.set_unit_seats, township_user, first.unit, first.seats + 1, "该单位有一个企业党小组，增加1名")
    _check(services.set_unit_seats, township_user, second.unit, second.seats - 1, "该单位2名党员长期在外，减少1名")
    _check(services.approve_size, county_user, congress, "安组〔2026〕41号", D(2026, 11, 5))
    _check(services.record_request, township_user, congress, "清委〔2026〕28号", D(2026, 11, 6))
    _check(services.record_approval, county_user, congress, "安委〔2026〕63号", D(2026, 11, 8))
    # the previous congress: 28 delegates from 34 candidates (21.43 %); each unit keeps that share
    _check(services.set_previous_margin, township_user, congress, 28, 34)
    for i, step in enumerate((1, 2, 3, 4, 5, 7, 8, 10, 11, 12, 13, 14)):
        _check(services.record_step, township_user, congress, step, D(2026, 10, 20) + dt.timedelta(days=i))
    _delegates(township_user, congress)
    _meeting(township_user, county_user, congress)
    return congress


def _count(actor, election, lines, present):
    """Ballots issued to those present, all returned and valid; the machinery's form and result."""
    from huanjie.elections import services as elections
    from huanjie.elections.voting import counting, results
    from huanjie.elections.voting import services as voting

    _check(elections.open_voting, actor, election)
    election.refresh_from_db()
    station = _check(voting.add_station, actor, election, name="会场")
    rnd = election.rounds.get(number=1)
    data = [counting.LineData(election.posts.get(code=code).pk, name, votes) for code, name, votes in lines]
    _check(counting.save_form, actor, rnd, station, counting.FormData(present, present, present, 0, 0, data))
    _check(results.compute_result, actor, rnd)


def _contest(post_code, people, seats, present):
    """Votes for a contest: the first ``seats`` people win, the rest get one vote each; the sum never
    exceeds ``present × seats`` (what the valid ballots can carry)."""
    losers = len(people) - seats
    return [(post_code, p.name, present - (1 if i < losers else 0) if i < seats else 1) for i, p in enumerate(people)]


DEMO_CATEGORIES = ("cadre", "front_line", "cadre", "front_line", "professional", "model", "cadre", "front_line",
                   "other", "front_line")


def _delegates(clerk, congress):
    from huanjie.congress import services

    for n, unit in enumerate(congress.units.order_by("number")):
        day = D(2026, 11, 12) + dt.timedelta(days=n)
        de = _check(services.create_delegate_election, clerk, unit, day)
        members = services.members_with_vote(unit, day)
        seats = de.election.posts.get().seats
        need = services.candidate_check(de)["need"]
        for i, m in enumerate(members[:need]):
            # a mix of the seeds' categories, so the cadres (≤ 50 %) and front-line (≥ 30 %) figures show
            _check(services.add_candidate, clerk, de, m.person, category=DEMO_CATEGORIES[(i + n) % len(DEMO_CATEGORIES)])
        _check(services.approve_candidates, clerk, de, f"清委〔2026〕{40 + n}号", day - dt.timedelta(days=2))
        expected = len(members)
        if n == 0:
            # the first unit's assembly falls short of the 4/5 quorum: it meets again a week later
            _check(services.record_meeting, clerk, de, expected * 4 // 5)
            _check(services.reschedule, clerk, de, day + dt.timedelta(days=7))
            de.election.refresh_from_db()
        present = expected - 1 if (expected - 1) * 5 > expected * 4 else expected
        _check(services.record_meeting, clerk, de, present)
        _count(clerk, de.election, _contest("delegate", [m.person for m in members[:need]], seats, present), present)


def _meeting(clerk, county_user, congress):
    from huanjie.congress import services

    decisions = _check(services.review_credentials, clerk, congress, D(2026, 11, 24))
    for d in decisions:
        if d.unit.number <= 2:
            _check(services.set_delegation, clerk, d.unit, "第一代表团")
        else:
            _check(services.set_delegation, clerk, d.unit, "第二代表团")
    _check(services.set_up_elections, clerk, congress, D(2026, 11, 28))
    congress.refresh_from_db()
    # the county asked this congress for 3 delegates to the county congress (seed 002 三)
    _check(services.set_county_delegate_seats, clerk, congress, 3)
    _check(services.set_up_county_delegates, clerk, congress, D(2026, 11, 28))
    congress.refresh_from_db()
    county = [d.elected.person for d in decisions[10:14]]
    for p in county:
        _check(services.add_body_candidate, clerk, congress, "county", p)
    delegates = {d.elected.person_id for d in decisions}
    scrutineers = [d for d in decisions][:3]
    taken = {d.elected.person_id for d in scrutineers}
    pool = [m.person for u in congress.units.order_by("number") for m in services.unit_members(u)
            if m.person_id not in taken and m.status == "formal"]
    # delegates first (most candidates for the committees are delegates), then other members
    pool.sort(key=lambda p: p.pk not in delegates)
    committee, discipline = pool[:11], pool[11:17]
    for p in committee:
        _check(services.add_body_candidate, clerk, congress, "committee", p)
    for p in discipline:
        _check(services.add_body_candidate, clerk, congress, "discipline", p)
    _check(services.approve_body_candidates, county_user, congress, "安组〔2026〕77号", D(2026, 11, 24))
    _check(services.record_preparatory, clerk, congress, held_on=D(2026, 11, 27),
           agenda="一、听取和审查中共清溪镇委员会工作报告\n二、听取和审查中共清溪镇纪律检查委员会工作报告\n"
                  "三、选举中共清溪镇新一届委员会委员和纪律检查委员会委员",
           presidium="\n".join(d.elected.name for d in decisions[3:10]), secretary_general=decisions[3].elected.name)
    for i, d in enumerate(scrutineers):
        _check(services.add_scrutineer, clerk, congress, d, chief=i == 0)
    present = len(decisions) - 1  # one delegate is absent: the others sign in one by one
    _check(services.record_sign_in, clerk, congress, [d.pk for d in decisions[:present]])
    _count(clerk, congress.committee_election, _contest("committee_member", committee, 9, present), present)
    _count(clerk, congress.discipline_election, _contest("commission_member", discipline, 5, present), present)
    _count(clerk, congress.county_delegates_election, _contest("delegate", county, 3, present), present)
    congress.refresh_from_db()
    plenary = _check(services.propose_plenary, clerk, congress, "committee",
                     {"secretary": committee[:1], "deputy_secretary": committee[1:3]}, D(2026, 11, 28))
    _check(services.record_plenary_present, clerk, congress, "committee", 9)
    _count(clerk, plenary, [("secretary", committee[0].name, 9), ("deputy_secretary", committee[1].name, 9),
                            ("deputy_secretary", committee[2].name, 8)], 9)
    dplenary = _check(services.propose_plenary, clerk, congress, "discipline",
                      {"discipline_secretary": discipline[:1]}, D(2026, 11, 28))
    _check(services.record_plenary_present, clerk, congress, "discipline", 5)
    _count(clerk, dplenary, [("discipline_secretary", discipline[0].name, 5)], 5)
    congress.refresh_from_db()
    _check(services.record_result_approval, county_user, congress, "安委〔2026〕81号", D(2026, 11, 29))
