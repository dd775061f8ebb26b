"""R13–R15, R36, R70: nomination counting and the formal candidate list (huanjie.rules.nomination).

Expected values are worked out by hand from rules.md; names were chosen so their stroke order is
known: 丁 (2 strokes) < 王 (4) < 刘 (6) < 李 (7) < 张 (7, 李 横 before 张 折) < 赵 (9).
"""

from __future__ import annotations

import pytest

from huanjie.rules import EngineError, get_profile
from huanjie.rules.nomination import (
    NominationBallot,
    NominationPost,
    Nominee,
    candidate_range,
    count_nominations,
    joint_nomination_valid,
    next_nominees,
    nominee_order,
    select_candidates,
    turnout_required,
)

DIRECTOR = NominationPost("director", "主任", 1)
DEPUTY = NominationPost("deputy", "副主任", 1)
MEMBER = NominationPost("member", "委员", 3)
WOMEN = NominationPost("women", "妇女委员", 1, women_only=True)
POSTS = [DIRECTOR, DEPUTY, MEMBER]


def B(id_, by_proxy=False, **noms):
    return NominationBallot(id_, {k: v.split(",") if v else [] for k, v in noms.items()}, by_proxy)


# ------------------------------------------------------------------ counting (R13)


def test_R13_ballot_by_ballot_counts_each_nomination_once():
    ballots = [
        B("1", director="a", member="b,c"),
        B("2", director="a", member="b"),
        B("3", director="d", member="b,c,e"),
    ]
    result = count_nominations(POSTS, ballots=ballots)
    # director: a on ballots 1 and 2 = 2, d on ballot 3 = 1; member: b 3, c 2, e 1
    assert result.tally == {"director": {"a": 2, "d": 1}, "deputy": {}, "member": {"b": 3, "c": 2, "e": 1}}
    assert result.void == []
    assert result.participated == 3


def test_R13_over_nomination_voids_that_post_only():
    # 委员 has 3 seats; ballot 2 names 4 people for 委员: its 委员 nominations are void,
    # its 主任 nomination still counts.
    ballots = [B("1", member="b,c"), B("2", director="a", member="b,c,e,f")]
    result = count_nominations(POSTS, ballots=ballots)
    assert result.tally["member"] == {"b": 1, "c": 1}
    assert result.tally["director"] == {"a": 1}
    assert [(v["ballot"], v["post"], v["code"]) for v in result.void] == [("2", "member", "over_nomination")]
    assert "超过应选名额3名" in result.void[0]["reason"]


def test_R13_exactly_seats_is_not_over_nomination():
    result = count_nominations(POSTS, ballots=[B("1", member="b,c,e")])
    assert result.tally["member"] == {"b": 1, "c": 1, "e": 1}
    assert result.void == []


def test_R13_proxy_ballot_is_void_but_took_part():
    result = count_nominations(POSTS, ballots=[B("1", director="a"), B("2", True, director="d")])
    assert result.tally["director"] == {"a": 1}
    assert [(v["ballot"], v["code"]) for v in result.void] == [("2", "by_proxy")]
    # both ballots were handed in: 2 took part
    assert result.participated == 2


def test_R13_same_name_twice_for_one_post_counts_once():
    result = count_nominations(POSTS, ballots=[B("1", member="b,b")])
    assert result.tally["member"] == {"b": 1}


@pytest.mark.parametrize(
    ("jurisdiction", "director", "member", "void_codes"),
    [
        # national: both nominations count; the person then chooses a post in writing
        ("national", {"a": 1}, {"a": 1, "b": 1}, []),
        # ZJ Art. 17: the nominations of the same person for two posts on one ballot are void
        ("zhejiang", {}, {"b": 1}, ["same_person_two_posts", "same_person_two_posts"]),
    ],
)
def test_R13_same_person_two_posts_on_one_ballot(jurisdiction, director, member, void_codes):
    posts = [DIRECTOR, DEPUTY, NominationPost("member", "委员", 2)]
    result = count_nominations(
        posts, ballots=[B("1", director="a", member="a,b")], profile=get_profile(jurisdiction)
    )
    assert result.tally["director"] == director
    assert result.tally["member"] == member
    assert [v["code"] for v in result.void] == void_codes


def test_R13_two_posts_listed_for_written_choice():
    result = count_nominations(POSTS, ballots=[B("1", director="a"), B("2", member="a,b")])
    assert result.two_posts == [{"key": "a", "posts": ["director", "member"]}]


@pytest.mark.parametrize(
    ("jurisdiction", "registered", "participated", "required", "ok"),
    [
        # ZJ Art. 18 / BJ Art. 16: more than half — 501*2 = 1002 > 1000 passes, 500*2 = 1000 fails
        ("zhejiang", 1000, 501, True, True),
        ("zhejiang", 1000, 500, True, False),
        ("beijing", 1000, 500, True, False),
        # elsewhere no statutory turnout for nomination: the figure is still reported
        ("national", 1000, 500, False, False),
        ("shanghai", 1000, 501, False, True),
    ],
)
def test_R13_nomination_turnout(jurisdiction, registered, participated, required, ok):
    profile = get_profile(jurisdiction)
    assert turnout_required(profile) is required
    result = count_nominations(
        POSTS,
        aggregated={"director": {"a": 10}},
        registered=registered,
        participated=participated,
        profile=profile,
    )
    assert result.turnout_required is required
    assert result.turnout_ok is ok


def test_R13_aggregated_counts_cannot_exceed_participants():
    # 10 took part, each names at most 1 person for 主任: at most 10 votes in all
    with pytest.raises(EngineError) as exc:
        count_nominations(POSTS, aggregated={"director": {"a": 6, "d": 5}}, participated=10)
    assert exc.value.code == "too_many_votes"
    # 委员 3 seats: 10 people give at most 30 nominations, and one person at most 10
    with pytest.raises(EngineError):
        count_nominations(POSTS, aggregated={"member": {"b": 11}}, participated=10)
    ok = count_nominations(POSTS, aggregated={"member": {"b": 10, "c": 10, "e": 10}}, participated=10)
    assert ok.tally["member"] == {"b": 10, "c": 10, "e": 10}


def test_R13_input_errors():
    with pytest.raises(EngineError):
        count_nominations(POSTS)
    with pytest.raises(EngineError) as exc:
        count_nominations(POSTS, ballots=[B("1", chair="a")])
    assert exc.value.code == "unknown_post"
    with pytest.raises(EngineError) as exc:
        count_nominations(POSTS, ballots=[B("1"), B("1")])
    assert exc.value.code == "duplicate_ballot"


@pytest.mark.parametrize(("signatures", "valid"), [(9, False), (10, True), (11, True)])
def test_joint_nomination_needs_ten_signatures(signatures, valid):
    # 十人联名: ten or more (以上 includes the number, R2)
    assert joint_nomination_valid(signatures) is valid


# ------------------------------------------------------------------ margins (R14)


@pytest.mark.parametrize(
    ("jurisdiction", "post", "expected"),
    [
        ("national", DIRECTOR, (2, None)),  # VCL: more than seats
        ("national", MEMBER, (4, None)),
        ("zhejiang", MEMBER, (4, None)),
        ("shanghai", DIRECTOR, (2, 2)),  # SH Art. 12: seats + 1 exactly
        ("shanghai", MEMBER, (4, 6)),  # seats + 1 to 3
        ("beijing", DEPUTY, (2, 3)),  # BJ Art. 16: + 1 to 2
        ("beijing", MEMBER, (4, 5)),
        ("henan", DEPUTY, (2, 2)),  # HA Art. 24: + 1
        ("henan", MEMBER, (4, 5)),  # + 1 to 2
        ("henan", WOMEN, (2, 3)),  # 妇女委员 ranks as 委员
    ],
)
def test_R14_candidate_range(jurisdiction, post, expected):
    assert candidate_range(post, get_profile(jurisdiction)) == expected


def N(key, votes, gender="M", name=None):
    return Nominee(key, name or key, votes, gender)


def test_R14_R15_selection_by_votes_with_default_minimum():
    nominees = {
        "director": [N("王一", 80), N("李二", 120), N("赵三", 30)],
        "member": [N("a1", 50, "F"), N("a2", 90), N("a3", 70), N("a4", 60), N("a5", 10)],
    }
    sel = select_candidates([DIRECTOR, MEMBER], nominees)
    director, member = sel.posts
    # 主任 1 seat → 2 candidates: 李二 120, 王一 80
    assert [c.key for c in director.candidates] == ["李二", "王一"]
    # 委员 3 seats → 4 candidates: 90, 70, 60, 50
    assert [c.votes for c in member.candidates] == [90, 70, 60, 50]
    assert director.margin_ok is True and member.margin_ok is True
    assert sel.ok


def test_R14_committee_may_choose_more_within_range():
    nominees = {"member": [N(f"m{i}", 100 - i, "F") for i in range(8)]}
    sel = select_candidates([MEMBER], nominees, get_profile("shanghai"), numbers={"member": 6})
    # SH 委员: 3 seats + 3 = 6 allowed
    assert len(sel.posts[0].candidates) == 6
    with pytest.raises(EngineError) as exc:
        select_candidates([MEMBER], nominees, get_profile("shanghai"), numbers={"member": 7})
    assert exc.value.code == "margin_out_of_range"
    with pytest.raises(EngineError):
        # national: must be more than seats, 3 is not
        select_candidates([MEMBER], nominees, numbers={"member": 3})


def test_R14_too_few_nominees_is_a_problem():
    sel = select_candidates([DIRECTOR], {"director": [N("王一", 5)]})
    assert not sel.ok
    assert sel.problems[0]["code"] == "too_few_nominees"
    assert "需候选人2名" in sel.problems[0]["reason"]


# ------------------------------------------------------------------ ties (R70)


def test_R70_tie_at_cut_off_resolved_by_strokes_and_reported():
    # 主任 1 seat → 2 candidates. 李二 100; 王 (4 strokes) and 赵 (9 strokes) tie at 40 for the
    # second place: 王 comes first by strokes (R69), so 王五 is taken and 赵六 left out.
    nominees = {"director": [N("k3", 40, name="赵六"), N("k1", 100, name="李二"), N("k2", 40, name="王五")]}
    sel = select_candidates([DIRECTOR], nominees)
    assert [c.name for c in sel.posts[0].candidates] == ["李二", "王五"]
    tie = sel.posts[0].ties[0]
    assert tie["votes"] == 40 and tie["taken"] == ["k2"] and tie["left_out"] == ["k3"]
    assert tie["rule"] == "R70"
    assert "姓氏笔画" in tie["reason"]


def test_R70_tie_inside_the_list_is_not_a_cut_off_tie():
    # both tied people are inside the list: ordered by strokes, nothing to report
    nominees = {"director": [N("k3", 40, name="赵六"), N("k2", 40, name="王五"), N("k1", 10, name="丁七")]}
    sel = select_candidates([DIRECTOR], nominees)
    assert [c.name for c in sel.posts[0].candidates] == ["王五", "赵六"]
    assert sel.posts[0].ties == []


def test_R70_order_votes_then_strokes():
    order = nominee_order([N("1", 5, name="张三"), N("2", 5, name="李四"), N("3", 9, name="赵五")])
    # 赵 9 votes first; 李 and 张 both 7 strokes, 李 (横 first) before 张 (折 first)
    assert [n.name for n in order] == ["赵五", "李四", "张三"]


def test_R15_zj_self_nomination_lists_everyone_by_strokes():
    nominees = {"director": [N("1", 0, name="赵五"), N("2", 0, name="丁一"), N("3", 0, name="刘二")]}
    sel = select_candidates([DIRECTOR], nominees, get_profile("zhejiang"), method="self_nomination")
    # 丁 2 < 刘 6 < 赵 9, all three listed (no cut)
    assert [c.name for c in sel.posts[0].candidates] == ["丁一", "刘二", "赵五"]


# ------------------------------------------------------------------ two posts (ZJ Art. 18)


def test_two_posts_requires_written_choice_then_drops_other_post():
    nominees = {
        "director": [N("a", 100), N("b", 60), N("c", 5)],
        "member": [N("a", 80, "F"), N("d", 70, "F"), N("e", 60), N("f", 50), N("g", 40)],
    }
    sel = select_candidates([DIRECTOR, MEMBER], nominees)
    assert [c["key"] for c in sel.choice_required] == ["a"]
    assert not sel.ok
    sel = select_candidates([DIRECTOR, MEMBER], nominees, choices={"a": "director"})
    assert sel.ok
    assert [c.key for c in sel.posts[0].candidates] == ["a", "b"]
    # a dropped from 委员: d, e, f, g fill the 4 places
    assert [c.key for c in sel.posts[1].candidates] == ["d", "e", "f", "g"]


# ------------------------------------------------------------------ women rule (R36)


def test_women_rule_adds_top_woman_as_extra_member_candidate():
    nominees = {
        "director": [N("d1", 100), N("d2", 90), N("w1", 30, "F")],
        "member": [N("m1", 80), N("m2", 70), N("m3", 60), N("m4", 50), N("w2", 20, "F"), N("w1", 10, "F")],
    }
    sel = select_candidates([DIRECTOR, MEMBER], nominees)
    member = sel.posts[1]
    # No woman among d1, d2, m1..m4. Women: w1 (30 for 主任, 10 for 委员) and w2 (20 for 委员):
    # w1 has the most nomination votes on one post (30 > 20) → extra 委员 candidate with her 10 委员 votes.
    assert member.added_woman is not None and member.added_woman.key == "w1"
    assert [c.key for c in member.candidates] == ["m1", "m2", "m3", "m4", "w1"]
    assert member.margin_ok is True  # the 4 regular candidates meet the margin; w1 is extra
    assert any(w["code"] == "woman_added" for w in sel.warnings)


def test_women_rule_not_applied_when_a_woman_is_a_candidate():
    nominees = {
        "director": [N("d1", 100, "F"), N("d2", 90)],
        "member": [N(f"m{i}", 50 - i) for i in range(5)],
    }
    sel = select_candidates([DIRECTOR, MEMBER], nominees)
    assert sel.posts[1].added_woman is None
    assert sel.warnings == []


def test_women_rule_warns_when_no_woman_nominated():
    nominees = {"director": [N("d1", 100), N("d2", 90)]}
    sel = select_candidates(
        [DIRECTOR, MEMBER], {**nominees, "member": [N(f"m{i}", 50 - i) for i in range(4)]}
    )
    assert [w["code"] for w in sel.warnings] == ["no_woman_nominated"]


def test_women_only_post_takes_women_only():
    nominees = {"women": [N("x", 90), N("y", 50, "F"), N("z", 40, "F")]}
    sel = select_candidates([WOMEN], nominees, get_profile("zhejiang"))
    assert [c.key for c in sel.posts[0].candidates] == ["y", "z"]
    assert sel.posts[0].not_counted[0]["code"] == "man_on_women_post"


# ------------------------------------------------------------------ filling a gap (ZJ Art. 19)


def test_next_nominees_in_order_skipping_taken_and_unavailable():
    nominees = [N("a", 90), N("b", 80), N("c", 70), N("d", 70, name="丁"), N("e", 10)]
    # c and 丁 tie at 70: 丁 (2 strokes) before c (Latin letters sort after Chinese)
    assert [n.key for n in next_nominees(nominees, taken=["a", "b"], unavailable=["e"])] == ["d", "c"]
