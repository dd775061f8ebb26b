"""Campaign policy P1–P13 (policy.md), defaults from seed 004."""

from __future__ import annotations

from datetime import date

import pytest

from huanjie.rules import (
    DEFAULT_POLICY,
    AgeException,
    EngineError,
    NegativeFinding,
    PolicyCandidate,
    campaign_targets,
    candidate_policy_decisions,
    get_policy,
    initial_candidates_minimum,
    policy_age,
    team_checks,
)

D = date.fromisoformat
CUT = D("2021-01-01")


@pytest.mark.parametrize(
    ("birth", "age"),
    [
        pytest.param("1960-12-31", 60, id="P1-born-1960-12-31-is-60"),
        pytest.param("1961-01-01", 59, id="P1-born-1961-01-01-is-59"),  # "1961年1月1日前出生" = 60 or over
        pytest.param("1975-01-01", 45, id="P1-born-1975-01-01-not-over-45"),
        pytest.param("1974-12-31", 46, id="P1-born-1974-12-31-over-45"),
    ],
)
def test_P1_age_at_cutoff(birth, age):
    assert policy_age(D(birth), CUT) == age


def _one(**kw):
    kw.setdefault("gender", "M")
    return candidate_policy_decisions([PolicyCandidate(**kw)], CUT)[0]


def _codes(decision):
    return [r["code"] for r in decision.refusals], [w["code"] for w in decision.warnings]


@pytest.mark.parametrize(
    ("kw", "refusals", "warnings"),
    [
        pytest.param(
            {"post": "书记", "birth_date": D("1960-12-31")}, ["P2-head-age"], [], id="P2-man-60-not-nominated"
        ),
        pytest.param({"post": "书记", "birth_date": D("1961-01-01")}, [], [], id="P2-man-59-ok"),
        pytest.param(
            {"post": "主任", "gender": "F", "birth_date": D("1965-12-31")},
            ["P2-head-age"],
            [],
            id="P2-woman-55",
        ),
        pytest.param(
            {"post": "主任", "gender": "F", "birth_date": D("1966-01-01")}, [], [], id="P2-woman-54"
        ),
        pytest.param(
            {
                "post": "书记",
                "birth_date": D("1958-06-01"),
                "age_exception": AgeException("表现优秀", "县委组织部"),
            },
            [],
            ["P2-head-age-exception"],
            id="P2-serving-secretary-exception",
        ),
        pytest.param(
            {"post": "主任", "birth_date": D("1975-01-01"), "new_to_post": True},
            [],
            [],
            id="P2-new-head-45-ok",
        ),
        pytest.param(
            {"post": "主任", "birth_date": D("1974-12-31"), "new_to_post": True},
            ["P2-new-head-age"],
            [],
            id="P2-new-head-46",
        ),
        pytest.param({"post": "副主任", "birth_date": D("1965-01-01")}, [], [], id="P2-deputy-man-55-ok"),
        pytest.param(
            {"post": "副书记", "birth_date": D("1964-12-31")}, ["P2-deputy-age"], [], id="P2-deputy-man-56"
        ),
        pytest.param(
            {"post": "副主任", "gender": "F", "birth_date": D("1970-01-01")},
            [],
            [],
            id="P2-deputy-woman-50-ok",
        ),
        pytest.param(
            {"post": "副主任", "gender": "F", "birth_date": D("1969-12-31")},
            ["P2-deputy-age"],
            [],
            id="P2-deputy-woman-51",
        ),
        pytest.param(
            {"post": "委员", "birth_date": D("1970-01-01"), "new_to_team": True, "education": "71"},
            [],
            ["P2-newcomer-age", "P2-newcomer-education"],
            id="P2-newcomer-51-junior-high-warnings",
        ),
        pytest.param(
            {"post": "委员", "birth_date": D("1990-01-01"), "new_to_team": True, "education": "41"},
            [],
            [],
            id="P2-newcomer-ok",
        ),
        pytest.param({"post": "委员"}, ["P1-age-unknown"], [], id="P1-no-birth-date"),
        pytest.param(
            {
                "post": "委员",
                "birth_date": D("1980-01-01"),
                "negative_items": (NegativeFinding("N03", "公安局"),),
            },
            ["P3-negative-item"],
            [],
            id="P3-confirmed-item",
        ),
        pytest.param(
            {
                "post": "委员",
                "birth_date": D("1980-01-01"),
                "negative_items": (NegativeFinding("N03", "公安局", confirmed=False),),
            },
            [],
            ["P3-negative-item-unconfirmed"],
            id="P3-unconfirmed-item",
        ),
        pytest.param(
            {
                "post": "主任",
                "birth_date": D("1980-01-01"),
                "current_post": "委员",
                "sanction_in_effect": True,
            },
            ["P4-sanction-higher-post"],
            [],
            id="P4-higher-post-refused",
        ),
        pytest.param(
            {
                "post": "委员",
                "birth_date": D("1980-01-01"),
                "current_post": "委员",
                "sanction_in_effect": True,
            },
            [],
            [],
            id="P4-same-post-ok",
        ),
        pytest.param(
            {"post": "监委会委员", "birth_date": D("1980-01-01"), "roles": ("会计",)},
            ["P6-incompatible-post"],
            [],
            id="P6-accountant-on-supervision",
        ),
    ],
)
def test_P1_to_P6_per_candidate(kw, refusals, warnings):
    decision = _one(name="甲", **kw)
    assert _codes(decision) == (refusals, warnings)
    assert decision.ok is (not refusals)


def test_P3_refusal_names_item_and_department():
    d = _one(
        name="甲", post="委员", birth_date=D("1980-01-01"), negative_items=(NegativeFinding("N10", "县纪委"),)
    )
    assert "N10" in d.refusals[0]["reason"] and "县纪委" in d.refusals[0]["reason"]
    with pytest.raises(EngineError):
        _one(name="甲", post="委员", birth_date=D("1980-01-01"), negative_items=(NegativeFinding("N99"),))


def test_P5_relatives_may_not_both_be_nominated_and_P6_relative_of_committee_member():
    people = [
        PolicyCandidate("甲", "主任", "M", birth_date=D("1980-01-01"), relations=(("乙", "外孙子女"),)),
        PolicyCandidate("乙", "委员", "F", birth_date=D("1990-01-01")),
        PolicyCandidate("丙", "监委会主任", "M", birth_date=D("1985-01-01"), relations=(("甲", "兄弟姐妹"),)),
    ]
    decisions = candidate_policy_decisions(people, CUT)
    assert [r["code"] for r in decisions[0].refusals] == ["P5-relatives", "P5-relatives"]
    assert [r["code"] for r in decisions[1].refusals] == ["P5-relatives"]
    assert "P6-relative-of-committee-member" in [r["code"] for r in decisions[2].refusals]
    narrow = candidate_policy_decisions(people[:2], CUT, get_policy({"avoidance_relations": ["spouses"]}))
    assert all(d.ok for d in narrow)


@pytest.mark.parametrize(
    ("seats", "minimum", "policy"),
    [
        pytest.param(3, 5, {}, id="P7-3-seats-half-up-5"),  # 4.5 → 5
        pytest.param(5, 8, {}, id="P7-5-seats-half-up-8"),  # 7.5 → 8
        pytest.param(4, 6, {}, id="P7-4-seats-6"),
        pytest.param(5, 7, {"initial_candidates_table": {"5": 7}}, id="P7-explicit-table"),
        pytest.param(5, 7, {"initial_candidates_rounding": "down"}, id="P7-round-down"),
    ],
)
def test_P7_initial_candidates(seats, minimum, policy):
    assert initial_candidates_minimum(seats, get_policy(policy)) == minimum


@pytest.mark.parametrize(
    ("seats", "cands", "met", "law_note"),
    [
        pytest.param(5, 6, True, False, id="P8-5-seats-plus-one"),  # R54: 1*5 >= 5
        pytest.param(7, 8, False, True, id="P8-R54-7-seats-need-9"),  # policy 8, law 9
        pytest.param(7, 9, True, True, id="P8-R54-7-seats-9"),
    ],
)
def test_P8_preliminary_law_wins(seats, cands, met, law_note):
    checks = team_checks(
        [], CUT, candidate_counts=[{"stage": "preliminary", "seats": seats, "candidates": cands}]
    )
    assert checks[0]["code"] == "P8-preliminary-candidates"
    assert checks[0]["met"] is met
    assert ("R54" in checks[0]["reason"]) is law_note


def test_P9_township_margin():
    checks = team_checks([], CUT, candidate_counts=[{"stage": "township", "seats": 31, "candidates": 37}])
    assert checks[0]["met"] is False  # (37-31)*5 = 30 < 31; needs 31 + 7 = 38


@pytest.mark.parametrize(
    ("population", "paid", "reason", "met"),
    [
        pytest.param(999, 4, None, True, id="P10-under-1000-4"),
        pytest.param(999, 5, None, False, id="P10-under-1000-5"),
        pytest.param(1000, 4, None, True, id="P10-1000-is-middle-band"),
        pytest.param(2000, 6, None, False, id="P10-2000-max-5"),
        pytest.param(2001, 6, None, True, id="P10-over-2000-6"),
        pytest.param(2500, 7, None, False, id="P10-7-without-reason"),
        pytest.param(2500, 7, "集体经济规模大", True, id="P10-7-with-written-reason"),
    ],
)
def test_P10_paid_posts(population, paid, reason, met):
    checks = team_checks([], CUT, population=population, paid_posts=paid, team_size_reason=reason)
    assert checks == [{"code": "P10-paid-posts", "met": met, "reason": checks[0]["reason"]}]


def test_P11_P12_structure_targets():
    people = [
        PolicyCandidate("甲", "书记", "M", birth_date=D("1980-01-01"), education="21"),
        PolicyCandidate("甲", "主任", "M", birth_date=D("1980-01-01"), education="21"),
        PolicyCandidate("乙", "委员", "F", birth_date=D("1986-01-01"), education="31"),  # 34 at cut-off, 大专
        PolicyCandidate("丙", "委员", "M", birth_date=D("1970-01-01"), education="61"),
    ]
    checks = {
        c["code"]: c["met"]
        for c in team_checks(people, CUT, team_size=5, previous_term={"women": 0, "members": 3})
    }
    assert checks["P10-team-total"] is True
    assert checks["P11-young-college"] is True
    assert checks["P11-woman-on-committee"] is True
    assert checks["P11-women-share"] is True  # 1 of 3: 1*10 = 10 >= 3*3 = 9
    assert checks["P11-women-share-up"] is True  # 1/3 > 0/3
    assert checks["P12-one-shoulder"] is True


def test_P11_targets_not_met():
    people = [PolicyCandidate("丙", "委员", "M", birth_date=D("1970-01-01"), education="61")] * 1 + [
        PolicyCandidate("丁", "委员", "M", birth_date=D("1990-01-01"), education="61")
    ]
    checks = {c["code"]: c["met"] for c in team_checks(people, CUT)}
    assert checks == {"P11-young-college": False, "P11-woman-on-committee": False, "P11-women-share": False}


def test_P13_campaign_targets():
    secretaries = [
        {"age": 50, "education": "31", "rich_leader": True},
        {"age": 40, "education": "61"},
        {"age": 45, "education": "71"},
    ]
    checks = {
        c["code"]: c["met"]
        for c in campaign_targets(secretaries, {"rich_leader": 0, "count": 3, "average_age_x100": 5000})
    }
    assert checks["P13-secretary-college"] is True  # 1*10 = 10 >= 3*3 = 9
    assert checks["P13-rich-leader-up"] is True  # 1/3 - 0 = 33 points >= 10
    assert checks["P13-average-age-down"] is True  # mean 45 <= 50 - 4


def test_policy_defaults_and_unknown_key():
    assert DEFAULT_POLICY["head_age_limit"] == {"M": 60, "F": 55}
    assert DEFAULT_POLICY.as_dict()["negative_list"][0]["code"] == "N01"
    assert len(DEFAULT_POLICY["negative_list"]) == 10
    with pytest.raises(EngineError) as exc:
        get_policy({"head_age": 60})
    assert exc.value.code == "unknown_policy_key"
    with pytest.raises(EngineError):
        get_policy({"head_age_severity": "maybe"})


def test_P10_reason_reads_as_a_sentence_for_an_open_band():
    """The issue: "应为—至6人" for the band over 2,000 people that sets only a maximum."""
    over = team_checks([], CUT, population=2500, paid_posts=7)[0]["reason"]
    assert over == "人口2500人，定工干部职数7人，应不超过6人" and "—" not in over
    middle = team_checks([], CUT, population=1500, paid_posts=6)[0]["reason"]
    assert middle.endswith("应为4至5人")
