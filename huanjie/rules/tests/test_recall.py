"""Recall (R42–R43), residents' committees (R45–R47), mobile boxes (R21, R12)."""

from __future__ import annotations

import pytest

from huanjie.rules import (
    EngineError,
    MobileBox,
    Nomination,
    RecallPetition,
    RecallVote,
    Relation,
    by_election_turnout,
    get_profile,
    mobile_boxes,
    nomination_ballot_valid,
    nomination_turnout,
    party_congress_possible,
    recall,
    representatives_meeting,
    residents_meeting,
    residents_nomination,
)


@pytest.mark.parametrize(
    ("petition", "ok"),
    [
        pytest.param(
            RecallPetition("a", villager_signatures=200), True, id="R42-exactly-one-fifth"
        ),  # 200*5 = 1000 >= 1000
        pytest.param(RecallPetition("b", villager_signatures=199), False, id="R42-below-one-fifth"),
        pytest.param(
            RecallPetition("c", rep_signatures=10), True, id="R42-exactly-one-third-of-reps"
        ),  # 10*3 = 30 >= 30
        pytest.param(RecallPetition("d", rep_signatures=9), False, id="R42-below-one-third-of-reps"),
        pytest.param(RecallPetition("e"), False, id="R42-no-signatures"),
    ],
)
def test_R42_petition(petition, ok):
    res = recall(1000, [petition], reps_total=30)
    assert res["petition_sufficient"] == {petition.id: ok}


@pytest.mark.parametrize(
    ("vote", "valid", "recalled"),
    [
        pytest.param(RecallVote("1", 501, 251), True, True, id="R43-251-of-501"),  # 1002 > 1000; 502 > 501
        pytest.param(RecallVote("2", 500, 400), False, False, id="R43-exactly-half-turnout"),
        pytest.param(RecallVote("3", 600, 300), True, False, id="R43-exactly-half-approve-fails"),
        pytest.param(
            RecallVote("4", 600, 400, ballots_issued=599), False, False, id="R43-R25-returned-over-issued"
        ),
    ],
)
def test_R43_recall_vote(vote, valid, recalled):
    res = recall(1000, votes=[vote])
    assert res["votes"][vote.id]["vote_valid"] is valid
    assert res["votes"][vote.id]["recalled"] is recalled


def test_R42_ZJ_deadlines():
    from datetime import date

    res = recall(
        1000,
        [RecallPetition("a", 300, filed=date(2026, 3, 1))],
        [RecallVote("v", 600, 200, previous_failed_on=date(2024, 2, 29))],
        profile=get_profile("zhejiang"),
    )
    assert res["vote_deadlines"] == {"a": "2026-03-31"}
    assert res["votes"]["v"]["barred_until"] == "2025-02-28"


def test_recall_errors():
    with pytest.raises(EngineError):
        recall(1000, votes=[RecallVote("x", 500, 501)])
    with pytest.raises(EngineError):
        recall(1000, [RecallPetition("a", rep_signatures=3)])


def test_R45_R46_residents_nomination():
    res = residents_nomination(
        2,
        [
            Nomination("甲", by_voters=10),
            Nomination("乙", by_voters=9),
            Nomination("丙", by_household_reps=5),
            Nomination("丁", by_group_reps=True),
        ],
        [4, 5, 9, 10],
    )
    assert res["valid_nominees"] == ["甲", "丙", "丁"]
    assert list(res["invalid_nominees"]) == ["乙"]
    assert res["size_valid"] == {"4": False, "5": True, "9": True, "10": False}
    assert res["uncontested_allowed"] is False
    ha = residents_nomination(
        2,
        [Nomination("甲", by_voters=10), Nomination("丙", by_household_reps=5)],
        [7, 8],
        get_profile("henan"),
    )
    assert ha["uncontested_allowed"] is True  # HAU Art. 9: nominees = seats
    assert ha["size_valid"] == {"7": True, "8": False}  # HAU Art. 7: 5–7


@pytest.mark.parametrize(
    ("members", "present", "yes", "quorum", "adopted"),
    [
        pytest.param(100, 51, 26, True, True, id="R47-51-of-100-26-yes"),
        pytest.param(100, 50, 50, False, False, id="R47-exactly-half-present"),
        pytest.param(100, 60, 30, True, False, id="R47-exactly-half-of-present"),
    ],
)
def test_R47_residents_meeting(members, present, yes, quorum, adopted):
    assert residents_meeting(members, present, yes) == {"quorum_met": quorum, "adopted": adopted}


def test_R21_mobile_boxes_zhejiang():
    boxes = [
        MobileBox("1", True, True, 3),
        MobileBox("2", False, True, 3),
        MobileBox("3", True, True, 2),
        MobileBox("4", True, True, ("甲", "乙", "丙")),
    ]
    res = mobile_boxes(
        boxes, get_profile("zhejiang"), candidates=["丁"], relations=[Relation("乙", "丁", "夫妻")]
    )
    assert res["compliant"] == {"1": True, "2": False, "3": False, "4": False}
    assert "监票人乙" in res["reasons"]["4"]
    assert res["reasons"]["1"] == "符合规定"


def test_R21_national_has_no_box_rule_but_BJ_needs_three():
    assert mobile_boxes([MobileBox("1", scrutineers=1)])["compliant"] == {"1": True}
    assert mobile_boxes([MobileBox("1", scrutineers=2)], get_profile("beijing"))["compliant"] == {"1": False}


@pytest.mark.parametrize(
    ("members", "present", "yes", "quorum", "adopted"),
    [
        pytest.param(30, 20, 11, True, True, id="R38-exactly-two-thirds-present"),  # 20*3 = 60 >= 30*2
        pytest.param(30, 19, 19, False, False, id="R38-below-two-thirds"),  # 57 < 60
        pytest.param(30, 20, 10, True, False, id="R38-exactly-half-of-present-fails"),  # 10*2 = 20 not > 20
    ],
)
def test_R38_representatives_meeting(members, present, yes, quorum, adopted):
    res = representatives_meeting(members, present, yes)
    assert (res["quorum_met"], res["adopted"]) == (quorum, adopted)


def test_R38_make_up():
    # 30 members: representatives 24*5 = 120 >= 30*4; women 10*3 = 30 >= 30; 9*3 = 27 < 30
    assert representatives_meeting(30, 30, 16, representatives=24, women=10)["women_ok"] is True
    res = representatives_meeting(30, 30, 16, representatives=23, women=9)
    assert (res["representatives_ok"], res["women_ok"]) == (False, False)


@pytest.mark.parametrize(
    ("registered", "participated", "ok"),
    [
        pytest.param(1000, 500, False, id="R13-exactly-half-nominating-fails"),
        pytest.param(1000, 501, True, id="R13-over-half"),
    ],
)
def test_R13_nomination_turnout(registered, participated, ok):
    assert nomination_turnout(registered, participated) is ok


def test_R13_ZJ_nominate_no_more_than_seats():
    assert nomination_ballot_valid(3, 3) is True
    assert nomination_ballot_valid(4, 3) is False


@pytest.mark.parametrize(
    ("body", "members", "voted", "ok"),
    [
        pytest.param("assembly", 100, 50, False, id="R44-ZJ-assembly-exactly-half"),
        pytest.param("assembly", 100, 51, True, id="R44-ZJ-assembly-over-half"),
        pytest.param("representatives", 30, 20, True, id="R44-ZJ-reps-exactly-two-thirds"),
        pytest.param("representatives", 30, 19, False, id="R44-ZJ-reps-below-two-thirds"),
    ],
)
def test_R44_by_election_turnout(body, members, voted, ok):
    assert by_election_turnout(body, members, voted) is ok


@pytest.mark.parametrize(
    ("members", "ok"),
    [pytest.param(499, False, id="R50-499"), pytest.param(500, True, id="R50-500-included")],
)
def test_R50_congress_possible(members, ok):
    assert party_congress_possible(members) is ok
