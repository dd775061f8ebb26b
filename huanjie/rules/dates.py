"""Dates: age on a day (R5), period arithmetic (R2, R4) and the election calendar.

Conventions (rules.md R4):

* "自……之日起 N 日内" from day D ends on D + N (the day of the event is not counted, CC Art. 201),
  inclusive.
* "选举日的 N 日前" is met by an action on day A iff ``election - A >= N`` days, so the latest day
  is ``election - N``.
* A period of months or years that has no matching day in its last month ends on that month's
  last day (CC Art. 202): 2024-02-29 + 1 year = 2025-02-28.
* The CC Art. 203 holiday extension applies only when ``calendar.holiday_extension`` is on, and
  only to periods that run *forward* from an event (objection and decision deadlines).
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .errors import EngineError
from .profiles import Profile, get_profile

__all__ = [
    "CalendarResult",
    "CalendarStep",
    "FactDate",
    "add_months",
    "check_fact_date",
    "add_years",
    "age_on",
    "days_before",
    "election_calendar",
    "is_of_age",
    "latest_day_before",
    "next_working_day",
    "parse_date",
    "within_days_after",
]

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: object, path: str = "") -> date:
    """R4 — read a strict ISO ``YYYY-MM-DD`` date (a real calendar day) or raise ``invalid_date``."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO.match(value):
        raise EngineError("invalid_date", f"日期格式应为 YYYY-MM-DD，收到 {value!r}", path)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise EngineError("invalid_date", f"不存在的日期 {value}", path) from None


def add_months(day: date, months: int) -> date:
    """R4 — CC Art. 202: same day N months later, or the last day of that month if it is shorter."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = _calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def add_years(day: date, years: int) -> date:
    """R4, R2 — CC Art. 202: the same day N years later; 29 February falls back to 28 February."""
    return add_months(day, 12 * years)


def age_on(birth: date, on: date) -> int:
    """R5 — completed years of age on day ``on`` itself (含本日).

    The birthday counts on the day itself; a person born on 29 February has their birthday on
    28 February in a non-leap year (R5 [INTERPRETATION], by analogy with CC Art. 202).
    Negative when ``on`` is before the birth date.
    """
    years = on.year - birth.year
    if on < add_years(birth, years):
        years -= 1
    return years


def is_of_age(birth: date, election: date, years: int = 18) -> bool:
    """R5, R6 — 年满十八周岁 on the election day (含本日): the 18th birthday may be the election day."""
    return age_on(birth, election) >= years


def days_before(event: date, action: date) -> int:
    """R4 — how many days ``action`` lies before ``event`` (``event - action``)."""
    return (event - action).days


def latest_day_before(event: date, days: int) -> date:
    """R4 — the latest day meeting "``event`` 的 N 日前": ``event - N`` (``event - A >= N``)."""
    return event - timedelta(days=days)


def _is_rest_day(day: date, holidays: frozenset[date], working_days: frozenset[date]) -> bool:
    if day in working_days:
        return False
    return day in holidays or day.weekday() >= 5


def next_working_day(day: date, holidays: Iterable[date] = (), working_days: Iterable[date] = ()) -> date:
    """R4 — CC Art. 203 ¶1: a last day that is a rest day moves to the day after the rest days.

    Rest days are Saturdays, Sundays and ``holidays``, except the make-up ``working_days`` (调休).
    """
    hol, work = frozenset(holidays), frozenset(working_days)
    while _is_rest_day(day, hol, work):
        day += timedelta(days=1)
    return day


def within_days_after(
    event: date,
    days: int,
    *,
    holiday_extension: bool = False,
    holidays: Iterable[date] = (),
    working_days: Iterable[date] = (),
) -> date:
    """R4 — last day of "自 ``event`` 起 N 日内": ``event + N`` (CC Art. 201), optionally extended (Art. 203)."""
    end = event + timedelta(days=days)
    if holiday_extension:
        end = next_working_day(end, holidays, working_days)
    return end


@dataclass(frozen=True)
class CalendarStep:
    """One dated step of the election timeline, for rendering.

    ``latest_date``: the step must happen on or before it; ``earliest_date``: on or after it;
    ``on_date``: the day itself (election day).
    """

    key: str
    label_zh: str
    rule: str
    latest_date: date | None = None
    earliest_date: date | None = None
    on_date: date | None = None

    def as_dict(self) -> dict:
        def iso(d: date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "key": self.key,
            "label_zh": self.label_zh,
            "rule": self.rule,
            "latest_date": iso(self.latest_date),
            "earliest_date": iso(self.earliest_date),
            "on_date": iso(self.on_date),
        }


@dataclass(frozen=True)
class CalendarResult:
    """R10 R15 R16 R20 R34 R41 — the statutory dates around one election day."""

    election_date: date
    list_publication_latest: date
    list_publication_ok: bool | None
    objection_deadline: date | None
    objection_on_time: bool | None
    objection_decision_deadline: date | None
    candidate_list_latest: date | None
    voting_arrangements_latest: date | None
    withdrawal_latest: date | None
    proxy_filing_latest: date | None
    proxy_lists_published_by: date | None
    runoff_latest: date | None
    handover_latest: date | None
    steps: tuple[CalendarStep, ...]

    def as_dict(self) -> dict:
        out: dict = {}
        for key in (
            "election_date",
            "list_publication_latest",
            "objection_deadline",
            "objection_decision_deadline",
            "candidate_list_latest",
            "voting_arrangements_latest",
            "withdrawal_latest",
            "proxy_filing_latest",
            "proxy_lists_published_by",
            "runoff_latest",
            "handover_latest",
        ):
            value = getattr(self, key)
            out[key] = value.isoformat() if value else None
        out["list_publication_ok"] = self.list_publication_ok
        out["objection_on_time"] = self.objection_on_time
        out["steps"] = [s.as_dict() for s in self.steps]
        return out


def election_calendar(
    election_date: date,
    profile: Profile | None = None,
    *,
    list_published: date | None = None,
    objection_filed: date | None = None,
    objection_received: date | None = None,
    took_office: date | None = None,
    holidays: Iterable[date] = (),
    working_days: Iterable[date] = (),
) -> CalendarResult:
    """R4, R10, R15, R16, R20, R34, R41 — every deadline of a village election as dates.

    * R10 (VCL Art. 14): voter list published ``>= calendar.voter_list_days_before`` (20) days
      before; objections within 5 days of publication (publication + 5); the committee decides
      within 3 days of receiving an objection (receipt + 3).
    * R15: formal candidate list N days before; withdrawal N days before (ZJ Art. 18, 19).
    * R16: voting arrangements N days before (ZJ Art. 22).
    * R20: proxy filing and publication of the proxy lists N days before.
    * R34: latest day for the 另行选举 (election + ``runoff.days_limit``).
    * R41: handover within 10 days of taking office (when ``took_office`` is given).

    A deadline is ``None`` where the jurisdiction sets none. The returned ``steps`` are the
    timeline in date order with Chinese labels.
    """
    profile = profile or get_profile("national")
    hol, work = tuple(holidays), tuple(working_days)
    ext = bool(profile["calendar.holiday_extension"])

    def before(key: str) -> date | None:
        n = profile[key]
        return None if n is None else latest_day_before(election_date, n)

    list_latest = latest_day_before(election_date, profile["calendar.voter_list_days_before"])
    list_ok = None if list_published is None else list_published <= list_latest
    objection_deadline = None
    objection_on_time = None
    if list_published is not None:
        objection_deadline = within_days_after(
            list_published,
            profile["calendar.objection_days"],
            holiday_extension=ext,
            holidays=hol,
            working_days=work,
        )
        if objection_filed is not None:
            objection_on_time = list_published <= objection_filed <= objection_deadline
    received = objection_received or objection_filed
    decision_deadline = None
    if received is not None:
        decision_deadline = within_days_after(
            received,
            profile["calendar.objection_decision_days"],
            holiday_extension=ext,
            holidays=hol,
            working_days=work,
        )
    candidate_latest = before("calendar.candidate_list_days_before")
    arrangements_latest = before("calendar.voting_arrangements_days_before")
    withdrawal_latest = before("calendar.withdrawal_days_before")
    proxy_latest = before("proxy.deadline_days_before")
    proxy_lists = before("proxy.lists_published_days_before")
    runoff_days = profile["runoff.days_limit"]
    runoff_latest = None if runoff_days is None else election_date + timedelta(days=runoff_days)
    handover_latest = None
    if took_office is not None:
        handover_latest = took_office + timedelta(days=profile["calendar.handover_days"])

    steps: list[CalendarStep] = [
        CalendarStep("voter_list_published", "公布选民名单", "R10", latest_date=list_latest),
    ]
    if objection_deadline is not None:
        steps.append(
            CalendarStep(
                "objection_deadline", "对选民名单提出异议截止", "R10", latest_date=objection_deadline
            )
        )
    if decision_deadline is not None:
        steps.append(
            CalendarStep(
                "objection_decision", "选举委员会作出异议处理决定", "R10", latest_date=decision_deadline
            )
        )
    if candidate_latest is not None:
        steps.append(
            CalendarStep(
                "candidate_list", "按得票多少公布正式候选人名单", "R15", latest_date=candidate_latest
            )
        )
    if arrangements_latest is not None:
        steps.append(
            CalendarStep(
                "voting_arrangements",
                "公布选举日期、时间、地点、投票方式和工作人员",
                "R16",
                latest_date=arrangements_latest,
            )
        )
    if withdrawal_latest is not None:
        steps.append(
            CalendarStep("withdrawal", "候选人书面申请退出截止", "R15", latest_date=withdrawal_latest)
        )
    if proxy_latest is not None:
        steps.append(CalendarStep("proxy_filing", "办理书面委托投票截止", "R20", latest_date=proxy_latest))
    if proxy_lists is not None:
        steps.append(
            CalendarStep("proxy_lists_published", "公布委托人和受托人名单", "R20", latest_date=proxy_lists)
        )
    steps.append(CalendarStep("election_day", "选举日", "R17", on_date=election_date))
    if runoff_latest is not None:
        steps.append(
            CalendarStep(
                "runoff_latest",
                "另行选举最迟日期",
                "R34",
                earliest_date=election_date,
                latest_date=runoff_latest,
            )
        )
    if handover_latest is not None:
        steps.append(
            CalendarStep(
                "handover", "完成工作移交", "R41", earliest_date=took_office, latest_date=handover_latest
            )
        )

    def when(step: CalendarStep) -> date:
        return step.on_date or step.latest_date or step.earliest_date or election_date

    steps.sort(key=when)  # stable: equal dates keep the legal order above
    return CalendarResult(
        election_date=election_date,
        list_publication_latest=list_latest,
        list_publication_ok=list_ok,
        objection_deadline=objection_deadline,
        objection_on_time=objection_on_time,
        objection_decision_deadline=decision_deadline,
        candidate_list_latest=candidate_latest,
        voting_arrangements_latest=arrangements_latest,
        withdrawal_latest=withdrawal_latest,
        proxy_filing_latest=proxy_latest,
        proxy_lists_published_by=proxy_lists,
        runoff_latest=runoff_latest,
        handover_latest=handover_latest,
        steps=tuple(steps),
    )


@dataclass(frozen=True)
class FactDate:
    """The verdict on the day a fact is recorded for: refusals stop it, warnings need an explanation."""

    refusals: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.refusals


def _iso(day: date) -> str:
    return day.isoformat()


def check_fact_date(
    label: str,
    day: date,
    *,
    today: date,
    after: Iterable[tuple[str, date | None]] = (),
    election_day: date | None = None,
    on_or_after_election_day: bool = False,
    before_election_day: bool = False,
    deadline: date | None = None,
    late_allowed: bool = False,
) -> FactDate:
    """R4 — a fact is recorded on a day on which it can have happened.

    * never in the future (``day > today``): a record is a fact, not a plan;
    * never before a step it depends on (``after``: ``(label, day)`` pairs, a ``None`` day is a
      step not yet recorded and is skipped);
    * an election-day fact (counting, results, the new committee, the handover) on the election
      day or after it (``on_or_after_election_day``); a fact that prepares the vote (nominations,
      lists) before it (``before_election_day``). The election day is whatever it is now: it may
      have been moved;
    * past its legal ``deadline`` a step is refused, unless the law lets it be done late
      (``late_allowed``, e.g. the handover of VCL Art. 20 or an objection decision of R10):
      then it is a warning that the office answers with an explanation.
    """
    refusals: list[str] = []
    warnings: list[str] = []
    if day > today:
        refusals.append(f"{label}：日期 {_iso(day)} 晚于今天（{_iso(today)}），尚未发生的事不能预先登记。")
    for what, earlier in after:
        if earlier is not None and day < earlier:
            refusals.append(f"{label}：日期 {_iso(day)} 早于{what}（{_iso(earlier)}），须在其后。")
    if election_day is not None:
        if on_or_after_election_day and day < election_day:
            refusals.append(
                f"{label}：日期 {_iso(day)} 早于选举日 {_iso(election_day)}，只能在选举日当天或之后登记；"
                "如选举日已改期，请先由乡镇调整选举日。"
            )
        if before_election_day and day >= election_day:
            refusals.append(f"{label}：日期 {_iso(day)} 应早于选举日 {_iso(election_day)}。")
    if deadline is not None and day > deadline:
        late = (day - deadline).days
        if late_allowed:
            warnings.append(
                f"{label}：期限是 {_iso(deadline)}，{_iso(day)} 已超过 {late} 天；法律允许补办，请写明逾期原因。"
            )
        else:
            refusals.append(
                f"{label}：最迟应在 {_iso(deadline)} 完成，{_iso(day)} 已超过期限，法律不允许逾期办理；"
                "请由乡镇调整选举日后重新办理。"
            )
    return FactDate(tuple(refusals), tuple(warnings))
