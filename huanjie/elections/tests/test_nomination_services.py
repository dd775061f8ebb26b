"""Nomination services (R13): counts aggregated or ballot by ballot, channels, written choices."""

from __future__ import annotations

import datetime as dt

import pytest

from huanjie.accounts.models import AuditRecord
from huanjie.elections.models import Election
from huanjie.elections.nomination import services as cs
from huanjie.elections.nomination.models import Nomination, NominationCount
from huanjie.elections.services import ElectionError

from .candidate_helpers import nominate_basic, setup_village
from .workflow_helpers import make_person

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 2, 20)


def votes(election, code):
    return {
        n.person.name: n.nomination_votes
        for n in Nomination.objects.filter(election=election, post__code=code).select_related("person")
    }


def test_aggregated_count_creates_nominees_and_moves_stage(world):
    v = setup_village(world)
    count = nominate_basic(v)
    assert votes(v.election, "director") == {"王建国": 12, "周明": 7, "陈刚": 1}
    assert votes(v.election, "member")["张伟"] == 15
    # 30 registered voters (3 + 8 + 19), 20 took part
    assert (count.registered_voters, count.participated) == (30, 20)
    assert count.turnout_required is False  # national: no statutory nomination turnout
    v.election.refresh_from_db()
    assert v.election.stage == Election.NOMINATION
    assert AuditRecord.objects.filter(action="candidates.nomination_count").count() == 1


def test_ballot_by_ballot_voids_over_nomination_and_proxy(world):
    v = setup_village(world)
    p = v.p
    ballots = [
        cs.NominationSheet("1", {"director": [p["wang"]], "member": [p["zhang"], p["yang"]]}),
        # 委员 3 seats, 4 named: the 委员 part is void, the 主任 part counts
        cs.NominationSheet(
            "2", {"director": [p["zhou"]], "member": [p["zhang"], p["yang"], p["wu"], p["huang"]]}
        ),
        # filled in by proxy: void as a whole
        cs.NominationSheet("3", {"director": [p["zhou"]]}, by_proxy=True),
    ]
    count = cs.record_nomination_count(v.actor, v.election, held_on=DAY, ballots=ballots)
    assert votes(v.election, "director") == {"王建国": 1, "周明": 1}
    assert votes(v.election, "member") == {"张伟": 1, "杨洋": 1}
    assert count.method == NominationCount.BALLOTS
    assert count.ballots == 3 and count.participated == 3
    assert sorted(x["code"] for x in count.void) == ["by_proxy", "over_nomination"]
    over = next(x for x in count.void if x["code"] == "over_nomination")
    assert over["ballot"] == "2" and over["post_name"] == "委员"


def test_nominee_must_be_registered_voter(world):
    v = setup_village(world)
    outsider = make_person("外来人", "M", dt.date(1990, 1, 1), world.village_a2, 300)
    with pytest.raises(cs.CandidateError) as exc:
        cs.record_nomination_count(
            v.actor, v.election, held_on=DAY, participated=5, aggregated={"director": {outsider: 3}}
        )
    assert "外来人" in str(exc.value) and "不是本村登记选民" in str(exc.value)


def test_engine_refuses_more_votes_than_participants(world):
    v = setup_village(world)
    # 5 people took part; one person cannot get 6 votes
    with pytest.raises(cs.CandidateError) as exc:
        cs.record_nomination_count(
            v.actor, v.election, held_on=DAY, participated=5, aggregated={"director": {v.p["wang"]: 6}}
        )
    assert "王建国" in str(exc.value) and "超过参加提名的5人" in str(exc.value)


def test_recount_replaces_open_vote_nominees(world):
    v = setup_village(world)
    nominate_basic(v)
    cs.record_nomination_count(
        v.actor,
        v.election,
        held_on=DAY,
        participated=10,
        aggregated={"director": {v.p["zhou"]: 6, v.p["xu"]: 4}},
    )
    assert votes(v.election, "director") == {"周明": 6, "徐亮": 4}
    assert votes(v.election, "member") == {}


@pytest.mark.parametrize(("participated", "ok"), [(16, True), (15, False)])
def test_zhejiang_turnout_more_than_half(world, participated, ok):
    # 30 registered: 16*2 = 32 > 30 passes; 15*2 = 30 is exactly half and fails (R13, ZJ Art. 18)
    v = setup_village(world, "zhejiang")
    count = cs.record_nomination_count(
        v.actor, v.election, held_on=DAY, participated=participated, aggregated={"director": {v.p["zhou"]: 3}}
    )
    assert count.turnout_required is True
    assert count.turnout_ok is ok
    blockers = cs.preview(v.election).blockers
    assert any("未超过登记选民30人的半数" in b for b in blockers) is (not ok)


def test_joint_nomination_checks_signatories(world):
    v = setup_village(world)
    post = v.post("member")
    voters = [v.p[f"v{i}"] for i in range(10)]
    outsider = make_person("邻村人", "F", dt.date(1980, 1, 1), world.village_a2, 301)
    with pytest.raises(cs.CandidateError) as exc:
        cs.add_channel_nomination(
            v.actor, v.election, post, v.p["xu"], Nomination.JOINT_10, signatories=voters[:9]
        )
    assert "现有9名" in str(exc.value)
    with pytest.raises(cs.CandidateError) as exc:
        cs.add_channel_nomination(
            v.actor, v.election, post, v.p["xu"], Nomination.JOINT_10, signatories=[*voters[:9], outsider]
        )
    assert "邻村人" in str(exc.value)
    n = cs.add_channel_nomination(
        v.actor, v.election, post, v.p["xu"], Nomination.JOINT_10, signatories=voters
    )
    assert n.signatures.count() == 10 and n.channel == Nomination.JOINT_10
    with pytest.raises(cs.CandidateError):
        cs.add_channel_nomination(v.actor, v.election, post, v.p["xu"], Nomination.SELF)
    # the open vote later gives him votes: the channel is kept
    cs.record_nomination_count(
        v.actor, v.election, held_on=DAY, participated=10, aggregated={"member": {v.p["xu"]: 4}}
    )
    n.refresh_from_db()
    assert (n.channel, n.nomination_votes) == (Nomination.JOINT_10, 4)


def test_two_posts_need_written_choice(world):
    v = setup_village(world)
    p = v.p
    cs.record_nomination_count(
        v.actor,
        v.election,
        held_on=DAY,
        participated=20,
        aggregated={
            "director": {p["zhou"]: 12, p["wang"]: 7},
            "deputy": {p["liu"]: 11, p["chen"]: 8},
            "member": {p["zhou"]: 15, p["yang"]: 14, p["huang"]: 12, p["wu"]: 11, p["xu"]: 5},
        },
    )
    cs.update_nominee(
        v.actor, Nomination.objects.get(election=v.election, person=p["wang"]), current_post="主任"
    )
    blockers = cs.preview(v.election).blockers
    assert any("周明同时进入主任、委员候选人，须书面选择其中一个职务" in b for b in blockers)
    chosen = Nomination.objects.get(election=v.election, person=p["zhou"], post__code="director")
    cs.record_written_choice(v.actor, chosen, dt.date(2026, 2, 22))
    other = Nomination.objects.get(election=v.election, person=p["zhou"], post__code="member")
    assert other.status == Nomination.DECLINED
    pv = cs.preview(v.election)
    assert pv.blockers == []
    member = next(pp for pp in pv.posts if pp.post.code == "member")
    # 周明 dropped from 委员: 杨洋 14, 黄磊 12, 吴静 11, 徐亮 5
    assert [e.person.name for e in member.entries] == ["杨洋", "黄磊", "吴静", "徐亮"]


def test_observer_and_other_village_cannot_record(world):
    v = setup_village(world)
    for who in ("observer", "department"):
        with pytest.raises(ElectionError):
            cs.record_nomination_count(
                world.users[who],
                v.election,
                held_on=DAY,
                participated=5,
                aggregated={"director": {v.p["zhou"]: 3}},
            )
    with pytest.raises(ElectionError):
        cs.record_nomination_count(
            world.users["township_b"],
            v.election,
            held_on=DAY,
            participated=5,
            aggregated={"director": {v.p["zhou"]: 3}},
        )
