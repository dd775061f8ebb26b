"""Before the vote: voting arrangements (R16, R21), counting staff (R12) and ballots (R19, R70, R55).

Every legal decision is a call into :mod:`huanjie.rules`: mobile ballot boxes by
``mobile_boxes`` (R21), staff against the candidates' relatives by ``check_counting_staff`` (R12),
the publication deadline by the engine's calendar (R16), the stroke order by ``stroke_sort_key``
(R69). Every write runs in one ``transaction.atomic()`` with its audit record and refuses while
the submitted result is locked.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from reportlab.lib import colors

from huanjie.accounts import audit
from huanjie.core.access import COUNTY, TOWNSHIP
from huanjie.documents.render.pdf import APPROVE, CIRCLE, BallotPost, TableSpec, ballot_pdf, notice_pdf
from huanjie.elections import kinds
from huanjie.elections.aftervote.locking import guarded
from huanjie.elections.models import Candidate, Election, Post, Round, StepRecord
from huanjie.elections.registration.documents import committee_name, zh_date
from huanjie.elections.services import (
    WORK_ROLES,
    ElectionError,
    _require_in_scope,
    _require_role,
    calendar_for,
    check_dated_fact,
    profile_of,
    require_visible_person,
)
from huanjie.elections.voting.models import RoundRace, StationStaff, VotingStation
from huanjie.people.models import Person, Relation
from huanjie.rules import check_counting_staff, mobile_boxes
from huanjie.rules.people import Relation as EngineRelation
from huanjie.rules.profile_versions import cite_message
from huanjie.rules.recall import MobileBox
from huanjie.rules.strokes import stroke_sort_key


def _party(election: Election) -> bool:
    """Counted by the party's rules (R53–R61): ballots by surname strokes, approve/oppose marks."""
    from huanjie.rules.counting import PARTY_KINDS

    return kinds.engine_kind(election.kind) in PARTY_KINDS
# R12: 唱票、计票、监票 are barred for candidates and their relatives everywhere; SH and BJ bar 发票 and
# 代书 as well, but the profile has no switch for that yet, so for those roles the check only warns.
BARRED_ROLES = ("reader", "counter", "scrutineer")
ROLE_LABELS = dict(StationStaff.ROLE_CHOICES)
ARRANGEMENTS_STEP = "voting_arrangements"
STAFF_STEP = "counting_staff_published"


class VotingError(ElectionError):
    """A refused action before the vote; ``str(exc)`` is the Chinese reason."""


def _check_write(actor, election: Election, what: str) -> None:
    _require_role(actor, WORK_ROLES, what)
    _require_in_scope(actor, election.organization.code)


# ---------------------------------------------------------------- stations (R16, R21)


@guarded
@transaction.atomic
def add_station(
    actor,
    election: Election,
    *,
    name: str,
    kind: str = VotingStation.CENTRAL,
    location: str = "",
    opens_at: dt.time | None = None,
    closes_at: dt.time | None = None,
) -> VotingStation:
    """Add the central meeting, a polling station or a mobile ballot box."""
    _check_write(actor, election, "设置投票站")
    name = (name or "").strip()
    if not name:
        raise VotingError("名称：请填写投票站（票箱）名称。")
    if kind not in dict(VotingStation.KIND_CHOICES):
        raise VotingError(f"类型：未知的投票站类型“{kind}”。")
    if election.stations.filter(name=name).exists():
        raise VotingError(f"名称：已有名为“{name}”的投票站（票箱）。")
    if kind == VotingStation.CENTRAL and election.stations.filter(kind=VotingStation.CENTRAL).exists():
        raise VotingError("类型：每次选举只设一个中心会场。")
    if opens_at and closes_at and closes_at <= opens_at:
        raise VotingError("结束时间：应晚于开始时间。")
    station = VotingStation.objects.create(
        election=election,
        name=name[:60],
        kind=kind,
        location=(location or "").strip()[:120],
        opens_at=opens_at,
        closes_at=closes_at,
    )
    audit.record(
        actor,
        "voting.station_add",
        station,
        changes={"name": [None, station.name], "kind": [None, station.get_kind_display()]},
        region_code=election.organization.code,
    )
    return station


@guarded
@transaction.atomic
def delete_station(actor, station: VotingStation) -> None:
    election = station.election
    _check_write(actor, election, "删除投票站")
    if station.forms.exists():
        raise VotingError(f"{station.name}已有计票单，不能删除。")
    audit.record(
        actor,
        "voting.station_delete",
        station,
        changes={"name": [station.name, None]},
        region_code=election.organization.code,
    )
    station.delete()


@guarded
@transaction.atomic
def approve_mobile_box(actor, station: VotingStation, approved_on: dt.date) -> VotingStation:
    """The township approves a mobile ballot box (R21: ZJ Art. 24 ¶2)."""
    _require_role(actor, {COUNTY, TOWNSHIP}, "批准设立流动票箱（由乡镇批准）")
    _require_in_scope(actor, station.election.organization.code)
    if station.kind != VotingStation.MOBILE:
        raise VotingError(f"{station.name}不是流动票箱，无需批准。")
    if not isinstance(approved_on, dt.date):
        raise VotingError("批准日期无效。")
    # The one date rule: the approval is a fact before the vote, not one ahead of today.
    check_dated_fact(station.election, "流动票箱批准日期", approved_on, before_vote=True, error=VotingError)
    before = station.township_approved_on
    station.township_approved_on = approved_on
    station.save(update_fields=["township_approved_on"])
    audit.record(
        actor,
        "voting.mobile_approve",
        station,
        changes={"township_approved_on": [before, approved_on]},
        region_code=station.election.organization.code,
    )
    return station


@guarded
@transaction.atomic
def record_mobile_lists(
    actor,
    station: VotingStation,
    *,
    voter_list_published_on: dt.date | None = None,
    scrutineer_list_published_on: dt.date | None = None,
) -> VotingStation:
    """The published list of voters using a mobile box, and of its scrutineers (R21)."""
    _check_write(actor, station.election, "登记流动票箱名单公布")
    if station.kind != VotingStation.MOBILE:
        raise VotingError(f"{station.name}不是流动票箱。")
    changes = {}
    for key, value in (
        ("voter_list_published_on", voter_list_published_on),
        ("scrutineer_list_published_on", scrutineer_list_published_on),
    ):
        if value is not None:
            label = "流动票箱选民名单公布日期" if key == "voter_list_published_on" else "流动票箱监票人名单公布日期"
            check_dated_fact(station.election, label, value, before_vote=True, error=VotingError)
            changes[key] = [getattr(station, key), value]
            setattr(station, key, value)
    if not changes:
        raise VotingError("请填写名单公布日期。")
    station.save(update_fields=list(changes))
    audit.record(
        actor, "voting.mobile_lists", station, changes=changes, region_code=station.election.organization.code
    )
    return station


def active_candidates(election: Election):
    return Candidate.objects.filter(election=election, status=Candidate.ACTIVE).select_related(
        "person", "post"
    )


def _relations_among(person_ids) -> list[EngineRelation]:
    ids = list(set(person_ids))
    rels = Relation.objects.filter(Q(elder_id__in=ids) & Q(younger_id__in=ids))
    return [EngineRelation(str(r.elder_id), str(r.younger_id), r.engine_name) for r in rels]


def mobile_box_findings(election: Election) -> dict[int, tuple[bool, str]]:
    """{station id: (compliant, reason)} for each mobile box, decided by the engine (R21, R12)."""
    boxes = list(election.stations.filter(kind=VotingStation.MOBILE).prefetch_related("staff"))
    if not boxes:
        return {}
    candidate_ids = [str(c.person_id) for c in active_candidates(election)]
    staff_ids = [str(s.person_id) for b in boxes for s in b.staff.all()]
    inputs = [
        MobileBox(
            id=str(b.pk),
            township_approved=b.township_approved_on is not None,
            voter_list_published=b.voter_list_published_on is not None,
            scrutineers=tuple(str(s.person_id) for s in b.staff.all() if s.role == "scrutineer"),
            scrutineer_list_published=b.scrutineer_list_published_on is not None,
        )
        for b in boxes
    ]
    relations = _relations_among([int(x) for x in candidate_ids + staff_ids])
    out = mobile_boxes(inputs, profile_of(election), candidates=candidate_ids, relations=relations)
    names = {str(s.person_id): s.person.name for b in boxes for s in b.staff.all()}
    result = {}
    for b in boxes:
        reason = out["reasons"][str(b.pk)]
        for pid, nm in names.items():  # the engine names people by id: show their names
            reason = reason.replace(f"监票人{pid}：", f"监票人{nm}：")
        result[b.pk] = (out["compliant"][str(b.pk)], reason)
    return result


def arrangements_deadline(election: Election) -> dt.date | None:
    """The latest day to publish the arrangements (R16), from the engine's calendar; None = no deadline."""
    return calendar_for(election).voting_arrangements_latest


def arrangement_problems(election: Election) -> list[str]:
    """What keeps the arrangements notice from being published, in Chinese."""
    problems = []
    stations = list(election.stations.all())
    if not stations:
        problems.append("尚未设置中心会场或投票站")
    for sid, (ok, reason) in mobile_box_findings(election).items():
        if not ok:
            name = next(s.name for s in stations if s.pk == sid)
            problems.append(f"流动票箱“{name}”不符合规定：{reason}（R21）")
    problems += [
        f"{f.station}{f.role_label}{f.name}：{f.reason}" for f in staff_findings(election) if f.blocking
    ]
    return problems


def _time(t: dt.time | None) -> str:
    return t.strftime("%H:%M") if t else "—"


def arrangements_notice_pdf(election: Election, publish_on: dt.date | None = None) -> bytes:
    """投票选举事项公告: date, stations with place and time, method, counting staff (R16)."""
    stations = list(election.stations.prefetch_related("staff__person"))
    publish_on = publish_on or dt.date.today()
    paragraphs = [
        f"根据{kinds.wording(election).law}和有关法规的规定，{election.title}定于"
        f"{zh_date(election.election_date)}举行。现将投票选举有关事项公告如下：",
        "一、投票方式：采取无记名投票方式，设立秘密写票处，公开计票，当场公布选举结果。"
        "已办理委托投票登记的，由受委托人凭书面委托书代为投票；不得在投票现场临时委托。",
    ]
    if any(s.kind == VotingStation.MOBILE for s in stations):
        paragraphs.append(
            "二、流动票箱只用于行动不便、居住分散的选民，使用流动票箱的选民名单和监票人名单另行公布。"
        )
    rows = [
        [s.name, s.get_kind_display(), s.location or "—", f"{_time(s.opens_at)}—{_time(s.closes_at)}"]
        for s in stations
    ]
    staff_rows = [
        [s.name, ROLE_LABELS[st.role], st.person.name]
        for s in stations
        for st in sorted(
            s.staff.all(), key=lambda x: (list(ROLE_LABELS).index(x.role), stroke_sort_key(x.person.name))
        )
    ]
    tables = [TableSpec(["投票站（票箱）", "类型", "地点", "投票时间"], rows, caption="投票地点和时间")]
    if staff_rows:
        tables.append(TableSpec(["投票站（票箱）", "职责", "姓名"], staff_rows, caption="选举工作人员"))
    deadline = arrangements_deadline(election)
    closing = [cite_message(f"本公告应于{zh_date(deadline)}前公布（R16）。", election.profile())] if deadline else []
    return notice_pdf(
        f"{election.organization.name}投票选举事项公告",
        paragraphs,
        issuer=committee_name(election),
        date_text=zh_date(publish_on),
        tables=tables,
        closing_paragraphs=closing,
        stamp=True,
    )


@guarded
@transaction.atomic
def publish_arrangements(actor, election: Election, published_on: dt.date) -> StepRecord:
    """Record that the arrangements notice was published; refused while a problem stands."""
    _check_write(actor, election, "公布投票选举事项")
    problems = arrangement_problems(election)
    if problems:
        raise VotingError("不能公布投票选举事项：" + "；".join(problems) + "。")
    if not isinstance(published_on, dt.date):
        raise VotingError("公布日期无效。")
    # The one date rule (services.check_dated_fact): not ahead of today, before the vote, by the
    # profile's deadline (R16), which the law does not let pass.
    check_dated_fact(
        election,
        "投票选举事项公布日期",
        published_on,
        before_vote=True,
        deadline=arrangements_deadline(election),
        error=VotingError,
    )
    before = StepRecord.objects.filter(election=election, key=ARRANGEMENTS_STEP).first()
    rec, _ = StepRecord.objects.update_or_create(
        election=election,
        key=ARRANGEMENTS_STEP,
        defaults={"done_on": published_on, "note": "投票选举事项公告"},
    )
    audit.record(
        actor,
        "voting.arrangements_publish",
        election,
        changes={"published_on": [before.done_on if before else None, published_on]},
    )
    return rec


# ---------------------------------------------------------------- staff (R12)


@dataclass
class StaffFinding:
    station: str
    role: str
    name: str
    code: str
    reason: str
    staff_id: int | None = None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def blocking(self) -> bool:
        return self.role in BARRED_ROLES


def _staff_check(
    election: Election, entries: list[tuple[str, str, Person, int | None]]
) -> list[StaffFinding]:
    """entries: (station name, role, person, staff id) → R12 findings by the engine."""
    cands = list(active_candidates(election))
    if not entries or not cands:
        return []
    cand_ids = [str(c.person_id) for c in cands]
    names = {str(c.person_id): c.person.name for c in cands}
    relations = _relations_among([c.person_id for c in cands] + [p.pk for _, _, p, _ in entries])
    found = check_counting_staff(
        list(dict.fromkeys(str(p.pk) for _, _, p, _ in entries)),
        cand_ids,
        relations,
        profile_of(election),
    )
    by_person = {f["name"]: f for f in found}
    out = []
    for station, role, person, sid in entries:
        f = by_person.get(str(person.pk))
        if f is None:
            continue
        reason = f["reason"]
        for pid, nm in names.items():
            reason = reason.replace(f"候选人{pid}", f"候选人{nm}")
        out.append(StaffFinding(station, role, person.name, f["code"], reason, sid))
    return out


def staff_findings(election: Election) -> list[StaffFinding]:
    staff = StationStaff.objects.filter(station__election=election).select_related("person", "station")
    return _staff_check(election, [(s.station.name, s.role, s.person, s.pk) for s in staff])


@guarded
@transaction.atomic
def add_staff(actor, station: VotingStation, person: Person, role: str) -> tuple[StationStaff, list[str]]:
    """Name a 发票/代书/唱票/计票/监票 person of a station; refused for a candidate or a candidate's
    relative in the barred roles (R12). Returns the row and warnings (发票、代书 in that case)."""
    election = station.election
    _check_write(actor, election, "安排选举工作人员")
    require_visible_person(actor, person, error=VotingError)  # staff only among people the actor may see
    if role not in ROLE_LABELS:
        raise VotingError(f"职责：未知的职责“{role}”。")
    if StationStaff.objects.filter(station=station, person=person, role=role).exists():
        raise VotingError(f"{person.name}已是{station.name}的{ROLE_LABELS[role]}。")
    found = _staff_check(election, [(station.name, role, person, None)])
    if found and role in BARRED_ROLES:
        raise VotingError(f"{person.name}不能担任{ROLE_LABELS[role]}：{found[0].reason}（R12）。")
    staff = StationStaff.objects.create(station=station, person=person, role=role)
    audit.record(
        actor,
        "voting.staff_add",
        station,
        changes={ROLE_LABELS[role]: [None, person.name]},
        region_code=election.organization.code,
    )
    return staff, [f"{person.name}：{f.reason}" for f in found]


@guarded
@transaction.atomic
def remove_staff(actor, staff: StationStaff) -> None:
    station = staff.station
    _check_write(actor, station.election, "调整选举工作人员")
    audit.record(
        actor,
        "voting.staff_remove",
        station,
        changes={ROLE_LABELS[staff.role]: [staff.person.name, None]},
        region_code=station.election.organization.code,
    )
    staff.delete()


# The relatives a profile bars from 唱票、计票、监票 (R12), as the notice names them.
BARRED_KIN_ZH = {
    "spouses": "配偶",
    "parent-child": "父母、子女",
    "siblings": "兄弟姐妹",
    "grandparent-grandchild": "祖父母、外祖父母、孙子女、外孙子女",
}


def staff_rule_text(election: Election) -> str:
    """What the notice may say about who does not count votes: exactly what the profile refuses
    (R12). National law bars only the candidates; a province may bar their relatives too."""
    barred = profile_of(election.campaign)["counting_staff.relations"] or ()
    kin = "、".join(BARRED_KIN_ZH[r] for r in BARRED_KIN_ZH if r in barred)
    who = f"候选人及其{kin}" if kin else "候选人"
    return f"{who}不担任唱票、计票、监票工作。"


def staff_notice_pdf(election: Election, publish_on: dt.date | None = None) -> bytes:
    """选举工作人员名单公告 per station and role (R12, R16). The sentence on who may not count
    says what the profile's rule refuses and nothing more (``staff_rule_text``)."""
    staff = list(StationStaff.objects.filter(station__election=election).select_related("person", "station"))
    roles = list(ROLE_LABELS)
    staff.sort(key=lambda s: (s.station_id, roles.index(s.role), stroke_sort_key(s.person.name)))
    rows = [[s.station.name, ROLE_LABELS[s.role], s.person.name] for s in staff]
    return notice_pdf(
        f"{election.organization.name}选举工作人员名单公告",
        [
            f"经{committee_name(election)}研究，{election.title}的发票、代书、唱票、计票、监票等工作人员"
            "名单公告如下。" + staff_rule_text(election)
        ],
        issuer=committee_name(election),
        date_text=zh_date(publish_on or dt.date.today()),
        tables=[TableSpec(["投票站（票箱）", "职责", "姓名"], rows)],
        stamp=True,
    )


# ---------------------------------------------------------------- ballots (R19, R70, R55)


@dataclass
class RaceSpec:
    """One post voted on in a round: seats and candidates in ballot order."""

    post: Post
    seats: int
    candidates: list[dict] = field(default_factory=list)  # {"name", "person_id", "gender"}
    women_only: bool | None = None

    @property
    def name(self) -> str:
        return self.post.name


def ordered_candidates(election: Election, post: Post) -> list[Candidate]:
    """The candidates of a post in ballot order.

    Village and residents' committees: the order of the formal candidate list (R70, R15: nomination
    votes, descending — ``list_order``), ties and unnumbered entries by surname strokes (R69).
    Party elections: surname strokes (R55, R69).
    """
    cands = [c for c in active_candidates(election) if c.post_id == post.pk]
    if _party(election):
        return sorted(cands, key=lambda c: stroke_sort_key(c.person.name))
    return sorted(cands, key=lambda c: (c.list_order, stroke_sort_key(c.person.name)))


def round_races(rnd: Round) -> list[RaceSpec]:
    """The posts voted on in a round: every post with its list in round 1; in a re-vote or
    另行选举 exactly the races stored when the round was created."""
    election = rnd.election
    if rnd.kind == Round.FIRST:
        by_post: dict[int, list[Candidate]] = {}
        for c in active_candidates(election):
            by_post.setdefault(c.post_id, []).append(c)
        out = []
        for post in election.posts.all():
            cands = by_post.get(post.pk, [])
            if _party(election):
                cands.sort(key=lambda c: stroke_sort_key(c.person.name))
            else:
                cands.sort(key=lambda c: (c.list_order, stroke_sort_key(c.person.name)))
            out.append(
                RaceSpec(
                    post,
                    post.seats,
                    [
                        {"name": c.person.name, "person_id": c.person_id, "gender": c.person.gender}
                        for c in cands
                    ],
                    post.women_only or None,
                )
            )
        return out
    return [
        RaceSpec(r.post, r.seats, list(r.candidates), r.women_only)
        for r in RoundRace.objects.filter(round=rnd).select_related("post")
    ]


ROUND_SUBTITLE = {Round.FIRST: "正式选举", Round.TIE_REVOTE: "得票相等再次投票", Round.RUNOFF: "另行选举"}


def ballot_posts(rnd: Round) -> list[BallotPost]:
    """The posts on the ballot of a round, candidates in the required order, write-in slots."""
    out = []
    for race in round_races(rnd):
        # R29: a re-vote is held among the tied only, so it has no write-in slots.
        write_ins = 0 if rnd.kind == Round.TIE_REVOTE else race.seats
        note = f"应选 {race.seats} 名" + ("，只能选女性" if race.women_only else "")
        out.append(BallotPost(race.name, [c["name"] for c in race.candidates], race.seats, write_ins, note))
    return out


def ballot_instructions(rnd: Round) -> list[str] | None:
    if rnd.kind == Round.TIE_REVOTE:
        return [
            "本次为得票相等的再次投票，只在下列得票相等的人中选举，得票多的当选。",
            "同意的，在其姓名下方的空格内画“○”；不同意的，不画任何符号。",
            "所选人数不得多于应选人数，多于应选人数的选票无效。",
            "用黑色或蓝色笔填写，字迹清楚，不得使用规定以外的符号。",
        ]
    return None


# Seed 003 step 31: a congress prints two sets of ballots at once, formal and spare, the same
# layout in different colours; the set's name is printed in a band of its colour.
BALLOT_SETS = {"formal": ("正式选票", "#1F3A93"), "spare": ("备用选票", "#C00000")}


def round_ballot_pdf(rnd: Round, copies: int = 1, ballot_set: str | None = None) -> bytes:
    """The ballot of a round: one sheet for all posts, or one ballot per post (``ballot_layout``);
    ``ballot_set`` ("formal" / "spare") marks one of the two sets in its colour."""
    election = rnd.election
    posts = ballot_posts(rnd)
    if not posts or not any(p.candidates for p in posts):
        raise VotingError("本轮投票尚无候选人，不能印制选票。")
    mode = APPROVE if _party(election) else CIRCLE
    title = f"{election.title}选票"
    subtitle = f"（{ROUND_SUBTITLE[rnd.kind]}　{zh_date(rnd.held_on or election.election_date)}）"
    kwargs = {"subtitle": subtitle, "mode": mode, "instructions": ballot_instructions(rnd), "copies": copies,
              "seal_label": kinds.wording(election).seal}
    if ballot_set is not None:
        label, colour = BALLOT_SETS[ballot_set]
        kwargs |= {"spare_label": label, "spare_color": colors.HexColor(colour)}
    if election.ballot_layout != "per_post" or len(posts) == 1:
        return ballot_pdf(title, posts, **kwargs)
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for p in posts:
        part = ballot_pdf(f"{election.title}{p.name}选票", [p], **kwargs)
        for page in PdfReader(io.BytesIO(part)).pages:
            writer.add_page(page)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@guarded
@transaction.atomic
def record_ballots_issued(actor, station: VotingStation, issued: int) -> VotingStation:
    """The number of ballots handed to a station (its 发出选票 on the counting form of round 1)."""
    _check_write(actor, station.election, "登记发出选票数")
    blockers = kinds.ballot_blockers(station.election)
    if blockers:
        raise VotingError("不能发出选票：" + "；".join(blockers) + "。")
    if type(issued) is not int or issued < 0:
        raise VotingError(f"{station.name}发出选票数：应为 0 或正整数，收到“{issued}”。")
    before = station.ballots_issued
    station.ballots_issued = issued
    station.save(update_fields=["ballots_issued"])
    audit.record(
        actor,
        "voting.ballots_issued",
        station,
        changes={"ballots_issued": [before, issued]},
        region_code=station.election.organization.code,
    )
    return station


@guarded
@transaction.atomic
def set_double_entry(actor, election: Election, on: bool) -> Election:
    """Switch double entry of the counting forms on or off (the township or county decides)."""
    _require_role(actor, {COUNTY, TOWNSHIP}, "设置计票单双人录入（由乡镇或县换届办设置）")
    _require_in_scope(actor, election.organization.code)
    if _has_forms(election):
        raise VotingError("已有计票单录入，不能再改变录入方式。")
    before = election.double_entry
    election.double_entry = bool(on)
    election.save(update_fields=["double_entry", "updated_at"])
    audit.record(actor, "voting.double_entry", election, changes={"double_entry": [before, bool(on)]})
    return election


def _has_forms(election: Election) -> bool:
    from huanjie.elections.voting.models import CountingForm

    return CountingForm.objects.filter(round__election=election).exists()
