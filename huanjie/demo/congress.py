"""The demo county's township party congress, through the congress services (issue 15).

清溪镇 (the first township) plans its congress: every village's party organisation gets its roll,
the two smallest organisations are grouped into one election unit, one unit gets a seat reserved for
a candidate the township committee nominates, one unit's seats are changed by hand with a reason,
the county approves the number of delegates, the township's 请示 goes up and the county's 批复
comes back (which locks the number and the allocation). Fixed past dates, so the demo stays
deterministic and obeys the services' date rule.
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

    try:
        return call(*args, **kwargs)
    except CongressError as exc:
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
                      convene_on=D(2027, 1, 20), delegates_planned=120, committee_seats=9, deputy_secretaries=2,
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
    _check(services.approve_size, county_user, congress, "安组〔2026〕41号", D(2026, 11, 16))
    _check(services.record_request, township_user, congress, "清委〔2026〕28号", D(2026, 11, 18))
    _check(services.record_approval, county_user, congress, "安委〔2026〕63号", D(2026, 11, 25))
    return congress
