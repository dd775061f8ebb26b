"""Test helpers of the nomination / candidate / proxy tests: one village with nominees and voters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from huanjie.elections import services
from huanjie.elections.models import Election
from huanjie.elections.nomination import services as cs
from huanjie.people.models import Person

from .workflow_helpers import ELECTION_DAY, make_person, past_campaign, register

# name, gender, birth, education (GB/T 4658), political status
PEOPLE = {
    "zhou": ("周明", "M", dt.date(1988, 5, 1), "21", "cpc"),
    "liu": ("刘芳", "F", dt.date(1990, 7, 9), "31", "none"),
    "chen": ("陈刚", "M", dt.date(1985, 2, 3), "61", "cpc"),
    "xu": ("徐亮", "M", dt.date(1980, 9, 9), "61", "none"),
    "zhang": ("张伟", "M", dt.date(1992, 1, 15), "31", "cyl"),
    "yang": ("杨洋", "M", dt.date(1995, 3, 3), "21", "cyl"),
    "huang": ("黄磊", "M", dt.date(1983, 11, 11), "61", "none"),
    "wu": ("吴静", "F", dt.date(1994, 4, 4), "31", "none"),
}


@dataclass
class Village:
    election: Election
    p: dict[str, Person]
    actor: object  # the village account
    world: object

    def post(self, code: str):
        return self.election.posts.get(code=code)


def setup_village(
    world, jurisdiction: str = "national", cutoff: dt.date = dt.date(2026, 1, 1), register_voters: bool = True
) -> Village:
    """东山村 with an election on ELECTION_DAY (2026-03-20), 主任 1 / 副主任 1 / 委员 3 (national),
    and 30 registered voters: the world's 王建国, 李秀英 (his wife), 王小明 (his son), the eight
    people above, and 19 others."""
    campaign = past_campaign(world, jurisdiction)
    campaign.cutoff_date = cutoff
    campaign.save()
    election = services.create_election(world.users["township_a"], campaign, world.village_a1, ELECTION_DAY)
    village = world.village_a1
    people = {"wang": world.people["wang"], "li": world.people["li"], "wang_son": world.people["wang_son"]}
    for i, (key, (name, gender, birth, edu, pol)) in enumerate(PEOPLE.items()):
        person = make_person(name, gender, birth, village, 100 + i, "第一村民小组")
        person.education, person.political_status = edu, pol
        person.save()
        people[key] = person
    for i in range(19):
        people[f"v{i}"] = make_person(
            f"村民{i:02d}", "M" if i % 2 else "F", dt.date(1970, 1, 1 + i), village, 200 + i
        )
    if register_voters:  # otherwise the people are in the register and a roster import registers them
        for person in people.values():
            register(election, person)
    return Village(election, people, world.users["village_a1"], world)


def nominate_basic(v: Village, participated: int = 20, held_on: dt.date = dt.date(2026, 2, 20)):
    """Aggregated nomination: 主任 王建国 12, 周明 7, 陈刚 1; 副主任 刘芳 11, 陈刚 8, 徐亮 1;
    委员 张伟 15, 杨洋 14, 黄磊 12, 吴静 11, 徐亮 5, 王小明 2."""
    p = v.p
    count = cs.record_nomination_count(
        v.actor,
        v.election,
        held_on=held_on,
        participated=participated,
        aggregated={
            "director": {p["wang"]: 12, p["zhou"]: 7, p["chen"]: 1},
            "deputy": {p["liu"]: 11, p["chen"]: 8, p["xu"]: 1},
            "member": {
                p["zhang"]: 15,
                p["yang"]: 14,
                p["huang"]: 12,
                p["wu"]: 11,
                p["xu"]: 5,
                p["wang_son"]: 2,
            },
        },
    )
    # 王建国 is the serving 主任 (not a newcomer, not a new head: P2).
    from huanjie.elections.nomination.models import Nomination

    n = Nomination.objects.get(election=v.election, person=p["wang"])
    cs.update_nominee(v.actor, n, current_post="主任")
    return count


def pass_review(world, candidate) -> None:
    """Every tier passes: the village, the township and each department of the joint review."""
    from huanjie.accounts.models import User
    from huanjie.review import services as review
    from huanjie.review.models import ReviewVerdict

    while True:
        verdict = ReviewVerdict.objects.filter(
            case__candidate=candidate, verdict=ReviewVerdict.PENDING
        ).first()
        if verdict is None:
            break
        if verdict.tier == "village":
            actor = world.users["village_a1"]
        elif verdict.tier == "township":
            actor = world.users["township_a"]
        else:
            actor = User.objects.filter(role="department", department=verdict.department).first()
        review.record_verdict(actor, verdict, True, on=dt.date(2026, 3, 1))


def fail_review(world, candidate, item: str = "N02") -> None:
    """The village and township pass; the county police department fails the candidate."""
    from huanjie.review import services as review
    from huanjie.review.models import ReviewVerdict

    for tier, who in (("village", "village_a1"), ("township", "township_a")):
        v = ReviewVerdict.objects.get(case__candidate=candidate, tier=tier)
        review.record_verdict(world.users[who], v, True, on=dt.date(2026, 3, 1))
    v = ReviewVerdict.objects.get(case__candidate=candidate, tier="county", department=world.police)
    review.record_verdict(
        world.users["department"], v, False, negative_item=item, comment="有犯罪记录", on=dt.date(2026, 3, 2)
    )
