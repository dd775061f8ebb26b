"""Election workflow: setting up elections, their calendar, preconditions and the election committee.

Every legal decision is a call into :mod:`huanjie.rules` (the calendar, the committee size and
the avoidance between candidates and committee members); this module turns the answers into
rows, audit records and Chinese messages. Every write runs in one ``transaction.atomic()`` with
its audit record.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from huanjie.accounts import audit
from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.core.access import COUNTY, TOWNSHIP, VILLAGE, in_scope
from huanjie.elections import kinds
from huanjie.elections.aftervote.locking import guarded
from huanjie.elections.models import (
    CommitteeMember,
    Election,
    Objection,
    Post,
    Round,
    StepRecord,
    VoterRegistration,
)
from huanjie.people import services as people_services
from huanjie.people.models import Person, Region, Relation
from huanjie.preparation import readiness
from huanjie.rules.dates import CalendarResult, age_on, check_fact_date, election_calendar
from huanjie.rules.people import Relation as EngineRelation
from huanjie.rules.people import RelationIndex, check_election_committee
from huanjie.rules.profiles import NEAR_RELATIVES, RELATIONS

POST_LABELS = {
    Post.DIRECTOR: "主任",
    Post.DEPUTY: "副主任",
    Post.MEMBER: "委员",
    Post.WOMEN_MEMBER: "妇女委员",
}
POST_RANK = {Post.DIRECTOR: 0, Post.DEPUTY: 1, Post.WOMEN_MEMBER: 2, Post.MEMBER: 3}
VILLAGE_POSTS = tuple(POST_LABELS)
# The women's post exists where the profile sets it apart (ZJ: "选票应当单列妇女委员职位", R19/R36)
# or where the villagers' assembly may decide to have one (BJ).
WOMEN_POST_MODES = {"dedicated_post", "assembly_decides_post"}

SETUP_ROLES = {COUNTY, TOWNSHIP}
WORK_ROLES = {COUNTY, TOWNSHIP, VILLAGE}
STAGE_ORDER = [code for code, _ in Election.STAGE_CHOICES]

# Calendar steps that are windows for other people (objections, withdrawals, proxies): nothing is
# "done" by the office, the step simply closes on its date.
PASSIVE_STEPS = {"objection_deadline", "withdrawal", "proxy_filing"}
AGE_BANDS = [(18, 35, "18—35岁"), (36, 45, "36—45岁"), (46, 60, "46—60岁"), (61, None, "61岁以上")]


class ElectionError(Exception):
    """A refused election action; ``str(exc)`` is the Chinese reason shown to the user."""


class PlanError(ElectionError):
    """An election plan with errors; ``errors`` lists one Chinese line per problem with its row."""

    def __init__(self, errors: list[str]):
        super().__init__(
            "选举计划有 {} 处错误，未创建任何选举：{}".format(len(errors), "；".join(errors[:5]))
        )
        self.errors = errors


class VotingBlocked(ElectionError):
    def __init__(self, blockers: list[str]):
        super().__init__("不能进入投票阶段：" + "；".join(blockers))
        self.blockers = blockers


class LateNeedsExplanation(ElectionError):
    """A step past a deadline the law lets an office miss: recorded only with the reason written."""

    def __init__(self, warnings: list[str]):
        super().__init__("；".join(warnings))
        self.warnings = warnings


# Steps the law lets an office complete late (with a written reason): an objection decision is
# still owed after its 3 days (R10), the handover still has to happen after its 10 days (R41).
# Every other deadline protects the voters' time before the vote: missing it means moving the
# election day, not recording a late step.
LATE_ALLOWED_STEPS = {"objection_decision", "handover"}
# Facts that happen on the election day or after it (the election day itself, the new committee).
ELECTION_DAY_STEPS = {"election_day", "took_office", "handover", "runoff_latest"}
# Facts that prepare the vote: they happen before the election day.
BEFORE_VOTE_STEPS = {
    "voter_list_published", "objection_decision", "candidate_list", "voting_arrangements",
    "proxy_lists_published",
}
# The step a step depends on: it cannot be dated before it.
STEP_AFTER = {
    "objection_decision": "voter_list_published",
    "candidate_list": "voter_list_published",
    "proxy_lists_published": "voter_list_published",
}


def check_dated_fact(
    election: Election,
    label: str,
    day: dt.date,
    *,
    after=(),
    election_day_fact: bool = False,
    before_vote: bool = False,
    election_day: dt.date | None = None,
    deadline: dt.date | None = None,
    late_allowed: bool = False,
    explanation: str = "",
    error=ElectionError,
) -> list[str]:
    """The one date rule of every service that records a dated fact (R4, ``rules.dates.check_fact_date``).

    Raises ``error`` with the Chinese reasons when the day is impossible (future, before what it
    depends on, on the wrong side of the election day, past a deadline the law does not let pass);
    raises :class:`LateNeedsExplanation` when a late step the law allows comes without a reason.
    Returns the warnings that the explanation answered. ``election_day``: the day of the round
    (a further round is held on its own day), the election's current day otherwise."""
    if not isinstance(day, dt.date):
        raise error(f"{label}：日期无效。")
    verdict = check_fact_date(
        label,
        day,
        today=timezone.localdate(),
        after=after,
        election_day=election_day or election.election_date,
        on_or_after_election_day=election_day_fact,
        before_election_day=before_vote,
        deadline=deadline,
        late_allowed=late_allowed,
    )
    if verdict.refusals:
        raise error("".join(verdict.refusals))
    if verdict.warnings and not (explanation or "").strip():
        raise LateNeedsExplanation(list(verdict.warnings))
    return list(verdict.warnings)


@dataclass(frozen=True)
class DateDefault:
    """What a date field offers: today when the fact can have happened today, else nothing and a
    hint (the form never proposes a date it would refuse)."""

    value: dt.date | None
    hint: str = ""


def date_default(
    election: Election,
    *,
    after=(),
    election_day_fact: bool = False,
    before_vote: bool = False,
    election_day: dt.date | None = None,
    deadline: dt.date | None = None,
    late_allowed: bool = False,
) -> DateDefault:
    """The default of a date field: today, checked by the one date rule with the arguments of
    :func:`check_dated_fact` that the service will apply; refused today → empty with the reason."""
    today = timezone.localdate()
    verdict = check_fact_date(
        "今天",
        today,
        today=today,
        after=after,
        election_day=election_day or election.election_date,
        on_or_after_election_day=election_day_fact,
        before_election_day=before_vote,
        deadline=deadline,
        late_allowed=late_allowed,
    )
    if verdict.refusals:
        why = verdict.refusals[0].removeprefix("今天：")
        return DateDefault(None, f"未预填今天的日期（{why.rstrip('。')}）。请填写实际发生的日期。")
    return DateDefault(today)


def check_election_day_action(election: Election, label: str, rnd: Round | None = None, error=ElectionError) -> None:
    """An action that records what happened on the election day (counting, results, submitting,
    opening the vote) is done today: refused before the (movable) election day or the round's day."""
    check_dated_fact(
        election,
        label,
        timezone.localdate(),
        election_day_fact=True,
        election_day=(rnd.held_on if rnd is not None and rnd.held_on else None),
        error=error,
    )


# ---------------------------------------------------------------- helpers


def profile_of(subject: Campaign | Election, on: dt.date | None = None):
    """The rules profile (jurisdiction + the campaign's overrides) in force on the election day:
    an election's own day, or ``on`` for a campaign (an election being planned)."""
    if isinstance(subject, Election):
        return subject.profile()
    return subject.profile(on)


def _require_role(actor, roles: set[str], what: str) -> None:
    if getattr(actor, "role", None) not in roles:
        raise ElectionError(f"您的账号角色无权{what}。")


def _require_in_scope(actor, code: str) -> None:
    if not in_scope(actor, code):
        raise ElectionError("该村（社区）不在您的管辖范围内。")


def require_visible_person(actor, *people: Person, error: type[Exception] = ElectionError) -> None:
    """Issue 9 §3: a write naming a person out of the actor's scope is refused with the one message
    (never the person's name or village)."""
    for person in people:
        if person is not None and not people_services.may_see(actor, person):
            raise error(people_services.ELSEWHERE_MESSAGE + "。")


def _is_community(region: Region) -> bool:
    return region.kind == "community"


def _size_key(election_kind: str) -> str:
    return "residents.size" if election_kind == Election.RESIDENTS_COMMITTEE else "village_committee.size"


def _to_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    return None


def default_posts(campaign: Campaign) -> list[tuple[str, int]]:
    """主任 1, 副主任 1 and 委员, with a 妇女委员 seat where the profile sets that post apart."""
    if profile_of(campaign)["women.mode"] == "dedicated_post":
        return [(Post.DIRECTOR, 1), (Post.DEPUTY, 1), (Post.WOMEN_MEMBER, 1), (Post.MEMBER, 2)]
    return [(Post.DIRECTOR, 1), (Post.DEPUTY, 1), (Post.MEMBER, 3)]


def post_table(kind: str) -> dict[str, tuple[str, int]]:
    """The posts an election of this kind may have: code → (label, rank). The villagers' and
    residents' committees have 主任/副主任/委员/妇女委员; other kinds register their own."""
    own = kinds.hooks_for(kind).posts
    if own:
        return dict(own)
    return {code: (label, POST_RANK[code]) for code, label in POST_LABELS.items()}


def check_posts(profile, posts: list[tuple[str, int]], kind: str = Election.VILLAGE_COMMITTEE) -> list[str]:
    """Problems with a list of (post code, seats): unknown or repeated posts, seats, and for the
    villagers' and residents' committees the 主任 seat, the women's post and the team size."""
    problems: list[str] = []
    seen: set[str] = set()
    table = post_table(kind)
    for code, seats in posts:
        label = table[code][0] if code in table else None
        if label is None:
            problems.append(
                f"未知的职位“{code}”（可用：" + "、".join(f"{c}={n}" for c, (n, _r) in table.items()) + "）"
            )
            continue
        if code in seen:
            problems.append(f"职位“{label}”重复")
        seen.add(code)
        n = _to_int(seats)
        if n is None or n < 0:
            problems.append(f"{label}名额应为非负整数，收到“{seats}”")
    if problems or kind not in (Election.VILLAGE_COMMITTEE, Election.RESIDENTS_COMMITTEE):
        return problems
    seats = {code: int(n) for code, n in posts}
    if seats.get(Post.DIRECTOR, 0) != 1:
        problems.append(f"主任名额应为 1 名，收到 {seats.get(Post.DIRECTOR, 0)} 名")
    mode = profile["women.mode"]
    if mode == "dedicated_post" and seats.get(Post.WOMEN_MEMBER, 0) < 1:
        problems.append("本辖区选票单列妇女委员职位，妇女委员名额至少 1 名")
    if seats.get(Post.WOMEN_MEMBER, 0) and mode not in WOMEN_POST_MODES:
        problems.append("本辖区法规未单列妇女委员职位，不能设妇女委员名额（妇女成员在委员中产生）")
    size = profile[_size_key(kind)]
    total = sum(seats.values())
    if size is not None and not size[0] <= total <= size[1]:
        problems.append(f"成员总数 {total} 名不符合规定：应为 {size[0]}—{size[1]} 名")
    return problems


def _parse_posts_arg(posts) -> list[tuple[str, int]]:
    if isinstance(posts, dict):
        return list(posts.items())
    return [(code, seats) for code, seats in posts]


# ---------------------------------------------------------------- creating elections


def _check_new_election(campaign: Campaign, village: Region, election_date, kind: str,
                        by_election: bool = False) -> list[str]:
    problems = []
    level = kinds.hooks_for(kind).organization_level
    if level == Region.TOWNSHIP:
        # the township's own elections (its congress, its committees' first plenaries)
        if village.level != Region.TOWNSHIP or village.parent_id != campaign.county_id:
            problems.append(f"{village.name}不是本次换届所在县的乡镇")
    elif village.level != Region.VILLAGE:
        what = (
            "村（居）民委员会选举"
            if kind in (Election.VILLAGE_COMMITTEE, Election.RESIDENTS_COMMITTEE)
            else dict(Election.KIND_CHOICES)[kind]
        )
        problems.append(f"{village.name}不是村（社区），不能建立{what}")
        return problems
    if level != Region.TOWNSHIP and not CampaignVillage.objects.filter(campaign=campaign, village=village).exists():
        problems.append(f"{village.name}不在“{campaign.name}”的换届范围内")
    if not isinstance(election_date, dt.date):
        problems.append("选举日无效")
    elif not campaign.starts_on <= election_date <= campaign.ends_on:
        problems.append(
            f"选举日 {election_date.isoformat()} 不在换届工作期间"
            f"（{campaign.starts_on.isoformat()} 至 {campaign.ends_on.isoformat()}）"
        )
    held = Election.objects.filter(campaign=campaign, organization=village, kind=kind, fills__isnull=True).exists()
    if by_election and not held:
        # a by-election (补选) fills a seat of an election already held in this campaign
        problems.append(f"{village.name}在本次换届中还没有{dict(Election.KIND_CHOICES)[kind]}，不能补选")
    elif held and not by_election:
        problems.append(f"{village.name}在本次换届中已经建立了{dict(Election.KIND_CHOICES)[kind]}")
    return problems


def _kind_for(village: Region) -> str:
    return Election.RESIDENTS_COMMITTEE if _is_community(village) else Election.VILLAGE_COMMITTEE


def _title(campaign: Campaign, village: Region, kind: str) -> str:
    own = kinds.hooks_for(kind).title
    if own is not None:
        return own(campaign, village)
    body = "居民委员会" if kind == Election.RESIDENTS_COMMITTEE else "村民委员会"
    return f"{village.name}第{zh_number(campaign.term_number)}届{body}选举"


def zh_number(n: int) -> str:
    """12 → 十二 (届次 are written in Chinese numerals)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def _make_election(actor, campaign, village, election_date, posts, kind, fills=None) -> Election:
    table = post_table(kind)
    title = _title(campaign, village, kind)
    election = Election.objects.create(
        campaign=campaign,
        organization=village,
        kind=kind,
        title=f"{title}（补选）"[:120] if fills else title,
        election_date=election_date,
        fills=fills,
    )
    for code, seats in posts:
        Post.objects.create(
            election=election,
            code=code,
            name=table[code][0],
            seats=int(seats),
            women_only=code == Post.WOMEN_MEMBER,
            rank=table[code][1],
        )
    Round.objects.create(election=election, number=1, kind=Round.FIRST, held_on=election_date)
    audit.record(
        actor,
        "election.create",
        election,
        changes={
            "election_date": [None, election_date],
            "posts": [None, {table[c][0]: int(s) for c, s in posts}],
        },
    )
    return election


@transaction.atomic
def create_election(
    actor, campaign: Campaign, village: Region, election_date: dt.date, posts=None, kind: str | None = None,
    by_election: bool = False,
) -> Election:
    """The township or county sets up a village's election: date, posts and seats, round 1.

    ``kind`` defaults to the village's (or community's) committee; other kinds (the party branch,
    its plenary) name their posts explicitly. ``by_election``: a further election of the same kind in
    the same organisation, filling seats of the one already held (a congress unit replacing a
    delegate the credentials review found unqualified, R65)."""
    _require_role(actor, SETUP_ROLES, "建立选举（由乡镇或县换届办建立）")
    _require_in_scope(actor, village.code)
    kind = kind or _kind_for(village)
    if not posts and kind not in (Election.VILLAGE_COMMITTEE, Election.RESIDENTS_COMMITTEE):
        raise ElectionError("请填写职位和名额。")
    posts = _parse_posts_arg(posts) if posts else default_posts(campaign)
    problems = _check_new_election(campaign, village, election_date, kind, by_election)
    problems += check_posts(profile_of(campaign, election_date), posts, kind)
    if problems:
        raise ElectionError("；".join(problems) + "。")
    fills = (Election.objects.get(campaign=campaign, organization=village, kind=kind, fills__isnull=True)
             if by_election else None)
    return _make_election(actor, campaign, village, election_date, posts, kind, fills)


# ---------------------------------------------------------------- bulk plan (Excel)

PLAN_POST_COLUMNS = {
    "主任": Post.DIRECTOR,
    "副主任": Post.DEPUTY,
    "委员": Post.MEMBER,
    "妇女委员": Post.WOMEN_MEMBER,
}
_DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?\s*$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９－．／　", "0123456789-./ ")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).translate(_FULLWIDTH).strip()


def _plan_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))  # an Excel serial day number
    m = _DATE_TEXT.match(_cell_text(value))
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def read_plan_rows(content: bytes, filename: str) -> list[list]:
    """The cells of the first sheet (.xlsx/.xls/.ods or .csv), read by the one upload reader."""
    from huanjie.core import uploads

    try:
        return uploads.read_table(content, filename)
    except uploads.UploadRefused as exc:
        raise PlanError([str(exc)]) from None


@dataclass
class PlanRow:
    row: int
    village: Region
    election_date: dt.date
    posts: list[tuple[str, int]]


def parse_plan(campaign: Campaign, rows: list[list], actor=None) -> tuple[list[PlanRow], list[str]]:
    """Check every row of an election plan; rows are numbered as the spreadsheet shows them."""
    header_at = None
    for i, r in enumerate(rows[:30]):
        cells = [_cell_text(c).replace(" ", "") for c in r]
        if "选举日" in cells and ("村代码" in cells or "村名称" in cells):
            header_at, header = i, cells
            break
    if header_at is None:
        return [], ["找不到表头：需要“选举日”列和“村代码”或“村名称”列"]
    col = {name: header.index(name) for name in header if name}
    entries = {
        e.village.code: e.village
        for e in CampaignVillage.objects.filter(campaign=campaign).select_related("village")
    }
    by_name: dict[str, list[Region]] = {}
    for v in entries.values():
        by_name.setdefault(v.name, []).append(v)
    defaults = dict(default_posts(campaign))
    out: list[PlanRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}

    def cell(r, name):
        i = col.get(name)
        return r[i] if i is not None and i < len(r) else None

    for i in range(header_at + 1, len(rows)):
        r = rows[i]
        n = i + 1
        texts = [_cell_text(c) for c in r]
        if not any(texts):
            continue
        if texts[0].startswith(("合计", "制表", "填表", "说明", "注")):
            continue
        prefix = f"第 {n} 行"
        code = _cell_text(cell(r, "村代码")) if "村代码" in col else ""
        vname = _cell_text(cell(r, "村名称")) if "村名称" in col else ""
        village = None
        if code:
            village = entries.get(code)
            if village is None:
                errors.append(f"{prefix}“村代码”：{code} 不在本次换届范围内")
                continue
            if vname and vname != village.name:
                errors.append(f"{prefix}“村名称”：{vname} 与村代码 {code}（{village.name}）不符")
                continue
        elif vname:
            found = by_name.get(vname, [])
            if len(found) != 1:
                errors.append(
                    f"{prefix}“村名称”：{vname} "
                    + ("不在本次换届范围内" if not found else "有重名，请填写村代码")
                )
                continue
            village = found[0]
        else:
            errors.append(f"{prefix}：村代码和村名称都为空")
            continue
        if actor is not None and not in_scope(actor, village.code):
            errors.append(f"{prefix}：{village.name}不在您的管辖范围内")
            continue
        if village.code in seen:
            errors.append(f"{prefix}：{village.name}与第 {seen[village.code]} 行重复")
            continue
        seen[village.code] = n
        day = _plan_date(cell(r, "选举日"))
        if day is None:
            raw = _cell_text(cell(r, "选举日"))
            errors.append(f"{prefix}“选举日”：{raw or '（空）'} 不是有效日期（例如 2027-01-15）")
            continue
        posts: list[tuple[str, int]] = []
        bad = False
        for head, pcode in PLAN_POST_COLUMNS.items():
            if head not in col:
                if defaults.get(pcode):
                    posts.append((pcode, defaults[pcode]))
                continue
            raw = _cell_text(cell(r, head))
            seats = 0 if raw == "" else _to_int(raw)
            if seats is None or seats < 0:
                errors.append(f"{prefix}“{head}”：名额应为非负整数，收到“{raw}”")
                bad = True
            elif seats or pcode == Post.DIRECTOR:
                posts.append((pcode, seats))
        if bad:
            continue
        kind = _kind_for(village)
        problems = _check_new_election(campaign, village, day, kind) + check_posts(
            profile_of(campaign, day), posts, kind
        )
        if problems:
            errors.extend(f"{prefix}（{village.name}）：{p}" for p in problems)
            continue
        out.append(PlanRow(n, village, day, posts))
    if not out and not errors:
        errors.append("计划中没有任何村的数据")
    return out, errors


@transaction.atomic
def create_elections_from_plan(actor, campaign: Campaign, content: bytes, filename: str) -> list[Election]:
    """The county creates many elections from one plan: all rows or none (``PlanError`` lists the errors)."""
    _require_role(actor, {COUNTY}, "按计划批量建立选举（由县换届办操作）")
    _require_in_scope(actor, campaign.county.code)
    rows, errors = parse_plan(campaign, read_plan_rows(content, filename), actor)
    if errors:
        raise PlanError(errors)
    created = [
        _make_election(actor, campaign, r.village, r.election_date, r.posts, _kind_for(r.village))
        for r in rows
    ]
    audit.record(
        actor,
        "election.plan_import",
        campaign,
        changes={"file": [None, filename], "elections": [None, len(created)]},
    )
    return created


# ---------------------------------------------------------------- calendar and timeline


@dataclass
class TimelineStep:
    key: str
    label: str
    rule: str
    deadline: dt.date | None
    earliest: dt.date | None
    done_on: dt.date | None
    status: str  # done / due / overdue / late
    passive: bool = False
    note: str = ""

    @property
    def status_label(self) -> str:
        if self.passive:
            return {"done": "已截止", "due": "未截止"}.get(self.status, self.status)
        return {"done": "已完成", "due": "待办", "overdue": "已逾期", "late": "完成但不符合期限"}[self.status]


def _steps_of(election: Election) -> dict[str, StepRecord]:
    return {s.key: s for s in election.steps.all()}


def calendar_objections() -> Prefetch:
    """What :func:`calendar_for` reads of an election's objections, for pages that read many
    calendars at once: ``prefetch_related("steps", calendar_objections())``."""
    return Prefetch("objections", queryset=Objection.objects.only("id", "election_id", "received_on").order_by())


def calendar_for(election: Election, election_date: dt.date | None = None, steps=None) -> CalendarResult:
    """The engine's calendar (R4, R10, R15, R16, R20, R34, R41) with what has been recorded so far."""
    steps = _steps_of(election) if steps is None else steps
    day = election_date or election.election_date
    published = steps["voter_list_published"].done_on if "voter_list_published" in steps else None
    received = None
    if published is not None:
        prefetched = getattr(election, "_prefetched_objects_cache", {}).get("objections")
        if prefetched is not None:
            # the county's pages read every village's calendar: their objections come prefetched
            # (one query for all), not one query per village (issue 17)
            received = max((o.received_on for o in prefetched if o.received_on >= published), default=None)
        else:
            received = (
                election.objections.filter(received_on__gte=published)
                .order_by("-received_on")
                .values_list("received_on", flat=True)
                .first()
            )
    # VCL Art. 20: the handover counts from the day the new committee is produced, the election day
    # unless a later day (a further round) is recorded.
    took_office = steps["took_office"].done_on if "took_office" in steps else day
    return election_calendar(
        day,
        profile_of(election),
        list_published=published,
        objection_received=received,
        took_office=took_office,
    )


def step_status(deadline, earliest, done_on, today, passive=False) -> str:
    """done / due / overdue / late of a timeline step (every kind's timeline and the congress's 59 steps)."""
    if passive:
        return "done" if deadline is not None and today > deadline else "due"
    if done_on is not None:
        if (deadline is not None and done_on > deadline) or (earliest is not None and done_on < earliest):
            return "late"
        return "done"
    if deadline is not None and today > deadline:
        return "overdue"
    return "due"


def calendar_steps(election: Election, election_date: dt.date | None = None, records=None) -> tuple:
    """The dated steps of this election's calendar: its kind's own (``KindHooks.calendar_steps``)
    or the villagers' committee's (:func:`calendar_for`). One calendar per election, so its
    timeline, its to-do list and the checks of a recorded step read the same steps."""
    records = _steps_of(election) if records is None else records
    own = kinds.hooks_for(election.kind).calendar_steps
    if own is not None:
        return tuple(own(election, election_date or election.election_date, records))
    return tuple(calendar_for(election, election_date, records).steps)


def timeline(
    election: Election, today: dt.date | None = None, election_date: dt.date | None = None
) -> list[TimelineStep]:
    """The calendar as steps with what is done, due, overdue or done too late."""
    today = today or timezone.localdate()
    records = _steps_of(election)
    cal_steps = calendar_steps(election, election_date, records)
    out = []
    for step in cal_steps:
        deadline = step.on_date or step.latest_date
        rec = records.get(step.key)
        done_on = rec.done_on if rec else None
        passive = step.key in PASSIVE_STEPS
        out.append(
            TimelineStep(
                key=step.key,
                label=step.label_zh,
                rule=step.rule,
                deadline=deadline,
                earliest=step.earliest_date,
                done_on=done_on,
                status=step_status(deadline, step.earliest_date, done_on, today, passive),
                passive=passive,
                note=rec.note if rec else "",
            )
        )
    return out


def step_keys(election: Election) -> dict[str, str]:
    """The steps an office can record for this election (key → label)."""
    keys = {s.key: s.label for s in timeline(election) if not s.passive}
    if kinds.hooks_for(election.kind).calendar_steps is None:
        keys.setdefault("voter_list_published", "公布选民名单")
    keys["took_office"] = "新一届委员会产生"
    return keys


# Steps done after the result is submitted (R41: the new committee takes office, the handover):
# not part of what the submission freezes.
# The township's 批复 of a party election's result (R61) comes after the result is reported.
AFTER_RESULT_STEPS = frozenset({"took_office", "handover", "result_approved"})


@guarded
def record_step(actor, election: Election, key: str, done_on: dt.date, note: str = "") -> StepRecord:
    """Record that a calendar step was done on a day (the voter list was published on …)."""
    return _save_step(actor, election, key, done_on, note)


@transaction.atomic
def record_after_result_step(actor, election: Election, key: str, done_on: dt.date, note: str = "") -> StepRecord:
    """Record a step of :data:`AFTER_RESULT_STEPS`, which a locked result does not freeze."""
    if key not in AFTER_RESULT_STEPS:
        raise ElectionError(f"步骤“{key}”不是结果报送之后的工作。")
    return _save_step(actor, election, key, done_on, note)


def _save_step(actor, election: Election, key: str, done_on: dt.date, note: str) -> StepRecord:
    _require_role(actor, WORK_ROLES, "登记工作进度")
    _require_in_scope(actor, election.organization.code)
    keys = step_keys(election)
    if key not in keys:
        raise ElectionError(f"未知的步骤“{key}”。")
    if not isinstance(done_on, dt.date):
        raise ElectionError("完成日期无效。")
    records = _steps_of(election)
    check_dated_fact(election, keys[key], done_on, explanation=note, **_step_date_rule(election, key, keys, records))
    before = records.get(key)
    rec, _ = StepRecord.objects.update_or_create(
        election=election, key=key, defaults={"done_on": done_on, "note": (note or "").strip()[:200]}
    )
    if key == "voter_list_published" and election.stage == Election.SETUP:
        election.stage = Election.REGISTRATION
        election.save(update_fields=["stage", "updated_at"])
    audit.record(
        actor,
        "election.step",
        election,
        changes={keys[key]: [before.done_on if before else None, done_on]},
    )
    return rec


def _step_date_rule(election: Election, key: str, keys: dict[str, str], records: dict, cal=None) -> dict:
    """The one date rule's arguments for a step (what it depends on, its side of the election day,
    its deadline and whether the law lets it be late), for recording it and for its form's default."""
    if cal is None:
        cal = {s.key: s for s in calendar_steps(election, records=records)}
    step = cal.get(key)
    depends = STEP_AFTER.get(key)
    after = []
    if depends is not None and depends in records:
        after.append((keys.get(depends, "新一届委员会产生"), records[depends].done_on))
    if step is not None and step.earliest_date is not None:
        after.append(("新一届委员会产生之日" if key == "handover" else "可办理之日", step.earliest_date))
    return {
        "after": after,
        "election_day_fact": key in ELECTION_DAY_STEPS,
        "before_vote": key in BEFORE_VOTE_STEPS,
        "deadline": step.latest_date if step is not None and key != "runoff_latest" else None,
        "late_allowed": key in LATE_ALLOWED_STEPS,
    }


def step_date_defaults(election: Election, keys: dict[str, str]) -> dict[str, DateDefault]:
    """The completion date each step's form offers (today where the step can be recorded today)."""
    records = _steps_of(election)
    cal = {s.key: s for s in calendar_steps(election, records=records)}
    out = {key: date_default(election, **_step_date_rule(election, key, keys, records, cal)) for key in keys}
    # A step already recorded offers the day it was recorded (correcting it keeps the true date).
    for key, rec in records.items():
        if key in out and rec.done_on is not None:
            out[key] = DateDefault(rec.done_on)
    # VCL Art. 20: the new committee is produced on the day of the round that completed it (the
    # election day unless a further round was needed), not on the day the office opens the form.
    if "took_office" in out and "took_office" not in records:
        held = (
            election.rounds.exclude(held_on=None).order_by("-number").values_list("held_on", flat=True).first()
        )
        if held is not None and election.election_date <= held <= timezone.localdate():
            out["took_office"] = DateDefault(held)
    return out


@dataclass
class DateMove:
    election: Election
    old_date: dt.date
    new_date: dt.date
    no_longer_met: list[TimelineStep] = field(default_factory=list)
    still_late: list[TimelineStep] = field(default_factory=list)


@guarded
@transaction.atomic
def move_election_date(actor, election: Election, new_date: dt.date) -> DateMove:
    """Move the election day; the calendar is recomputed and done steps that no longer meet their
    (new) deadline are returned, so the office can redo them (e.g. republish the voter list)."""
    _require_role(actor, SETUP_ROLES, "调整选举日（由乡镇或县换届办调整）")
    _require_in_scope(actor, election.organization.code)
    if not isinstance(new_date, dt.date):
        raise ElectionError("新的选举日无效。")
    if STAGE_ORDER.index(election.stage) >= STAGE_ORDER.index(Election.VOTING):
        raise ElectionError(f"选举已进入“{election.get_stage_display()}”阶段，不能再调整选举日。")
    campaign = election.campaign
    if not campaign.starts_on <= new_date <= campaign.ends_on:
        raise ElectionError(
            f"选举日 {new_date.isoformat()} 不在换届工作期间（{campaign.starts_on.isoformat()} 至 {campaign.ends_on.isoformat()}）。"
        )
    old = election.election_date
    if new_date == old:
        raise ElectionError("新的选举日与原选举日相同。")
    before = {s.key: s for s in timeline(election)}
    election.election_date = new_date
    election.save(update_fields=["election_date", "updated_at"])
    election.rounds.filter(number=1).update(held_on=new_date)
    after = timeline(election)
    move = DateMove(election, old, new_date)
    for s in after:
        if s.done_on is None or s.status != "late":
            continue
        (
            move.still_late if before.get(s.key) and before[s.key].status == "late" else move.no_longer_met
        ).append(s)
    audit.record(
        actor,
        "election.move_date",
        election,
        changes={
            "election_date": [old, new_date],
            "no_longer_met": [None, [s.label for s in move.no_longer_met]],
        },
    )
    return move


# ---------------------------------------------------------------- preconditions P14–P16


def voting_blockers(election: Election) -> list[str]:
    """What keeps the voting stage closed (policy.md P14–P16), in Chinese; empty when it may open."""
    hooks = kinds.hooks_for(election.kind)
    entry = CampaignVillage.objects.filter(campaign=election.campaign, village=election.organization).first()
    if entry is None and hooks.organization_level == Region.VILLAGE:
        return [f"{election.organization.name}不在本次换届范围内"]
    out = [str(b) for b in readiness.blockers(entry)] if hooks.village_readiness and entry else []
    own = hooks.voting_blockers
    if own is not None:
        out += own(election)
    return out


@guarded
@transaction.atomic
def open_voting(actor, election: Election) -> Election:
    """Open the voting stage, refused while any precondition (P14–P16) is missing."""
    _require_role(actor, WORK_ROLES, "开始投票阶段")
    _require_in_scope(actor, election.organization.code)
    election = Election.objects.select_for_update(no_key=True).get(pk=election.pk)
    if STAGE_ORDER.index(election.stage) >= STAGE_ORDER.index(Election.VOTING):
        raise ElectionError(f"选举已处于“{election.get_stage_display()}”阶段。")
    check_election_day_action(election, "进入投票阶段")
    blockers = voting_blockers(election)
    if blockers:
        raise VotingBlocked(blockers)
    old = election.stage
    election.stage = Election.VOTING
    election.save(update_fields=["stage", "updated_at"])
    audit.record(actor, "election.open_voting", election, changes={"stage": [old, Election.VOTING]})
    return election


# ---------------------------------------------------------------- election committee (R11)


def _relation_index(people_ids) -> RelationIndex:
    rels = Relation.objects.filter(Q(elder_id__in=people_ids) & Q(younger_id__in=people_ids))
    return RelationIndex(EngineRelation(str(r.elder_id), str(r.younger_id), r.engine_name) for r in rels)


def _relation_label(kind: str | None) -> str:
    return {
        "spouses": "配偶",
        "parent-child": "父母子女",
        "siblings": "兄弟姐妹",
        "grandparent-grandchild": "祖孙",
    }.get(kind or "", "近亲属")


def _near_relative_among(person_id: int, others: list[CommitteeMember]) -> tuple[CommitteeMember, str] | None:
    """A sitting member who is a near relative (民法典第1045条) of ``person_id``, with the relation."""
    if not others:
        return None
    index = _relation_index([person_id, *(m.person_id for m in others)])
    for m in others:
        rel = index.related(str(person_id), str(m.person_id), [r for r in RELATIONS if r in NEAR_RELATIVES])
        if rel:
            return m, rel
    return None


def sitting_members(election: Election):
    return election.committee.filter(status=CommitteeMember.ACTIVE, is_reserve=False).select_related("person")


def reserves(election: Election):
    return election.committee.filter(status=CommitteeMember.ACTIVE, is_reserve=True).select_related("person")


def committee_status(election: Election) -> dict:
    """Size against the profile (R11 through the engine) and the messages for the committee page."""
    profile = profile_of(election)
    members = list(sitting_members(election))
    check = check_election_committee([str(m.person_id) for m in members], [], (), profile)
    size = profile["election_committee.size"]
    messages = []
    if check["size_ok"] is False:
        messages.append(f"{kinds.wording(election).say('村民选举委员会')}现有 {len(members)} 名成员，应为 {size[0]}—{size[1]} 名（R11）")
    if size is None and (len(members) < 5 or len(members) % 2 == 0):
        messages.append(f"现有 {len(members)} 名成员；法律未规定人数，各地一般为 5 人以上的单数")
    if members and not any(m.post == "director" for m in members):
        messages.append(f"{kinds.wording(election).say('村民选举委员会')}主任空缺，请委员会推选")
    return {"count": len(members), "size": size, "size_ok": check["size_ok"], "messages": messages}


@guarded
@transaction.atomic
def add_committee_member(
    actor,
    election: Election,
    person: Person,
    *,
    post: str = "member",
    chosen_by: str,
    vote_order: int,
    votes: int | None = None,
    is_reserve: bool = False,
    joined_on: dt.date | None = None,
) -> CommitteeMember:
    """Add a member (or a reserve in vote order) to the village election committee (R11)."""
    _require_role(actor, WORK_ROLES, "修改村民选举委员会")
    _require_in_scope(actor, election.organization.code)
    require_visible_person(actor, person)
    village = election.organization
    if (
        village.pk not in (person.hukou_village_id, person.residence_village_id)
        and not VoterRegistration.objects.filter(
            election=election, person=person, status=VoterRegistration.REGISTERED
        ).exists()
    ):
        raise ElectionError(f"{person.name}不是{village.name}的村民，不能担任村民选举委员会成员。")
    if post not in dict(CommitteeMember.POST_CHOICES):
        raise ElectionError(f"职务：未知的职务“{post}”。")
    if chosen_by not in dict(CommitteeMember.CHOSEN_BY_CHOICES):
        raise ElectionError("推选方式：应为村民会议、村民代表会议或村民小组会议。")
    if not isinstance(vote_order, int) or vote_order < 1:
        raise ElectionError("得票顺序应为正整数。")
    existing = list(election.committee.select_related("person"))
    for m in existing:
        if m.person_id == person.pk:
            raise ElectionError(f"{person.name}已在村民选举委员会名单中。")
        if m.vote_order == vote_order:
            raise ElectionError(f"得票顺序第 {vote_order} 位已是{m.person.name}。")
    sitting = [m for m in existing if m.status == CommitteeMember.ACTIVE and not m.is_reserve]
    if not is_reserve:
        clash = _near_relative_among(person.pk, sitting)
        if clash:
            other, rel = clash
            raise ElectionError(
                f"{person.name}与委员会成员{other.person.name}系{_relation_label(rel)}关系，近亲属不得同时担任村民选举委员会成员。"
            )
        size = profile_of(election)["election_committee.size"]
        if size is not None and len(sitting) + 1 > size[1]:
            raise ElectionError(
                f"村民选举委员会最多 {size[1]} 名成员（R11），已有 {len(sitting)} 名；可作为候补登记。"
            )
        if post == "director" and any(m.post == "director" for m in sitting):
            raise ElectionError("村民选举委员会已有主任。")
    member = CommitteeMember.objects.create(
        election=election,
        person=person,
        post="member" if is_reserve else post,
        chosen_by=chosen_by,
        vote_order=vote_order,
        votes=votes,
        is_reserve=is_reserve,
        joined_on=joined_on or timezone.localdate(),
    )
    audit.record(
        actor,
        "election.committee_add",
        election,
        changes={
            "member": [None, person.name],
            "post": [None, "候补" if is_reserve else member.get_post_display()],
            "vote_order": [None, vote_order],
        },
    )
    return member


@dataclass
class Replacement:
    left: CommitteeMember
    joined: CommitteeMember | None
    notes: list[str]


@guarded
@transaction.atomic
def member_leaves(
    actor, member: CommitteeMember, status: str, reason: str, on: dt.date | None = None
) -> Replacement:
    """A member leaves; the next reserve in the original vote order comes in (R11, VCL Art. 12)."""
    _require_role(actor, WORK_ROLES, "修改村民选举委员会")
    election = member.election
    _require_in_scope(actor, election.organization.code)
    member = CommitteeMember.objects.select_for_update().select_related("person").get(pk=member.pk)
    if member.status != CommitteeMember.ACTIVE:
        raise ElectionError(f"{member.person.name}已不在村民选举委员会中。")
    on = on or timezone.localdate()
    was_reserve = member.is_reserve
    member.status, member.left_on, member.left_reason = status, on, reason
    member.save(update_fields=["status", "left_on", "left_reason"])
    notes: list[str] = []
    joined = None
    if not was_reserve:
        sitting = list(sitting_members(election))
        for cand in reserves(election).order_by("vote_order"):
            clash = _near_relative_among(cand.person_id, sitting)
            if clash:
                notes.append(
                    f"候补{cand.person.name}与成员{clash[0].person.name}系{_relation_label(clash[1])}关系，不能递补"
                )
                continue
            cand.is_reserve = False
            cand.post = "member"
            cand.joined_on = on
            cand.replaces = member
            cand.save(update_fields=["is_reserve", "post", "joined_on", "replaces"])
            joined = cand
            break
        if joined is None:
            notes.append("没有可递补的候补人选，请重新推选")
        if member.post == "director":
            notes.append("原主任退出，主任职务空缺，请委员会推选")
    audit.record(
        actor,
        "election.committee_leave",
        election,
        changes={
            "left": [member.person.name, None],
            "reason": [None, reason],
            "replaced_by": [None, joined.person.name if joined else None],
        },
    )
    return Replacement(member, joined, notes)


@guarded
def member_becomes_candidate(actor, member: CommitteeMember, on: dt.date | None = None) -> Replacement:
    """A member nominated as a candidate leaves the committee; the next reserve comes in (R11)."""
    return member_leaves(
        actor, member, CommitteeMember.LEFT_CANDIDATE, "本人被提名为候选人，退出村民选举委员会", on
    )


def members_to_leave_for(election: Election, candidates: list[Person]) -> list[tuple[CommitteeMember, str]]:
    """Sitting members who must leave because they are candidates or (per profile, ZJ Art. 9 ¶2) a
    candidate's relative: the engine's ``check_election_committee`` on stored relations."""
    members = list(sitting_members(election))
    ids = [m.person_id for m in members] + [p.pk for p in candidates]
    rels = Relation.objects.filter(elder_id__in=ids, younger_id__in=ids)

    def token(pk) -> str:  # people are passed by id (names repeat); the token is swapped back below
        return f"#{pk}#"

    result = check_election_committee(
        [token(m.person_id) for m in members],
        [token(p.pk) for p in candidates],
        [EngineRelation(token(r.elder_id), token(r.younger_id), r.engine_name) for r in rels],
        profile_of(election),
    )
    by_token = {token(m.person_id): m for m in members}
    names = {token(p.pk): p.name for p in candidates}
    out = []
    for item in result["must_leave"]:
        reason = re.sub(r"#\d+#", lambda m: names.get(m.group(0), m.group(0)), item["reason"])
        out.append((by_token[item["name"]], reason))
    return out


# ---------------------------------------------------------------- voter counts


def voter_counts(election: Election) -> dict:
    """Registered voters of one election by category, group, gender and age band on election day."""
    rows = VoterRegistration.objects.filter(
        election=election, status=VoterRegistration.REGISTERED
    ).values_list("category", "group_name", "person__gender", "person__birth_date")
    cats = dict(VoterRegistration.CATEGORY_CHOICES)
    by_cat: dict[str, int] = {}
    by_group: dict[str, int] = {}
    by_gender = {"男": 0, "女": 0}
    bands = {label: 0 for _, _, label in AGE_BANDS}
    total = 0
    for category, group, gender, birth in rows:
        total += 1
        by_cat[cats.get(category, category)] = by_cat.get(cats.get(category, category), 0) + 1
        by_group[group or "未分组"] = by_group.get(group or "未分组", 0) + 1
        by_gender["女" if gender == "F" else "男"] += 1
        age = age_on(birth, election.election_date)  # R5: age on the election day itself
        for lo, hi, label in AGE_BANDS:
            if age >= lo and (hi is None or age <= hi):
                bands[label] += 1
                break
    return {
        "total": total,
        "by_category": sorted(by_cat.items(), key=lambda kv: -kv[1]),
        "by_group": sorted(by_group.items(), key=lambda kv: group_sort_key(kv[0])),
        "by_gender": list(by_gender.items()),
        "by_age": list(bands.items()),
    }


_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def _cn_number(text: str) -> int | None:
    if not text:
        return None
    if text.isdecimal():
        return int(text)
    total, cur = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            cur = _CN_DIGITS[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            return None
    return total + cur


_GROUP_NUM = re.compile(r"([0-9]+|[零〇一二两三四五六七八九十百]+)")


def group_sort_key(name: str) -> tuple:
    """村民小组 in their natural order: 第二组 before 第十组, numbered groups before 未分组."""
    m = _GROUP_NUM.search(name or "")
    n = _cn_number(m.group(1)) if m else None
    return (0 if n is not None else 1, n or 0, name or "")


def voter_totals(elections) -> dict[int, dict]:
    """Registered voters per election by gender and category, counted in the database (township and
    county pages aggregate hundreds of villages)."""
    from django.db.models import Count

    out: dict[int, dict] = {}
    rows = (
        VoterRegistration.objects.filter(election__in=elections, status=VoterRegistration.REGISTERED)
        .values("election_id", "category", "person__gender")
        .annotate(n=Count("id"))
    )
    for r in rows:
        d = out.setdefault(r["election_id"], {"total": 0, "M": 0, "F": 0, "categories": {}})
        d["total"] += r["n"]
        d["F" if r["person__gender"] == "F" else "M"] += r["n"]
        d["categories"][r["category"]] = d["categories"].get(r["category"], 0) + r["n"]
    return out
