"""Dates: age on the election day (R5), periods (R2, R4) and the calendar (R10 R15 R16 R20 R34 R41)."""

from __future__ import annotations

from datetime import date

import pytest

from huanjie.rules import (
    EngineError,
    add_months,
    add_years,
    age_on,
    election_calendar,
    get_profile,
    is_of_age,
    parse_date,
)
from huanjie.rules.dates import next_working_day, within_days_after

D = date.fromisoformat


@pytest.mark.parametrize(
    ("birth", "election", "adult"),
    [
        pytest.param("2008-05-10", "2026-05-10", True, id="R5-18th-birthday-on-election-day"),
        pytest.param("2008-05-11", "2026-05-10", False, id="R5-born-one-day-later"),
        pytest.param("2008-02-29", "2026-02-28", True, id="R5-29-feb-birthday-on-28-feb"),
        pytest.param("2008-02-29", "2026-02-27", False, id="R5-29-feb-day-before"),
        pytest.param("2008-02-29", "2026-03-01", True, id="R5-29-feb-after"),
    ],
)
def test_R5_age_on_election_day(birth, election, adult):
    assert is_of_age(D(birth), D(election)) is adult


def test_R5_age_on_values():
    assert age_on(D("2000-02-29"), D("2024-02-28")) == 23  # leap year: the birthday is 29 Feb
    assert age_on(D("2000-02-29"), D("2024-02-29")) == 24
    assert age_on(D("2000-02-29"), D("2023-02-28")) == 23
    assert age_on(D("2026-01-02"), D("2026-01-01")) == -1


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        pytest.param("2026-01-31", 1, "2026-02-28", id="R4-CC202-month-end"),
        pytest.param("2024-01-31", 1, "2024-02-29", id="R4-CC202-leap"),
        pytest.param("2025-12-15", 2, "2026-02-15", id="R4-across-year"),
    ],
)
def test_R4_add_months(start, months, end):
    assert add_months(D(start), months) == D(end)


def test_R2_one_year_includes_the_day():
    assert add_years(D("2024-02-29"), 1) == D("2025-02-28")
    assert add_years(D("2025-05-10"), 1) == D("2026-05-10")


def test_R4_within_days_and_holiday_extension():
    assert within_days_after(D("2026-04-21"), 5) == D("2026-04-26")  # CC 201: counting starts next day
    # 2026-04-26 is a Sunday → Monday 04-27 when extended
    assert within_days_after(D("2026-04-21"), 5, holiday_extension=True) == D("2026-04-27")
    assert next_working_day(D("2026-05-01"), holidays=[D("2026-05-01"), D("2026-05-04")]) == D("2026-05-05")
    assert next_working_day(D("2026-05-09"), working_days=[D("2026-05-09")]) == D(
        "2026-05-09"
    )  # make-up Saturday


def test_parse_date_strict():
    assert parse_date("2026-05-10") == D("2026-05-10")
    for bad in ("20260510", "2026-02-30", "2026-5-1", 20260510, None):
        with pytest.raises(EngineError):
            parse_date(bad)


def test_R10_R15_R16_R20_zhejiang_calendar():
    cal = election_calendar(
        D("2026-05-10"),
        get_profile("zhejiang"),
        list_published=D("2026-04-21"),
        objection_filed=D("2026-04-26"),
        objection_received=D("2026-04-25"),
    )
    assert cal.list_publication_latest == D("2026-04-20")  # 05-10 minus 20 days
    assert cal.list_publication_ok is False  # 19 days < 20
    assert cal.objection_deadline == D("2026-04-26")
    assert cal.objection_on_time is True
    assert cal.objection_decision_deadline == D("2026-04-28")
    assert cal.candidate_list_latest == D("2026-05-05")
    assert cal.voting_arrangements_latest == D("2026-05-05")
    assert cal.withdrawal_latest == D("2026-05-07")
    assert cal.proxy_filing_latest == D("2026-05-07")
    assert cal.proxy_lists_published_by is None
    assert cal.runoff_latest == D("2026-06-09")  # R34: within 30 days
    keys = [s.key for s in cal.steps]
    assert keys.index("voter_list_published") < keys.index("candidate_list") < keys.index("election_day")


@pytest.mark.parametrize(
    ("jurisdiction", "proxy", "lists", "runoff", "candidates"),
    [
        pytest.param("national", None, None, None, None, id="R20-national-no-deadline"),
        pytest.param(
            "shanghai", "2026-05-05", "2026-05-08", "2026-06-09", "2026-05-05", id="R20-SH-5-days-lists-2"
        ),
        pytest.param("beijing", "2026-05-09", None, "2026-05-25", "2026-05-05", id="R34-BJ-15-days"),
        pytest.param("henan", "2026-05-09", None, None, "2026-05-05", id="R20-HA-before-election-day"),
    ],
)
def test_calendar_by_jurisdiction(jurisdiction, proxy, lists, runoff, candidates):
    cal = election_calendar(D("2026-05-10"), get_profile(jurisdiction)).as_dict()
    assert cal["proxy_filing_latest"] == proxy
    assert cal["proxy_lists_published_by"] == lists
    assert cal["runoff_latest"] == runoff
    assert cal["candidate_list_latest"] == candidates
    assert cal["list_publication_ok"] is None


def test_R10_objection_late_and_R41_handover():
    cal = election_calendar(
        D("2026-05-10"),
        list_published=D("2026-04-15"),
        objection_filed=D("2026-04-21"),
        took_office=D("2026-05-11"),
    )
    assert cal.list_publication_ok is True  # 25 days before
    assert cal.objection_deadline == D("2026-04-20")
    assert cal.objection_on_time is False
    assert cal.objection_decision_deadline == D("2026-04-24")  # from the filing day when no receipt day
    assert cal.handover_latest == D("2026-05-21")


# ---------------------------------------------------------------- the one date rule of recorded facts

from huanjie.rules.dates import check_fact_date  # noqa: E402

TODAY = date(2026, 11, 30)
VOTE = date(2027, 1, 20)


def test_a_fact_is_not_recorded_in_the_future():
    verdict = check_fact_date("计票", date(2026, 12, 1), today=TODAY)
    assert not verdict.ok and "晚于今天" in verdict.refusals[0]
    assert check_fact_date("计票", TODAY, today=TODAY).ok


def test_an_election_day_fact_waits_for_the_election_day_wherever_it_moved():
    # The issue: counting on 2026-11-30 for an election on 2027-01-20 was accepted.
    verdict = check_fact_date("计票", TODAY, today=TODAY, election_day=VOTE, on_or_after_election_day=True)
    assert not verdict.ok and "早于选举日 2027-01-20" in verdict.refusals[0]
    moved = date(2026, 11, 29)
    assert check_fact_date("计票", TODAY, today=TODAY, election_day=moved, on_or_after_election_day=True).ok
    assert check_fact_date("计票", moved, today=TODAY, election_day=moved, on_or_after_election_day=True).ok


def test_a_preparing_fact_comes_before_the_election_day():
    verdict = check_fact_date("提名", date(2026, 11, 29), today=TODAY, election_day=date(2026, 11, 29),
                              before_election_day=True)
    assert not verdict.ok and "应早于选举日" in verdict.refusals[0]


def test_a_fact_is_not_dated_before_the_step_it_depends_on():
    verdict = check_fact_date("提名", date(2026, 11, 10), today=TODAY, after=[("选民名单公布", date(2026, 11, 12))])
    assert not verdict.ok and "早于选民名单公布（2026-11-12）" in verdict.refusals[0]
    # A step not recorded yet is no dependency to check.
    assert check_fact_date("提名", date(2026, 11, 10), today=TODAY, after=[("选民名单公布", None)]).ok


def test_a_deadline_warns_where_a_late_step_is_allowed_and_refuses_where_it_is_not():
    deadline = date(2026, 11, 20)
    late = date(2026, 11, 23)
    warned = check_fact_date("移交", late, today=TODAY, deadline=deadline, late_allowed=True)
    assert warned.ok and "已超过 3 天" in warned.warnings[0]
    refused = check_fact_date("公布选民名单", late, today=TODAY, deadline=deadline)
    assert not refused.ok and "不允许逾期" in refused.refusals[0] and not refused.warnings
    assert check_fact_date("公布选民名单", deadline, today=TODAY, deadline=deadline).ok
