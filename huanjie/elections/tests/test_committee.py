"""The village election committee (R11): posts, size per profile, near relatives, replacement."""

from __future__ import annotations

import datetime as dt

import pytest

from huanjie.accounts.models import AuditRecord
from huanjie.elections import services
from huanjie.elections.models import CommitteeMember
from huanjie.people.models import Relation

from .workflow_helpers import ELECTION_DAY, make_person, past_campaign

pytestmark = pytest.mark.django_db

CHOSEN = "villagers_meeting"
ON = dt.date(2026, 1, 20)


def election(world, jurisdiction="national"):
    campaign = past_campaign(world, jurisdiction)
    return services.create_election(world.users["township_a"], campaign, world.village_a1, ELECTION_DAY)


def villagers(world, n, start=200):
    return [
        make_person(
            f"村民{i:02d}", "M" if i % 2 else "F", dt.date(1970 + i, 1, 1), world.village_a1, start + i
        )
        for i in range(n)
    ]


def add(world, e, person, order, **kw):
    kw.setdefault("chosen_by", CHOSEN)
    return services.add_committee_member(
        world.users["village_a1"], e, person, vote_order=order, joined_on=ON, **kw
    )


def test_near_relatives_may_not_both_sit_on_the_committee(world):
    e = election(world)
    wang, li, son = world.people["wang"], world.people["li"], world.people["wang_son"]
    add(world, e, wang, 1, post="director", votes=320)
    with pytest.raises(services.ElectionError, match="李秀英与委员会成员王建国系配偶关系"):
        add(world, e, li, 2)
    with pytest.raises(services.ElectionError, match="王小明与委员会成员王建国系父母子女关系"):
        add(world, e, son, 2)
    # a near relative may stay on the reserve list (checked again when they would come in)
    reserve = add(world, e, li, 9, is_reserve=True)
    assert reserve.is_reserve and reserve.post == "member"
    assert AuditRecord.objects.filter(action="election.committee_add").count() == 2


def test_one_director_unique_vote_order_and_villagers_only(world):
    e = election(world)
    a, b = villagers(world, 2)
    add(world, e, a, 1, post="director")
    with pytest.raises(services.ElectionError, match="已有主任"):
        add(world, e, b, 2, post="director")
    with pytest.raises(services.ElectionError, match="得票顺序第 1 位已是村民00"):
        add(world, e, b, 1)
    with pytest.raises(services.ElectionError, match="已在村民选举委员会名单中"):
        add(world, e, a, 3)
    # 孙强 (石桥乡) is out of the village clerk's scope: the one message, without his name (issue 9 §3);
    # the county sees him, and is told why he cannot sit on 东山村's committee.
    with pytest.raises(services.ElectionError, match="该身份证号码已在其他地区登记") as exc:
        add(world, e, world.people["sun"], 3)
    assert "孙强" not in str(exc.value)
    with pytest.raises(services.ElectionError, match="孙强不是东山村的村民"):
        services.add_committee_member(
            world.users["county"], e, world.people["sun"], chosen_by=CHOSEN, vote_order=3, joined_on=ON
        )
    with pytest.raises(services.ElectionError, match="管辖范围"):
        services.add_committee_member(world.users["township_b"], e, b, chosen_by=CHOSEN, vote_order=2)


def test_committee_size_follows_the_profile(world):
    # Shanghai (SH Art. 7): 7–9 members
    e = election(world, "shanghai")
    people = villagers(world, 10)
    for i, p in enumerate(people[:5], 1):
        add(world, e, p, i, post="director" if i == 1 else "member")
    status = services.committee_status(e)
    assert status["size"] == (7, 9) and status["size_ok"] is False
    assert status["messages"] == ["村民选举委员会现有 5 名成员，应为 7—9 名（R11）"]
    for i, p in enumerate(people[5:9], 6):
        add(world, e, p, i)
    assert services.committee_status(e)["size_ok"] is True  # 9 members: the maximum
    with pytest.raises(services.ElectionError, match="最多 9 名成员"):
        add(world, e, people[9], 10)
    add(world, e, people[9], 10, is_reserve=True)  # a tenth person may wait as a reserve


def test_national_profile_has_no_statutory_size_but_warns_about_an_even_or_small_committee(world):
    e = election(world)
    people = villagers(world, 4)
    for i, p in enumerate(people, 1):
        add(world, e, p, i, post="director" if i == 1 else "member")
    status = services.committee_status(e)
    assert status["size"] is None and status["size_ok"] is None
    assert status["messages"] == ["现有 4 名成员；法律未规定人数，各地一般为 5 人以上的单数"]


def test_member_who_becomes_candidate_is_replaced_by_the_next_reserve_in_vote_order(world):
    e = election(world, "zhejiang")
    people = villagers(world, 7)
    members = [
        add(world, e, p, i, post="director" if i == 1 else "member") for i, p in enumerate(people[:5], 1)
    ]
    # reserves entered out of order: the vote order decides, not the order of entry
    r7 = add(world, e, people[6], 7, is_reserve=True)
    r6 = add(world, e, people[5], 6, is_reserve=True)

    first = services.member_becomes_candidate(world.users["village_a1"], members[1], on=dt.date(2026, 2, 10))
    assert first.joined.pk == r6.pk and first.notes == []
    left = CommitteeMember.objects.get(pk=members[1].pk)
    assert left.status == CommitteeMember.LEFT_CANDIDATE and left.left_on == dt.date(2026, 2, 10)
    came = CommitteeMember.objects.get(pk=r6.pk)
    assert (
        not came.is_reserve and came.replaces_id == members[1].pk and came.joined_on == dt.date(2026, 2, 10)
    )

    second = services.member_becomes_candidate(world.users["village_a1"], members[0])
    assert second.joined.pk == r7.pk
    assert "原主任退出，主任职务空缺，请委员会推选" in second.notes
    assert "主任空缺" in " ".join(services.committee_status(e)["messages"])

    third = services.member_becomes_candidate(world.users["village_a1"], members[2])
    assert third.joined is None and third.notes == ["没有可递补的候补人选，请重新推选"]
    # the history keeps every member who left
    assert CommitteeMember.objects.filter(election=e).count() == 7
    assert services.sitting_members(e).count() == 4
    assert AuditRecord.objects.filter(action="election.committee_leave").count() == 3
    with pytest.raises(services.ElectionError, match="已不在村民选举委员会中"):
        services.member_becomes_candidate(world.users["village_a1"], members[2])


def test_a_reserve_who_is_a_near_relative_of_a_sitting_member_is_skipped(world):
    e = election(world)
    others = villagers(world, 4)
    wang, li = world.people["wang"], world.people["li"]
    add(world, e, wang, 1, post="director")
    leaving = add(world, e, others[0], 2)
    add(world, e, others[1], 3)
    add(world, e, li, 4, is_reserve=True)  # 王建国's wife, next in order
    add(world, e, others[2], 5, is_reserve=True)
    result = services.member_becomes_candidate(world.users["village_a1"], leaving)
    assert result.joined.person == others[2]
    assert result.notes == ["候补李秀英与成员王建国系配偶关系，不能递补"]


def test_members_related_to_a_candidate_must_leave_per_profile(world):
    # ZJ Art. 9 ¶2: spouse, parent, child or sibling of a candidate leaves the committee
    e = election(world, "zhejiang")
    li, son = world.people["li"], world.people["wang_son"]
    other = villagers(world, 1)[0]
    add(world, e, li, 1, post="director")
    add(world, e, other, 2)
    Relation.objects.create(elder=son, younger=other, kind="sibling")
    leave = services.members_to_leave_for(e, [world.people["wang"]])
    assert [(m.person.name, reason) for m, reason in leave] == [
        ("李秀英", "与候选人王建国系夫妻关系，应退出村民选举委员会")
    ]
    # national law (VCL Art. 12) asks only the candidate to leave, not the candidate's relatives
    e.campaign.jurisdiction = "national"
    e.campaign.save()
    assert services.members_to_leave_for(e, [world.people["wang"]]) == []
    assert [(m.person.name, reason) for m, reason in services.members_to_leave_for(e, [other])] == [
        ("村民00", "本人被提名为候选人，应退出村民选举委员会")
    ]
