"""Party attendance and quorum (R49–R52), credentials (R65), congress size (R62–R63)."""

from __future__ import annotations

import pytest

from huanjie.rules import (
    DelegateRecord,
    EngineError,
    Exclusion,
    congress_size,
    credentials,
    get_profile,
    party_attendance,
)
from huanjie.rules.party import match_situation


def test_R49_R51_R52_worked_example():
    res = party_attendance(
        29,
        members_total=45,
        probationary=5,
        on_probation_discipline=1,
        rights_suspended=1,
        excluded_with_approval=[
            Exclusion("党员甲", "年老体弱卧床不起"),
            Exclusion("党员乙", "自费出国半年以上"),
        ],
        absent_not_excluded=[Exclusion("党员丙", "外出务工")],
    )
    assert res.with_vote == 38  # 45-5-1-1
    assert res.expected_attendance == 36  # 38-2; 党员丙 stays in
    assert res.quorum_met is True  # 29*5=145 > 36*4=144
    assert res.election_may_proceed is True
    assert [s["who"] for s in res.stays_in_count] == ["党员丙"]


@pytest.mark.parametrize(
    ("present", "config", "met"),
    [
        pytest.param(29, {}, True, id="R52-145-over-144"),
        pytest.param(28, {}, False, id="R52-exactly-4-5-fails"),  # 28*5=140 vs 35*4=140 (expected 35)
        pytest.param(28, {"party.quorum_exact_4_5_ok": True}, True, id="R52-exactly-4-5-switch-on"),
    ],
)
def test_R52_quorum_boundary(present, config, met):
    res = party_attendance(
        present, expected_attendance=35 if present == 28 else 36, profile=get_profile("national", config)
    )
    assert res.quorum_met is met
    assert res.election_may_proceed is met


@pytest.mark.parametrize(
    ("situation", "code"),
    [
        pytest.param("年老体弱卧床不起", "elderly_infirm", id="R51-elderly"),
        pytest.param(
            "患有精神病或其他疾病，导致不能表达本人意志", "mental_illness", id="R51-mental-illness-text"
        ),
        pytest.param("患有精神病不能表达意志", None, id="R51-paraphrase-not-guessed"),
        pytest.param("abroad_self_funded", "abroad_self_funded", id="R51-code"),
        pytest.param("外出务工", None, id="R51-migrant-work-stays"),
        pytest.param("出国", None, id="R51-too-short-to-match"),
        pytest.param("离退休已回原籍长期居住的", None, id="R51-WBK-not-in-default-list"),
    ],
)
def test_R51_situation_matching(situation, code):
    assert match_situation(situation, get_profile()["party.exclusion_situations"]) == code


def test_R51_unlisted_or_unapproved_situations_stay_in_count():
    res = party_attendance(
        30,
        members_total=40,
        excluded_with_approval=[
            Exclusion("甲", "外出经商"),
            Exclusion("乙", "自费出国半年以上", higher_approved=False),
            Exclusion("丙", "正在服刑"),
        ],
    )
    assert res.expected_attendance == 39  # only 丙 (serving a sentence) is left out
    assert [s["code"] for s in res.stays_in_count] == ["situation_not_listed", "not_approved"]


def test_R51_WBK_list_does_not_subtract_twice():
    profile = get_profile(
        "national", {"party.exclusion_situations": ["retired_returned_home", "on_probation_discipline"]}
    )
    res = party_attendance(
        20,
        members_total=25,
        on_probation_discipline=1,
        excluded_with_approval=[Exclusion("甲", "离退休已回原籍长期居住"), Exclusion("乙", "在留党察看期间")],
        profile=profile,
    )
    assert res.with_vote == 24
    assert res.expected_attendance == 23  # 乙 already outside with_vote
    assert res.stays_in_count[0]["code"] == "already_without_vote"


def test_attendance_errors():
    with pytest.raises(EngineError) as exc:
        party_attendance(10, members_total=5, probationary=6)
    assert exc.value.code == "inconsistent_counts"
    with pytest.raises(EngineError):
        party_attendance(41, members_total=40)


@pytest.mark.parametrize(
    ("record", "status"),
    [
        pytest.param(
            DelegateRecord("甲", "一支部", 30, 25, "formal"), "confirmed", id="R65-confirmed"
        ),  # 125 > 120
        pytest.param(
            DelegateRecord("乙", "二支部", 30, 24, "formal"), "unit_must_re_elect", id="R65-R52-quorum-fails"
        ),  # 120 = 120
        pytest.param(
            DelegateRecord("丙", "一支部", 30, 25, "预备党员"), "unit_must_replace", id="R65-R49-probationary"
        ),
        pytest.param(
            DelegateRecord("丁", "一支部", 30, 25, "formal", votes=12),
            "unit_must_re_elect",
            id="R65-R58-votes-not-over-half",
        ),  # 12*2=24 < 25
        pytest.param(
            DelegateRecord("戊", "一支部", 30, 25, "formal", votes=13), "confirmed", id="R65-R58-13-of-25"
        ),  # 26 > 25
        pytest.param(
            DelegateRecord("己", "一支部", 30, 25, "formal", unit_seats=6, unit_candidates=7),
            "unit_must_re_elect",
            id="R65-R63-margin",
        ),  # 5 < 6
        pytest.param(
            DelegateRecord("庚", "一支部", 30, 25, "formal", ballots_issued=25, ballots_returned=26),
            "unit_must_re_elect",
            id="R65-R57-returned-over-issued",
        ),
    ],
)
def test_R65_credentials(record, status):
    assert credentials([record])[0]["status"] == status


def test_R65_unknown_status_is_an_error():
    with pytest.raises(EngineError):
        credentials([DelegateRecord("甲", "一支部", 30, 25, "群众")])


@pytest.mark.parametrize(
    ("planned", "size_ok", "normal"),
    [
        pytest.param(150, True, True, id="R62-150"),
        pytest.param(250, True, False, id="R62-250-allowed-not-normal"),
        pytest.param(300, True, False, id="R62-300-at-most"),
        pytest.param(301, False, False, id="R62-301-too-many"),
    ],
)
def test_R62_congress_size(planned, size_ok, normal):
    res = congress_size(planned, {"一": planned}, {"一": planned + planned // 5 + 1})
    assert res["size_ok"] is size_ok
    assert res["size_normal"] is normal


def test_R63_margin_by_unit():
    res = congress_size(12, {"一": 5, "二": 7}, {"一": 6, "二": 8})
    # 一: (6-5)*5=5 >= 5; 二: (8-7)*5=5 < 7, needs 7 + ceil(7/5) = 9
    assert res["margin_by_unit"] == {"一": True, "二": False}
    assert res["margin_ok"] is False
    assert res["min_candidates_by_unit"] == {"一": 6, "二": 9}
    assert res["unit_seats_match"] is True


def test_member_dates_counted_as_R5_and_never_overflowing():
    from datetime import date

    from huanjie.rules.party import member_dates_problems

    today = date(2026, 11, 30)
    assert member_dates_problems(date(1990, 6, 15), date(2008, 6, 15), None, today) == {}
    assert "未满十八周岁" in member_dates_problems(date(1990, 6, 15), date(2008, 6, 14), None, today)["joined_on"]
    # a careless birth date far in the future is a problem of the join date, not a crash
    assert "未满十八周岁" in member_dates_problems(date(9999, 12, 31), date(2020, 7, 1), None, today)["joined_on"]
    assert member_dates_problems(None, date(2020, 7, 1), date(2027, 7, 1), today, formal=False) == {}
    assert "晚于今天" in member_dates_problems(None, date(2020, 7, 1), date(2027, 7, 1), today)["formal_on"]


def test_exclusion_dates_problems_names_each_date_that_cannot_have_happened():
    from datetime import date

    from huanjie.rules.party import exclusion_dates_problems

    today, day = date(2026, 11, 30), date(2026, 11, 27)
    assert exclusion_dates_problems(date(2026, 11, 20), day, day, today) == {}
    assert exclusion_dates_problems(None, None, day, today) == {}
    assert exclusion_dates_problems(date(2026, 12, 1), date(2026, 11, 28), day, today) == {
        "township_agreed_on": "乡镇党委同意日期 2026-12-01 晚于今天",
        "assembly_approved_on": "党员大会通过日期 2026-11-28 晚于党员大会之日"}
    # an assembly still ahead: its approval cannot be recorded before it has met (after today)
    assert exclusion_dates_problems(None, date(2026, 12, 3), date(2026, 12, 5), today) == {
        "assembly_approved_on": "党员大会通过日期 2026-12-03 晚于今天"}
