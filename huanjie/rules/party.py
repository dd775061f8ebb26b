"""Party organisations: attendance and quorum (R49–R52), delegate credentials (R65), congress
size and delegate margin (R62–R63). Counting Party votes is in :mod:`counting` (R53–R61)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .counting import majority_threshold, quorum_met
from .dates import CalendarStep, add_years, age_on
from .errors import EngineError
from .profiles import Profile, get_profile

__all__ = [
    "EXCLUSION_SITUATIONS",
    "AttendanceResult",
    "DelegateRecord",
    "Exclusion",
    "congress_size",
    "credentials",
    "MemberVote",
    "electing_body",
    "match_situation",
    "exclusion_dates_problems",
    "member_dates_problems",
    "member_vote",
    "party_attendance",
    "party_calendar",
    "plenary_calendar",
    "quorum_met",
]

# R51: the situations in which a member may be left out of 应到会人数 (with approval).
# ORGQA (5 items, the default of ``party.exclusion_situations``) and WBK 2025 (6 more).
EXCLUSION_SITUATIONS: Mapping[str, str] = {
    "mental_illness": "患有精神病或其他疾病导致不能表达本人意志的",
    "abroad_self_funded": "自费出国半年以上的",
    "serving_sentence": "虽未受到留党察看以上党纪处分，但正在服刑的",
    "elderly_infirm": "年老体弱、卧床不起和长期生病生活不能自理的",
    "relation_not_transferred": "工作调动、下派锻炼或蹲点、外出学习或者工作半年以上等，按规定应转出正式组织关系而没有转出的",
    "cannot_return_from_abroad": "出国出境很难按时回国参加党内会议的",
    "membership_suspended": "被停止党籍的",
    "on_probation_discipline": "在留党察看期间的",
    "detained_or_arrested": "被依法留置、逮捕的",
    "retired_returned_home": "离退休已回原籍长期居住的",
    "mobile_member_applied": "流动党员确因情况特殊无法到会、本人提出申请的",
}
# These people have no vote at all (R49), so they are already outside ``with_vote``.
_ALREADY_WITHOUT_VOTE = {"on_probation_discipline", "detained_or_arrested"}

_PUNCT = re.compile(r"[\s、，,。；;：:（）()“”\"'‘’的]")


def _norm(text: str) -> str:
    return _PUNCT.sub("", text)


def match_situation(situation: str, configured: Sequence[str]) -> str | None:
    """R51 — which configured situation (code or text) a stated situation falls under, or None.

    A code matches itself. A text matches when, with punctuation, spaces and 的 removed, it is
    part of the configured text (at least 4 characters, so "出国" alone matches nothing) or
    contains the configured text.
    """
    s = situation.strip()
    if s in configured:
        return s
    ns = _norm(s)
    for item in configured:
        text = EXCLUSION_SITUATIONS.get(item, item)
        nt = _norm(text)
        if not nt:
            continue
        if (len(ns) >= 4 and ns in nt) or nt in ns:
            return item
    return None


@dataclass(frozen=True)
class Exclusion:
    """A member proposed to be left out of 应到会人数 (R51), with the two approvals it needs."""

    who: str
    situation: str
    higher_approved: bool = True
    assembly_approved: bool = True


@dataclass(frozen=True)
class AttendanceResult:
    with_vote: int | None
    expected_attendance: int
    present_with_vote: int
    quorum_met: bool
    election_may_proceed: bool
    excluded: list[dict]
    stays_in_count: list[dict]

    def as_dict(self) -> dict:
        return {
            "with_vote": self.with_vote,
            "expected_attendance": self.expected_attendance,
            "present_with_vote": self.present_with_vote,
            "quorum_met": self.quorum_met,
            "election_may_proceed": self.election_may_proceed,
            "excluded": self.excluded,
            "stays_in_count": self.stays_in_count,
        }


def _count(value: int | None, path: str, what: str) -> int:
    if value is None:
        return 0
    if type(value) is not int or value < 0:
        raise EngineError(
            "negative_number" if type(value) is int else "wrong_type", f"{what}应为非负整数", path
        )
    return value


def party_attendance(
    present_with_vote: int,
    *,
    members_total: int | None = None,
    probationary: int = 0,
    on_probation_discipline: int = 0,
    rights_suspended: int = 0,
    excluded_with_approval: Sequence[Exclusion] = (),
    absent_not_excluded: Sequence[Exclusion] = (),
    expected_attendance: int | None = None,
    profile: Profile | None = None,
) -> AttendanceResult:
    """R49, R51, R52 — P2020 Art. 5; ORGQA; P1990.

    ``with_vote`` = members − probationary (预备党员) − 留党察看 − rights suspended (R49).
    ``expected_attendance`` (应到) = with_vote − members left out in a configured situation
    (``party.exclusion_situations``) with both approvals (R51); anyone absent for another reason
    stays in. Quorum: ``present*5 > expected*4`` (R52; exactly 4/5 only with
    ``party.quorum_exact_4_5_ok``). If it fails the election may not take place.
    """
    profile = profile or get_profile("national")
    present = _count(present_with_vote, "inputs.present_with_vote", "实到会有选举权的人数")
    configured = profile["party.exclusion_situations"]
    with_vote: int | None = None
    excluded: list[dict] = []
    stays: list[dict] = []
    if members_total is not None:
        total = _count(members_total, "inputs.members_total", "党员总数")
        without = (
            _count(probationary, "inputs.probationary", "预备党员数")
            + _count(on_probation_discipline, "inputs.on_probation_discipline", "留党察看人数")
            + _count(rights_suspended, "inputs.rights_suspended", "被停止党员权利的人数")
        )
        if without > total:
            raise EngineError(
                "inconsistent_counts", f"没有选举权的{without}人多于党员总数{total}人", "inputs.members_total"
            )
        with_vote = total - without
        seen: set[str] = set()
        for i, ex in enumerate(excluded_with_approval):
            path = f"inputs.excluded_with_approval[{i}]"
            if not isinstance(ex.who, str) or not isinstance(ex.situation, str):
                raise EngineError("wrong_type", "who 和 situation 应为文字", path)
            if ex.who in seen:
                raise EngineError("duplicate_name", f"“{ex.who}”重复列出", f"{path}.who")
            seen.add(ex.who)
            code = match_situation(ex.situation, configured)
            if code is None:
                stays.append(
                    {
                        "who": ex.who,
                        "situation": ex.situation,
                        "code": "situation_not_listed",
                        "reason": "所述情形不在可不计入应到会人数的情形之列，仍计入应到会人数",
                    }
                )
            elif code in _ALREADY_WITHOUT_VOTE:
                stays.append(
                    {
                        "who": ex.who,
                        "situation": ex.situation,
                        "code": "already_without_vote",
                        "reason": "此情形已不计入有选举权的人数，不再重复扣除",
                    }
                )
            elif not (ex.higher_approved and ex.assembly_approved):
                stays.append(
                    {
                        "who": ex.who,
                        "situation": ex.situation,
                        "code": "not_approved",
                        "reason": "须经上级党组织同意并经党员大会或代表大会通过，方可不计入应到会人数",
                    }
                )
            else:
                excluded.append({"who": ex.who, "situation": ex.situation, "code": code})
        for ex in absent_not_excluded:
            stays.append(
                {
                    "who": ex.who,
                    "situation": ex.situation,
                    "code": "absent_other_reason",
                    "reason": "因其他原因缺席，仍计入应到会人数",
                }
            )
        expected = with_vote - len(excluded)
        if expected_attendance is not None and expected_attendance != expected:
            raise EngineError(
                "inconsistent_counts",
                f"给出的应到会人数{expected_attendance}与计算所得{expected}不符",
                "inputs.expected_attendance",
            )
        if present > with_vote:
            raise EngineError(
                "inconsistent_counts",
                f"实到会{present}人，多于有选举权的{with_vote}人",
                "inputs.present_with_vote",
            )
    elif expected_attendance is not None:
        expected = _count(expected_attendance, "inputs.expected_attendance", "应到会人数")
    else:
        raise EngineError(
            "missing_field", "缺少党员总数（members_total）或应到会人数", "inputs.members_total"
        )
    quorum = quorum_met(present, expected, profile)
    return AttendanceResult(
        with_vote=with_vote,
        expected_attendance=expected,
        present_with_vote=present,
        quorum_met=quorum,
        election_may_proceed=quorum and expected > 0,
        excluded=excluded,
        stays_in_count=stays,
    )


# --------------------------------------------------------------------------------------------
# R49 one member's vote on the election day, R50 the electing body, the party calendar

PROBATIONARY, FORMAL = "probationary", "formal"


@dataclass(frozen=True)
class MemberVote:
    has_vote: bool
    code: str  # formal / probationary / on_probation_discipline / rights_suspended / not_yet_member
    reason: str


def member_vote(
    on: date,
    *,
    status: str,
    joined_on: date | None = None,
    formal_on: date | None = None,
    discipline_until: date | None = None,
    rights_suspended: bool = False,
) -> MemberVote:
    """R49 — P2020 Art. 5: whether one member has the vote (and may stand) on day ``on``.

    Formal members vote; probationary members (预备党员) do not, unless they became formal
    (``formal_on``) on or before the day; a member under 留党察看 does not while the probation
    period runs (up to and including ``discipline_until``); a member in 留置 or under arrest has
    the rights suspended. Someone who joined after the day is not yet a member.
    """
    if joined_on is not None and joined_on > on:
        return MemberVote(False, "not_yet_member", f"{joined_on.isoformat()}入党，选举日时尚未入党")
    if rights_suspended:
        return MemberVote(False, "rights_suspended", "被依法留置或逮捕，党员权利已被中止")
    if discipline_until is not None and on <= discipline_until:
        return MemberVote(
            False, "on_probation_discipline", f"留党察看期至{discipline_until.isoformat()}，期间没有表决权、选举权和被选举权"
        )
    if status == PROBATIONARY and (formal_on is None or formal_on > on):
        return MemberVote(False, "probationary", "预备党员没有表决权、选举权和被选举权")
    if status not in (FORMAL, PROBATIONARY):
        raise EngineError("wrong_type", "status 应为 formal 或 probationary", "inputs.status")
    return MemberVote(True, "formal", "正式党员，有选举权和被选举权")


def electing_body(members: int, *, scattered: bool = False) -> dict:
    """R50 — P2020 Art. 4: the committee is elected by the 党员大会; with 500 members or more, or
    with members scattered over many units, a 党员代表大会 may be held with approval.

    Returns ``{"body": "assembly" | "congress_allowed", "reason"}``: the congress is an option the
    higher organisation approves, never forced.
    """
    n = _count(members, "inputs.members", "党员人数")
    if n >= 500:
        return {"body": "congress_allowed", "reason": f"党员{n}人，达到500人，经批准可召开党员代表大会"}
    if scattered:
        return {"body": "congress_allowed", "reason": "党员居住分散，经批准可召开党员代表大会"}
    return {"body": "assembly", "reason": f"党员{n}人，由党员大会选举"}


def party_calendar(
    assembly_date: date,
    *,
    notice_days: int = 5,
    notice_published: date | None = None,
    public_direct: bool = False,
) -> tuple[CalendarStep, ...]:
    """The dated steps of a village party election (domain §4; seed 004 §二): 两推, 初步人选,
    资格联审, 考察, 预备人选 and its 公示 (``notice_days``, policy P18), the 请示 and the township's
    批复 and the members' assembly (the first plenary and the result's approval are
    :func:`plenary_calendar`'s).

    Only the 公示 has a length set by policy; it must close before the 请示 (seed 004: "公示结束后，
    党组织向镇党委上报…的请示"), and the 批复 before the assembly. The other steps are ordered
    before the assembly without a legal deadline of their own (latest = the assembly's eve).
    """
    eve = assembly_date - timedelta(days=1)
    if notice_published is not None:
        notice_end = notice_published + timedelta(days=notice_days - 1)
    else:
        notice_end = None
    request_earliest = notice_end + timedelta(days=1) if notice_end else None
    # 公推直选 (seed 001) publishes three times: the 海推 result, the initial candidates after the
    # township's inspection, and the preliminary candidates (the last one is every method's).
    if public_direct:
        recommend = (
            CalendarStep("members_recommend", "海推（组织推荐、十人联名推荐、个人自荐）", "P25", latest_date=eve),
            CalendarStep("open_round_notice", "海推结果公示", "P18", latest_date=eve),
            CalendarStep("villagers_recommend", "定向推荐", "P25", latest_date=eve),
        )
    else:
        recommend = (
            CalendarStep("members_recommend", "党员推荐（党员大会全额推荐）", "P25", latest_date=eve),
            CalendarStep("villagers_recommend", "群众推荐（村民（代表）会议全额推荐）", "P25", latest_date=eve),
        )
    return (
        *recommend,
        CalendarStep("initial_candidates", "研究提出候选人初步人选", "P7", latest_date=eve),
        CalendarStep("joint_review", "候选人资格联审", "P17", latest_date=eve),
        CalendarStep("inspection", "考察（民主测评、个别谈话、实地走访）", "P26", latest_date=eve),
        *((CalendarStep("initial_notice", "候选人初步人选考察公示", "P18", latest_date=eve),) if public_direct else ()),
        CalendarStep("preliminary_candidates", "确定候选人预备人选", "P8", latest_date=eve),
        CalendarStep(
            "preliminary_notice",
            f"预备人选公示（{notice_days}天）",
            "P18",
            latest_date=notice_end or eve,
            earliest_date=notice_published,
        ),
        CalendarStep("request_sent", "向乡镇党委报送确定预备人选的请示", "P18", latest_date=eve,
                     earliest_date=request_earliest),
        CalendarStep("approval_received", "乡镇党委批复", "P18", latest_date=eve),
        CalendarStep("election_day", "召开党员大会选举委员会", "R51–R52", on_date=assembly_date),
    )


def plenary_calendar(assembly_date: date, *, held_on: date | None = None) -> tuple[CalendarStep, ...]:
    """The dated steps of the new committee's first plenary (R61): the plenary itself, on or after
    the assembly's day, and the township's 批复 of the result, not before the plenary was held
    (``held_on`` once known). The assembly's preparation is :func:`party_calendar`'s: a step
    belongs to one calendar only, so it is shown and owed once."""
    return (
        CalendarStep("election_day", "委员会第一次全体会议选举书记、副书记", "R61", earliest_date=assembly_date),
        CalendarStep("result_approved", "乡镇党委批复选举结果", "R61", earliest_date=held_on or assembly_date),
    )


def meeting_calendar(day: date, label: str, rule: str) -> tuple[CalendarStep, ...]:
    """A congress election's own dated step: the meeting that votes, on its day (a unit's members'
    assembly electing delegates, R64; the congress or a first plenary, R61–R62). Its preparation
    (candidate lists, approvals, credentials) is the congress's timeline of seed 003 篇7, so it is
    owed there once; the villagers' committee's steps (voter list, 正式候选人 by nomination votes,
    handover) are not a party election's."""
    return (CalendarStep("election_day", label, rule, on_date=day),)


# --------------------------------------------------------------------------------------------
# R65 credentials

_STATUS = {
    "formal": "formal",
    "正式党员": "formal",
    "probationary": "probationary",
    "预备党员": "probationary",
    "on_probation_discipline": "on_probation_discipline",
    "留党察看": "on_probation_discipline",
    "rights_suspended": "rights_suspended",
    "留置": "rights_suspended",
    "逮捕": "rights_suspended",
    "停止党员权利": "rights_suspended",
}
_STATUS_ZH = {
    "probationary": "预备党员没有被选举权",
    "on_probation_discipline": "留党察看期间没有被选举权",
    "rights_suspended": "被留置或逮捕，党员权利已被中止",
}


@dataclass(frozen=True)
class DelegateRecord:
    """A delegate as reported by the electing unit (R64, R65). Optional counts are checked when given."""

    name: str
    unit: str
    unit_expected: int
    unit_present: int
    member_status: str
    votes: int | None = None
    ballots_issued: int | None = None
    ballots_returned: int | None = None
    unit_seats: int | None = None
    unit_candidates: int | None = None


def credentials(delegates: Sequence[DelegateRecord], profile: Profile | None = None) -> list[dict]:
    """R65 — P1990 Art. 10: the credentials committee's decision on each delegate.

    * ``unit_must_re_elect`` when the unit's election broke procedure: quorum (R52, R64), more
      ballots returned than issued (R57), delegate margin (R63), or the delegate's votes not over
      half of the base (R58);
    * ``unit_must_replace`` when the delegate has no right to stand (R49: 预备党员, 留党察看,
      rights suspended);
    * ``confirmed`` otherwise.
    Returns ``[{"name", "unit", "status", "reason"}]`` in input order.
    """
    profile = profile or get_profile("national")
    out: list[dict] = []
    for i, d in enumerate(delegates):
        path = f"inputs.delegates[{i}]"
        expected = _count(d.unit_expected, f"{path}.unit_expected", "应到会人数")
        present = _count(d.unit_present, f"{path}.unit_present", "实到会人数")
        status = _STATUS.get(d.member_status) if isinstance(d.member_status, str) else None
        if status is None:
            raise EngineError(
                "wrong_type",
                "member_status 应为 formal、probationary、on_probation_discipline 或 rights_suspended",
                f"{path}.member_status",
            )
        problems: list[str] = []
        if not quorum_met(present, expected, profile):
            problems.append(f"选举单位实到{present}人，未超过应到{expected}人的五分之四")
        if d.ballots_issued is not None and d.ballots_returned is not None:
            issued = _count(d.ballots_issued, f"{path}.ballots_issued", "发出选票数")
            returned = _count(d.ballots_returned, f"{path}.ballots_returned", "收回选票数")
            if returned > issued:
                problems.append(f"收回选票{returned}张多于发出的{issued}张")
        if d.unit_seats is not None and d.unit_candidates is not None:
            seats = _count(d.unit_seats, f"{path}.unit_seats", "应选名额")
            cands = _count(d.unit_candidates, f"{path}.unit_candidates", "候选人数")
            if (cands - seats) * 5 < seats:
                problems.append(f"代表候选人{cands}人，差额少于应选{seats}人的20%")
        if d.votes is not None:
            votes = _count(d.votes, f"{path}.votes", "得票数")
            on_present = profile["party.win_base"] == "present"
            base = present if on_present else expected
            if votes < majority_threshold(base):
                problems.append(f"得票{votes}未超过{'实到' if on_present else '应到'}会人数{base}的半数")
        if problems:
            reason = "；".join(problems) + "，选举程序不符合规定，责令该选举单位重新选举"
            if status != "formal":
                reason += f"（另：{_STATUS_ZH[status]}）"
            out.append({"name": d.name, "unit": d.unit, "status": "unit_must_re_elect", "reason": reason})
        elif status != "formal":
            out.append(
                {
                    "name": d.name,
                    "unit": d.unit,
                    "status": "unit_must_replace",
                    "reason": _STATUS_ZH[status] + "，不具备代表资格，责令该选举单位更换",
                }
            )
        else:
            out.append(
                {
                    "name": d.name,
                    "unit": d.unit,
                    "status": "confirmed",
                    "reason": "选举程序和代表资格符合规定",
                }
            )
    return out


def congress_size(
    delegates_planned: int,
    unit_seats: Mapping[str, int] | int,
    candidates: Mapping[str, int] | int,
    profile: Profile | None = None,
) -> dict:
    """R62 (100–200 delegates as a rule, at most 300) and R63 (each unit ``(candidates -
    seats)*5 >= seats``) — P2020 via 中国网, P1990 Arts. 7–8.

    Returns ``{"size_ok", "size_normal", "unit_seats_total", "unit_seats_match", "margin_ok",
    "margin_by_unit", "min_candidates_by_unit"}``.
    """
    profile = profile or get_profile("national")
    planned = _count(delegates_planned, "inputs.delegates_planned", "代表名额")
    single = isinstance(unit_seats, int) and not isinstance(unit_seats, bool)
    if single:
        if not (isinstance(candidates, int) and not isinstance(candidates, bool)):
            raise EngineError("wrong_type", "unit_seats 为整数时 candidates 也应为整数", "inputs.candidates")
        seats_map = {"": _count(unit_seats, "inputs.unit_seats", "应选名额")}  # type: ignore[arg-type]
        cand_map = {"": _count(candidates, "inputs.candidates", "候选人数")}  # type: ignore[arg-type]
    else:
        if not isinstance(unit_seats, Mapping) or not isinstance(candidates, Mapping):
            raise EngineError(
                "wrong_type",
                "unit_seats 和 candidates 应同为整数或同为 {选举单位: 人数}",
                "inputs.unit_seats",
            )
        if set(unit_seats) != set(candidates):
            raise EngineError(
                "inconsistent_counts", "unit_seats 与 candidates 的选举单位不一致", "inputs.candidates"
            )
        seats_map = {u: _count(v, f"inputs.unit_seats.{u}", "应选名额") for u, v in unit_seats.items()}
        cand_map = {u: _count(v, f"inputs.candidates.{u}", "候选人数") for u, v in candidates.items()}
    lo, hi = profile["congress.size_normal"]
    margin_by_unit = {u: (cand_map[u] - s) * 5 >= s for u, s in seats_map.items()}
    # smallest c with (c - s)*5 >= s is s + ceil(s/5)
    min_cands = {u: s + (s + 4) // 5 for u, s in seats_map.items()}
    total = sum(seats_map.values())
    return {
        "size_ok": 1 <= planned <= profile["congress.size_max"],
        "size_normal": lo <= planned <= hi,
        "unit_seats_total": total,
        "unit_seats_match": None if single else total == planned,
        "margin_ok": all(margin_by_unit.values()),
        "margin_by_unit": {} if single else margin_by_unit,
        "min_candidates_by_unit": min_cands[""] if single else min_cands,
    }


def member_dates_problems(birth: date | None, joined_on: date | None, formal_on: date | None,
                          today: date, *, formal: bool = True) -> dict[str, str]:
    """Dates on a member roll that cannot have happened, by field.

    The Party Constitution (Art. 1) admits a person who has reached eighteen: joining before the
    eighteenth birthday is a typing error (the day itself counts, as R5 counts age); so is a
    joining day after today, or a full-membership day after today for a ``formal`` member (a
    probationary member's 转正日期 may be the day the probation ends, still ahead)."""
    problems: dict[str, str] = {}
    for key, day, label in (("joined_on", joined_on, "入党日期"), ("formal_on", formal_on, "转正日期")):
        if day is None:
            continue
        if day > today and (key == "joined_on" or formal):
            problems[key] = f"{label} {day.isoformat()} 晚于今天（{today.isoformat()}）"
        elif birth is not None and age_on(birth, day) < 18:
            # A birth date typed with a year near 9999 has no eighteenth birthday in the calendar.
            when = f"，{add_years(birth, 18).isoformat()} 年满十八周岁" if birth.year <= 9999 - 18 else ""
            problems[key] = f"{label} {day.isoformat()} 时未满十八周岁（出生日期 {birth.isoformat()}{when}）"
    return problems


def exclusion_dates_problems(higher_agreed_on: date | None, assembly_approved_on: date | None,
                             assembly_day: date, today: date) -> dict[str, str]:
    """R51's two approvals as facts with dates, by field: the higher committee's agreement cannot
    be after today; the assembly approves at its meeting, so not after today nor after its day."""
    problems: dict[str, str] = {}
    if higher_agreed_on is not None and higher_agreed_on > today:
        problems["township_agreed_on"] = f"乡镇党委同意日期 {higher_agreed_on.isoformat()} 晚于今天"
    if assembly_approved_on is not None:
        if assembly_approved_on > today:
            problems["assembly_approved_on"] = f"党员大会通过日期 {assembly_approved_on.isoformat()} 晚于今天"
        elif assembly_approved_on > assembly_day:
            problems["assembly_approved_on"] = (f"党员大会通过日期 {assembly_approved_on.isoformat()} "
                                                "晚于党员大会之日")
    return problems
