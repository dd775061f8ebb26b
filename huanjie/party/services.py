"""Writes and decisions of the village party organisation's election.

The members roll is read with the voter roster's reader (:mod:`huanjie.elections.registration.roster`,
its own columns passed as ``extra``); who has the vote (R49), the electing body (R50), 应到会人数 and
the 4/5 quorum (R51–R52) are the engine's answers (:mod:`huanjie.rules.party`). The election itself
is created through :func:`huanjie.elections.services.create_election` with the party kinds, so
posts, rounds, timeline, stations, counting forms, results and the lock are the elections app's.
Every write runs in one transaction with its audit record.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from huanjie.accounts import audit
from huanjie.campaigns.models import Campaign
from huanjie.core.access import ADMIN, COUNTY, OBSERVER, TOWNSHIP, VILLAGE, in_scope
from huanjie.elections import services as elections
from huanjie.elections.aftervote import locking
from huanjie.elections.models import Candidate, ElectedMember, Election, Round
from huanjie.elections.registration import roster
from huanjie.elections.registration.services import rejected_rows_xlsx
from huanjie.party.models import (
    Branch,
    Delegate,
    Exclusion,
    Member,
    Nominee,
    NoticeObjection,
    PartyElection,
    RecommendationMeeting,
    RecommendationTally,
    SignIn,
)
from huanjie.people.models import Person, Region
from huanjie.people.services import ELSEWHERE_MESSAGE, may_see
from huanjie.rules.party import (
    EXCLUSION_SITUATIONS,
    electing_body,
    exclusion_dates_problems,
    member_dates_problems,
    member_vote,
    party_attendance,
)
from huanjie.rules.party import Exclusion as EngineExclusion
from huanjie.rules.policy import get_policy, initial_candidates_minimum, team_checks

WORK_ROLES = {COUNTY, TOWNSHIP, VILLAGE}
SETUP_ROLES = {COUNTY, TOWNSHIP}


class PartyError(Exception):
    """A refused party action; ``str(exc)`` is the Chinese reason."""


def _require(actor, roles: set[str], what: str, code: str) -> None:
    if getattr(actor, "role", None) not in roles:
        raise PartyError(f"您的账号不能{what}。")
    if not in_scope(actor, code):
        raise PartyError("对象不在您的管辖范围内。")


# ---------------------------------------------------------------- lock guard

def roll_elections(branch: Branch) -> list[Election]:
    """The assemblies the branch's roll feeds (应到会人数, R49–R51): those of campaigns still
    running. A submitted (locked) one freezes the roll and the branch's settings; a past
    campaign's result is kept with its figures and does not freeze the next term's roll."""
    return list(
        Election.objects.filter(party__branch=branch, campaign__ends_on__gte=timezone.localdate())
    )


def plenary_of(pe: PartyElection) -> Election | None:
    """The plenary's writes (its candidates and attendance) feed the plenary's result, not the
    assembly's: the assembly is usually submitted before the plenary sits."""
    return pe.plenary


# Write services of this module that the lock guard does not cover, with the reason (the test
# ``test_lock_guard_party`` fails on a write service that is neither guarded nor listed here).
UNGUARDED = {
    "branch_of": "建立党组织时还没有选举结果",
    "create_party_election": "建立选举时还没有结果",
    "record_result_approval": "选举结果报送之后乡镇党委才批复（AFTER_RESULT_STEPS）",
    "record_secretary_filed": "书记备案在结果批复之后进行",
}


# ---------------------------------------------------------------- branch and members


@transaction.atomic
def branch_of(actor, village: Region) -> Branch:
    """The village's party organisation, set up on first use."""
    branch = Branch.objects.filter(village=village).first()
    if branch is not None:
        return branch
    _require(actor, WORK_ROLES, "建立党组织名册", village.code)
    if village.level != Region.VILLAGE:
        raise PartyError(f"{village.name}不是村（社区）。")
    branch = Branch.objects.create(village=village)
    audit.record(actor, "party.branch_create", branch, object_repr=branch.name)
    return branch


@transaction.atomic
@locking.guarded(of=roll_elections)
def set_branch(actor, branch: Branch, org_type: str, scattered: bool) -> Branch:
    _require(actor, WORK_ROLES, "修改党组织设置", branch.village.code)
    if org_type not in dict(Branch.TYPE_CHOICES):
        raise PartyError(f"组织类型“{org_type}”无法识别。")
    before = {"org_type": branch.org_type, "scattered": branch.scattered}
    branch.org_type, branch.scattered = org_type, bool(scattered)
    branch.save(update_fields=["org_type", "scattered"])
    audit.record(actor, "party.branch_update", branch,
                 changes={k: [v, getattr(branch, k)] for k, v in before.items() if v != getattr(branch, k)})
    return branch


def vote_of(member: Member, on: dt.date):
    """R49 on the day ``on``: the engine's MemberVote (has_vote, code, reason)."""
    return member_vote(
        on,
        status=member.status,
        joined_on=member.joined_on,
        formal_on=member.formal_on,
        discipline_until=member.discipline_until,
        rights_suspended=member.rights_suspended,
    )


def body_of(branch: Branch) -> dict:
    """R50: the electing body for the branch's size."""
    return electing_body(branch.members.count(), scattered=branch.scattered)


def _check_member_facts(status: str, joined_on, formal_on, discipline_until, birth=None) -> dict[str, str]:
    errors: dict[str, str] = dict(member_dates_problems(birth, joined_on, formal_on, timezone.localdate(),
                                                        formal=status == Member.FORMAL))
    if status not in dict(Member.STATUS_CHOICES):
        errors["status"] = "党员类别应为正式党员或预备党员"
    if formal_on and status == Member.FORMAL and joined_on and formal_on < joined_on and "formal_on" not in errors:
        errors["formal_on"] = f"转正日期 {formal_on.isoformat()} 早于入党日期 {joined_on.isoformat()}"
    if status == Member.PROBATIONARY and joined_on is None:
        errors["joined_on"] = "预备党员应填写入党日期（预备期从入党之日算起）"
    if discipline_until and joined_on and discipline_until < joined_on:
        errors["discipline_until"] = "留党察看期限早于入党日期"
    return errors


class MemberInvalid(PartyError):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("；".join(errors.values()))


@transaction.atomic
@locking.guarded(of=roll_elections)
def add_member(actor, branch: Branch, person: Person, *, status: str = Member.FORMAL, joined_on=None,
               formal_on=None, discipline_until=None, rights_suspended: bool = False, suspended_reason: str = "",
               mobile: bool = False, mobile_where: str = "", note: str = "") -> Member:
    """Put a person on the branch's roll by hand."""
    _require(actor, WORK_ROLES, "修改党员名册", branch.village.code)
    if not may_see(actor, person):
        raise MemberInvalid({"person": ELSEWHERE_MESSAGE})
    errors = _check_member_facts(status, joined_on, formal_on, discipline_until, person.birth_date)
    if mobile and not mobile_where.strip():
        errors["mobile_where"] = "流动党员应填写外出地点"
    if Member.objects.filter(branch=branch, person=person).exists():
        errors["person"] = f"{person.name}已在本党组织名册中"
    other = Member.objects.filter(person=person).exclude(branch=branch).select_related("branch__village").first()
    if other is not None:
        errors["person"] = (f"{person.name}的组织关系在{other.branch.village.name}，一名党员只能在一个党组织"
                            if actor is None or in_scope(actor, other.branch.village.code)
                            else "该党员的组织关系在其他党组织，一名党员只能在一个党组织，请与乡镇换届办核实")
    if errors:
        raise MemberInvalid(errors)
    member = Member.objects.create(
        branch=branch, person=person, status=status, joined_on=joined_on, formal_on=formal_on,
        discipline_until=discipline_until, rights_suspended=rights_suspended,
        suspended_reason=suspended_reason.strip()[:100], mobile=mobile, mobile_where=mobile_where.strip()[:100],
        note=note.strip()[:200], added_on=timezone.localdate(),
    )
    audit.record(actor, "party.member_add", member, object_repr=f"{branch.name}党员：{person.name}",
                 changes={"status": [None, member.get_status_display()]})
    return member


# ---------------------------------------------------------------- roll import (Excel)

# The member roll's own columns, read by the voter roster's reader (header words per field).
MEMBER_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "party_status": ("党员类别", "党员身份", "人员类别", "党员状态", "类别"),
    "joined_on": ("入党日期", "入党时间", "入党年月"),
    "formal_on": ("转正日期", "转正时间", "转正年月"),
    "discipline_until": ("留党察看期至", "留党察看期限", "留党察看"),
    "suspended": ("权利中止", "留置逮捕", "中止党员权利"),
    "mobile_where": ("流动党员外出地点", "外出地点", "流入地", "外出务工地点", "流动去向"),
}
MEMBER_LABELS = {
    "party_status": "党员类别",
    "joined_on": "入党日期",
    "formal_on": "转正日期",
    "discipline_until": "留党察看期至",
    "suspended": "权利中止",
    "mobile_where": "外出地点",
}
_STATUS_WORDS = {"正式党员": Member.FORMAL, "正式": Member.FORMAL, "预备党员": Member.PROBATIONARY,
                 "预备": Member.PROBATIONARY}
_DATE = re.compile(r"^(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*(?:[月.\-/]\s*(\d{1,2})\s*日?)?\s*月?$")
_YES = {"是", "有", "√", "Y", "YES", "1", "留置", "逮捕"}


def _date_cell(text: str) -> dt.date | None | str:
    """A date as rolls write it (2019.07.01, 2019年7月, 2019-7-1, an Excel serial); '' → None; a
    string back means it could not be read."""
    t = text.strip()
    if not t:
        return None
    if re.fullmatch(r"\d{5}(\.0)?", t):  # an Excel date serial that arrived as a number
        return roster.EXCEL_EPOCH + dt.timedelta(days=int(float(t)))
    m = _DATE.match(t)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
        except ValueError:
            return t
    return t


@dataclass
class MemberFacts:
    status: str
    joined_on: dt.date | None
    formal_on: dt.date | None
    discipline_until: dt.date | None
    rights_suspended: bool
    mobile_where: str


def _row_facts(row: roster.RosterRow) -> MemberFacts | None:
    """The member columns of one row, appending a Chinese problem per bad cell to ``row.errors``."""
    ex = row.extra
    bad = []
    status_text = re.sub(r"\s+", "", ex.get("party_status", ""))
    status = _STATUS_WORDS.get(status_text) if status_text else Member.FORMAL
    if status is None:
        bad.append(("party_status", "status_unreadable", f"党员类别“{status_text}”无法识别，应为“正式党员”或“预备党员”。"))
    dates = {}
    for key in ("joined_on", "formal_on", "discipline_until"):
        value = _date_cell(ex.get(key, ""))
        if isinstance(value, str):
            bad.append((key, "date_unreadable", f"{MEMBER_LABELS[key]}“{value}”无法识别，应写成 2019-07-01 或 2019年7月1日。"))
            value = None
        dates[key] = value
    if status is not None:
        for key, message in _check_member_facts(status, dates["joined_on"], dates["formal_on"],
                                                dates["discipline_until"], row.birth_date).items():
            bad.append((key, "inconsistent", f"{message}。"))
    for fld, code, message in bad:
        row.errors.append(roster.Problem(row.row, fld, code, message))
    if bad:
        return None
    return MemberFacts(status, dates["joined_on"], dates["formal_on"], dates["discipline_until"],
                       ex.get("suspended", "").strip().upper() in _YES, ex.get("mobile_where", "").strip()[:100])


def preview_members(branch: Branch, data: bytes, filename: str) -> tuple[roster.ParsedRoster, dict]:
    """Read and check a member roll; nothing is saved. Returns the parsed roll (rows with their
    problems, by row number and field) and the facts of every good row by row number."""
    parsed = roster.parse_roster(data, filename, reference_date=timezone.localdate(), extra=MEMBER_COLUMNS)
    facts: dict[int, MemberFacts] = {}
    ids = [r.id_number for r in parsed.rows if r.id_number]
    elsewhere = {
        m.person.id_number: m.branch.village.name
        for m in Member.objects.filter(person__id_number__in=ids).exclude(branch=branch)
        .select_related("person", "branch__village")
    }
    for r in parsed.rows:
        f = _row_facts(r)
        if r.id_number and r.id_number in elsewhere:
            r.errors.append(roster.Problem(r.row, "id_number", "member_elsewhere",
                                           "该党员的组织关系在其他党组织，一名党员只能在一个党组织，请与乡镇换届办核实。"))
        if f is not None and not r.errors:
            facts[r.row] = f
    return parsed, facts


@dataclass
class MemberImport:
    rows: int
    added: int
    updated: int
    persons_created: int
    rejected: int
    rejected_xlsx: bytes | None


@transaction.atomic
@locking.guarded(of=roll_elections)
def import_members(actor, branch: Branch, data: bytes, filename: str, *, skip_bad_rows: bool = False) -> MemberImport:
    """Import a member roll: all rows or none, unless ``skip_bad_rows`` (then the rejected rows come
    back as an Excel file with their reasons). A member already on the roll is updated."""
    _require(actor, WORK_ROLES, "导入党员名册", branch.village.code)
    try:
        parsed, facts = preview_members(branch, data, filename)
    except roster.RosterError as exc:
        raise PartyError(str(exc)) from None
    bad = [r for r in parsed.rows if r.errors]
    if not parsed.rows:
        raise PartyError("名册中没有党员。")
    if bad and not skip_bad_rows:
        first = "；".join(f"第{p.row}行{MEMBER_LABELS.get(p.field) or roster.FIELD_LABELS.get(p.field, p.field)}：{p.message}"
                         for p in parsed.errors[:5])
        raise ImportRejected(f"名册有{len(bad)}行有问题，未导入任何一行（可选择只导入没有问题的行）。{first}", parsed)
    people = {p.id_number: p for p in Person.objects.filter(id_number__in=[r.id_number for r in parsed.rows
                                                                            if r.row in facts])}
    hidden = [r for r in parsed.rows if r.row in facts and r.id_number in people
              and not may_see(actor, people[r.id_number])]
    if hidden:
        # Out of scope, a person is neither shown nor changed: the row is refused like any bad row.
        for r in hidden:
            r.errors.append(roster.Problem(r.row, "id_number", "registered_elsewhere", ELSEWHERE_MESSAGE))
            facts.pop(r.row)
        if not skip_bad_rows:
            raise ImportRejected(f"第{hidden[0].row}行：{ELSEWHERE_MESSAGE}。未导入任何一行（可选择只导入没有问题的行）。",
                                 parsed)
        bad = [r for r in parsed.rows if r.errors]
    existing = {m.person_id: m for m in Member.objects.filter(branch=branch)}
    added = updated = created = 0
    today = timezone.localdate()
    for r in parsed.rows:
        f = facts.get(r.row)
        if f is None:
            continue
        person = people.get(r.id_number)
        if person is None:
            person = Person.objects.create(
                name=r.name, id_number=r.id_number, gender=r.gender, birth_date=r.birth_date,
                ethnicity=r.ethnicity or "汉族", education=r.education, hukou_village=branch.village,
                residence_village=branch.village, address=r.address, phone=r.phone,
                political_status="cpc" if f.status == Member.FORMAL else "cpc_probationary",
            )
            created += 1
        values = {"status": f.status, "joined_on": f.joined_on, "formal_on": f.formal_on,
                  "discipline_until": f.discipline_until, "rights_suspended": f.rights_suspended,
                  "mobile": bool(f.mobile_where), "mobile_where": f.mobile_where, "note": r.note[:200]}
        member = existing.get(person.pk)
        if member is None:
            Member.objects.create(branch=branch, person=person, added_on=today, **values)
            added += 1
        else:
            for k, v in values.items():
                setattr(member, k, v)
            member.save()
            updated += 1
    audit.record(actor, "party.members_import", branch, object_repr=f"{branch.name}党员名册导入",
                 changes={"file": [None, filename], "added": [None, added], "updated": [None, updated],
                          "rejected": [None, len(bad)]})
    xlsx = rejected_rows_xlsx(parsed, title="党员名册未导入的行", labels=MEMBER_LABELS) if bad else None
    return MemberImport(len(parsed.rows), added, updated, created, len(bad), xlsx)


class ImportRejected(PartyError):
    def __init__(self, message: str, parsed: roster.ParsedRoster):
        self.parsed = parsed
        super().__init__(message)


def roll(branch: Branch, on: dt.date) -> list[dict]:
    """The roll with each member's vote on the day (R49, the engine's reason)."""
    out = []
    for m in branch.members.select_related("person").order_by("id"):
        v = vote_of(m, on)
        out.append({"member": m, "has_vote": v.has_vote, "code": v.code, "reason": v.reason})
    return out


# ---------------------------------------------------------------- the election

PARTY_POSTS = {
    "committee_member": ("委员", 3),
    "secretary": ("书记", 0),
    "deputy_secretary": ("副书记", 1),
    "discipline_member": ("纪检委员", 2),
}


def party_election_of(election: Election) -> PartyElection | None:
    if election.kind == Election.PARTY_BRANCH:
        return PartyElection.objects.filter(election=election).select_related("branch__village").first()
    if election.kind == Election.PARTY_PLENARY:
        return PartyElection.objects.filter(plenary=election).select_related("branch__village").first()
    return None


@transaction.atomic
def create_party_election(
    actor,
    campaign: Campaign,
    village: Region,
    assembly_date: dt.date,
    *,
    method: str = PartyElection.TWO_RECOMMEND,
    committee_seats: int = 3,
    deputy_secretaries: int = 0,
    discipline_member: bool = False,
) -> PartyElection:
    """The township (or county) sets up the village party organisation's election: the members'
    assembly electing the committee (差额, R54) and the first plenary electing 书记, 副书记 and
    纪检委员 (等额, R61). Both are elections of the one machinery, with their own rounds."""
    _require(actor, SETUP_ROLES, "建立村党组织选举（由乡镇或县换届办建立）", village.code)
    problems = []
    if method not in dict(PartyElection.METHOD_CHOICES):
        problems.append(f"选举方式“{method}”无法识别")
    if type(committee_seats) is not int or not 3 <= committee_seats <= 7:
        problems.append(f"委员名额应为 3 至 7 名，收到“{committee_seats}”")
    if deputy_secretaries not in (0, 1):
        problems.append("副书记名额应为 0 或 1 名")
    if problems:
        raise PartyError("；".join(problems) + "。")
    branch = branch_of(actor, village)
    try:
        election = elections.create_election(
            actor, campaign, village, assembly_date, [("committee_member", committee_seats)], kind=Election.PARTY_BRANCH
        )
        posts = [("secretary", 1)]
        if deputy_secretaries:
            posts.append(("deputy_secretary", 1))
        if discipline_member:
            posts.append(("discipline_member", 1))
        plenary = elections.create_election(actor, campaign, village, assembly_date, posts, kind=Election.PARTY_PLENARY)
    except elections.ElectionError as exc:
        raise PartyError(str(exc)) from None
    # R50: a 党员代表大会 is an option the higher organisation approves, never forced: the
    # assembly is the default and the page shows the engine's advice for the branch's size.
    pe = PartyElection.objects.create(election=election, plenary=plenary, branch=branch, method=method)
    audit.record(actor, "party.election_create", pe, object_repr=election.title,
                 changes={"method": [None, pe.get_method_display()], "committee_seats": [None, committee_seats]})
    return pe


@transaction.atomic
@locking.guarded
def record_approval(actor, pe: PartyElection, *, request_number: str, request_date: dt.date,
                    approval_number: str, approval_date: dt.date) -> PartyElection:
    """The branch's 请示 on the preliminary candidates and the township's 批复 (numbers and dates)."""
    _require(actor, SETUP_ROLES, "登记乡镇党委批复（由乡镇换届办登记）", pe.election.organization.code)
    errors = []
    if not (request_number or "").strip() or not isinstance(request_date, dt.date):
        errors.append("请填写请示文号和日期")
    if not (approval_number or "").strip() or not isinstance(approval_date, dt.date):
        errors.append("请填写批复文号和日期")
    if not errors and approval_date < request_date:
        errors.append(f"批复日期 {approval_date.isoformat()} 早于请示日期 {request_date.isoformat()}")
    if not errors and approval_date > timezone.localdate():
        errors.append("批复日期晚于今天，不能预先登记")
    window = notice_window(pe)
    if not errors and not pe.preliminary_decided_on:
        errors.append("预备人选尚未确定")
    elif not errors and window is None:
        errors.append("预备人选尚未公示")
    elif not errors and request_date <= window[1]:
        errors.append(f"公示至{window[1].isoformat()}结束，请示应在公示结束后报送（请示日期 {request_date.isoformat()}）")
    open_objections = NoticeObjection.objects.filter(election=pe.election, handled_on__isnull=True).count()
    if not errors and open_objections:
        errors.append(f"公示期间收到的反映有{open_objections}件尚未办结，办结后才能批复（P18）")
    if not errors:
        upheld = _upheld(pe)
        errors += [f"{n.candidate.person.name}：{upheld[n.candidate.person_id]}，须先重新确定预备人选（不再列入）后才能批复"
                   for n in nominees(pe) if n.candidate.status == Candidate.ACTIVE and n.candidate.person_id in upheld]
    if errors:
        raise PartyError("；".join(errors) + "。")
    before = [pe.approval_number, pe.approval_date]
    pe.request_number, pe.request_date = request_number.strip()[:60], request_date
    pe.approval_number, pe.approval_date = approval_number.strip()[:60], approval_date
    pe.save()
    audit.record(actor, "party.approval", pe, object_repr=f"{pe.election.title}：乡镇党委批复",
                 changes={"approval": [before, [pe.approval_number, approval_date]]})
    _step(actor, pe.election, "request_sent", request_date)
    _step(actor, pe.election, "approval_received", approval_date)
    return pe


# ---------------------------------------------------------------- recommendation (两推 / 公推直选)


def meeting_kinds(pe: PartyElection) -> list[tuple[str, str]]:
    labels = dict(RecommendationMeeting.KIND_CHOICES)
    if pe.method == PartyElection.PUBLIC_DIRECT:
        codes = [RecommendationMeeting.OPEN_ROUND, RecommendationMeeting.DIRECTED_ROUND]
    else:
        codes = [RecommendationMeeting.MEMBERS, RecommendationMeeting.VILLAGERS]
    return [(c, labels[c]) for c in codes]


@transaction.atomic
@locking.guarded
def record_recommendation(actor, pe: PartyElection, kind: str, *, held_on: dt.date, expected: int, present: int,
                          tallies: Mapping[Person, int]) -> RecommendationMeeting:
    """A recommendation meeting (date, expected and present) with each person's votes; the
    members' and the villagers' tallies are separate meetings and never added together here."""
    election = pe.election
    _require(actor, WORK_ROLES, "登记推荐情况", election.organization.code)
    errors = []
    if kind not in dict(meeting_kinds(pe)):
        errors.append(f"{pe.get_method_display()}没有“{dict(RecommendationMeeting.KIND_CHOICES).get(kind, kind)}”")
    if not isinstance(held_on, dt.date):
        errors.append("请填写推荐日期")
    if type(expected) is not int or type(present) is not int or expected <= 0 or present < 0:
        errors.append("应到、实到人数应为整数，应到人数大于 0")
    elif present > expected:
        errors.append(f"实到{present}人多于应到{expected}人")
    for person, votes in tallies.items():
        if type(votes) is not int or votes < 0:
            errors.append(f"{person.name}的得票应为非负整数")
        elif type(present) is int and votes > present:
            errors.append(f"{person.name}得票{votes}多于实到人数{present}")
    if errors:
        raise PartyError("；".join(errors) + "。")
    meeting, _ = RecommendationMeeting.objects.update_or_create(
        election=election, kind=kind, defaults={"held_on": held_on, "expected": expected, "present": present})
    meeting.tallies.all().delete()
    RecommendationTally.objects.bulk_create(
        [RecommendationTally(meeting=meeting, person=p, votes=v) for p, v in tallies.items()])
    step = {RecommendationMeeting.MEMBERS: "members_recommend", RecommendationMeeting.OPEN_ROUND: "members_recommend",
            RecommendationMeeting.VILLAGERS: "villagers_recommend",
            RecommendationMeeting.DIRECTED_ROUND: "villagers_recommend"}[kind]
    _step(actor, election, step, held_on)
    audit.record(actor, "party.recommendation", meeting, object_repr=f"{election.title}：{meeting.get_kind_display()}",
                 changes={"expected": [None, expected], "present": [None, present],
                          "tallies": [None, {p.name: v for p, v in tallies.items()}]})
    return meeting


def tally_table(pe: PartyElection) -> dict:
    """Each person's votes per meeting, side by side (not added): {"meetings", "rows"}."""
    meetings = list(RecommendationMeeting.objects.filter(election=pe.election).order_by("held_on", "id"))
    by_person: dict[int, dict] = {}
    for m in meetings:
        for t in m.tallies.select_related("person"):
            row = by_person.setdefault(t.person_id, {"person": t.person, "votes": {}})
            row["votes"][m.pk] = t.votes
    rows = sorted(by_person.values(), key=lambda r: [-r["votes"].get(m.pk, 0) for m in meetings])
    for r in rows:
        r["cells"] = [r["votes"].get(m.pk, 0) for m in meetings]
    return {"meetings": meetings, "rows": rows}


def _step(actor, election: Election, key: str, on: dt.date) -> None:
    """Tick a step of the party timeline (the elections' step record, with its checks)."""
    try:
        elections.record_step(actor, election, key, on)
    except elections.ElectionError as exc:
        raise PartyError(str(exc)) from None


# ---------------------------------------------------------------- candidates: initial, review, inspection, preliminary


def _committee_post(pe: PartyElection):
    return pe.election.posts.get(code="committee_member")


def nominees(pe: PartyElection) -> list[Nominee]:
    return list(
        Nominee.objects.filter(candidate__election=pe.election)
        .select_related("candidate__person", "candidate__post").order_by("candidate__list_order", "id")
    )


@transaction.atomic
@locking.guarded
def add_nominee(actor, pe: PartyElection, person: Person, *, source: str = Nominee.RECOMMENDED,
                proposed_post: str = "", current_post: str = "") -> Nominee:
    """An initial candidate (初步人选) for the committee: a member of this branch with the right to
    stand on the assembly day (R49). A township direct nomination is recorded as such and only
    the township or county may make it. The qualification review opens at once (review app)."""
    election = pe.election
    roles = SETUP_ROLES if source == Nominee.TOWNSHIP_DIRECT else WORK_ROLES
    _require(actor, roles, "提出候选人初步人选" if source == Nominee.RECOMMENDED else "直接提名（乡镇党委）",
             election.organization.code)
    if pe.preliminary_decided_on:
        raise PartyError("预备人选已经确定，不能再增加初步人选。")
    if source not in dict(Nominee.SOURCE_CHOICES):
        raise PartyError(f"产生方式“{source}”无法识别。")
    member = Member.objects.filter(branch=pe.branch, person=person).first()
    if member is None:
        raise PartyError(f"{person.name}不在{pe.branch.name}党员名册中。")
    v = vote_of(member, election.election_date)
    if not v.has_vote:
        raise PartyError(f"{person.name}：{v.reason}，不能作为候选人（R49）。")
    post = _committee_post(pe)
    if Candidate.objects.filter(post=post, person=person).exists():
        raise PartyError(f"{person.name}已是初步人选。")
    order = Candidate.objects.filter(election=election).count() + 1
    cand = Candidate.objects.create(election=election, post=post, person=person, list_order=order,
                                    selection_note=dict(Nominee.SOURCE_CHOICES)[source])
    if current_post not in CURRENT_POSTS:
        raise PartyError(f"现任职务“{current_post}”无法识别，应为书记、副书记、委员或空（新进）。")
    nominee = Nominee.objects.create(candidate=cand, source=source, proposed_post=proposed_post,
                                     current_post=current_post)
    from huanjie.review.services import open_review

    open_review(actor, cand)
    audit.record(actor, "party.nominee_add", nominee, object_repr=f"{election.title}初步人选：{person.name}",
                 changes={"source": [None, nominee.get_source_display()]})
    return nominee


CURRENT_POSTS = ("", "书记", "副书记", "纪检委员", "委员")


def policy_checks(pe: PartyElection) -> dict[int, dict]:
    """P1–P6 of the campaign policy for each initial candidate, by nominee id — the villagers'
    committee's candidate checks (age by post and gender at the cut-off date, education of
    newcomers), with the figures in each reason: ``{"refusals", "warnings"}``."""
    from huanjie.elections.nomination import services as candidates

    by_candidate = candidates.candidate_checks(pe.election)
    return {n.pk: by_candidate.get(n.candidate_id, {"refusals": [], "warnings": []}) for n in nominees(pe)}


@transaction.atomic
@locking.guarded
def record_age_exception(actor, nominee: Nominee, *, reason: str, approved_by: str) -> Nominee:
    """P2's recorded exception: an outstanding sitting secretary over the age limit stays with the
    approving body's agreement (the policy then warns instead of refusing)."""
    election = nominee.candidate.election
    _require(actor, SETUP_ROLES, "登记年龄破格（由乡镇或县登记）", election.organization.code)
    if pe_of_nominee := party_election_of(election):
        if pe_of_nominee.preliminary_decided_on:
            raise PartyError("预备人选已经确定，不能再登记破格。")
    if not (reason or "").strip() or not (approved_by or "").strip():
        raise PartyError("请填写破格理由和批准机关。")
    c = nominee.candidate
    before = [c.exception_body, c.exception_reason]
    c.exception_body, c.exception_reason = approved_by.strip()[:100], reason.strip()[:300]
    c.save(update_fields=["exception_body", "exception_reason"])
    audit.record(actor, "party.age_exception", nominee, object_repr=f"年龄破格：{c.person.name}",
                 changes={"exception": [before, [c.exception_body, c.exception_reason]]})
    return nominee


def structure_checks(pe: PartyElection) -> list[dict]:
    """P11 on the committee's list (the preliminary candidates once decided, the initial ones
    before): a member of 35 or under with college education, the share of women, with figures."""
    from huanjie.elections.nomination import services as candidates

    return [c for c in candidates.team_check_results(pe.election) if c["code"].startswith("P11")]


def initial_check(pe: PartyElection) -> dict:
    """P7: at least the policy's multiple of the committee seats (1.5 × by default)."""
    seats = _committee_post(pe).seats
    need = initial_candidates_minimum(seats, get_policy(pe.election.campaign.policy or {}))
    have = Nominee.objects.filter(candidate__election=pe.election).count()
    return {"seats": seats, "need": need, "have": have, "met": have >= need,
            "text": f"应选委员{seats}名，初步人选{have}人，按政策至少需{need}人（P7）"}


def inspector_for(nominee: Nominee) -> str:
    """Secretary candidates are inspected by the county, the others by the township (issue 12)."""
    return "县委组织部" if nominee.proposed_post == "secretary" else "乡镇党委"


@transaction.atomic
@locking.guarded
def record_inspection(actor, nominee: Nominee, *, inspected_on: dt.date, competent: int, basic: int,
                      incompetent: int, talks: int, visits: str = "", inspected_by: str = "") -> Nominee:
    """考察: the 民主测评 counts (称职 / 基本称职 / 不称职), the talks and the site visits."""
    election = nominee.candidate.election
    _require(actor, SETUP_ROLES, "登记考察情况（由乡镇或县登记）", election.organization.code)
    nums = {"称职": competent, "基本称职": basic, "不称职": incompetent, "个别谈话人数": talks}
    bad = [k for k, v in nums.items() if type(v) is not int or v < 0]
    if bad or not isinstance(inspected_on, dt.date):
        raise PartyError("；".join([f"{k}应为非负整数" for k in bad] + ([] if isinstance(inspected_on, dt.date)
                                                                          else ["请填写考察日期"])) + "。")
    nominee.inspected_on = inspected_on
    nominee.rating_competent, nominee.rating_basic, nominee.rating_incompetent = competent, basic, incompetent
    nominee.talks, nominee.visits = talks, (visits or "").strip()[:300]
    nominee.inspected_by = (inspected_by or "").strip()[:60] or inspector_for(nominee)
    nominee.save()
    audit.record(actor, "party.inspection", nominee, object_repr=f"考察：{nominee.candidate.person.name}",
                 changes={"民主测评": [None, [competent, basic, incompetent]], "talks": [None, talks]})
    return nominee


@transaction.atomic
@locking.guarded
def decide_preliminary(actor, pe: PartyElection, chosen: list[Nominee], on: dt.date) -> list[Nominee]:
    """预备人选: the committee's list, seats + 1 by policy and never below R54's 20 % margin
    (the engine's check P8), each with the review passed and the inspection recorded. The
    initial candidates not chosen stay on record, marked as not selected (they leave the ballot)."""
    election = pe.election
    _require(actor, WORK_ROLES, "确定候选人预备人选", election.organization.code)
    if pe.approved:
        raise PartyError("乡镇党委已批复预备人选，不能再改变。")
    from huanjie.review.services import review_status

    problems = []
    policy = policy_checks(pe)
    for n in chosen:
        if n.candidate.election_id != election.pk:
            problems.append(f"{n.candidate.person.name}不是本次选举的初步人选")
            continue
        status = review_status(n.candidate)
        if not status["passed"]:
            problems.append(status["blocking"])
        for r in policy.get(n.pk, {}).get("refusals", []):
            problems.append(f"{n.candidate.person.name}：{r['reason']}")
        if not n.inspected:
            problems.append(f"{n.candidate.person.name}尚未考察")
    upheld = _upheld(pe)
    problems += [f"{n.candidate.person.name}：{upheld[n.candidate.person_id]}，不能列为预备人选" for n in chosen
                 if n.candidate.person_id in upheld]
    seats = _committee_post(pe).seats
    check = team_checks([], on, get_policy(election.campaign.policy or {}),
                        candidate_counts=[{"stage": "preliminary", "seats": seats, "candidates": len(chosen)}])[0]
    if not check["met"]:
        problems.append(check["reason"])
    if problems:
        raise PartyError("不能确定预备人选：" + "；".join(problems) + "。")
    chosen_ids = {n.candidate_id for n in chosen}
    for n in nominees(pe):
        c = n.candidate
        c.status = Candidate.ACTIVE if c.pk in chosen_ids else Candidate.NOT_SELECTED
        c.save(update_fields=["status"])
    pe.preliminary_decided_on = on
    pe.save(update_fields=["preliminary_decided_on"])
    # The steps before it are done by now: the timeline gets their real days where the records have them.
    from huanjie.review.models import ReviewVerdict

    done = set(election.steps.values_list("key", flat=True))
    reviewed = ReviewVerdict.objects.filter(case__candidate__in=[n.candidate for n in chosen]).exclude(
        decided_on__isnull=True).order_by("-decided_on").values_list("decided_on", flat=True).first()
    inspected = max((n.inspected_on for n in chosen if n.inspected_on), default=None)
    for key, day in (("initial_candidates", on), ("joint_review", reviewed or on), ("inspection", inspected or on)):
        if key not in done:
            _step(actor, election, key, min(day, on))
    _step(actor, election, "preliminary_candidates", on)
    audit.record(actor, "party.preliminary", pe, object_repr=f"{election.title}：确定预备人选",
                 changes={"preliminary": [None, [n.candidate.person.name for n in chosen]]})
    return chosen


def notice_window(pe: PartyElection) -> tuple[dt.date, dt.date] | None:
    """The 公示 of the preliminary candidates: (first day, last day), policy length (P18)."""
    rec = pe.election.steps.filter(key="preliminary_notice").first()
    if rec is None:
        return None
    days = pe.election.campaign.effective_policy()["notice_days"]
    return rec.done_on, rec.done_on + dt.timedelta(days=days - 1)


NOTICE_STEPS = {NoticeObjection.OPEN_ROUND: "open_round_notice", NoticeObjection.INITIAL: "initial_notice",
                NoticeObjection.PRELIMINARY: "preliminary_notice"}


def notices(pe: PartyElection) -> list[tuple[str, str]]:
    """The 公示 of this method: 公推直选 publishes three times (seed 001), 两推一选 once."""
    labels = dict(NoticeObjection.NOTICE_CHOICES)
    codes = list(NOTICE_STEPS) if pe.method == PartyElection.PUBLIC_DIRECT else [NoticeObjection.PRELIMINARY]
    return [(c, labels[c]) for c in codes]


def notice_windows(pe: PartyElection) -> dict[str, tuple[dt.date, dt.date]]:
    """Each 公示 published so far: code → (first day, last day), the policy's length (P18)."""
    days = pe.election.campaign.effective_policy()["notice_days"]
    records = {r.key: r.done_on for r in pe.election.steps.filter(key__in=NOTICE_STEPS.values())}
    return {code: (records[key], records[key] + dt.timedelta(days=days - 1))
            for code, key in NOTICE_STEPS.items() if key in records and code in dict(notices(pe))}


def objections(pe: PartyElection) -> list[NoticeObjection]:
    return list(NoticeObjection.objects.filter(election=pe.election).select_related("about"))


@transaction.atomic
@locking.guarded
def record_objection(actor, pe: PartyElection, notice: str, *, received_on: dt.date, content: str,
                     from_whom: str = "", about: Person | None = None) -> NoticeObjection:
    """An objection received during a 公示, on the day it was received (within the window)."""
    _require(actor, WORK_ROLES, "登记公示期间的反映", pe.election.organization.code)
    windows = notice_windows(pe)
    problems = []
    if notice not in dict(notices(pe)):
        problems.append(f"{pe.get_method_display()}没有“{dict(NoticeObjection.NOTICE_CHOICES).get(notice, notice)}”")
    elif notice not in windows:
        problems.append(f"{dict(NoticeObjection.NOTICE_CHOICES)[notice]}尚未开始")
    if not isinstance(received_on, dt.date):
        problems.append("请填写收到日期")
    elif notice in windows and not windows[notice][0] <= received_on <= windows[notice][1]:
        start, end = windows[notice]
        problems.append(f"收到日期 {received_on.isoformat()} 不在公示期（{start.isoformat()} 至 {end.isoformat()}）内")
    elif received_on > timezone.localdate():
        problems.append("收到日期晚于今天")
    if not (content or "").strip():
        problems.append("请填写反映内容")
    if about is not None and not Member.objects.filter(branch=pe.branch, person=about).exists():
        problems.append(f"{about.name}不在{pe.branch.name}党员名册中")
    if problems:
        raise PartyError("；".join(problems) + "。")
    obj = NoticeObjection.objects.create(election=pe.election, notice=notice, received_on=received_on,
                                         content=content.strip()[:500], from_whom=(from_whom or "").strip()[:60],
                                         about=about)
    audit.record(actor, "party.objection", obj, object_repr=f"{pe.election.title}：{obj.get_notice_display()}期间的反映",
                 changes={"content": [None, obj.content], "about": [None, about.name if about else None]})
    return obj


def _upheld(pe: PartyElection) -> dict[int, str]:
    """The people about whom a 公示's objection was found true (反映属实), by person id, with what was
    found: they do not go forward to the township's approval. An objection found partly true (部分属实)
    is the township's judgement to record in its handling; it does not bar on its own."""
    return {o.about_id: f"公示期间反映的“{o.content[:40]}”经核查属实（{o.handled_on.isoformat()}）"
            for o in NoticeObjection.objects.filter(election=pe.election, outcome=NoticeObjection.UPHELD,
                                                    about__isnull=False)}


@transaction.atomic
@locking.guarded
def answer_objection(actor, objection: NoticeObjection, *, handled_on: dt.date, outcome: str, handling: str,
                     handled_by: str = "") -> NoticeObjection:
    """The township's check of an objection: its conclusion and handling, on a real day."""
    election = objection.election
    _require(actor, SETUP_ROLES, "办理公示期间的反映（由乡镇党委办理）", election.organization.code)
    problems = []
    if not isinstance(handled_on, dt.date):
        problems.append("请填写办理日期")
    elif handled_on < objection.received_on:
        problems.append(f"办理日期 {handled_on.isoformat()} 早于收到日期 {objection.received_on.isoformat()}")
    elif handled_on > timezone.localdate():
        problems.append("办理日期晚于今天")
    if outcome not in dict(NoticeObjection.OUTCOME_CHOICES):
        problems.append("请选择核查结论")
    if not (handling or "").strip():
        problems.append("请填写处理意见")
    if problems:
        raise PartyError("；".join(problems) + "。")
    before = [objection.get_outcome_display(), objection.handling]
    objection.handled_on, objection.outcome = handled_on, outcome
    objection.handling = handling.strip()[:500]
    objection.handled_by = (handled_by or "").strip()[:60] or f"中共{election.organization.parent.name}委员会"
    objection.save()
    audit.record(actor, "party.objection_answer", objection, object_repr=f"{election.title}：办理反映",
                 changes={"handling": [before, [objection.get_outcome_display(), objection.handling]]})
    return objection


@transaction.atomic
@locking.guarded
def publish_notice(actor, pe: PartyElection, on: dt.date, notice: str = NoticeObjection.PRELIMINARY) -> None:
    """Start a 公示 (the preliminary candidates', or for 公推直选 also the 海推 result's and the
    inspected initial candidates'); the objection window runs to its last day."""
    if notice not in dict(notices(pe)):
        raise PartyError(f"{pe.get_method_display()}没有“{dict(NoticeObjection.NOTICE_CHOICES).get(notice, notice)}”。")
    if not isinstance(on, dt.date):
        raise PartyError("请填写公示开始日期。")
    if notice == NoticeObjection.OPEN_ROUND:
        held = RecommendationMeeting.objects.filter(election=pe.election, kind=RecommendationMeeting.OPEN_ROUND).first()
        if held is None:
            raise PartyError("尚未登记海推结果，不能公示。")
        if on < held.held_on:
            raise PartyError(f"公示日期早于海推日期 {held.held_on.isoformat()}。")
    elif notice == NoticeObjection.INITIAL:
        inspected = [n.inspected_on for n in nominees(pe)]
        if not inspected or None in inspected:
            raise PartyError("初步人选尚未全部考察，不能进行考察公示。")
        if on < max(inspected):
            raise PartyError(f"公示日期早于考察日期 {max(inspected).isoformat()}。")
    else:
        if not pe.preliminary_decided_on:
            raise PartyError("预备人选尚未确定，不能公示。")
        if on < pe.preliminary_decided_on:
            raise PartyError("公示日期早于确定预备人选的日期。")
    _step(actor, pe.election, NOTICE_STEPS[notice], on)


# ---------------------------------------------------------------- the electing body (R50)


def is_congress(pe: PartyElection) -> bool:
    return pe.body == PartyElection.CONGRESS


def electorate(pe: PartyElection):
    """Who elects (R50): every member of the branch at a 党员大会, the delegates at a 党员代表大会."""
    if is_congress(pe):
        return Member.objects.filter(pk__in=Delegate.objects.filter(election=pe.election).values("member_id"))
    return pe.branch.members.all()


def in_electorate(pe: PartyElection, member: Member) -> bool:
    if member.branch_id != pe.branch_id:
        return False
    return not is_congress(pe) or Delegate.objects.filter(election=pe.election, member=member).exists()


def electorate_roll(pe: PartyElection, on: dt.date) -> list[dict]:
    """:func:`roll` of the electorate only (the sign-in sheet)."""
    ids = set(electorate(pe).values_list("pk", flat=True))
    return [r for r in roll(pe.branch, on) if r["member"].pk in ids]


@transaction.atomic
@locking.guarded
def set_body(actor, pe: PartyElection, body: str, *, approval_number: str = "",
             approved_on: dt.date | None = None) -> PartyElection:
    """党员大会 or 党员代表大会 (R50). The congress needs the branch's size or scattered units to allow
    it (the engine's answer) and the higher organisation's approval (number and date). Not
    changed once members have signed in: the electorate would change under the count."""
    _require(actor, SETUP_ROLES, "确定选举机构（由乡镇或县换届办确定）", pe.election.organization.code)
    if body not in dict(PartyElection.BODY_CHOICES):
        raise PartyError(f"选举机构“{body}”无法识别。")
    if SignIn.objects.filter(election=pe.election).exists() and body != pe.body:
        raise PartyError("已有党员签到，不能再改变选举机构。")
    number = (approval_number or "").strip()[:60]
    if body == PartyElection.CONGRESS:
        advice = body_of(pe.branch)
        problems = []
        if advice["body"] != "congress_allowed":
            problems.append(f"{advice['reason']}，不能召开党员代表大会（R50）")
        if not number or not isinstance(approved_on, dt.date):
            problems.append("召开党员代表大会须经上级党组织批准，请填写批准文号和日期（R50）")
        elif approved_on > timezone.localdate():
            problems.append("批准日期晚于今天，不能预先登记")
        if problems:
            raise PartyError("；".join(problems) + "。")
    else:
        number, approved_on = "", None
    before = [pe.get_body_display(), pe.body_approval_number]
    pe.body, pe.body_approval_number, pe.body_approved_on = body, number, approved_on
    pe.save(update_fields=["body", "body_approval_number", "body_approved_on"])
    audit.record(actor, "party.body", pe, object_repr=f"{pe.election.title}：{pe.get_body_display()}",
                 changes={"body": [before, [pe.get_body_display(), number]]})
    return pe


@transaction.atomic
@locking.guarded
def add_delegates(actor, pe: PartyElection, members: list[Member], *, unit: str = "") -> list[Delegate]:
    """Put members on the delegates' list of the 党员代表大会. A delegate must have the vote on the
    day (R49); nothing is saved when one of them is refused."""
    election = pe.election
    _require(actor, WORK_ROLES, "登记党员代表", election.organization.code)
    if not is_congress(pe):
        raise PartyError("本次选举由党员大会进行，没有代表名单。")
    problems = []
    taken = set(Delegate.objects.filter(election=election).values_list("member_id", flat=True))
    for m in members:
        if m.branch_id != pe.branch_id:
            problems.append(f"{m.person.name}不在{pe.branch.name}党员名册中")
            continue
        v = vote_of(m, election.election_date)
        if not v.has_vote:
            problems.append(f"{m.person.name}：{v.reason}，不能担任代表（R49）")
        elif m.pk in taken:
            problems.append(f"{m.person.name}已是代表")
    if not members:
        problems.append("请填写代表")
    if problems:
        raise PartyError("；".join(problems) + "。")
    today = timezone.localdate()
    out = [Delegate.objects.create(election=election, member=m, unit=(unit or "").strip()[:60], added_on=today)
           for m in members]
    audit.record(actor, "party.delegates_add", pe, object_repr=f"{election.title}：党员代表",
                 changes={"delegates": [None, [m.person.name for m in members]], "unit": [None, unit]})
    return out


@transaction.atomic
@locking.guarded
def remove_delegate(actor, pe: PartyElection, member: Member) -> None:
    election = pe.election
    _require(actor, WORK_ROLES, "修改党员代表名单", election.organization.code)
    if SignIn.objects.filter(election=election, member=member).exists():
        raise PartyError(f"{member.person.name}已签到，不能移出代表名单。")
    deleted, _ = Delegate.objects.filter(election=election, member=member).delete()
    if not deleted:
        raise PartyError(f"{member.person.name}不是代表。")
    Exclusion.objects.filter(election=election, member=member).delete()
    audit.record(actor, "party.delegate_remove", pe, object_repr=f"{election.title}：移出代表{member.person.name}")


# ---------------------------------------------------------------- attendance (R49–R53)


def attendance(election: Election):
    """The engine's 应到/实到/quorum for the assembly of a party branch election (R49, R51, R52).

    Members without the vote on the assembly day are counted by reason; exclusions go with both
    approvals as recorded; the sign-ins of members with the vote are 实到."""
    pe = party_election_of(election)
    day = election.election_date
    members = list(electorate(pe).select_related("person"))
    counts = {"probationary": 0, "on_probation_discipline": 0, "rights_suspended": 0}
    not_yet = 0
    voting_ids = set()
    for m in members:
        v = vote_of(m, day)
        if v.has_vote:
            voting_ids.add(m.pk)
        elif v.code == "not_yet_member":
            not_yet += 1
        else:
            counts[v.code] += 1
    exclusions = [
        EngineExclusion(
            e.member.person.name,
            e.situation,
            higher_approved=e.township_agreed_on is not None,
            assembly_approved=e.assembly_approved_on is not None,
        )
        for e in Exclusion.objects.filter(election=election).select_related("member__person")
        if e.member_id in voting_ids
    ]
    present = SignIn.objects.filter(election=election, member_id__in=voting_ids).count()
    return party_attendance(
        present,
        members_total=len(members) - not_yet,
        excluded_with_approval=exclusions,
        profile=elections.profile_of(election.campaign),
        **counts,
    )


def quorum_text(result, *, delegates: bool = False) -> str:
    """The R52 arithmetic as the chair reads it out (of delegates at a 党员代表大会)."""
    sign = ">" if result.present_with_vote * 5 > result.expected_attendance * 4 else "≤"
    verdict = "超过应到会人数的五分之四，可以进行选举" if result.quorum_met else "未超过应到会人数的五分之四，不能进行选举"
    who = "代表" if delegates else ""
    return (f"应到会{who}{result.expected_attendance}人，实到会有选举权的{who}{result.present_with_vote}人："
            f"{result.present_with_vote}×5={result.present_with_vote * 5} {sign} "
            f"{result.expected_attendance}×4={result.expected_attendance * 4}，{verdict}（R52）")


@transaction.atomic
@locking.guarded
def record_exclusion(actor, election: Election, member: Member, situation: str, *,
                     township_agreed_on: dt.date | None, assembly_approved_on: dt.date | None) -> Exclusion:
    """A member left out of 应到会人数 (R51) with the township's agreement and the assembly's approval."""
    _require(actor, WORK_ROLES, "登记不计入应到会人数的党员", election.organization.code)
    pe = party_election_of(election)
    if pe is None or election.kind != Election.PARTY_BRANCH or member.branch_id != pe.branch_id:
        raise PartyError("该党员不在本党组织名册中。")
    if not in_electorate(pe, member):
        raise PartyError(f"{member.person.name}不是本次党员代表大会的代表。")
    if situation not in EXCLUSION_SITUATIONS:
        raise PartyError("请选择可不计入应到会人数的情形。")
    late = exclusion_dates_problems(township_agreed_on, assembly_approved_on, election.election_date,
                                    timezone.localdate())
    if late:
        raise PartyError("；".join(late.values()) + "。")
    if SignIn.objects.filter(election=election, member=member).exists():
        raise PartyError(f"{member.person.name}已签到，不能不计入应到会人数。")
    ex, _ = Exclusion.objects.update_or_create(
        election=election, member=member,
        defaults={"situation": situation, "township_agreed_on": township_agreed_on,
                  "assembly_approved_on": assembly_approved_on},
    )
    audit.record(actor, "party.exclusion", ex, object_repr=f"{election.title}：{member.person.name}不计入应到会人数",
                 changes={"situation": [None, EXCLUSION_SITUATIONS[situation]],
                          "township_agreed_on": [None, township_agreed_on],
                          "assembly_approved_on": [None, assembly_approved_on]})
    return ex


@transaction.atomic
@locking.guarded
def sign_in(actor, election: Election, member: Member) -> SignIn:
    """A member signs in at the assembly (实到). Only a member with the vote counts; nobody signs
    for another (no proxies, R53)."""
    _require(actor, WORK_ROLES, "登记党员签到", election.organization.code)
    pe = party_election_of(election)
    if pe is None or election.kind != Election.PARTY_BRANCH or member.branch_id != pe.branch_id:
        raise PartyError("该党员不在本党组织名册中。")
    if not in_electorate(pe, member):
        raise PartyError(f"{member.person.name}不是本次党员代表大会的代表，不能签到（R50）。")
    v = vote_of(member, election.election_date)
    if not v.has_vote:
        raise PartyError(f"{member.person.name}：{v.reason}，不计入实到会有选举权的人数（R49）。")
    if Exclusion.objects.filter(election=election, member=member).exists():
        raise PartyError(f"{member.person.name}已登记为不计入应到会人数，请先撤销该登记。")
    rec, created = SignIn.objects.get_or_create(election=election, member=member)
    if created:
        audit.record(actor, "party.sign_in", rec, object_repr=f"{election.title}：{member.person.name}签到")
    return rec


@transaction.atomic
@locking.guarded(of=plenary_of)
def record_plenary_present(actor, pe: PartyElection, present: int) -> PartyElection:
    """How many of the new committee's members attend its first plenary (R61)."""
    _require(actor, WORK_ROLES, "登记全体会议到会人数", pe.election.organization.code)
    members = len(committee_elected(pe))
    if not members:
        raise PartyError("党员大会尚未选出新一届委员会。")
    if type(present) is not int or not 0 <= present <= members:
        raise PartyError(f"到会委员人数应为 0 至 {members} 的整数，收到“{present}”。")
    before = pe.plenary_present
    pe.plenary_present = present
    pe.save(update_fields=["plenary_present"])
    audit.record(actor, "party.plenary_present", pe, changes={"plenary_present": [before, present]})
    return pe


@transaction.atomic
@locking.guarded
def record_expected_approval(actor, pe: PartyElection, *, approved_on: dt.date,
                             county_informed_on: dt.date | None = None) -> PartyElection:
    """The township approves 应到会人数 as the engine computes it (R51); the county is informed (seed 004)."""
    _require(actor, SETUP_ROLES, "批准应到会人数（由乡镇换届办登记）", pe.election.organization.code)
    if not isinstance(approved_on, dt.date):
        raise PartyError("请填写乡镇党委批准应到会人数的日期。")
    if county_informed_on is not None and county_informed_on < approved_on:
        raise PartyError("报县委组织部备案的日期早于乡镇党委批准的日期。")
    expected = attendance(pe.election).expected_attendance
    before = [pe.expected_approved_on, pe.county_informed_on]
    pe.expected_approved_on, pe.county_informed_on = approved_on, county_informed_on
    pe.save(update_fields=["expected_approved_on", "county_informed_on"])
    audit.record(actor, "party.expected_approval", pe, object_repr=f"{pe.election.title}：应到会{expected}人",
                 changes={"approved": [before, [approved_on, county_informed_on]], "expected": [None, expected]})
    return pe


# ---------------------------------------------------------------- the first plenary (R61) and the result's 批复


@transaction.atomic
@locking.guarded(of=plenary_of)
def propose_plenary(actor, pe: PartyElection, picks: Mapping[str, Person]) -> list[Candidate]:
    """The plenary's candidates: one per post (等额, R61), each a member of the new committee
    elected by the assembly. Replaces an earlier proposal while nothing has been counted."""
    plenary = pe.plenary
    _require(actor, WORK_ROLES, "提出书记、副书记候选人", plenary.organization.code)
    elected = dict(
        ElectedMember.objects.filter(election=pe.election, status=ElectedMember.ELECTED)
        .values_list("person_id", "name")
    )
    if not elected:
        raise PartyError("党员大会尚未选出新一届委员会。")
    if plenary.rounds.filter(result__isnull=False).exists():
        raise PartyError("全体会议已经计票，不能再改变候选人。")
    posts = {p.code: p for p in plenary.posts.all()}
    problems = []
    for code in posts:
        if picks.get(code) is None:
            problems.append(f"请为{posts[code].name}提出候选人")
    for code, person in picks.items():
        if code not in posts:
            problems.append(f"全体会议没有“{code}”职位")
        elif person is not None and person.pk not in elected:
            problems.append(f"{person.name}不是新当选的委员，{posts[code].name}应从委员中选举（R61）")
    chosen = [p.pk for p in picks.values() if p is not None]
    if len(chosen) != len(set(chosen)):
        problems.append("同一人不能同时为两个职位的候选人")
    if problems:
        raise PartyError("；".join(problems) + "。")
    Candidate.objects.filter(election=plenary).delete()
    out = [Candidate.objects.create(election=plenary, post=posts[code], person=person, list_order=1)
           for code, person in picks.items()]
    audit.record(actor, "party.plenary_candidates", pe, object_repr=f"{plenary.title}：候选人",
                 changes={"candidates": [None, {posts[c].name: p.name for c, p in picks.items()}]})
    return out


@transaction.atomic
def record_result_approval(actor, pe: PartyElection, *, number: str, on: dt.date) -> PartyElection:
    """The township's 批复 of the election result (after the plenary's result)."""
    _require(actor, SETUP_ROLES, "登记选举结果批复（由乡镇换届办登记）", pe.election.organization.code)
    if not ElectedMember.objects.filter(election=pe.plenary, status=ElectedMember.ELECTED).exists():
        raise PartyError("全体会议尚未选出书记，不能批复选举结果。")
    if not (number or "").strip() or not isinstance(on, dt.date):
        raise PartyError("请填写批复文号和日期。")
    held = pe.plenary.rounds.order_by("-number").values_list("held_on", flat=True).first() or pe.plenary.election_date
    if on < held:
        raise PartyError(f"批复日期 {on.isoformat()} 早于全体会议选举日 {held.isoformat()}。")
    before = [pe.result_approval_number, pe.result_approval_date]
    pe.result_approval_number, pe.result_approval_date = number.strip()[:60], on
    pe.save(update_fields=["result_approval_number", "result_approval_date"])
    audit.record(actor, "party.result_approval", pe, object_repr=f"{pe.election.title}：选举结果批复",
                 changes={"result_approval": [before, [pe.result_approval_number, on]]})
    # The 批复 follows the reported (and so locked) result: a step of the plenary's calendar that
    # its submission does not freeze (AFTER_RESULT_STEPS).
    try:
        elections.record_after_result_step(actor, pe.plenary, "result_approved", on)
    except elections.ElectionError as exc:
        raise PartyError(str(exc)) from None
    return pe


@transaction.atomic
def record_secretary_filed(actor, pe: PartyElection, on: dt.date) -> PartyElection:
    """The elected 书记 filed with the county's organisation department (备案)."""
    _require(actor, SETUP_ROLES, "登记书记备案", pe.election.organization.code)
    if not pe.result_approval_date:
        raise PartyError("乡镇党委尚未批复选举结果，不能备案。")
    if not isinstance(on, dt.date) or on < pe.result_approval_date:
        raise PartyError("备案日期应不早于选举结果批复日期。")
    pe.secretary_filed_on = on
    pe.save(update_fields=["secretary_filed_on"])
    audit.record(actor, "party.secretary_filed", pe, changes={"secretary_filed_on": [None, on]})
    return pe


# ---------------------------------------------------------------- the hooks' answers


def ballot_blockers(election: Election) -> list[str]:
    """Why ballots may not be issued, counted or a result computed: no 批复 of the preliminary
    candidates; for the assembly, a failed 4/5 quorum (R52, with the arithmetic); for the plenary,
    no committee elected yet."""
    pe = party_election_of(election)
    if pe is None:
        return ["未找到本次选举的党组织信息"]
    out = []
    if not pe.approved:
        out.append("乡镇党委尚未批复候选人预备人选，选举不能进行")
    if election.kind == Election.PARTY_BRANCH:
        if is_congress(pe) and not Delegate.objects.filter(election=election).exists():
            out.append("党员代表大会尚未登记代表名单")
        result = attendance(election)
        if not result.quorum_met:
            out.append(quorum_text(result, delegates=is_congress(pe)))
    elif not committee_elected(pe):
        out.append("党员大会尚未选出新一届委员会，不能召开全体会议")
    return out


def committee_elected(pe: PartyElection) -> list[str]:
    return list(
        ElectedMember.objects.filter(election=pe.election, status=ElectedMember.ELECTED)
        .order_by("id").values_list("name", flat=True)
    )


def vote_inputs(rnd: Round) -> dict:
    election = rnd.election
    pe = party_election_of(election)
    if election.kind == Election.PARTY_BRANCH:
        result = attendance(election)
        return {"expected_attendance": result.expected_attendance, "present_with_vote": result.present_with_vote}
    members = committee_elected(pe) if pe else []
    return {"committee_members": tuple(members), "present": pe.plenary_present if pe else None}


# ---------------------------------------------------------------- across a scope (index page, API)


def visible_party_elections(user, campaign: Campaign | None = None):
    """The party elections (the assemblies) in the account's scope, by village."""
    prefix = getattr(user, "scope_prefix", None)
    if prefix is None or getattr(user, "role", None) not in {COUNTY, TOWNSHIP, VILLAGE, OBSERVER, ADMIN}:
        return PartyElection.objects.none()
    qs = PartyElection.objects.filter(election__organization__code__startswith=prefix)
    if campaign is not None:
        qs = qs.filter(election__campaign=campaign)
    return qs.select_related("election__organization__parent", "election__campaign", "plenary", "branch__village")


def party_row(pe: PartyElection) -> dict:
    """One party election as the lists show it (see :func:`party_rows`)."""
    return party_rows([pe])[0]


def party_rows(pes, *, live_attendance: bool = True) -> list[dict]:
    """Party elections as the lists show them: method and body, stage, the 批复, 应到/实到 and the
    quorum, the committee and the secretary elected, women and members of 35 or under among them.

    A fixed number of queries for any count, so the county's dashboard can show every village:
    应到/实到 of a counted assembly are the figures its count used (R51–R52, stored with the
    result); before the count they are worked out from the roll and the sign-ins one election at a
    time, only with ``live_attendance`` (the party's own list, one page at a time)."""
    from huanjie.elections.voting.models import RoundResult
    from huanjie.rules.dates import age_on

    pes = list(pes)
    ids = [pe.election_id for pe in pes]
    committee: dict[int, list[ElectedMember]] = {}
    for m in (ElectedMember.objects.filter(election_id__in=ids, status=ElectedMember.ELECTED)
              .select_related("person").order_by("id")):
        committee.setdefault(m.election_id, []).append(m)
    secretaries: dict[int, str] = {}
    for eid, name in (ElectedMember.objects.filter(election_id__in=[pe.plenary_id for pe in pes if pe.plenary_id],
                                                   status=ElectedMember.ELECTED, post__code="secretary")
                      .order_by("id").values_list("election_id", "name")):
        secretaries.setdefault(eid, name)
    counted = {
        eid: out for eid, out in RoundResult.objects.filter(round__election_id__in=ids, round__number=1)
        .values_list("round__election_id", "output")
    }
    rows = []
    for pe in pes:
        e = pe.election
        out = counted.get(e.pk)
        expected = present = quorum = None
        if out is not None:
            given = out.get("input", {})
            expected, present = given.get("expected_attendance"), given.get("present_with_vote")
            quorum = out.get("quorum_met")
        elif live_attendance:
            try:
                att = attendance(e)
            except Exception:  # noqa: BLE001 — inconsistent counts show as unknown here; the page names the reason
                att = None
            if att is not None:
                expected, present, quorum = att.expected_attendance, att.present_with_vote, att.quorum_met
        members = committee.get(e.pk, [])
        people = [m.person for m in members if m.person]
        rows.append({
            "pe": pe, "election": e, "village": e.organization,
            "method": pe.get_method_display(), "body": pe.get_body_display(),
            "stage": e.get_stage_display(), "plenary_stage": pe.plenary.get_stage_display() if pe.plenary else "",
            "approval": pe.approval_number if pe.approved else "",
            "expected": expected,
            "present": present,
            "quorum_met": quorum,
            "committee": [m.name for m in members],
            "secretary": secretaries.get(pe.plenary_id, ""),
            "women": sum(1 for p in people if p.gender == "F"),
            "young": sum(1 for p in people if p.birth_date and age_on(p.birth_date, e.election_date) <= 35),
            "result_approval": pe.result_approval_number,
        })
    return rows


INDEX_COLUMNS = ["村（社区）", "乡镇（街道）", "选举方式", "选举机构", "党员大会日期", "阶段", "预备人选批复", "应到会", "实到会",
                 "到会超过五分之四", "新一届委员", "书记", "女委员", "35岁以下委员", "选举结果批复"]


def index_cells(r: dict) -> list:
    """A row of :func:`party_rows` as the Excel lists write it (the party list, the dashboards)."""
    yes_no = {True: "是", False: "否", None: "—"}
    return [r["village"].name, r["village"].parent.name if r["village"].parent else "", r["method"], r["body"],
            r["election"].election_date.isoformat(), r["stage"], r["approval"] or "未批复",
            "—" if r["expected"] is None else r["expected"], "—" if r["present"] is None else r["present"],
            yes_no[r["quorum_met"]], "、".join(r["committee"]), r["secretary"], r["women"], r["young"],
            r["result_approval"] or ""]
