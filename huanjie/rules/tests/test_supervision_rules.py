"""The 村务监督委员会's meeting and count (R71, R38) and its incompatibilities (P6).

Expected values worked out by hand from VCL Arts. 22, 26 (rules.md R38) and seed 004 §二(二)3."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huanjie.rules import (
    EngineError,
    Meeting,
    PolicyCandidate,
    candidate_policy_decisions,
    meeting_quorum,
    villagers_meeting,
)
from huanjie.rules.counting import Candidate, Race, VoteCount, count_vote
from huanjie.rules.engine import run_case


@pytest.mark.parametrize(
    ("adults", "present", "households", "came", "quorum"),
    [
        pytest.param(600, 300, None, None, False, id="R71-exactly-half-of-villagers-fails"),
        pytest.param(600, 301, None, None, True, id="R71-over-half-of-villagers"),
        pytest.param(600, 250, 300, 200, True, id="R71-exactly-two-thirds-of-households"),
        pytest.param(600, 250, 300, 199, False, id="R71-just-under-two-thirds-of-households"),
    ],
)
def test_R71_villagers_meeting_quorum(adults, present, households, came, quorum):
    res = villagers_meeting(adults, present, households=households, households_present=came)
    assert res["quorum_met"] is quorum


def test_R71_decision_by_more_than_half_of_those_present():
    assert villagers_meeting(600, 301, in_favour=151)["adopted"] is True
    assert villagers_meeting(600, 302, in_favour=151)["adopted"] is False  # exactly half
    with pytest.raises(EngineError) as exc:
        villagers_meeting(600, 601)
    assert "多于" in exc.value.message


@given(st.integers(1, 5000), st.integers(0, 5000))
def test_R71_quorum_is_integer_over_half(adults, present):
    present = min(present, adults)
    assert villagers_meeting(adults, present)["quorum_met"] is (present * 2 > adults)


def test_meeting_quorum_says_the_arithmetic():
    reps = meeting_quorum(Meeting("representatives_meeting", 45, 30))
    assert reps["quorum_met"] is True and reps["rule"] == "R38"
    assert "30×3=90 ≥ 45×2=90" in reps["text"]
    short = meeting_quorum(Meeting("representatives_meeting", 45, 29))
    assert short["quorum_met"] is False and "不足三分之二" in short["text"]
    vm = meeting_quorum(Meeting("villagers_meeting", 600, 300))
    assert vm["quorum_met"] is False and vm["rule"] == "R71" and "300×2=600 ≤ 600" in vm["text"]
    with pytest.raises(EngineError):
        meeting_quorum(Meeting("party", 10, 9))


def _vote(present, returned, votes, members=45, body="representatives_meeting"):
    race = Race(post="委员", seats=2, candidates=(Candidate("甲"), Candidate("乙"), Candidate("丙")), votes=votes)
    return VoteCount(kind="village_supervision", races=(race,), ballots_issued=returned, ballots_returned=returned,
                     meeting=Meeting(body, members, present))


def test_supervision_count_base_is_those_present():
    # 30 of 45 present (30*3 = 90 >= 90): base 30, 过半数 = 16; 甲 16 and 乙 15 of 30 ballots.
    res = count_vote(_vote(30, 30, {"甲": 16, "乙": 15, "丙": 14}))
    assert res.election_valid and res.participation_base == 30 and res.threshold == 16
    assert [e["name"] for e in res.elected] == ["甲"]
    assert res.unfilled == [{"post": "委员", "seats": 1}]


def test_supervision_count_refused_without_quorum_or_meeting():
    res = count_vote(_vote(29, 29, {"甲": 20, "乙": 20, "丙": 0}))
    assert res.election_valid is False and res.reason == "quorum_not_met" and res.quorum_met is False
    with pytest.raises(EngineError):
        count_vote(_vote(30, 31, {"甲": 20, "乙": 20, "丙": 0}))  # more ballots than people present
    race = Race(post="委员", seats=1, candidates=(Candidate("甲"),), votes={"甲": 3})
    with pytest.raises(EngineError) as exc:
        count_vote(VoteCount(kind="village_supervision", races=(race,), ballots_returned=3))
    assert exc.value.path == "inputs.meeting"


def test_supervision_count_through_the_json_engine():
    out = run_case({
        "kind": "village_supervision",
        "jurisdiction": "national",
        "inputs": {
            "meeting": {"body": "villagers_meeting", "members": 600, "present": 250, "households": 300,
                        "households_present": 210},
            "ballots_returned": 250,
            "races": [{"post": "主任", "seats": 1, "candidates": [{"name": "甲"}], "votes": {"甲": 126}}],
        },
    })
    assert out["election_valid"] is True and out["participation_base"] == 250
    assert out["elected"] == [{"name": "甲", "post": "主任", "votes": 126}]


CUT = dt.date(2027, 1, 1)


def _p6(name, **kw):
    kw.setdefault("birth_date", dt.date(1980, 1, 1))
    d = candidate_policy_decisions([PolicyCandidate(name, "监委会委员", body="supervision", **kw)], CUT)[0]
    return [r["code"] for r in d.refusals], [r["reason"] for r in d.refusals]


@pytest.mark.parametrize(
    ("roles", "code", "words"),
    [
        (("accountant",), "P6-incompatible-post", "村会计（报账员）"),
        (("报账员",), "P6-incompatible-post", "村会计（报账员）"),
        (("clerk",), "P6-incompatible-post", "村文书"),
        (("collective_head",), "P6-incompatible-post", "村集体经济组织负责人"),
        (("appointed",), "P6-appointed", "委派"),
    ],
)
def test_P6_supervision_incompatible_roles(roles, code, words):
    codes, reasons = _p6("甲", roles=roles)
    assert codes == [code] and words in reasons[0]


def test_P6_villagers_committee_member_and_relative():
    d = candidate_policy_decisions(
        [PolicyCandidate("丙", "监委会委员", body="supervision", birth_date=dt.date(1980, 1, 1),
                         relations=(("张主任", "spouses"),)),
         PolicyCandidate("张主任", "监委会主任", body="supervision", birth_date=dt.date(1970, 1, 1))],
        CUT, villagers_committee_members=["张主任"])
    p6 = [r for r in d[0].refusals if r["code"].startswith("P6")]
    assert [r["code"] for r in p6] == ["P6-relative-of-committee-member"]
    assert "张主任" in p6[0]["reason"] and "夫妻" in p6[0]["reason"]
    assert [r["code"] for r in d[1].refusals if r["code"].startswith("P6")] == ["P6-incompatible-post"]
    assert _p6("丁") == ([], [])
