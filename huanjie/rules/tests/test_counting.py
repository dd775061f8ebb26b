"""Counting (R23–R37, R48, R52–R61, R63): expected values worked out by hand from rules.md."""

from __future__ import annotations

import pytest

from huanjie.rules import (
    Ballot,
    Candidate,
    EngineError,
    Race,
    Sheet,
    VoteCount,
    count_village_election,
    get_profile,
    majority_threshold,
    runoff_threshold,
    validate_ballot,
)

from .conftest import cands, elected_names, party, village


# ---------------------------------------------------------------- thresholds (R1, R27, R32, R58)
@pytest.mark.parametrize(
    ("base", "threshold"),
    [
        pytest.param(618, 310, id="R27-618-needs-310"),  # 309*2=618 not > 618; 310*2=620 > 618
        pytest.param(7, 4, id="R27-7-needs-4"),  # 3*2=6 < 7; 4*2=8 > 7
        pytest.param(600, 301, id="R1-exactly-half-fails"),  # 300*2=600 is not > 600
        pytest.param(1, 1, id="R1-base-1"),
        pytest.param(0, 1, id="R1-base-0"),
    ],
)
def test_majority_threshold(base, threshold):
    assert majority_threshold(base) == threshold


@pytest.mark.parametrize(
    ("base", "threshold"),
    [
        pytest.param(9, 3, id="R32-exactly-one-third-passes"),  # 3*3=9 >= 9
        pytest.param(10, 4, id="R32-10-needs-4"),  # 3*3=9 < 10; 4*3=12 >= 10
        pytest.param(300, 100, id="R32-300-needs-100"),
        pytest.param(0, 1, id="R32-no-ballots-still-needs-a-vote"),
    ],
)
def test_runoff_threshold(base, threshold):
    assert runoff_threshold(base) == threshold


# ---------------------------------------------------------------- validity (R23–R25)
def test_R23_base_includes_invalid_and_blank():
    out = village(
        [
            {
                "post": "主任",
                "seats": 1,
                "candidates": cands("甲", "乙"),
                "votes": {"甲": 305, "乙": 290},
                "invalid_ballots": 15,
                "blank_ballots": 8,
            }
        ],
        returned=618,
    )
    # base 618 (not 618-15-8=595): 甲 305*2=610 is not > 618, so nobody wins
    assert out["participation_base"] == 618
    assert out["threshold"] == 310
    assert out["elected"] == []
    assert out["unfilled"] == [{"post": "主任", "seats": 1}]


@pytest.mark.parametrize(
    ("returned", "valid", "reason"),
    [
        pytest.param(
            500, False, "turnout_not_over_half", id="R24-exactly-half-turnout-fails"
        ),  # 500*2 = 1000
        pytest.param(501, True, None, id="R24-501-of-1000-valid"),  # 1002 > 1000
    ],
)
def test_R24_turnout(returned, valid, reason):
    out = village(
        [{"post": "主任", "seats": 1, "candidates": cands("甲", "乙"), "votes": {"甲": 300, "乙": 100}}],
        registered=1000,
        returned=returned,
    )
    assert out["election_valid"] is valid
    assert out["reason"] == reason
    assert (out["elected"] != []) is valid


def test_R25_returned_exceeds_issued_voids_the_vote():
    out = village(
        [{"post": "主任", "seats": 1, "candidates": cands("甲", "乙"), "votes": {"甲": 400, "乙": 200}}],
        returned=621,
        issued=620,
    )
    assert out["election_valid"] is False
    assert out["reason"] == "returned_exceeds_issued"
    assert out["elected"] == [] and out["threshold"] is None


# ---------------------------------------------------------------- winners (R27–R29)
def test_R27_exactly_half_of_participants_does_not_win():
    out = village(
        [{"post": "主任", "seats": 1, "candidates": cands("甲", "乙"), "votes": {"甲": 300, "乙": 299}}],
        returned=600,
    )
    # 300*2 = 600 is not > 600
    assert out["elected"] == []
    assert out["runoff"] == {"post": "主任", "seats": 1, "candidates": ["甲", "乙"]}


def test_R28_surplus_goes_by_votes():
    out = village(
        [
            {
                "post": "委员",
                "seats": 2,
                "candidates": cands("孙明", "周红:F", "吴杰", "郑涛"),
                "votes": {"孙明": 320, "周红": 300, "吴杰": 260, "郑涛": 100},
            }
        ],
        registered=900,
        returned=500,
    )
    assert out["threshold"] == 251  # 250*2 = 500 not > 500
    assert elected_names(out) == ["孙明", "周红"]
    assert out["tie_revote"] is None and out["runoff"] is None


def test_R29_tie_for_last_seat_goes_to_revote_among_the_tied():
    out = village(
        [
            {
                "post": "委员",
                "seats": 2,
                "candidates": cands("甲", "王五", "丁一", "戊"),
                "votes": {"甲": 300, "王五": 280, "丁一": 280, "戊": 100},
            }
        ],
        returned=500,
    )
    assert elected_names(out) == ["甲"]
    # both 280 >= 251; one seat left; tied names in stroke order: 丁 (2) before 王 (4)
    assert out["tie_revote"] == {"post": "委员", "seats": 1, "candidates": ["丁一", "王五"], "code": "tie"}
    assert out["unfilled"] == []


def test_R29_ties_below_the_threshold_do_not_matter():
    out = village(
        [
            {
                "post": "主任",
                "seats": 1,
                "candidates": cands("甲", "乙", "丙"),
                "votes": {"甲": 300, "乙": 100, "丙": 100},
            }
        ],
        returned=500,
    )
    assert elected_names(out) == ["甲"]
    assert out["tie_revote"] is None


def test_R29_revote_most_votes_wins_without_majority():
    out = village(
        [
            {
                "post": "委员",
                "seats": 1,
                "candidates": cands("王五", "丁一"),
                "votes": {"王五": 200, "丁一": 150},
            }
        ],
        returned=600,
        stage="tie_revote",
    )
    assert out["threshold"] is None
    assert elected_names(out) == ["王五"]  # 200 < 301 but most votes wins in a re-vote


def test_R29_revote_tied_again_is_repeated():
    out = village(
        [
            {
                "post": "委员",
                "seats": 1,
                "candidates": cands("王五", "丁一"),
                "votes": {"王五": 200, "丁一": 200},
            }
        ],
        returned=600,
        stage="tie_revote",
    )
    assert out["elected"] == []
    assert out["tie_revote"]["candidates"] == ["丁一", "王五"]


# ---------------------------------------------------------------- 另行选举 (R31–R33)
def test_R31_runoff_candidates_shortfall_plus_one_with_ties_at_cutoff():
    out = village(
        [
            {
                "post": "主任",
                "seats": 1,
                "candidates": cands("甲", "乙", "丙"),
                "votes": {"甲": 240, "乙": 130, "丙": 130},
            }
        ],
        returned=500,
    )
    # nobody reaches 251; 1 seat + 1 = 2 candidates; 乙 and 丙 tie at the cut-off: both come in
    assert out["runoff"]["candidates"][0] == "甲"
    assert sorted(out["runoff"]["candidates"]) == sorted(["甲", "乙", "丙"])
    assert out["shortfall_action"] == "runoff"


def test_R31_extra_candidates_is_configurable():
    out = village(
        [
            {
                "post": "委员",
                "seats": 2,
                "candidates": cands("甲", "乙", "丙", "丁", "戊"),
                "votes": {"甲": 400, "乙": 200, "丙": 150, "丁": 100, "戊": 50},
            }
        ],
        returned=500,
        config={"runoff.extra_candidates": 2},
    )
    assert elected_names(out) == ["甲"]
    assert out["runoff"] == {"post": "委员", "seats": 1, "candidates": ["乙", "丙", "丁"]}  # 1 + 2


@pytest.mark.parametrize(
    ("votes_a", "elected"),
    [
        pytest.param(100, ["甲"], id="R32-exactly-one-third-wins"),  # 100*3 = 300 >= 300
        pytest.param(99, [], id="R32-below-one-third-fails"),  # 99*3 = 297 < 300
    ],
)
def test_R32_runoff_one_third_floor(votes_a, elected):
    out = village(
        [{"post": "主任", "seats": 1, "candidates": cands("甲", "乙"), "votes": {"甲": votes_a, "乙": 98}}],
        registered=500,
        returned=300,
        stage="runoff",
    )
    assert out["threshold"] == 100
    assert elected_names(out) == elected


@pytest.mark.parametrize(
    ("config", "valid"),
    [
        pytest.param({}, False, id="R33-runoff-turnout-required"),
        pytest.param({"runoff.require_turnout": False}, True, id="R33-switch-off"),
    ],
)
def test_R33_runoff_turnout(config, valid):
    out = village(
        [{"post": "主任", "seats": 1, "candidates": cands("甲", "乙"), "votes": {"甲": 250, "乙": 100}}],
        registered=1000,
        returned=400,
        stage="runoff",
        config=config,
    )
    assert out["election_valid"] is valid


# ---------------------------------------------------------------- ballots (R26)
def _ballot_case(ballots, seats=2, config=None, returned=None, registered=None):
    n = len(ballots)
    return village(
        [{"post": "委员", "seats": seats, "candidates": cands("甲", "乙", "丙"), "ballots": ballots}],
        registered=registered or n,
        returned=n if returned is None else returned,
        config=config,
    )


def test_R26_over_selection_invalid_blank_valid_and_counted_in_base():
    out = _ballot_case(
        [
            {"id": "1", "approve": ["甲", "乙"]},
            {"id": "2", "approve": ["甲", "乙", "丙"]},
            {"id": "3"},
            {"id": "4", "approve": ["甲"], "write_in": ["白云"]},
            {"id": "5", "approve": ["甲", "乙"], "write_in": ["白云"]},
        ]
    )
    assert out["valid_ballots"] == ["1", "3", "4"]
    assert [(b["id"], b["code"]) for b in out["invalid_ballots"]] == [
        ("2", "over_selection"),
        ("5", "over_selection"),
    ]
    assert out["participation_base"] == 5  # invalid ballots stay in the base (R23)
    assert out["tally"] == {"甲": 2, "乙": 1, "丙": 0, "白云": 1}


@pytest.mark.parametrize(
    ("config", "valid", "votes_for_jia"),
    [
        pytest.param({}, True, 1, id="R26-partly-unreadable-only-that-part-void"),
        pytest.param(
            {"ballot.partial_invalid_part_only": False}, False, 0, id="R26-partly-unreadable-whole-void"
        ),
    ],
)
def test_R26_partly_unreadable(config, valid, votes_for_jia):
    out = _ballot_case([{"id": "1", "approve": ["甲"], "unreadable_entries": 1}], config=config, registered=1)
    assert (out["valid_ballots"] == ["1"]) is valid
    assert out["tally"]["甲"] == votes_for_jia


def test_R26_unreadable_entries_still_count_as_selections():
    out = _ballot_case([{"id": "1", "approve": ["甲", "乙"], "unreadable_entries": 1}], registered=1)
    # 2 readable + 1 unreadable = 3 marks for 2 seats
    assert out["invalid_ballots"][0]["code"] == "over_selection"


def test_R26_wholly_unreadable_is_void_but_in_base():
    out = _ballot_case(
        [{"id": "1", "approve": ["甲"]}, {"id": "2", "unreadable": True}, {"id": "3", "approve": ["甲"]}]
    )
    assert out["invalid_ballots"] == [{"id": "2", "post": "委员", "code": "unreadable", "reason": "无法辨认"}]
    assert out["participation_base"] == 3
    assert elected_names(out) == ["甲"]  # 2*2 = 4 > 3


@pytest.mark.parametrize(
    ("jurisdiction", "valid", "warning"),
    [
        pytest.param("national", True, True, id="R26-extra-mark-referred-to-committee"),
        pytest.param("henan", False, False, id="R26-HA-extra-mark-void"),
    ],
)
def test_R26_extra_mark(jurisdiction, valid, warning):
    out = _ballot_case(
        [{"id": "1", "approve": ["甲"], "extra_mark": True}],
        config={"jurisdiction": jurisdiction},
        registered=1,
    )
    assert (out["valid_ballots"] == ["1"]) is valid
    assert ("ballots_referred_to_committee" in out["warnings"]) is warning


def _sheet_case(jurisdiction):
    races = [
        {"post": "主任", "seats": 1, "candidates": cands("甲", "乙")},
        {"post": "委员", "seats": 2, "candidates": cands("甲", "丙", "丁")},
    ]
    ballots = [
        {"id": 1, "主任": {"approve": ["甲"]}, "委员": {"approve": ["甲", "丙"]}},
        {"id": 2, "主任": {"approve": ["乙"]}, "委员": {"approve": ["丙"]}},
    ]
    return village(races, registered=3, returned=2, ballots=ballots, config={"jurisdiction": jurisdiction})


def test_R26_ZJ_same_person_on_two_posts_voids_the_whole_sheet():
    out = _sheet_case("zhejiang")
    assert out["invalid_ballots"] == [
        {
            "id": 1,
            "post": None,
            "code": "same_person_two_posts",
            "reason": "同一人被选为两个以上职务，整张选票无效",
        }
    ]
    assert out["tally"] == {"主任": {"甲": 0, "乙": 1}, "委员": {"甲": 0, "丙": 1, "丁": 0}}


def test_R26_national_same_person_on_two_posts_is_counted():
    out = _sheet_case("national")
    assert out["valid_ballots"] == [1, 2]
    assert out["tally"]["委员"] == {"甲": 1, "丙": 2, "丁": 0}


# ---------------------------------------------------------------- merge (R30)
def _merge_case(config):
    return village(
        [
            {"post": "主任", "seats": 1, "candidates": cands("甲", "乙"), "votes": {"甲": 60, "乙": 40}},
            {
                "post": "委员",
                "seats": 2,
                "candidates": cands("乙", "丙", "丁"),
                "votes": {"乙": 20, "丙": 55, "丁": 45},
            },
        ],
        registered=150,
        returned=100,
        config=config,
    )


def test_R30_merge_off_by_default():
    out = _merge_case({})
    # 委员: 丙 55 >= 51; 乙 20, 丁 45 fail
    assert [(e["post"], e["name"]) for e in out["elected"]] == [("主任", "甲"), ("委员", "丙")]
    assert out["unfilled"] == [{"post": "委员", "seats": 1}]


def test_R30_merge_higher_post_votes():
    out = _merge_case({"count.merge_higher_post_votes": True})
    # 乙 lost 主任 with 40: 20 + 40 = 60 on 委员 (60*2 = 120 > 100)
    assert out["elected"] == [
        {"name": "甲", "post": "主任", "votes": 60},
        {"name": "乙", "post": "委员", "votes": 60},
        {"name": "丙", "post": "委员", "votes": 55},
    ]
    assert out["merged_votes"] == {"委员": {"乙": 40}}


def test_one_person_one_post_higher_post_first():
    out = village(
        [
            {"post": "主任", "seats": 1, "candidates": cands("甲", "乙"), "votes": {"甲": 60, "乙": 40}},
            {"post": "委员", "seats": 2, "candidates": cands("甲", "丙"), "votes": {"甲": 70, "丙": 55}},
        ],
        registered=150,
        returned=100,
    )
    # 甲 wins both (60, 70 >= 51) but holds one post, the higher; 丙 55 takes one 委员 seat
    assert [(e["post"], e["name"]) for e in out["elected"]] == [("主任", "甲"), ("委员", "丙")]
    assert out["unfilled"] == [{"post": "委员", "seats": 1}]
    assert out["runoff"]["candidates"] == []


# ---------------------------------------------------------------- women (R36)
def test_R36_national_all_male_result_stands_with_warning():
    out = village(
        [{"post": "主任", "seats": 1, "candidates": cands("甲", "乙:F"), "votes": {"甲": 400, "乙": 150}}]
    )
    assert elected_names(out) == ["甲"]
    assert "no_woman_member" in out["warnings"]


def test_R36_ZJ_dedicated_post_man_not_counted_and_runoff_women_only():
    out = village(
        [
            {"post": "主任", "seats": 1, "candidates": cands("甲", "乙"), "votes": {"甲": 400, "乙": 150}},
            {
                "post": "妇女委员",
                "seats": 1,
                "candidates": cands("丙:F", "丁:F"),
                "votes": {"丙": 200, "丁": 150, "戊": 240},
                "write_in_persons": [{"name": "戊", "gender": "M"}],
            },
        ],
        config={"jurisdiction": "zhejiang"},
    )
    # 戊 (a man) 240 not counted; 丙 200 < 301; no woman elected → the runoff keeps the post women-only
    assert out["not_counted"] == [
        {
            "name": "戊",
            "post": "妇女委员",
            "votes": 240,
            "code": "man_on_women_post",
            "reason": "妇女委员职位单列，男性的得票不计入",
        }
    ]
    assert out["runoff"] == {"post": "妇女委员", "seats": 1, "candidates": ["丙", "丁"], "women_only": True}
    assert out["tally"]["妇女委员"]["戊"] == 240


def test_R36_women_only_write_in_without_gender_is_an_error():
    with pytest.raises(EngineError) as exc:
        village(
            [
                {
                    "post": "妇女委员",
                    "seats": 1,
                    "women_only": True,
                    "candidates": cands("丙:F", "丁:F"),
                    "votes": {"丙": 200},
                    "write_in_votes": {"戊": 10},
                }
            ],
        )
    assert exc.value.code == "missing_gender"


def test_R36_runoff_reserve_adds_the_leading_woman():
    out = village(
        [
            {
                "post": "委员",
                "seats": 2,
                "candidates": cands("甲", "乙", "丙", "丁:F"),
                "votes": {"甲": 300, "乙": 200, "丙": 150, "丁": 100},
            }
        ],
        returned=500,
        config={"women.mode": "runoff_reserve"},
    )
    assert elected_names(out) == ["甲"]
    assert out["runoff"]["candidates"] == ["乙", "丙", "丁"]
    assert out["runoff"]["women_reserved"] == "丁"


def test_R36_BJ_assembly_decides_post_warning():
    out = village(
        [{"post": "主任", "seats": 1, "candidates": cands("甲", "乙"), "votes": {"甲": 400, "乙": 150}}],
        config={"jurisdiction": "beijing"},
    )
    assert out["warnings"][-2:] == ["no_woman_member", "woman_post_assembly_decides"]


def test_R36_minority_member_warning():
    out = village(
        [
            {
                "post": "主任",
                "seats": 1,
                "candidates": [
                    {"name": "甲", "gender": "F", "ethnicity": "汉族"},
                    {"name": "乙", "ethnicity": "回族"},
                ],
                "votes": {"甲": 400, "乙": 150},
            }
        ],
        smaller_ethnic_groups=["回族"],
    )
    assert out["warnings"] == ["no_minority_member"]


# ---------------------------------------------------------------- avoidance (R37)
def _avoid(jurisdiction, relations, votes_b=280, votes_c=260, post_b="委员", seats=2):
    races = [
        {"post": "主任", "seats": 1, "candidates": cands("甲", "戊"), "votes": {"甲": 300, "戊": 100}},
        {
            "post": "委员",
            "seats": seats,
            "candidates": cands("乙", "丙", "丁:F"),
            "votes": {"乙": votes_b, "丙": votes_c, "丁": 255},
        },
    ]
    return village(races, returned=500, relations=relations, config={"jurisdiction": jurisdiction})


def test_R37_ZJ_lower_post_removed_and_seat_passes_to_next_majority():
    out = _avoid("zhejiang", [{"a": "甲", "b": "乙", "relation": "夫妻"}])
    assert out["removed_for_avoidance"][0]["name"] == "乙"
    assert out["removed_for_avoidance"][0]["code"] == "lower_post"
    # 委员 seats go to 丙 260 and 丁 255 (both >= 251)
    assert elected_names(out) == ["甲", "丙", "丁"]


def test_R37_ZJ_same_post_fewer_votes_removed():
    out = _avoid("zhejiang", [{"a": "乙", "b": "丙", "relation": "siblings"}])
    assert [(r["name"], r["code"]) for r in out["removed_for_avoidance"]] == [("丙", "fewer_votes")]
    assert elected_names(out) == ["甲", "乙", "丁"]


def test_R37_ZJ_same_post_same_votes_further_vote():
    out = _avoid("zhejiang", [{"a": "乙", "b": "丙", "relation": "兄弟姐妹"}], votes_b=270, votes_c=270)
    # one of the pair keeps the seat after a further vote; 乙 (1 stroke) before 丙 (5)
    assert out["tie_revote"] == {"post": "委员", "seats": 1, "candidates": ["乙", "丙"], "code": "avoidance"}
    assert elected_names(out) == ["甲", "丁"]


def test_R37_removed_person_not_a_runoff_candidate():
    out = _avoid("zhejiang", [{"a": "甲", "b": "乙", "relation": "spouses"}], votes_c=200, seats=2)
    # 委员: 乙 removed; 丁 255 elected; 丙 200 < 251 → 1 seat to runoff with 丙 only (乙 excluded)
    assert elected_names(out) == ["甲", "丁"]
    assert out["runoff"] == {"post": "委员", "seats": 1, "candidates": ["丙"]}


def test_R37_SH_siblings_not_covered_grandparents_are():
    sib = _avoid("shanghai", [{"a": "乙", "b": "丙", "relation": "siblings"}])
    assert sib["removed_for_avoidance"] == []
    grand = _avoid("shanghai", [{"a": "乙", "b": "丙", "relation": "祖孙"}])
    assert {r["name"] for r in grand["removed_for_avoidance"]} == {"乙", "丙"}
    assert {r["code"] for r in grand["removed_for_avoidance"]} == {"flag_for_committee"}
    assert elected_names(grand) == ["甲", "乙", "丙"]  # flagged, not removed


def test_R37_national_has_no_avoidance_rule():
    out = _avoid("national", [{"a": "甲", "b": "乙", "relation": "spouses"}])
    assert out["removed_for_avoidance"] == []
    assert elected_names(out) == ["甲", "乙", "丙"]


def test_R37_HA_lower_post_removed():
    out = _avoid("henan", [{"a": "甲", "b": "丙", "relation": "父母子女"}])
    assert [(r["name"], r["code"]) for r in out["removed_for_avoidance"]] == [("丙", "lower_post")]


# ---------------------------------------------------------------- R35 may remain vacant
@pytest.mark.parametrize(
    ("jurisdiction", "stage", "already", "inputs", "expected"),
    [
        pytest.param("national", "first", 0, {}, False, id="R35-first-round-must-hold-runoff"),
        pytest.param("zhejiang", "runoff", 2, {}, True, id="R35-ZJ-three-after-runoff"),  # 2 + 1 = 3
        pytest.param("zhejiang", "runoff", 1, {}, False, id="R35-ZJ-two-after-runoff"),
        pytest.param("shanghai", "first", 2, {}, True, id="R35-SH-three-after-first-round"),
        pytest.param("beijing", "runoff", 3, {}, False, id="R35-BJ-four-without-director"),
        pytest.param(
            "beijing", "runoff", 3, {"director_elected": True}, True, id="R35-BJ-four-with-director"
        ),
        pytest.param(
            "beijing", "runoff", 2, {"director_elected": True}, False, id="R35-BJ-three-is-not-over-three"
        ),
        pytest.param("henan", "runoff", 5, {}, None, id="R35-HA-not-stated"),
    ],
)
def test_R35_may_remain_vacant(jurisdiction, stage, already, inputs, expected):
    out = village(
        [
            {
                "post": "委员",
                "seats": 2,
                "candidates": cands("甲", "乙", "丙"),
                "votes": {"甲": 400, "乙": 10, "丙": 5},
            }
        ],
        returned=600,
        stage=stage,
        members_already_elected=already,
        config={"jurisdiction": jurisdiction},
        **inputs,
    )
    assert elected_names(out) == ["甲"]
    assert out["may_remain_vacant"] is expected


@pytest.mark.parametrize(
    ("jurisdiction", "stage", "already", "inputs", "may_remain", "runoff_candidates", "action"),
    [
        # 另行选举 leaves a seat empty but the committee is complete enough: no further round.
        pytest.param("national", "runoff", 2, {}, True, None, "meeting_may_leave_vacant", id="R35-national-3-after-runoff"),
        pytest.param("zhejiang", "runoff", 2, {}, True, None, "meeting_may_leave_vacant", id="R35-ZJ-3-after-runoff"),
        pytest.param("shanghai", "runoff", 2, {}, True, None, "meeting_may_leave_vacant", id="R35-SH-3-after-runoff"),
        pytest.param(
            "beijing", "runoff", 3, {"director_elected": True}, True, None, "meeting_may_leave_vacant",
            id="R35-BJ-4-and-director-after-runoff",
        ),
        # not complete enough (or the profile says nothing): another 另行选举 among the rest.
        pytest.param("zhejiang", "runoff", 1, {}, False, ["乙", "丙"], "runoff", id="R35-ZJ-2-after-runoff"),
        pytest.param("beijing", "runoff", 3, {}, False, ["乙", "丙"], "runoff", id="R35-BJ-no-director"),
        pytest.param("henan", "runoff", 5, {}, None, ["乙", "丙"], "runoff", id="R35-HA-not-stated"),
        # first vote: the 另行选举 is proposed; in Shanghai the meeting may instead leave it empty.
        pytest.param("national", "first", 2, {}, False, ["乙", "丙"], "runoff", id="R35-national-first-round"),
        pytest.param(
            "shanghai", "first", 2, {}, True, ["乙", "丙"], "runoff_or_leave_vacant", id="R35-SH-first-round-3"
        ),
    ],
)
def test_R35_shortfall_after_runoff(jurisdiction, stage, already, inputs, may_remain, runoff_candidates, action):
    out = village(
        [
            {
                "post": "委员",
                "seats": 2,
                "candidates": cands("甲", "乙", "丙"),
                # 另行选举 threshold 600/3 = 200 (R32), first round 301 (R27): only 甲 passes either
                "votes": {"甲": 400, "乙": 10, "丙": 5},
            }
        ],
        returned=600,
        stage=stage,
        members_already_elected=already,
        config={"jurisdiction": jurisdiction},
        **inputs,
    )
    assert elected_names(out) == ["甲"]
    assert out["unfilled"] == [{"post": "委员", "seats": 1}]
    assert out["may_remain_vacant"] is may_remain
    if runoff_candidates is None:
        assert out["runoff"] is None
    else:
        assert out["runoff"] == {"post": "委员", "seats": 1, "candidates": runoff_candidates}
    assert out["shortfall_action"] == action


# ---------------------------------------------------------------- R14 margins
@pytest.mark.parametrize(
    ("jurisdiction", "post", "seats", "n", "ok"),
    [
        pytest.param("national", "委员", 2, 2, False, id="R14-national-equal-fails"),
        pytest.param("national", "委员", 2, 3, True, id="R14-national-more-than-seats"),
        pytest.param("shanghai", "主任", 1, 3, False, id="R14-SH-director-exactly-plus-one"),
        pytest.param("shanghai", "主任", 1, 2, True, id="R14-SH-director-plus-one"),
        pytest.param("shanghai", "委员", 3, 6, True, id="R14-SH-member-plus-three"),
        pytest.param("beijing", "委员", 3, 6, False, id="R14-BJ-member-at-most-plus-two"),
        pytest.param("henan", "副主任", 1, 3, False, id="R14-HA-deputy-plus-one"),
    ],
)
def test_R14_margin(jurisdiction, post, seats, n, ok):
    names = ["甲", "乙", "丙", "丁", "戊", "己"][:n]
    out = village(
        [{"post": post, "seats": seats, "candidates": cands(*names), "votes": {"甲": 400}}],
        config={"jurisdiction": jurisdiction},
    )
    assert out["margin_ok"] is ok
    assert ("margin_not_met" in out["warnings"]) is (not ok)


def test_R48_residents_committee_village_analogy():
    out = village(
        [{"post": "主任", "seats": 1, "candidates": cands("甲", "乙"), "votes": {"甲": 400, "乙": 100}}],
        kind="residents_committee",
    )
    assert out["rule_basis"] == "village_analogy"
    assert elected_names(out) == ["甲"]


# ---------------------------------------------------------------- Party (R52–R61, R63)
@pytest.mark.parametrize(
    ("expected", "present", "config", "met"),
    [
        pytest.param(36, 29, {}, True, id="R52-29-of-36"),  # 29*5=145 > 36*4=144
        pytest.param(35, 28, {}, False, id="R52-exactly-4-5-fails"),  # 28*5=140 = 35*4
        pytest.param(35, 28, {"party.quorum_exact_4_5_ok": True}, True, id="R52-exactly-4-5-switch"),
    ],
)
def test_R52_quorum(expected, present, config, met):
    out = party(
        [{"post": "委员", "seats": 1, "candidates": cands("甲", "乙"), "votes": {"甲": present}}],
        expected=expected,
        present=present,
        config=config,
    )
    assert out["quorum_met"] is met
    assert out["election_valid"] is met
    assert out["reason"] == (None if met else "quorum_not_met")


@pytest.mark.parametrize(
    ("win_base", "threshold"),
    [
        pytest.param("present", 15, id="R58-base-present-29"),
        pytest.param("expected", 19, id="R58-base-expected-36"),
    ],
)
def test_R58_threshold_base(win_base, threshold):
    # present 29: 14*2=28 < 29, 15*2=30 > 29; expected 36: 18*2=36 not > 36, 19*2=38
    out = party(
        [
            {
                "post": "委员",
                "seats": 3,
                "candidates": cands("甲", "乙", "丙", "丁"),
                "votes": {"甲": 19, "乙": 18, "丙": 15, "丁": 14},
            }
        ],
        expected=36,
        present=29,
        config={"party.win_base": win_base},
    )
    assert out["participation_base"] == (29 if win_base == "present" else 36)
    assert out["threshold"] == threshold
    assert elected_names(out) == (["甲", "乙", "丙"] if win_base == "present" else ["甲"])
    assert out["shortfall_action"] == (None if win_base == "present" else "runoff_or_reduce_seats")


def test_R56_party_write_ins_need_an_against_and_a_mark():
    ballots = [
        {"id": "1", "approve": ["甲"], "oppose": ["乙"], "write_in": ["庚"]},
        {"id": "2", "approve": ["甲"], "write_in": ["庚"]},
        {"id": "3", "oppose": ["乙"], "write_in": ["庚"], "write_in_marked": False},
        {"id": "4", "approve": ["甲", "乙"]},
    ]
    out = party(
        [{"post": "委员", "seats": 2, "candidates": cands("甲", "乙", "丙"), "ballots": ballots}],
        expected=5,
        present=4,
    )
    assert out["tally"] == {"甲": 3, "乙": 1, "丙": 0, "庚": 1}
    assert [(w["ballot"], w["code"]) for w in out["ignored_write_ins"]] == [
        ("2", "no_opposition"),
        ("3", "unmarked_write_in"),
    ]
    assert out["valid_ballots"] == ["1", "2", "3", "4"]  # the rest of the ballot stays valid


def test_R57_party_over_selection_and_extra_mark_void():
    ballots = [
        {"id": "1", "approve": ["甲", "乙", "丙"]},
        {"id": "2", "approve": ["甲"], "extra_mark": True},
        {"id": "3", "approve": ["甲"]},
    ]
    out = party(
        [{"post": "委员", "seats": 2, "candidates": cands("甲", "乙", "丙"), "ballots": ballots}],
        expected=3,
        present=3,
    )
    assert [(b["id"], b["code"]) for b in out["invalid_ballots"]] == [
        ("1", "over_selection"),
        ("2", "extra_mark"),
    ]
    assert out["tally"]["甲"] == 1


def test_R57_party_returned_exceeds_issued():
    out = party(
        [{"post": "委员", "seats": 1, "candidates": cands("甲", "乙"), "votes": {"甲": 20}}],
        expected=30,
        present=30,
        returned=26,
        issued=25,
    )
    assert out["reason"] == "returned_exceeds_issued"


def test_R59_party_tie_for_last_seat():
    out = party(
        [
            {
                "post": "委员",
                "seats": 2,
                "candidates": cands("甲", "乙", "丙"),
                "votes": {"甲": 25, "乙": 20, "丙": 20},
            }
        ],
        expected=40,
        present=39,
    )
    assert out["threshold"] == 20  # 20*2 = 40 > 39
    assert elected_names(out) == ["甲"]
    assert out["tie_revote"] == {
        "post": "委员",
        "seats": 1,
        "candidates": ["乙", "丙"],
        "code": "tie",
    }  # 乙 1 stroke, 丙 5


def test_R60_party_runoff_keeps_the_majority_rule():
    out = party(
        [{"post": "委员", "seats": 1, "candidates": cands("甲", "乙"), "votes": {"甲": 15, "乙": 14}}],
        expected=30,
        present=30,
        stage="runoff",
    )
    # no 1/3 rule: 15*2 = 30 is not > 30
    assert out["threshold"] == 16
    assert out["elected"] == []
    assert out["shortfall_action"] == "runoff_or_reduce_seats"


def test_R61_plenary_quorum_base_and_uncontested():
    out = run_plenary({"votes": {"甲": 4}}, present=6)
    # quorum 4/5: 6*5=30 > 7*4=28; base = 7 members who should attend → 4*2 = 8 > 7
    assert out["quorum_met"] is True
    assert out["participation_base"] == 7
    assert out["threshold"] == 4
    assert elected_names(out) == ["甲"]
    assert out["margin_ok"] is True
    assert out["report_for_approval"] is True


def run_plenary(race, present):
    from huanjie.rules.engine import run_case

    return run_case(
        {
            "kind": "party_plenary",
            "inputs": {
                "committee_members": ["甲", "乙", "丙", "丁", "戊", "己", "庚"],
                "present": present,
                "ballots_issued": present,
                "ballots_returned": present,
                "races": [{"post": "书记", "seats": 1, "candidates": cands("甲"), **race}],
            },
        }
    )


def test_R61_plenary_quorum_not_met():
    out = run_plenary({"votes": {"甲": 5}}, present=5)  # 5*5 = 25 not > 28
    assert out["reason"] == "quorum_not_met"


def test_R61_plenary_write_in_must_be_member():
    out = run_plenary(
        {
            "ballots": [
                {"id": 1, "oppose": ["甲"], "write_in": ["外人"]},
                {"id": 2, "oppose": ["甲"], "write_in": ["乙"]},
            ]
            + [{"id": i, "approve": ["甲"]} for i in range(3, 7)]
        },
        present=6,
    )
    assert [(w["name"], w["code"]) for w in out["ignored_write_ins"]] == [("外人", "not_committee_member")]
    assert out["tally"] == {"甲": 4, "乙": 1}


@pytest.mark.parametrize(
    ("race", "tally", "ignored", "winners"),
    [
        pytest.param(
            {"votes": {"甲": 4}, "write_in_votes": {"外人": 2}},
            {"甲": 4},
            [("书记", "外人", 2)],
            ["甲"],  # 4*2 = 8 > 7 members who should attend
            id="R61-aggregate-write-in-non-member-ignored",
        ),
        pytest.param(
            {"votes": {"甲": 4}, "write_in_votes": {"乙": 1, "外人": 1}},
            {"甲": 4, "乙": 1},
            [("书记", "外人", 1)],
            ["甲"],
            id="R61-aggregate-member-write-in-counts",
        ),
        pytest.param(
            {"votes": {"甲": 3, "外人": 1}, "write_in_persons": [{"name": "外人"}], "write_in_votes": {"外人": 1}},
            {"甲": 3},
            [("书记", "外人", 2)],
            [],  # 3*2 = 6 is not > 7: the ignored votes do not help or void anything
            id="R61-aggregate-non-member-in-votes-and-write-ins-one-entry",
        ),
    ],
)
def test_R61_plenary_aggregate_write_in_for_non_member_is_ignored(race, tally, ignored, winners):
    # engine.md §1: a write-in for someone not on the new committee is ignored, not an error;
    # quorum 6 of 7 and base 7 (members who should attend) are unchanged by it.
    out = run_plenary(race, present=6)
    assert out["election_valid"] is True
    assert out["tally"] == tally
    assert [(w["post"], w["name"], w["votes"]) for w in out["ignored_write_ins"]] == ignored
    assert {w["code"] for w in out["ignored_write_ins"]} == {"not_committee_member"}
    assert all("不是本届委员会委员" in w["reason"] for w in out["ignored_write_ins"])
    assert elected_names(out) == winners


def test_R61_plenary_candidate_must_be_member():
    with pytest.raises(EngineError) as exc:
        run_plenary({"candidates": cands("外人"), "votes": {"外人": 5}}, present=6)
    assert exc.value.code == "not_committee_member"


@pytest.mark.parametrize(
    ("kind", "seats", "n", "ok"),
    [
        pytest.param("party_branch", 3, 4, True, id="R54-3-seats-4-candidates"),  # 1*5=5 >= 3
        pytest.param("party_branch", 5, 6, True, id="R54-5-seats-6-candidates"),  # 5 >= 5
        pytest.param("party_branch", 7, 8, False, id="R54-7-seats-8-fails"),  # 5 < 7
        pytest.param("party_branch", 7, 9, True, id="R54-7-seats-9"),  # 10 >= 7
        pytest.param("township_congress_delegates", 6, 7, False, id="R63-R64-6-seats-7-fails"),  # 5 < 6
        pytest.param("township_congress_delegates", 6, 8, True, id="R63-6-seats-8"),  # 10 >= 6
    ],
)
def test_R54_R63_margin(kind, seats, n, ok):
    names = [f"人{i}" for i in range(n)]
    out = party(
        [{"post": "委员", "seats": seats, "candidates": cands(*names), "votes": {names[0]: 10}}],
        expected=20,
        present=20,
        kind=kind,
    )
    assert out["margin_ok"] is ok


# ---------------------------------------------------------------- input errors
@pytest.mark.parametrize(
    ("race", "code"),
    [
        pytest.param({"votes": {"张玮": 10}}, "unknown_candidate", id="unknown-name-in-votes"),
        pytest.param({"votes": {"甲": -1}}, "negative_number", id="negative-votes"),
        pytest.param({"votes": {"甲": 601}}, "too_many_votes", id="more-votes-than-ballots"),
        pytest.param(
            {"votes": {"甲": 600, "乙": 1}}, "too_many_votes", id="more-votes-than-seats-allow"
        ),  # 601 > 600*1
        pytest.param({"ballots": [{"id": 1, "approve": ["甲"]}]}, "ballot_count_mismatch", id="ballot-count"),
        pytest.param({"votes": {"甲": 1}, "seats": 0}, "wrong_type", id="zero-seats"),
    ],
)
def test_input_errors(race, code):
    base = {"post": "主任", "seats": 1, "candidates": cands("甲", "乙")}
    base.update(race)
    with pytest.raises(EngineError) as exc:
        village([base])
    assert exc.value.code == code
    assert exc.value.path.startswith("inputs.races[0]")


def test_R39_declared_void_neither_wins_nor_stands_again():
    out = village(
        [
            {
                "post": "主任",
                "seats": 1,
                "candidates": cands("甲", "乙", "丙"),
                "votes": {"甲": 400, "乙": 100, "丙": 50},
            }
        ],
        declared_void=["甲"],
    )
    assert out["elected"] == []
    assert out["not_counted"][0]["code"] == "declared_void"
    assert out["runoff"]["candidates"] == ["乙", "丙"]


def test_R18_village_write_in_needs_no_opposition():
    out = _ballot_case([{"id": "1", "write_in": ["白云"]}], seats=1, registered=1)
    assert out["tally"]["白云"] == 1 and out["ignored_write_ins"] == []


def test_R3_no_float_and_no_true_division_in_the_rules():
    import ast
    from pathlib import Path

    root = Path(__file__).parents[1]
    for name in ("counting", "party", "people", "dates", "profiles", "policy", "recall", "engine", "errors"):
        tree = ast.parse((root / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            assert not isinstance(node, ast.Div), f"{name}.py:{node.lineno} uses /"
            assert not (isinstance(node, ast.Name) and node.id == "float"), (
                f"{name}.py:{node.lineno} uses float"
            )
            assert not (isinstance(node, ast.Constant) and isinstance(node.value, float)), (
                f"{name}.py:{node.lineno}"
            )


def test_declared_write_in_in_votes_is_accepted():
    out = village(
        [
            {
                "post": "主任",
                "seats": 1,
                "candidates": cands("甲", "乙"),
                "votes": {"甲": 100, "白云": 400},
                "write_in_persons": [{"name": "白云", "gender": "F"}],
            }
        ]
    )
    assert elected_names(out) == ["白云"]


def test_duplicate_ballot_id():
    with pytest.raises(EngineError) as exc:
        _ballot_case([{"id": "1"}, {"id": "1"}])
    assert exc.value.code == "duplicate_ballot_id"


# ---------------------------------------------------------------- dataclass API
def test_count_village_election_dataclasses_and_validate_ballot():
    race = Race(
        "委员",
        2,
        (Candidate("马力"), Candidate("田芳", "F"), Candidate("石磊")),
        ballots=(
            Ballot("1", ("马力", "田芳")),
            Ballot("2", ("马力", "田芳", "石磊")),
            Ballot("3", ("马力",), write_in=("白云",)),
            Ballot("4", ("田芳", "马力")),
            Ballot("5", ("马力", "石磊")),
            Ballot("6"),
            Ballot("7", ("石磊", "田芳")),
        ),
    )
    result = count_village_election(
        VoteCount(races=(race,), registered_voters=13, ballots_issued=7),
        get_profile("national", {"runoff.extra_candidates": 1}),
    )
    # ex03 worked by hand: base 7, threshold 4, 马力 (1,3,4,5) = 4
    assert result.threshold == 4
    assert result.elected == [{"name": "马力", "post": "委员", "votes": 4}]
    assert result.runoff == {"post": "委员", "seats": 1, "candidates": ["田芳", "石磊"]}
    check = validate_ballot(Ballot("2", ("马力", "田芳", "石磊")), [race])
    assert check["valid"] is False and check["invalid"][0]["code"] == "over_selection"
    sheet = Sheet(1, {"委员": Ballot(approve=("马力",))})
    assert validate_ballot(sheet, [race])["selections"] == {"委员": ["马力"]}
