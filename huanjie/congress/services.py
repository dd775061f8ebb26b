"""Writes and decisions of the township party congress (乡镇党代会).

Planning (seed 003 篇7 steps 6 and 9; seed 002 三、第一步): the congress of a township in a
campaign, its number of delegates (R62, the engine's ``congress_size``) with the county's approval,
its election units made of the township's party organisations with their members from the
branches' rolls, the seats of each unit (the engine's ``allocate_delegates``; the office may set a
unit's seats by hand with a reason), and the 请示 to the county and its 批复.

Every write runs in one transaction with its audit record; guards: role and scope (the township's
code), lock (nothing the county's 批复 approved changes afterwards), dates (R4: no approval or
request dated in the future or before what it answers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from huanjie.accounts import audit
from huanjie.campaigns.models import Campaign
from huanjie.congress.models import (
    CandidateCategory,
    Congress,
    CongressStep,
    CredentialDecision,
    DelegateElection,
    ElectionUnit,
    Scrutineer,
    UnitBranch,
    UnitMeeting,
)
from huanjie.core.access import COUNTY, TOWNSHIP, in_scope
from huanjie.party.models import Branch
from huanjie.people.models import Region
from huanjie.rules.allocation import Allocation, UnitShare, allocate_delegates
from huanjie.rules.dates import check_fact_date
from huanjie.rules.errors import EngineError
from huanjie.rules.party import congress_size

OFFICES = {COUNTY, TOWNSHIP}


class CongressError(Exception):
    """A refused congress action; ``str(exc)`` is the Chinese reason."""


class CongressInvalid(CongressError):
    """Field-level errors ({field: reason}); nothing was saved."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("；".join(errors.values()))


def _require(actor, roles: set[str], what: str, code: str) -> None:
    if getattr(actor, "role", None) not in roles:
        raise CongressError(f"您的账号不能{what}。")
    if not in_scope(actor, code):
        raise CongressError("对象不在您的管辖范围内。")


def _unlocked(congress: Congress, what: str) -> None:
    """Lock guard: what the county's 批复 approved (the number and the allocation) stays as approved."""
    if congress.approved:
        raise CongressError(f"县委已批复（{congress.approval_number}），不能再{what}。")


def _dated(label: str, day, after=()) -> None:
    if not isinstance(day, dt.date):
        raise CongressInvalid({"date": f"{label}：日期无效"})
    verdict = check_fact_date(label, day, today=timezone.localdate(), after=after)
    if verdict.refusals:
        raise CongressInvalid({"date": "".join(verdict.refusals)})


def size_check(congress: Congress) -> dict:
    """R62 on the planned number (size_ok: at most 300; size_normal: 100–200)."""
    profile = congress.campaign.profile(congress.convene_on)
    # the margin part of congress_size is the units' business (R63); only the size is read here
    out = congress_size(congress.delegates_planned, 1, 2, profile)
    return {"size_ok": out["size_ok"], "size_normal": out["size_normal"],
            "normal": profile["congress.size_normal"], "max": profile["congress.size_max"]}


def _size_errors(campaign: Campaign, delegates: int | None, on: dt.date | None) -> dict[str, str]:
    if delegates is None:
        return {"delegates_planned": "代表名额应为整数"}
    profile = campaign.profile(on or campaign.starts_on)
    if not 1 <= delegates <= profile["congress.size_max"]:
        return {"delegates_planned": f"代表名额{delegates}名超出范围：最多{profile['congress.size_max']}名"}
    return {}


# ---------------------------------------------------------------- the congress


@transaction.atomic
def create_congress(actor, campaign: Campaign, township: Region, *, number: int | None, convene_on: dt.date | None,
                    delegates_planned: int | None, committee_seats: int = 9, deputy_secretaries: int = 2,
                    discipline_seats: int = 5) -> Congress:
    _require(actor, OFFICES, "筹备党代会", township.code)
    errors: dict[str, str] = {}
    if township.level != Region.TOWNSHIP or township.parent_id != campaign.county_id:
        errors["township"] = f"{township.name}不是本次换届所在县的乡镇"
    if Congress.objects.filter(campaign=campaign, township=township).exists():
        errors["township"] = f"{township.name}在本次换届中已有党代会"
    if not number or number < 1:
        errors["number"] = "届次（第几次代表大会）应为正整数"
    if convene_on is None:
        errors["convene_on"] = "请填写拟召开日期"
    elif not campaign.starts_on <= convene_on <= campaign.ends_on:
        errors["convene_on"] = (f"拟召开日期 {convene_on.isoformat()} 不在换届工作期间（{campaign.starts_on.isoformat()}"
                                f" 至 {campaign.ends_on.isoformat()}）")
    errors |= _size_errors(campaign, delegates_planned, convene_on)
    errors |= _seat_errors(committee_seats, deputy_secretaries, discipline_seats)
    if errors:
        raise CongressInvalid(errors)
    congress = Congress.objects.create(
        campaign=campaign, township=township, number=number, convene_on=convene_on,
        delegates_planned=delegates_planned, committee_seats=committee_seats,
        deputy_secretaries=deputy_secretaries, discipline_seats=discipline_seats,
    )
    audit.record(actor, "congress.create", congress, changes={
        "delegates_planned": [None, delegates_planned], "convene_on": [None, convene_on.isoformat()]})
    return congress


def _seat_errors(committee: int | None, deputies: int | None, discipline: int | None) -> dict[str, str]:
    errors = {}
    if not committee or committee < 3:
        errors["committee_seats"] = "党委委员名额应为不少于3的整数"
    if deputies is None or deputies < 0 or (committee and deputies >= committee):
        errors["deputy_secretaries"] = "副书记名额应为整数，且少于党委委员名额"
    if not discipline or discipline < 1:
        errors["discipline_seats"] = "纪委委员名额应为正整数"
    return errors


@transaction.atomic
def set_size(actor, congress: Congress, delegates_planned: int | None) -> Congress:
    _require(actor, OFFICES, "修改代表名额", congress.township.code)
    _unlocked(congress, "修改代表名额")
    errors = _size_errors(congress.campaign, delegates_planned, congress.convene_on)
    if errors:
        raise CongressInvalid(errors)
    before = congress.delegates_planned
    if before == delegates_planned:
        return congress
    congress.delegates_planned = delegates_planned
    # the county approved a number: a new number needs its approval again
    congress.size_approval_number, congress.size_approved_on = "", None
    congress.save(update_fields=["delegates_planned", "size_approval_number", "size_approved_on"])
    audit.record(actor, "congress.size", congress, changes={"delegates_planned": [before, delegates_planned]})
    return congress


@transaction.atomic
def approve_size(actor, congress: Congress, number: str, day: dt.date | None) -> Congress:
    """R62: the county approves the number of delegates."""
    _require(actor, {COUNTY}, "批准代表名额（县委批准）", congress.township.code)
    number = (number or "").strip()
    if not number:
        raise CongressInvalid({"size_approval_number": "请填写县委批准代表名额的文号"})
    _dated("县委批准代表名额", day)
    check = size_check(congress)
    if not check["size_ok"]:
        raise CongressError(f"代表名额{congress.delegates_planned}名超过最多{check['max']}名，不能批准。")
    congress.size_approval_number, congress.size_approved_on = number, day
    congress.save(update_fields=["size_approval_number", "size_approved_on"])
    audit.record(actor, "congress.size_approve", congress,
                 changes={"size_approval_number": ["", number], "size_approved_on": [None, day.isoformat()]})
    return congress


# ---------------------------------------------------------------- election units


def township_branches(congress: Congress):
    """The township's party organisations (their villages' current branches) with member counts."""
    return (Branch.objects.filter(village__parent=congress.township, village__valid_until__isnull=True)
            .select_related("village").annotate(member_count=Count("members")).order_by("village__code"))


def _branch_errors(congress: Congress, branches: list[Branch], unit: ElectionUnit | None) -> dict[str, str]:
    if not branches:
        return {"branches": "选举单位至少包括一个党组织"}
    errors = {}
    for b in branches:
        if b.village.parent_id != congress.township_id:
            errors["branches"] = f"{b.name}不属于{congress.township.name}"
            continue
        other = UnitBranch.objects.filter(congress=congress, branch=b).exclude(unit=unit).select_related("unit").first()
        if other is not None:
            errors["branches"] = f"{b.name}已在选举单位“{other.unit.name}”中，一个党组织只能在一个选举单位选举"
    return errors


@transaction.atomic
def add_unit(actor, congress: Congress, name: str, branches: list[Branch], reserved: int | None = 0) -> ElectionUnit:
    """A 选举单位 of one organisation, or several grouped together (seed 002: 必要时也可以将几个基层
    党组织划分为一个选举单位)."""
    _require(actor, OFFICES, "划分选举单位", congress.township.code)
    _unlocked(congress, "修改选举单位")
    name = (name or "").strip() or (branches[0].name if len(branches) == 1 else "")
    errors = _branch_errors(congress, branches, None)
    if not name:
        errors["name"] = "几个党组织合为一个选举单位时请填写名称"
    elif congress.units.filter(name=name).exists():
        errors["name"] = f"选举单位“{name}”已存在"
    if reserved is None or reserved < 0:
        errors["reserved"] = "保留名额应为不小于0的整数"
    if errors:
        raise CongressInvalid(errors)
    number = (congress.units.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    unit = ElectionUnit.objects.create(congress=congress, number=number, name=name, reserved=reserved)
    for b in branches:
        UnitBranch.objects.create(unit=unit, branch=b, congress=congress)
    audit.record(actor, "congress.unit_add", unit, changes={
        "branches": [None, [b.name for b in branches]], "reserved": [None, reserved]})
    return unit


@transaction.atomic
def units_from_branches(actor, congress: Congress) -> list[ElectionUnit]:
    """One unit per organisation not yet in a unit (原则上按独立的总支、支部划分)."""
    _require(actor, OFFICES, "划分选举单位", congress.township.code)
    taken = set(UnitBranch.objects.filter(congress=congress).values_list("branch_id", flat=True))
    return [add_unit(actor, congress, b.name, [b]) for b in township_branches(congress) if b.pk not in taken]


@transaction.atomic
def remove_unit(actor, unit: ElectionUnit) -> None:
    congress = unit.congress
    _require(actor, OFFICES, "划分选举单位", congress.township.code)
    _unlocked(congress, "修改选举单位")
    audit.record(actor, "congress.unit_remove", unit, changes={"name": [unit.name, None]})
    unit.delete()


@transaction.atomic
def set_reserved(actor, unit: ElectionUnit, reserved: int | None) -> ElectionUnit:
    congress = unit.congress
    _require(actor, OFFICES, "修改保留名额", congress.township.code)
    _unlocked(congress, "修改保留名额")
    if reserved is None or reserved < 0:
        raise CongressInvalid({"reserved": f"选举单位“{unit.name}”：保留名额应为不小于0的整数"})
    before = unit.reserved
    unit.reserved = reserved
    unit.save(update_fields=["reserved"])
    audit.record(actor, "congress.unit_reserved", unit, changes={"reserved": [before, reserved]})
    return unit


@transaction.atomic
def set_unit_seats(actor, unit: ElectionUnit, seats: int | None, reason: str) -> ElectionUnit:
    """Change a unit's seats from the engine's allocation, with a reason; ``None`` goes back to it."""
    congress = unit.congress
    _require(actor, OFFICES, "调整代表名额分配", congress.township.code)
    _unlocked(congress, "调整代表名额分配")
    reason = (reason or "").strip()
    errors = {}
    if seats is not None:
        if seats < max(1, unit.reserved):
            errors["seats"] = f"选举单位“{unit.name}”：名额应不少于1名且不少于保留名额{unit.reserved}名"
        if not reason:
            errors["reason"] = f"选举单位“{unit.name}”：调整名额应写明理由"
    if errors:
        raise CongressInvalid(errors)
    before = {"seats_set": unit.seats_set, "seats_reason": unit.seats_reason}
    unit.seats_set, unit.seats_reason = seats, (reason if seats is not None else "")
    unit.save(update_fields=["seats_set", "seats_reason"])
    audit.record(actor, "congress.unit_seats", unit, changes={
        k: [v, getattr(unit, k)] for k, v in before.items() if v != getattr(unit, k)})
    return unit


# ---------------------------------------------------------------- the allocation table


@dataclass
class UnitRow:
    unit: ElectionUnit
    branch_names: list[str]
    members: int
    computed: int | None  # the engine's seats (None when the engine could not allocate)
    detail: object | None  # the engine's UnitSeats
    seats: int  # what applies: set by hand, or computed

    @property
    def changed(self) -> bool:
        return self.unit.seats_set is not None and self.unit.seats_set != self.computed


@dataclass
class AllocationTable:
    congress: Congress
    rows: list[UnitRow]
    allocation: Allocation | None
    error: str  # why the engine could not allocate (no units, a unit without members …)
    total_members: int
    total_seats: int
    unassigned: list[Branch]  # the township's organisations in no unit

    @property
    def matches(self) -> bool:
        return self.total_seats == self.congress.delegates_planned

    @property
    def problems(self) -> list[str]:
        out = []
        if self.error:
            out.append(self.error)
        if self.rows and not self.matches:
            out.append(f"各选举单位名额合计{self.total_seats}名，与代表名额{self.congress.delegates_planned}名不一致")
        if self.unassigned:
            out.append("以下党组织未划入选举单位：" + "、".join(b.name for b in self.unassigned))
        return out


def allocation_table(congress: Congress) -> AllocationTable:
    units = list(congress.units.prefetch_related("memberships__branch__village"))
    counts = dict(
        Branch.objects.filter(pk__in=[m.branch_id for u in units for m in u.memberships.all()])
        .annotate(n=Count("members")).values_list("pk", "n")
    )
    members = {u.pk: sum(counts.get(m.branch_id, 0) for m in u.memberships.all()) for u in units}
    allocation, error = None, ""
    if units:
        try:
            allocation = allocate_delegates(
                [UnitShare(u.name, members[u.pk], u.reserved) for u in units], congress.delegates_planned)
        except EngineError as exc:
            error = exc.message
    else:
        error = "尚未划分选举单位"
    rows = []
    for i, u in enumerate(units):
        detail = allocation.rows[i] if allocation else None
        computed = detail.seats if detail else None
        seats = u.seats_set if u.seats_set is not None else (computed or 0)
        rows.append(UnitRow(u, [m.branch.name for m in u.memberships.all()], members[u.pk], computed, detail, seats))
    taken = {m.branch_id for u in units for m in u.memberships.all()}
    unassigned = [b for b in township_branches(congress) if b.pk not in taken]
    return AllocationTable(congress, rows, allocation, error, sum(members.values()), sum(r.seats for r in rows),
                           unassigned)


# ---------------------------------------------------------------- 请示 and 批复 (seed 003 step 6, 附例1)


def request_blockers(congress: Congress) -> list[str]:
    table = allocation_table(congress)
    out = list(table.problems)
    if not size_check(congress)["size_ok"]:
        out.append("代表名额超过上限")
    return out


@transaction.atomic
def record_request(actor, congress: Congress, number: str, day: dt.date | None) -> Congress:
    _require(actor, OFFICES, "登记召开党代会的请示", congress.township.code)
    _unlocked(congress, "修改请示")
    number = (number or "").strip()
    if not number:
        raise CongressInvalid({"request_number": "请填写请示文号"})
    _dated("召开党代会的请示", day)
    blockers = request_blockers(congress)
    if blockers:
        raise CongressError("请示还不能报送：" + "；".join(blockers) + "。")
    before = {"request_number": congress.request_number, "request_date": congress.request_date}
    congress.request_number, congress.request_date = number, day
    congress.save(update_fields=["request_number", "request_date"])
    audit.record(actor, "congress.request", congress, changes={
        "request_number": [before["request_number"], number],
        "request_date": [before["request_date"] and before["request_date"].isoformat(), day.isoformat()]})
    return congress


@transaction.atomic
def record_approval(actor, congress: Congress, number: str, day: dt.date | None) -> Congress:
    """The county's 批复: approves the number of delegates and the allocation; both are locked."""
    _require(actor, {COUNTY}, "批复召开党代会的请示（县委批复）", congress.township.code)
    if congress.approved:
        raise CongressError(f"县委已批复（{congress.approval_number}）。")
    number = (number or "").strip()
    if not number:
        raise CongressInvalid({"approval_number": "请填写批复文号"})
    if not congress.request_date:
        raise CongressError("乡镇党委尚未报送召开党代会的请示。")
    _dated("县委批复", day, after=[("请示日期", congress.request_date)])
    if not congress.size_approved_on:
        raise CongressError("县委尚未批准代表名额。")
    blockers = request_blockers(congress)
    if blockers:
        raise CongressError("不能批复：" + "；".join(blockers) + "。")
    congress.approval_number, congress.approval_date = number, day
    congress.save(update_fields=["approval_number", "approval_date"])
    audit.record(actor, "congress.approve", congress,
                 changes={"approval_number": ["", number], "approval_date": [None, day.isoformat()],
                          "seats": {r.unit.name: r.seats for r in allocation_table(congress).rows}})
    return congress


def visible_congresses(user, campaign: Campaign):
    prefix = user.scope_prefix
    if prefix is None:
        return Congress.objects.none()
    return Congress.objects.filter(campaign=campaign, township__code__startswith=prefix).select_related("township")


# ---------------------------------------------------------------- delegates per unit (R63, R64)


def unit_members(unit: ElectionUnit) -> list:
    from huanjie.party.models import Member

    return list(Member.objects.filter(branch__in=[m.branch_id for m in unit.memberships.all()])
                .select_related("person", "branch__village").order_by("branch__village__code", "id"))


def members_with_vote(unit: ElectionUnit, on: dt.date) -> list:
    """R49 on the day of the unit's assembly (the engine's decision per member, via the party app)."""
    from huanjie.party.services import vote_of

    return [m for m in unit_members(unit) if vote_of(m, on).has_vote]


def delegate_election_of(election) -> DelegateElection | None:
    return DelegateElection.objects.filter(election=election).select_related("unit__congress__township").first()


@transaction.atomic
def create_delegate_election(actor, unit: ElectionUnit, day: dt.date | None) -> DelegateElection:
    """The unit's members' assembly electing its delegates: an election of the one machinery with
    the unit's seats (after the county's 批复, which fixed them)."""
    from huanjie.elections import services as elections
    from huanjie.elections.models import Election

    congress = unit.congress
    _require(actor, OFFICES, "建立代表选举", congress.township.code)
    if not congress.approved:
        raise CongressError("县委尚未批复召开党代会的请示，代表名额还没有确定。")
    if DelegateElection.objects.filter(unit=unit, replaces__isnull=True).exists():
        raise CongressError(f"选举单位“{unit.name}”已建立代表选举。")
    if not isinstance(day, dt.date):
        raise CongressInvalid({"election_date": "请填写党员大会日期"})
    if day > congress.convene_on:
        raise CongressInvalid({"election_date": f"党员大会日期 {day.isoformat()} 晚于党代会拟召开日期"})
    row = next(r for r in allocation_table(congress).rows if r.unit.pk == unit.pk)
    first = unit.memberships.select_related("branch__village").first()
    try:
        election = elections.create_election(actor, congress.campaign, first.branch.village, day,
                                              [("delegate", row.seats)], kind=Election.CONGRESS_DELEGATES)
    except elections.ElectionError as exc:
        raise CongressError(str(exc)) from None
    de = DelegateElection.objects.create(unit=unit, election=election)
    audit.record(actor, "congress.delegate_election_create", de, object_repr=election.title,
                 changes={"seats": [None, row.seats], "election_date": [None, day.isoformat()]})
    return de


@transaction.atomic
def create_replacement_election(actor, decision: CredentialDecision, day: dt.date | None) -> DelegateElection:
    """R65 (seed 002 三: "代表不符合条件的，要责成原选举单位撤换"): the unit replaces a delegate the
    代表资格审查小组 found unqualified. The replacement is elected, not appointed: the unit's members'
    assembly holds a by-election (补选) of one seat on the one machinery, with the same candidate
    margin (R63), township approval, quorum and threshold (R64) as its first election. Party rules
    have no "next candidate moves up" (R60), so the runner-up of the first vote is not seated."""
    from huanjie.elections import services as elections
    from huanjie.elections.models import Election

    unit, congress = decision.unit, decision.congress
    _require(actor, OFFICES, "建立补选", congress.township.code)
    if decision.status != CredentialDecision.REPLACE:
        raise CongressError(f"{decision.elected.name}的审查结论是“{decision.get_status_display()}”，"
                            "只有责令撤换的代表才由选举单位补选。")
    existing = DelegateElection.objects.filter(replaces=decision.elected).select_related("election").first()
    if existing is not None:
        raise CongressError(f"选举单位“{unit.name}”已建立补选（{existing.election.title}），不能重复建立。")
    if not isinstance(day, dt.date):
        raise CongressInvalid({"election_date": "请填写补选的党员大会日期"})
    if day < decision.decided_on:
        raise CongressInvalid({"election_date": f"补选日期 {day.isoformat()} 早于代表资格审查日期 "
                                                f"{decision.decided_on.isoformat()}"})
    if day > congress.convene_on:
        raise CongressInvalid({"election_date": f"补选日期 {day.isoformat()} 晚于党代会拟召开日期"})
    first = unit.memberships.select_related("branch__village").first()
    try:
        election = elections.create_election(actor, congress.campaign, first.branch.village, day,
                                              [("delegate", 1)], kind=Election.CONGRESS_DELEGATES,
                                              by_election=True)
    except elections.ElectionError as exc:
        raise CongressError(str(exc)) from None
    # the machinery marks it 补选; the unit's page says whom it replaces
    election.title = f"{election.title[:-1]}，替换{decision.elected.name}）"[:120]
    election.save(update_fields=["title"])
    de = DelegateElection.objects.create(unit=unit, election=election, replaces=decision.elected)
    audit.record(actor, "congress.delegate_by_election_create", de, object_repr=election.title,
                 changes={"replaces": [None, decision.elected.name], "election_date": [None, day.isoformat()]})
    return de


def replacements(congress: Congress) -> dict[int, object]:
    """ElectedMember id of a replaced delegate → the delegate the unit's by-election elected instead."""
    from huanjie.elections.models import ElectedMember

    out = {}
    for de in DelegateElection.objects.filter(unit__congress=congress, replaces__isnull=False):
        em = (ElectedMember.objects.filter(election=de.election, status=ElectedMember.ELECTED)
              .order_by("-votes", "id").first())
        if em is not None:
            out[de.replaces_id] = em
    return out


@transaction.atomic
def set_previous_margin(actor, congress: Congress, delegates: int | None, candidates: int | None) -> Congress:
    """The previous congress's delegates and candidates (seed 003 篇7 step 12): the margin share every
    unit's initial candidates must keep. Fixed once a unit's list was approved against it."""
    from huanjie.rules.congress import margin_not_below_previous

    _require(actor, OFFICES, "登记上次党代会代表差额", congress.township.code)
    approved = DelegateElection.objects.filter(unit__congress=congress).exclude(approval_number="").first()
    if approved is not None:
        raise CongressError(f"选举单位“{approved.unit.name}”的代表候选人名单已按原差额比例审批，不能再修改。")
    errors = {}
    if delegates is None or delegates < 1:
        errors["previous_delegates"] = "上次党代会代表名额应为正整数"
    if candidates is None or (delegates and candidates < delegates):
        errors["previous_candidates"] = "上次代表候选人数应为不少于上次代表名额的整数"
    if not errors:
        try:
            margin_not_below_previous(1, 1, delegates, candidates)
        except EngineError as exc:
            errors[exc.path] = exc.message
    if errors:
        raise CongressInvalid(errors)
    before = [congress.previous_delegates, congress.previous_candidates]
    congress.previous_delegates, congress.previous_candidates = delegates, candidates
    congress.save(update_fields=["previous_delegates", "previous_candidates"])
    audit.record(actor, "congress.previous_margin", congress, changes={
        "previous_delegates": [before[0], delegates], "previous_candidates": [before[1], candidates]})
    return congress


def candidate_check(de: DelegateElection) -> dict:
    """R63: at least 20 % more candidates than seats (the engine's margin and its minimum) and, where
    the previous congress's figures are recorded, a margin share not below its (seed 003 step 12)."""
    from huanjie.elections.models import Candidate
    from huanjie.rules.counting import margin_ok

    e = de.election
    post = e.posts.get()
    have = Candidate.objects.filter(election=e, status=Candidate.ACTIVE).count()
    profile = e.profile()
    need = congress_size(1, post.seats, have, profile)["min_candidates_by_unit"]
    ok = bool(margin_ok(e.kind, "first", post.name, post.seats, have, profile))
    text = f"应选代表{post.seats}名，候选人{have}人，差额不少于应选人数的20%，至少需{need}人"
    congress = de.unit.congress
    previous = None
    if congress.previous_delegates and congress.previous_candidates is not None and de.replaces_id is None:
        # a by-election of one seat is not an initial list; the previous share applies to the first
        from huanjie.rules.congress import margin_not_below_previous

        previous = margin_not_below_previous(post.seats, max(have, post.seats), congress.previous_delegates,
                                             congress.previous_candidates)
        need, ok = max(need, previous.minimum), ok and previous.ok and have >= post.seats
        text += f"；{previous.text}"
    return {"seats": post.seats, "have": have, "need": need, "ok": ok, "text": text, "previous": previous}


@transaction.atomic
def add_candidate(actor, de: DelegateElection, person, *, category: str) -> object:
    """A delegate candidate: a member of one of the unit's organisations with the right to stand (R49),
    with the category the structure targets count (seeds 002/003)."""

    e = de.election
    _require(actor, OFFICES, "提出代表候选人", e.organization.code)
    if de.approved:
        raise CongressError("乡镇党委已审批代表候选人名单，不能再增加。")
    category = _category(category, person.name)
    member = next((m for m in unit_members(de.unit) if m.person_id == person.pk), None)
    if member is None:
        raise CongressError(f"{person.name}不在选举单位“{de.unit.name}”的党员名册中。")
    return _add_member_candidate(actor, de, member, category)


def _add_member_candidate(actor, de: DelegateElection, member, category: str):
    """A member of the unit's rolls put on its list (the checks of the list and the category done)."""
    from huanjie.elections.models import Candidate
    from huanjie.party.services import vote_of

    e, person = de.election, member.person
    v = vote_of(member, e.election_date)
    if not v.has_vote:
        raise CongressError(f"{person.name}：{v.reason}，不能作为代表候选人。")
    post = e.posts.get()
    if Candidate.objects.filter(post=post, person=person).exists():
        raise CongressError(f"{person.name}已是代表候选人。")
    cand = Candidate.objects.create(election=e, post=post, person=person,
                                    list_order=Candidate.objects.filter(election=e).count() + 1)
    CandidateCategory.objects.create(candidate=cand, category=category)
    audit.record(actor, "congress.delegate_candidate_add", cand, object_repr=f"{e.title}代表候选人：{person.name}",
                 changes={"category": [None, category]})
    return cand


CANDIDATE_COLUMNS = {"name": ("姓名",), "id_number": ("公民身份号码", "身份证号码", "身份证号"),
                     "category": ("类别", "代表类别", "人员类别")}
# The words a county's sheet uses for a category, besides the full labels of rules.congress.CATEGORIES.
CATEGORY_WORDS = {"领导干部": "cadre", "专业技术人员": "professional", "先进模范": "model", "一线党员": "front_line",
                  "其他": "other"}  # what the import's refusal and the page name
_CATEGORY_WORDS = CATEGORY_WORDS | {"干部": "cadre", "先进模范人物": "model", "生产和工作第一线党员": "front_line"}


@transaction.atomic
def import_candidates(actor, de: DelegateElection, data: bytes, filename: str) -> dict:
    """A unit's delegate candidates from a spreadsheet (姓名, 公民身份号码, 类别): each row a member of
    the unit's rolls, checked as one added by hand; a problem is named by its row and field, and
    nothing is saved while any row has one."""
    from huanjie.core import uploads
    from huanjie.core.tables import TableError, data_rows, locate_columns
    from huanjie.rules.congress import CATEGORIES
    from huanjie.rules.idnumber import parse_id

    _require(actor, OFFICES, "导入代表候选人", de.election.organization.code)
    if de.approved:
        raise CongressError("乡镇党委已审批代表候选人名单，不能再增加。")
    try:
        table = uploads.read_table(data, filename)
        head, cols = locate_columns(table, CANDIDATE_COLUMNS, {"name", "id_number", "category"})
    except (uploads.UploadRefused, TableError) as exc:
        raise CongressInvalid({"file": str(exc)}) from None
    by_id = {m.person.id_number: m for m in unit_members(de.unit)}
    by_label = {label: key for key, label in CATEGORIES.items()} | _CATEGORY_WORDS
    errors, rows, seen = [], [], {}
    for line, cell in data_rows(table, head, cols):
        number = cell("id_number").upper()
        member = by_id.get(number)
        category = by_label.get(cell("category"), cell("category") if cell("category") in CATEGORIES else None)
        if not parse_id(number).valid:
            errors.append(f"第 {line} 行，公民身份号码：“{number[:20]}”不是有效的公民身份号码")
        elif member is None:
            errors.append(f"第 {line} 行，公民身份号码：{number[:6]}…不在选举单位“{de.unit.name}”的党员名册中")
        elif cell("name") != member.person.name:
            errors.append(f"第 {line} 行，姓名：表中为“{cell('name')[:20]}”，党员名册中该公民身份号码为“{member.person.name}”")
        elif number in seen:
            errors.append(f"第 {line} 行，公民身份号码：与第 {seen[number]} 行重复")
        if category is None:
            errors.append(f"第 {line} 行，类别：“{cell('category')[:20]}”不是可选的类别（{'、'.join(CATEGORY_WORDS)}）")
        if member is not None and category is not None and number not in seen:
            rows.append((line, member, category))
        seen.setdefault(number, line)
    if not rows and not errors:
        raise CongressInvalid({"file": "表格中没有数据行。"})
    saved = 0
    if not errors:
        for line, member, category in rows:
            try:
                with transaction.atomic():
                    _add_member_candidate(actor, de, member, category)
                saved += 1
            except CongressError as exc:
                errors.append(f"第 {line} 行，{exc}")
    if errors:
        transaction.set_rollback(True)
        return {"saved": 0, "errors": errors}
    audit.record(actor, "congress.delegate_candidates_import", de, object_repr=f"{de.unit.name}代表候选人导入",
                 changes={"file": [None, filename], "added": [None, saved]})
    return {"saved": saved, "errors": []}


def _category(category, who: str) -> str:
    from huanjie.rules.congress import CATEGORIES

    category = (category or "").strip() if isinstance(category, str) else ""
    if not category:
        raise CongressInvalid({"category": f"{who}：请选择代表候选人类别"})
    if category not in CATEGORIES:
        raise CongressInvalid({"category": f"{who}：代表候选人类别“{category[:20]}”不在可选范围内"})
    return category


@transaction.atomic
def set_candidate_category(actor, de: DelegateElection, candidate, category: str) -> CandidateCategory:
    """The township office corrects a candidate's category until it approves the unit's list (then
    the list, and the structure figures reported with it, are fixed)."""
    e = de.election
    _require(actor, OFFICES, "修改代表候选人类别", e.organization.code)
    if getattr(actor, "role", None) != TOWNSHIP:
        raise CongressError("代表候选人类别由乡镇党委修改。")
    if candidate.election_id != e.pk:
        raise CongressError("该候选人不属于本选举单位的代表选举。")
    if de.approved:
        raise CongressError(f"乡镇党委已审批代表候选人名单，不能再修改{candidate.person.name}的类别。")
    category = _category(category, candidate.person.name)
    row = CandidateCategory.objects.filter(candidate=candidate).first()
    before = row.category if row else None
    row, _ = CandidateCategory.objects.update_or_create(candidate=candidate, defaults={"category": category})
    audit.record(actor, "congress.delegate_candidate_category", row,
                 object_repr=f"{e.title}代表候选人：{candidate.person.name}", changes={"category": [before, category]})
    return row


@transaction.atomic
def approve_candidates(actor, de: DelegateElection, number: str, day: dt.date | None) -> DelegateElection:
    """The township committee approves the unit's candidate list (seed 002: 报乡镇党委审批)."""
    e = de.election
    _require(actor, {COUNTY, TOWNSHIP}, "审批代表候选人名单", e.organization.code)
    if getattr(actor, "role", None) != TOWNSHIP:
        raise CongressError("代表候选人名单由乡镇党委审批。")
    number = (number or "").strip()
    if not number:
        raise CongressInvalid({"approval_number": "请填写审批文号"})
    _dated("乡镇党委审批代表候选人", day)
    if day > e.election_date:
        raise CongressInvalid({"date": "审批日期晚于党员大会日期"})
    check = candidate_check(de)
    if not check["ok"]:
        raise CongressError(check["text"] + "，人数不足，不能审批。")
    de.approval_number, de.approval_date = number, day
    de.save(update_fields=["approval_number", "approval_date"])
    audit.record(actor, "congress.delegate_candidates_approve", de,
                 changes={"approval_number": ["", number], "candidates": [None, check["have"]]})
    return de


@transaction.atomic
def record_meeting(actor, de: DelegateElection, present: int | None) -> UnitMeeting:
    """The unit's assembly on its day: 应到 from the rolls (R49), 实到 counted; R52/R64 quorum."""
    from huanjie.elections import services as elections

    e = de.election
    _require(actor, OFFICES, "登记党员大会到会人数", e.organization.code)
    try:
        elections.check_election_day_action(e, "登记党员大会到会人数")
    except elections.ElectionError as exc:
        raise CongressError(str(exc)) from None
    if e.stage not in (e.SETUP, e.REGISTRATION, e.NOMINATION, e.CANDIDATES):
        raise CongressError("已开始投票，不能再修改到会人数。")
    if present is None or present < 0:
        raise CongressInvalid({"present": "实到会人数应为不小于0的整数"})
    voting = members_with_vote(de.unit, e.election_date)
    expected = unit_attendance(de, 0, voting).expected_attendance
    if present > expected:
        raise CongressInvalid({"present": f"实到会人数{present}多于应到会有选举权的党员{expected}人"})
    met = unit_attendance(de, present, voting).quorum_met
    meeting, _ = UnitMeeting.objects.update_or_create(
        delegate_election=de, held_on=e.election_date,
        defaults={"expected": expected, "present": present, "quorum_met": met})
    audit.record(actor, "congress.unit_meeting", meeting, changes={
        "held_on": [None, e.election_date.isoformat()], "expected": [None, expected], "present": [None, present],
        "quorum_met": [None, met]})
    return meeting


def unit_exclusions(de: DelegateElection) -> list:
    """The members of the unit left out of 应到会人数 for its assembly (R51), as recorded."""
    from huanjie.party.models import Exclusion

    return list(Exclusion.objects.filter(election=de.election).select_related("member__person"))


def unit_attendance(de: DelegateElection, present: int, with_vote: list | None = None):
    """The engine's 应到/quorum for the unit's assembly (R49, R51, R52): the members with the vote
    on the day (``with_vote`` when the caller has them), less those left out in a listed situation
    with both approvals."""
    from huanjie.rules.party import Exclusion as EngineExclusion
    from huanjie.rules.party import party_attendance

    e = de.election
    if with_vote is None:
        with_vote = members_with_vote(de.unit, e.election_date)
    voting = {m.pk for m in with_vote}
    return party_attendance(
        present, members_total=len(voting), profile=e.profile(),
        excluded_with_approval=[
            EngineExclusion(x.member.person.name, x.situation, higher_approved=x.township_agreed_on is not None,
                            assembly_approved=x.assembly_approved_on is not None)
            for x in unit_exclusions(de) if x.member_id in voting])


@transaction.atomic
def record_unit_exclusion(actor, de: DelegateElection, member, situation: str, *,
                          township_agreed_on: dt.date | None, assembly_approved_on: dt.date | None):
    """A member of the unit left out of 应到会人数 of its assembly (R51): a listed situation, the
    township committee's agreement and the assembly's approval (without both the member stays in)."""
    from huanjie.party.models import Exclusion
    from huanjie.party.services import vote_of
    from huanjie.rules.party import EXCLUSION_SITUATIONS, exclusion_dates_problems

    e = de.election
    _require(actor, OFFICES, "登记不计入应到会人数的党员", e.organization.code)
    if e.stage not in (e.SETUP, e.REGISTRATION, e.NOMINATION, e.CANDIDATES):
        raise CongressError("已开始投票，不能再改变应到会人数。")
    if member.pk not in {m.pk for m in unit_members(de.unit)}:
        raise CongressInvalid({"member": "该党员不在本选举单位的党员名册中"})
    if not vote_of(member, e.election_date).has_vote:
        raise CongressInvalid({"member": f"{member.person.name}在党员大会之日没有选举权，本就不计入应到会人数（R49）"})
    errors = exclusion_dates_problems(township_agreed_on, assembly_approved_on, e.election_date,
                                      timezone.localdate())
    if situation not in EXCLUSION_SITUATIONS:
        errors["situation"] = "请选择可不计入应到会人数的情形"
    if errors:
        raise CongressInvalid(errors)
    ex, _ = Exclusion.objects.update_or_create(
        election=e, member=member,
        defaults={"situation": situation, "township_agreed_on": township_agreed_on,
                  "assembly_approved_on": assembly_approved_on})
    audit.record(actor, "congress.unit_exclusion", ex,
                 object_repr=f"{de.unit.name}党员大会：{member.person.name}不计入应到会人数",
                 changes={"situation": [None, EXCLUSION_SITUATIONS[situation]],
                          "township_agreed_on": [None, township_agreed_on],
                          "assembly_approved_on": [None, assembly_approved_on]})
    return ex


@transaction.atomic
def reschedule(actor, de: DelegateElection, new_date: dt.date | None):
    """The unit whose meeting fell short of the quorum elects again on a new day (R52, R65)."""
    from huanjie.elections import services as elections

    e = de.election
    _require(actor, OFFICES, "重新召开党员大会", e.organization.code)
    meeting = de.meeting
    if meeting is None or meeting.quorum_met:
        raise CongressError("只有到会人数不足、选举未能进行的选举单位才需要重新召开党员大会。")
    if not isinstance(new_date, dt.date) or new_date <= e.election_date:
        raise CongressInvalid({"election_date": "请填写晚于原日期的新的党员大会日期"})
    try:
        move = elections.move_election_date(actor, e, new_date)
    except elections.ElectionError as exc:
        raise CongressError(str(exc)) from None
    audit.record(actor, "congress.unit_re_elect", de, changes={"election_date": [meeting.held_on.isoformat(),
                                                                                   new_date.isoformat()]})
    return move


def ballot_blockers(election) -> list[str]:
    de = delegate_election_of(election)
    if de is None:
        return []
    out = []
    if not de.approved:
        out.append("乡镇党委尚未审批代表候选人名单")
    meeting = de.meeting
    if meeting is None:
        out.append("尚未登记党员大会到会人数")
    elif not meeting.quorum_met:
        out.append(f"实到会有选举权的党员{meeting.present}人，未超过应到会{meeting.expected}人的五分之四，"
                   "选举不能进行，应另行召开党员大会")
    return out


def vote_inputs(rnd) -> dict:
    de = delegate_election_of(rnd.election)
    meeting = de.meeting if de else None
    if meeting is None:
        return {"expected_attendance": None, "present_with_vote": None}
    return {"expected_attendance": meeting.expected, "present_with_vote": meeting.present}


# ---------------------------------------------------------------- credentials (R65), register, delegations


def _unit_records(congress: Congress, on: dt.date):
    """(unit, ElectedMember, DelegateRecord) for every delegate elected by a unit so far."""
    from huanjie.elections.aftervote.documents import counted_forms
    from huanjie.elections.models import Candidate, ElectedMember
    from huanjie.party.services import vote_of
    from huanjie.rules.party import DelegateRecord

    out = []
    for de in DelegateElection.objects.filter(unit__congress=congress).select_related("unit", "election"):
        e = de.election
        meeting = de.meeting
        elected = list(ElectedMember.objects.filter(election=e, status=ElectedMember.ELECTED).select_related("post"))
        if meeting is None or not elected:
            continue
        first = e.rounds.get(number=1)
        forms = counted_forms([first.pk])
        issued = sum(f.ballots_issued for f in forms)
        returned = sum(f.ballots_returned for f in forms)
        post = e.posts.get()
        cands = Candidate.objects.filter(election=e, post=post).exclude(status=Candidate.WITHDRAWN).count()
        members = {m.person_id: m for m in unit_members(de.unit)}
        for em in elected:
            member = members.get(em.person_id)
            v = vote_of(member, on) if member else None
            status = "formal" if v and v.has_vote else (
                v.code if v and v.code in ("probationary", "on_probation_discipline", "rights_suspended")
                else "rights_suspended")
            out.append((de.unit, em, DelegateRecord(
                name=em.name, unit=de.unit.name, unit_expected=meeting.expected, unit_present=meeting.present,
                member_status=status, votes=em.votes, ballots_issued=issued if forms else None,
                ballots_returned=returned if forms else None, unit_seats=post.seats, unit_candidates=cands)))
    return out


@transaction.atomic
def review_credentials(actor, congress: Congress, on: dt.date | None) -> list[CredentialDecision]:
    """The 代表资格审查小组 checks every elected delegate (R65) with the engine; decisions replace
    the previous review's."""
    from huanjie.rules.party import credentials

    _require(actor, OFFICES, "登记代表资格审查", congress.township.code)
    _dated("代表资格审查", on)
    records = _unit_records(congress, on)
    if not records:
        raise CongressError("还没有选举单位选出代表，无法审查。")
    decisions = credentials([r for _, _, r in records], congress.campaign.profile(congress.convene_on))
    replaced = replacements(congress)
    CredentialDecision.objects.filter(congress=congress).delete()
    out = []
    for (unit, em, _), d in zip(records, decisions, strict=True):
        reason = d["reason"]
        if em.pk in replaced:
            # the decision on the replaced delegate stands; the report says who took the seat
            reason = f"{reason}；已由选举单位补选{replaced[em.pk].name}替换"
        out.append(CredentialDecision.objects.create(congress=congress, unit=unit, elected=em, status=d["status"],
                                                     reason=reason[:400], decided_on=on))
    counts = {s: sum(1 for d in out if d.status == s) for s, _ in CredentialDecision.STATUS_CHOICES}
    audit.record(actor, "congress.credentials", congress, changes={"decided_on": [None, on.isoformat()], **{
        k: [None, v] for k, v in counts.items()}})
    return out


def delegate_register(congress: Congress) -> list[dict]:
    """代表名册: the delegates whose credentials were confirmed, by delegation then unit."""
    from huanjie.rules.dates import age_on

    rows = []
    from huanjie.elections.models import ElectedMember

    swaps = replacements(congress)
    old_names = dict(ElectedMember.objects.filter(pk__in=swaps).values_list("pk", "name"))
    replaced_by = {new.pk: old_names[old] for old, new in swaps.items()}
    for d in (CredentialDecision.objects.filter(congress=congress, status=CredentialDecision.CONFIRMED)
              .select_related("unit", "elected__person")):
        p = d.elected.person
        old = replaced_by.get(d.elected_id)
        rows.append({"name": d.elected.name, "gender": {"M": "男", "F": "女"}.get(p.gender, "") if p else "",
                     "age": age_on(p.birth_date, congress.convene_on) if p else None,
                     "unit": d.unit.name, "unit_number": d.unit.number,
                     "delegation": d.unit.delegation or "未编团",
                     "note": f"补选（替换{old}）" if old else "", "replaces": old or "",
                     "elected_id": d.elected_id})
    return sorted(rows, key=lambda r: (r["delegation"], r["unit_number"]))


@transaction.atomic
def set_delegation(actor, unit: ElectionUnit, delegation: str) -> ElectionUnit:
    _require(actor, OFFICES, "编排代表团（组）", unit.congress.township.code)
    delegation = (delegation or "").strip()
    if len(delegation) > 40:
        raise CongressInvalid({"delegation": f"选举单位“{unit.name}”：代表团名称过长"})
    before = unit.delegation
    unit.delegation = delegation
    unit.save(update_fields=["delegation"])
    audit.record(actor, "congress.delegation", unit, changes={"delegation": [before, delegation]})
    return unit


# ---------------------------------------------------------------- the congress's elections (seed 003 steps 42–58)

# body → (election kind, post code, seats field, label); the plenaries: body → (kind, label)
BODIES = {
    "committee": ("township_party_committee", "committee_member", "committee_seats", "党委委员"),
    "discipline": ("township_discipline_commission", "commission_member", "discipline_seats", "纪委委员"),
}
# the further election of the congress: the township's delegates to the county congress (seed 002 三)
COUNTY_BODY = ("township_county_delegates", "delegate", "county_delegate_seats", "出席县党代会代表")
PLENARIES = {"committee": ("township_committee_plenary", "党委第一次全体会议"),
             "discipline": ("township_discipline_plenary", "纪委第一次全体会议")}


def body_election(congress: Congress, body: str):
    if body == "county":
        return congress.county_delegates_election
    return congress.committee_election if body == "committee" else congress.discipline_election


def plenary_election(congress: Congress, body: str):
    return congress.committee_plenary if body == "committee" else congress.discipline_plenary


def congress_of(election) -> tuple[Congress | None, str | None]:
    """The congress an election of the congress's kinds belongs to, and which body ("committee" /
    "discipline")."""
    for field, body in (("committee_election", "committee"), ("discipline_election", "discipline"),
                        ("committee_plenary", "committee"), ("discipline_plenary", "discipline"),
                        ("county_delegates_election", "county")):
        c = Congress.objects.filter(**{field: election}).select_related("township", "campaign").first()
        if c is not None:
            return c, body
    return None, None


def confirmed_delegates(congress: Congress) -> list[CredentialDecision]:
    return list(congress.credentials.filter(status=CredentialDecision.CONFIRMED).select_related("elected", "unit"))


@transaction.atomic
def set_up_elections(actor, congress: Congress, day: dt.date | None) -> Congress:
    """The congress's two elections on its day: the new party committee and the discipline
    commission (差额, R63 margin), each on the one machinery with the township as organisation."""
    from huanjie.elections import services as elections

    _require(actor, OFFICES, "建立大会选举", congress.township.code)
    if not congress.approved:
        raise CongressError("县委尚未批复召开党代会的请示。")
    if congress.committee_election_id:
        raise CongressError("大会选举已经建立。")
    if not isinstance(day, dt.date):
        raise CongressInvalid({"election_date": "请填写大会选举日期"})
    if not confirmed_delegates(congress):
        raise CongressError("尚未进行代表资格审查，没有资格有效的代表。")
    made = {}
    try:
        for body, (kind, post, seats_field, _label) in BODIES.items():
            made[body] = elections.create_election(actor, congress.campaign, congress.township, day,
                                                   [(post, getattr(congress, seats_field))], kind=kind)
    except elections.ElectionError as exc:
        raise CongressError(str(exc)) from None
    congress.committee_election, congress.discipline_election = made["committee"], made["discipline"]
    congress.save(update_fields=["committee_election", "discipline_election"])
    audit.record(actor, "congress.elections_create", congress, changes={"election_date": [None, day.isoformat()]})
    return congress


@transaction.atomic
def set_county_delegate_seats(actor, congress: Congress, seats: int | None) -> Congress:
    """How many delegates to the county congress this congress elects (the county's figure; 0 when
    the campaign does not ask for it). Fixed once the election is set up."""
    _require(actor, OFFICES, "登记出席县党代会代表名额", congress.township.code)
    if congress.county_delegates_election_id:
        raise CongressInvalid({"county_delegate_seats": "出席县党代会代表的选举已经建立，名额不能再改"})
    if seats is None or seats < 0 or seats > 300:
        raise CongressInvalid({"county_delegate_seats": "出席县党代会代表名额应为0到300的整数（0表示本次不选举）"})
    before = congress.county_delegate_seats
    congress.county_delegate_seats = seats
    congress.save(update_fields=["county_delegate_seats"])
    audit.record(actor, "congress.county_delegate_seats", congress, changes={"county_delegate_seats": [before, seats]})
    return congress


@transaction.atomic
def set_up_county_delegates(actor, congress: Congress, day: dt.date | None) -> Congress:
    """Seed 002 三 (选好出席县级党代会的代表): a further election of the congress on the one
    machinery, the township as organisation; counted as the congress's own elections (R63 margin,
    the congress's headcount and quorum, R58 threshold)."""
    from huanjie.elections import services as elections

    _require(actor, OFFICES, "建立出席县党代会代表的选举", congress.township.code)
    if not congress.county_delegate_seats:
        raise CongressError("本次党代会不需要选举出席县党代会代表（名额为0）。")
    if congress.county_delegates_election_id:
        raise CongressError("出席县党代会代表的选举已经建立。")
    if not congress.approved:
        raise CongressError("县委尚未批复召开党代会的请示。")
    if not isinstance(day, dt.date):
        raise CongressInvalid({"election_date": "请填写选举日期"})
    # elected at the same election meeting as the committees: one headcount (清点人数) for all
    if congress.committee_election is None:
        raise CongressError("大会选举（党委委员、纪委委员）尚未建立；出席县党代会代表在同一次选举大会上选举。")
    if day != congress.committee_election.election_date:
        raise CongressInvalid({"election_date": f"出席县党代会代表应在大会选举日 "
                                                f"{congress.committee_election.election_date.isoformat()} 选举"})
    kind, post, _, _ = COUNTY_BODY
    try:
        e = elections.create_election(actor, congress.campaign, congress.township, day,
                                      [(post, congress.county_delegate_seats)], kind=kind)
    except elections.ElectionError as exc:
        raise CongressError(str(exc)) from None
    congress.county_delegates_election = e
    congress.save(update_fields=["county_delegates_election"])
    audit.record(actor, "congress.county_delegates_create", congress, changes={
        "election_date": [None, day.isoformat()], "seats": [None, congress.county_delegate_seats]})
    return congress


def body_candidate_check(congress: Congress, body: str) -> dict:
    """≥ 20 % more candidates than seats (seed 003 附例1: 差额不少于应选名额的20%; the engine's margin)."""
    from huanjie.elections import kinds
    from huanjie.elections.models import Candidate
    from huanjie.rules.counting import margin_ok

    e = body_election(congress, body)
    post = e.posts.get()
    have = Candidate.objects.filter(election=e, status=Candidate.ACTIVE).count()
    need = post.seats + (post.seats + 4) // 5
    ok = bool(margin_ok(kinds.engine_kind(e.kind), "first", post.name, post.seats, have, e.profile()))
    label = COUNTY_BODY[3] if body == "county" else BODIES[body][3]
    return {"seats": post.seats, "have": have, "need": need, "ok": ok, "label": label,
            "text": f"{label}应选{post.seats}名，候选人{have}人，差额不少于20%，至少需{need}人"}


@transaction.atomic
def add_body_candidate(actor, congress: Congress, body: str, person):
    """A candidate on the preliminary list of the committee or the commission (before the county's approval)."""
    from huanjie.elections.models import Candidate
    from huanjie.people.services import ELSEWHERE_MESSAGE, may_see

    _require(actor, OFFICES, "提出候选人", congress.township.code)
    if body not in BODIES and body != "county":
        raise CongressError("未知的选举。")
    e = body_election(congress, body)
    if e is None:
        raise CongressError("该项选举尚未建立。")
    if not may_see(actor, person):
        raise CongressError(ELSEWHERE_MESSAGE + "。")
    if body == "county":
        # the presidium's list put to the congress: any party member of the township's units; it
        # may include committee candidates (the two elections are separate)
        if e.stage not in (e.SETUP, e.REGISTRATION, e.NOMINATION, e.CANDIDATES):
            raise CongressError("已开始投票，不能再增加候选人。")
        if not any(m.person_id == person.pk for u in congress.units.all() for m in unit_members(u)):
            raise CongressError(f"{person.name}不在本镇各选举单位的党员名册中。")
        if Candidate.objects.filter(election=e, person=person).exists():
            raise CongressError(f"{person.name}已是出席县党代会代表候选人。")
    else:
        if congress.candidates_approval_date:
            raise CongressError("县委已批复候选人预备人选，不能再增加。")
        other = body_election(congress, "discipline" if body == "committee" else "committee")
        if Candidate.objects.filter(election__in=[e, other], person=person).exists():
            raise CongressError(f"{person.name}已是党委委员或纪委委员候选人，不能同时列入两份名单。")
    if Scrutineer.objects.filter(congress=congress, elected__person=person).exists():
        raise CongressError(f"{person.name}是监票人，不能作为候选人。")
    post = e.posts.get()
    cand = Candidate.objects.create(election=e, post=post, person=person,
                                    list_order=Candidate.objects.filter(election=e).count() + 1)
    label = COUNTY_BODY[3] if body == "county" else BODIES[body][3]
    audit.record(actor, "congress.body_candidate_add", cand, object_repr=f"{label}候选人：{person.name}")
    return cand


@transaction.atomic
def approve_body_candidates(actor, congress: Congress, number: str, day: dt.date | None) -> Congress:
    """The county approves both preliminary lists (seed 003 steps 19–20)."""
    _require(actor, {COUNTY}, "批复党委、纪委委员候选人预备人选（县委批复）", congress.township.code)
    number = (number or "").strip()
    if not number:
        raise CongressInvalid({"candidates_approval_number": "请填写批复文号"})
    _dated("县委批复候选人预备人选", day, after=[("召开党代会的批复", congress.approval_date)])
    if congress.committee_election is None:
        raise CongressError("大会选举尚未建立。")
    short = [c["text"] for c in (body_candidate_check(congress, b) for b in BODIES) if not c["ok"]]
    if short:
        raise CongressError("；".join(short) + "，人数不足，不能批复。")
    congress.candidates_approval_number, congress.candidates_approval_date = number, day
    congress.save(update_fields=["candidates_approval_number", "candidates_approval_date"])
    audit.record(actor, "congress.body_candidates_approve", congress,
                 changes={"candidates_approval_number": ["", number]})
    return congress


@transaction.atomic
def record_preparatory(actor, congress: Congress, *, held_on: dt.date | None, agenda: str, presidium: str,
                       secretary_general: str) -> Congress:
    """预备会议: adopts the agenda, elects the presidium and the secretary-general, hears the
    credentials report (which must exist)."""
    _require(actor, OFFICES, "登记预备会议", congress.township.code)
    errors = {}
    if not (agenda or "").strip():
        errors["agenda"] = "请填写大会议程"
    names = [n.strip() for n in (presidium or "").splitlines() if n.strip()]
    if not names:
        errors["presidium"] = "请填写主席团成员（每行一人）"
    if errors:
        raise CongressInvalid(errors)
    if not congress.credentials.exists():
        raise CongressError("预备会议应听取代表资格审查报告，但尚未进行代表资格审查。")
    first = congress.credentials.order_by("decided_on").values_list("decided_on", flat=True).first()
    _dated("预备会议", held_on, after=[("代表资格审查", first)])
    e = congress.committee_election
    if e is not None and held_on > e.election_date:
        raise CongressInvalid({"held_on": "预备会议日期晚于大会选举日期"})
    congress.prep_held_on, congress.agenda, congress.presidium = held_on, agenda.strip(), "\n".join(names)
    congress.secretary_general = (secretary_general or "").strip()
    congress.save(update_fields=["prep_held_on", "agenda", "presidium", "secretary_general"])
    audit.record(actor, "congress.preparatory", congress, changes={
        "prep_held_on": [None, held_on.isoformat()], "presidium": [None, names]})
    return congress


@transaction.atomic
def add_scrutineer(actor, congress: Congress, decision: CredentialDecision, chief: bool = False) -> Scrutineer:
    """总监票人、监票人: delegates with confirmed credentials who are not candidates."""
    from huanjie.elections.models import Candidate

    _require(actor, OFFICES, "登记监票人", congress.township.code)
    if decision.congress_id != congress.pk or decision.status != CredentialDecision.CONFIRMED:
        raise CongressError("监票人应从资格有效的代表中产生。")
    person = decision.elected.person
    elections_ = [e for e in (congress.committee_election, congress.discipline_election) if e is not None]
    if Candidate.objects.filter(election__in=elections_, person=person).exclude(
            status=Candidate.WITHDRAWN).exists():
        raise CongressError(f"{decision.elected.name}是候选人，不能担任监票人。")
    if chief and congress.scrutineers.filter(chief=True).exists():
        raise CongressError("已有总监票人。")
    if congress.scrutineers.filter(elected=decision.elected).exists():
        raise CongressError(f"{decision.elected.name}已是监票人。")
    s = Scrutineer.objects.create(congress=congress, elected=decision.elected, chief=chief)
    audit.record(actor, "congress.scrutineer_add", s,
                 object_repr=f"{'总监票人' if chief else '监票人'}：{decision.elected.name}")
    return s


def _may_count_heads(actor, congress: Congress, what: str) -> None:
    """The office counts who came on the election meeting's day, until the count of the votes."""
    from huanjie.elections import services as elections

    _require(actor, OFFICES, what, congress.township.code)
    e = congress.committee_election
    if e is None:
        raise CongressError("大会选举尚未建立。")
    try:
        elections.check_election_day_action(e, "清点到会代表人数")
    except elections.ElectionError as exc:
        raise CongressError(str(exc)) from None
    if e.stage in (e.COUNTED, e.SUBMITTED):
        raise CongressError("已经计票，不能再修改到会人数。")


@transaction.atomic
def record_sign_in(actor, congress: Congress, signed: list[int]) -> dict:
    """签到: the delegates with confirmed credentials who came, ticked one by one (``signed`` holds
    their credential decisions' ids); 实到 is their number. Unticking takes a sign-in back; a
    delegate who is not on the confirmed list cannot sign in, nor anyone for another (R53)."""
    _may_count_heads(actor, congress, "登记代表签到")
    confirmed = confirmed_delegates(congress)
    by_id = {d.pk: d for d in confirmed}
    unknown = [i for i in signed if i not in by_id]
    if unknown:
        raise CongressInvalid({"signed": "只有资格审查确认有效的代表才能签到（所选代表不在名单中）"})
    chosen = set(signed)
    now = timezone.now()
    came = [d for d in confirmed if d.pk in chosen and d.signed_in_at is None]
    left = [d for d in confirmed if d.pk not in chosen and d.signed_in_at is not None]
    for d in came:
        d.signed_in_at = now
    for d in left:
        d.signed_in_at = None
    CredentialDecision.objects.bulk_update(came + left, ["signed_in_at"])
    before = congress.present_delegates
    congress.present_delegates = len(chosen)
    congress.save(update_fields=["present_delegates"])
    audit.record(actor, "congress.sign_in", congress,
                 changes={"present_delegates": [before, len(chosen)], "expected": [None, len(confirmed)],
                          "signed_in": [None, [d.elected.name for d in came]],
                          "signed_out": [None, [d.elected.name for d in left]]})
    return headcount(congress)


@transaction.atomic
def record_headcount(actor, congress: Congress, present: int | None) -> dict:
    """清点人数报告单 at the election meeting: 应到 = delegates with confirmed credentials; the 4/5 quorum.
    Where the delegates signed in one by one, 实到 is their number and a different figure is refused."""
    _may_count_heads(actor, congress, "登记清点人数")
    confirmed = confirmed_delegates(congress)
    expected = len(confirmed)
    if present is None or present < 0:
        raise CongressInvalid({"present": "实到会代表人数应为不小于0的整数"})
    if present > expected:
        raise CongressInvalid({"present": f"实到会代表{present}人多于应到会代表{expected}人"})
    signed = sum(1 for d in confirmed if d.signed_in_at is not None)
    if signed and present != signed:
        raise CongressInvalid({"present": f"已逐人签到{signed}名代表，实到会代表人数以签到为准（收到{present}）"})
    before = congress.present_delegates
    congress.present_delegates = present
    congress.save(update_fields=["present_delegates"])
    audit.record(actor, "congress.headcount", congress, changes={"present_delegates": [before, present],
                                                                  "expected": [None, expected]})
    return headcount(congress)


def headcount(congress: Congress) -> dict:
    from huanjie.rules.counting import quorum_met

    confirmed = confirmed_delegates(congress)
    expected = len(confirmed)
    present = congress.present_delegates
    e = congress.committee_election
    met = present is not None and e is not None and quorum_met(present, expected, e.profile())
    return {"expected": expected, "present": present, "met": met,
            "signed": [d.pk for d in confirmed if d.signed_in_at is not None],
            "text": (f"应到会代表{expected}名，实到会代表{present}名，"
                     + ("超过应到会人数的五分之四，可以进行选举" if met else "未超过应到会人数的五分之四，不能进行选举"))
            if present is not None else f"应到会代表{expected}名，尚未清点实到人数"}


def congress_ballot_blockers(election) -> list[str]:
    congress, body = congress_of(election)
    if congress is None:
        return []
    if election.kind in (PLENARIES["committee"][0], PLENARIES["discipline"][0]):
        present = congress.committee_plenary_present if body == "committee" else congress.discipline_plenary_present
        return [] if present else ["尚未登记全体会议到会委员人数"]
    out = []
    if body == "county":
        check = body_candidate_check(congress, "county")
        if not check["ok"]:
            out.append(check["text"] + "，人数不足")
    elif not congress.candidates_approval_date:
        out.append("县委尚未批复党委、纪委委员候选人预备人选")
    if not congress.prep_held_on:
        out.append("尚未召开预备会议（通过议程、选举主席团、听取代表资格审查报告）")
    if not congress.scrutineers.filter(chief=True).exists():
        out.append("尚未通过总监票人")
    h = headcount(congress)
    if not h["met"]:
        out.append(h["text"])
    return out


def congress_vote_inputs(rnd) -> dict:
    congress, body = congress_of(rnd.election)
    if congress is None:
        return {}
    if rnd.election.kind in (PLENARIES["committee"][0], PLENARIES["discipline"][0]):
        from huanjie.elections.models import ElectedMember

        members = ElectedMember.objects.filter(election=body_election(congress, body), status=ElectedMember.ELECTED)
        present = congress.committee_plenary_present if body == "committee" else congress.discipline_plenary_present
        return {"committee_members": tuple(m.name for m in members), "present": present}
    return {"expected_attendance": len(confirmed_delegates(congress)), "present_with_vote": congress.present_delegates}


# ---------------------------------------------------------------- first plenaries (R61) and the county's approval


@transaction.atomic
def propose_plenary(actor, congress: Congress, body: str, proposals: dict, day: dt.date | None) -> object:
    """The first plenary of the new committee (书记, 副书记) or commission (书记): 等额 from among the
    members just elected (R61); the candidates proposed by the previous committee."""
    from huanjie.elections import services as elections
    from huanjie.elections.models import Candidate, ElectedMember

    _require(actor, OFFICES, "建立第一次全体会议选举", congress.township.code)
    e = body_election(congress, body)
    if e is None or e.stage not in (e.COUNTED, e.SUBMITTED):
        raise CongressError(f"{BODIES[body][3]}尚未选举产生。")
    if plenary_election(congress, body) is not None:
        raise CongressError(f"{PLENARIES[body][1]}已经建立。")
    members = {m.person_id: m for m in ElectedMember.objects.filter(election=e, status=ElectedMember.ELECTED)}
    posts = [("secretary", 1)] + ([("deputy_secretary", congress.deputy_secretaries)]
                                  if body == "committee" and congress.deputy_secretaries else [])
    if body == "discipline":
        posts = [("discipline_secretary", 1)]
    errors = []
    chosen = set()
    for code, seats in posts:
        people = proposals.get(code) or []
        if len(people) != seats:
            errors.append(f"{dict(_PLENARY_LABELS)[code]}应提名{seats}人（等额）")
        for p in people:
            if p.pk not in members:
                errors.append(f"{p.name}不是新当选的{BODIES[body][3]}")
            if p.pk in chosen:
                errors.append(f"{p.name}不能同时提名两个职务")
            chosen.add(p.pk)
    if errors:
        raise CongressError("；".join(errors) + "。")
    if not isinstance(day, dt.date) or day < e.election_date:
        raise CongressInvalid({"election_date": "全体会议日期应不早于大会选举日"})
    try:
        plenary = elections.create_election(actor, congress.campaign, congress.township, day, posts,
                                            kind=PLENARIES[body][0])
    except elections.ElectionError as exc:
        raise CongressError(str(exc)) from None
    for code, _seats in posts:
        post = plenary.posts.get(code=code)
        for i, p in enumerate(proposals[code], 1):
            Candidate.objects.create(election=plenary, post=post, person=p, list_order=i)
    if body == "committee":
        congress.committee_plenary = plenary
    else:
        congress.discipline_plenary = plenary
    congress.save(update_fields=["committee_plenary" if body == "committee" else "discipline_plenary"])
    audit.record(actor, "congress.plenary_create", congress, changes={
        PLENARIES[body][1]: [None, {code: [p.name for p in proposals[code]] for code, _ in posts}]})
    return plenary


_PLENARY_LABELS = [("secretary", "书记"), ("deputy_secretary", "副书记"), ("discipline_secretary", "纪委书记")]


@transaction.atomic
def record_plenary_present(actor, congress: Congress, body: str, present: int | None) -> Congress:
    from huanjie.elections.models import ElectedMember

    _require(actor, OFFICES, "登记全体会议到会人数", congress.township.code)
    members = ElectedMember.objects.filter(election=body_election(congress, body),
                                           status=ElectedMember.ELECTED).count()
    if present is None or not 0 < present <= members:
        raise CongressInvalid({"present": f"到会委员人数应在1至{members}之间"})
    field = "committee_plenary_present" if body == "committee" else "discipline_plenary_present"
    before = getattr(congress, field)
    setattr(congress, field, present)
    congress.save(update_fields=[field])
    audit.record(actor, "congress.plenary_present", congress, changes={field: [before, present]})
    return congress


@transaction.atomic
def record_result_approval(actor, congress: Congress, number: str, day: dt.date | None) -> Congress:
    """The county approves the results of both plenaries (seed 003 steps 29–30, 58)."""
    _require(actor, {COUNTY}, "批复选举结果（县委批复）", congress.township.code)
    number = (number or "").strip()
    if not number:
        raise CongressInvalid({"result_approval_number": "请填写批复文号"})
    for body in BODIES:
        p = plenary_election(congress, body)
        if p is None or p.stage not in (p.COUNTED, p.SUBMITTED):
            raise CongressError(f"{PLENARIES[body][1]}尚未选举产生书记。")
    _dated("县委批复选举结果", day, after=[("全体会议", congress.committee_plenary.election_date)])
    congress.result_approval_number, congress.result_approval_date = number, day
    congress.save(update_fields=["result_approval_number", "result_approval_date"])
    audit.record(actor, "congress.result_approve", congress, changes={"result_approval_number": ["", number]})
    return congress


# ---------------------------------------------------------------- the 59 steps (seed 003 篇7)


@dataclass
class TimelineRow:
    step: object  # steps.Step
    earliest: dt.date
    due: dt.date
    done_on: dt.date | None
    status: str  # done / due / overdue / late (elections.services.step_status)
    recorded_by_system: bool  # done because the fact is recorded elsewhere in the system
    note: str = ""

    @property
    def status_label(self) -> str:
        return {"done": "已完成", "due": "待办", "overdue": "已逾期", "late": "完成但不在期限内"}[self.status]


def _facts(congress: Congress) -> dict[int, dt.date | None]:
    """Steps whose date is a fact recorded elsewhere: the system knows when they were done."""
    # each unit's first election (a by-election replacing one delegate is not a unit's election step)
    des = list(DelegateElection.objects.filter(unit__congress=congress, replaces__isnull=True)
               .select_related("election"))
    all_units = congress.units.count()

    def when_all(values):
        values = list(values)
        return max(values) if values and len(values) == all_units and all(values) else None

    meetings = [de.meeting for de in des]
    counted = [de.election for de in des if de.election.stage in ("counted", "submitted")]
    first_credentials = congress.credentials.order_by("decided_on").values_list("decided_on", flat=True).first()

    def counted_on(e):
        return e.election_date if e is not None and e.stage in ("counted", "submitted") else None

    return {
        6: congress.request_date,
        9: congress.request_date,
        15: when_all(de.approval_date for de in des),
        16: when_all(m.held_on for m in meetings if m and m.quorum_met) if len(counted) == all_units else None,
        17: first_credentials,
        18: first_credentials,
        19: congress.candidates_approval_date,
        20: congress.candidates_approval_date,
        24: first_credentials,
        45: congress.prep_held_on,
        52: counted_on(congress.discipline_election) and counted_on(congress.committee_election),
        53: counted_on(congress.county_delegates_election),
        56: counted_on(congress.committee_plenary),
        57: counted_on(congress.discipline_plenary),
        58: congress.result_approval_date,
    }


def timeline(congress: Congress, today: dt.date | None = None) -> list[TimelineRow]:
    from huanjie.congress.steps import PHASES, STEPS
    from huanjie.elections.services import step_status

    today = today or timezone.localdate()
    facts = _facts(congress)
    marked = {s.number: s for s in congress.steps.all()}
    day = congress.convene_on
    rows = []
    for step in STEPS:
        _title, first, last = PHASES[step.phase]
        earliest = day + dt.timedelta(days=first)
        due = day + dt.timedelta(days=step.due if step.due is not None else last)
        fact = facts.get(step.number)
        rec = marked.get(step.number)
        done_on = fact or (rec.done_on if rec else None)
        # a step done before its window opened is not late: only after the due day is
        rows.append(TimelineRow(step, earliest, due, done_on, step_status(due, None, done_on, today),
                                fact is not None, rec.note if rec and not fact else ""))
    return rows


@transaction.atomic
def record_step(actor, congress: Congress, number: int | None, done_on: dt.date | None, note: str = "") -> CongressStep:
    from huanjie.congress.steps import BY_NUMBER

    _require(actor, OFFICES, "登记工作步骤", congress.township.code)
    if number not in BY_NUMBER:
        raise CongressInvalid({"number": "步骤应为1至59"})
    if number in _facts(congress):
        raise CongressError(f"第{number}步由系统按已登记的事实确定完成日期，不需要手工登记。")
    _dated(f"第{number}步", done_on)
    step, created = CongressStep.objects.update_or_create(congress=congress, number=number,
                                                          defaults={"done_on": done_on, "note": (note or "")[:200]})
    audit.record(actor, "congress.step", step, changes={"number": [None, number], "done_on": [None, done_on.isoformat()]})
    return step


# ---------------------------------------------------------------- structure of the delegates (seed 002)


def structure(congress: Congress) -> dict:
    """Seeds 002/003's structure targets on the units' candidates and on the elected delegates, against
    the members of all units (the engine's ``delegate_structure``); a delegate's category is the one
    recorded for them as a candidate."""
    from huanjie.elections.models import Candidate, ElectedMember

    elections_ = list(DelegateElection.objects.filter(unit__congress=congress).values_list("election_id", flat=True))
    members = [_person_facts(m.person) for u in congress.units.all() for m in unit_members(u)]
    category = _categories(elections_)
    cands = [_person_facts(c.person, category.get((c.election_id, c.person_id)))
             for c in Candidate.objects.filter(election_id__in=elections_, status=Candidate.ACTIVE).select_related("person")]
    # a delegate the unit replaced (R65) is no longer one; the by-election's winner counts instead
    replaced = DelegateElection.objects.filter(unit__congress=congress, replaces__isnull=False).values_list(
        "replaces_id", flat=True)
    elected = [_person_facts(m.person, category.get((m.election_id, m.person_id))) for m in ElectedMember.objects.filter(
        election_id__in=elections_, status=ElectedMember.ELECTED, person__isnull=False)
        .exclude(pk__in=list(replaced)).select_related("person")]
    return {"candidates": _structure(cands, members, congress),
            "delegates": _structure(elected, members, congress),
            "counts": (len(cands), len(elected))}


def unit_structure(de: DelegateElection) -> dict:
    """The same targets on one unit's candidates, against the unit's members (shown on the unit's
    page while the township reviews its list)."""
    from huanjie.elections.models import Candidate

    category = _categories([de.election_id])
    cands = [_person_facts(c.person, category.get((c.election_id, c.person_id)))
             for c in Candidate.objects.filter(election=de.election, status=Candidate.ACTIVE).select_related("person")]
    members = [_person_facts(m.person) for m in unit_members(de.unit)]
    return {"rows": _structure(cands, members, de.unit.congress), "count": len(cands),
            "uncategorised": sum(1 for c in cands if c.category is None)}


def _person_facts(p, category=None):
    from huanjie.rules.congress import DelegateFacts

    return DelegateFacts(p.gender, p.birth_date, p.ethnicity, p.education, category)


def _categories(election_ids) -> dict:
    return {(e, p): c for e, p, c in CandidateCategory.objects.filter(candidate__election_id__in=election_ids)
            .values_list("candidate__election_id", "candidate__person_id", "category")}


def _structure(people, members, congress: Congress):
    from huanjie.rules.congress import delegate_structure

    return delegate_structure(people, members, congress.convene_on, congress.structure_targets or None)


@transaction.atomic
def set_structure_targets(actor, congress: Congress, values: dict) -> Congress:
    """The guiding shares of the delegates' make-up as the county's 实施方案 sets them (the seeds'
    figures where a field is left empty); checked on the candidates and the delegates from then on."""
    from huanjie.rules.congress import check_targets

    _require(actor, OFFICES, "调整代表结构指导性比例", congress.township.code)
    targets, errors = check_targets(values)
    if errors:
        raise CongressInvalid(errors)
    before = congress.structure_targets
    congress.structure_targets = targets
    congress.save(update_fields=["structure_targets"])
    audit.record(actor, "congress.structure_targets", congress, changes={"structure_targets": [before, targets]})
    return congress
