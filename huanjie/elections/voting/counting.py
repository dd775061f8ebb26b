"""Counting forms (计票单): aggregated entry, double entry, and ballot-by-ballot entry.

Paper is authoritative: a form records what the counting team read off the paper for one station
(or box) and one round. Before a form is saved its arithmetic is checked by
:func:`huanjie.rules.forms.check_form`: an ``F`` finding blocks saving (:class:`FormBlocked`), a
``W`` finding must be acknowledged (:class:`NeedsAcknowledgement`). With double entry
(``Election.double_entry``) two clerks on two accounts type the same paper form independently;
only two identical entries, or a resolution recorded by the election committee's chair with a
note, make the form accepted. Ballot-by-ballot entry checks each ballot with the engine's
:func:`huanjie.rules.validate_ballot` (R26) and derives the form from the ballots.

Every write carries :func:`huanjie.elections.aftervote.locking.guarded` (the lock guard) and is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction

from huanjie.accounts import audit
from huanjie.elections import kinds
from huanjie.elections.aftervote.locking import ensure_unlocked, guarded
from huanjie.elections.models import Election, Round, VoterRegistration
from huanjie.elections.services import (
    STAGE_ORDER,
    WORK_ROLES,
    ElectionError,
    _require_in_scope,
    _require_role,
    check_election_day_action,
    profile_of,
)
from huanjie.elections.voting.models import BallotEntry, CountingForm, CountingLine, VotingStation
from huanjie.elections.voting.services import RaceSpec, round_races
from huanjie.rules import Ballot, EngineError, Race, Sheet, validate_ballot
from huanjie.rules import Candidate as EngineCandidate
from huanjie.rules.forms import Difference, Finding, FormCount, Line, PostCount, check_form, compare_entries


class CountingError(ElectionError):
    """A refused counting action; ``str(exc)`` is the Chinese reason."""


class FormBlocked(CountingError):
    """F findings: the form cannot be saved until the numbers are corrected."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__(
            "计票单有错误，未保存："
            + "；".join(f"{f.code} {f.message}" for f in findings if f.severity == "error")
        )


class NeedsAcknowledgement(CountingError):
    """W findings not yet acknowledged: the form is saved once a person confirms them."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__(
            "请核对以下警告并确认后再保存：" + "；".join(f"{f.code} {f.message}" for f in findings)
        )


class StaleForm(CountingError):
    """The form was saved by someone else since this entry was opened (its version moved on).
    ``current`` is the stored form, ``mine`` what this clerk typed: the page shows them side by side."""

    def __init__(self, current: CountingForm, mine: FormData):
        who = str(current.entered_by)
        super().__init__(
            f"计票单已被他人修改（{who}，第 {current.version} 版），您的录入未保存。请对照两份内容核对后重新保存。"
        )
        self.current = current
        self.mine = mine


@dataclass
class LineData:
    post_id: int
    name: str
    votes: object  # an int, or what was typed (F.05 names it)
    write_in: bool = False
    gender: str = ""
    person_id: int | None = None


@dataclass
class FormData:
    """What a clerk typed from the paper form."""

    issued: object = None
    returned: object = None
    valid: object = None
    blank: object = None
    invalid: object = None
    lines: list[LineData] = field(default_factory=list)
    totals: dict[int, object] = field(default_factory=dict)  # post id → 合计 on the paper, if any
    post_invalid: dict[int, int] = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: CountingForm) -> FormData:
        return cls(
            issued=form.ballots_issued,
            returned=form.ballots_returned,
            valid=form.valid_ballots,
            blank=form.blank_ballots,
            invalid=form.invalid_ballots,
            lines=[
                LineData(ln.post_id, ln.name, ln.votes, ln.write_in, ln.gender, ln.person_id)
                for ln in form.lines.all()
            ],
            totals={int(k): v for k, v in (form.post_totals or {}).items()},
            post_invalid={int(k): v for k, v in (form.post_invalid or {}).items()},
        )


def registered_count(election: Election) -> int:
    return VoterRegistration.objects.filter(election=election, status=VoterRegistration.REGISTERED).count()


def form_count(rnd: Round, data: FormData, races: list[RaceSpec] | None = None, registered=None) -> FormCount:
    """The pure input of the checks: the form's numbers with the round's posts."""
    races = races if races is not None else round_races(rnd)
    posts = []
    for race in races:
        lines = tuple(
            Line(ln.name, ln.votes, ln.write_in, ln.gender or None)
            for ln in data.lines
            if ln.post_id == race.post.pk
        )
        posts.append(
            PostCount(
                race.name,
                race.seats,
                lines,
                data.totals.get(race.post.pk),
                bool(race.women_only),
                rnd.kind == Round.TIE_REVOTE,
            )
        )
    return FormCount(
        data.issued, data.returned, data.blank, data.invalid, data.valid, tuple(posts), registered
    )


def check(rnd: Round, data: FormData, races: list[RaceSpec] | None = None) -> list[Finding]:
    # Kinds that count against attendance (party assemblies) have no voter list to check against.
    registered = None if kinds.hooks_for(rnd.election.kind).vote_inputs else registered_count(rnd.election)
    return check_form(form_count(rnd, data, races, registered))


def _check_write(actor, rnd: Round, station: VotingStation | None = None) -> Election:
    election = rnd.election
    _require_role(actor, WORK_ROLES, "录入计票单")
    _require_in_scope(actor, election.organization.code)
    if STAGE_ORDER.index(election.stage) < STAGE_ORDER.index(Election.VOTING):
        raise CountingError("选举尚未进入投票阶段，不能录入计票单。")
    check_election_day_action(election, "录入计票单", rnd, error=CountingError)
    blockers = kinds.ballot_blockers(election)
    if blockers:
        raise CountingError("不能录入计票单：" + "；".join(blockers) + "。")
    if station is not None and station.election_id != election.pk:
        raise CountingError("该投票站不属于本次选举。")
    return election


def write_blocker(user, rnd: Round, station: VotingStation | None = None) -> str:
    """Why a counting form cannot be saved now (the page says so before anyone types), or "".
    A read: it asks the lock guard's question without taking the row lock."""
    try:
        ensure_unlocked(rnd.election)
        _check_write(user, rnd, station)
    except (ElectionError, PermissionDenied) as exc:
        return str(exc)
    return ""


def _head(form: CountingForm) -> dict:
    return {
        "发出选票": form.ballots_issued,
        "收回选票": form.ballots_returned,
        "有效票": form.valid_ballots,
        "空白票": form.blank_ballots,
        "废票": form.invalid_ballots,
    }


def _known_lines(rnd: Round, data: FormData, races: list[RaceSpec]) -> list[LineData]:
    """Lines for every candidate of the round's races; write-ins as typed (empty rows dropped)."""
    by_post = {r.post.pk: r for r in races}
    out = []
    for ln in data.lines:
        race = by_post.get(ln.post_id)
        if race is None:
            raise CountingError("计票单中有不属于本轮投票的职位。")
        name = (ln.name or "").strip()
        if ln.write_in and not name and ln.votes in (None, "", 0):
            continue
        if not ln.write_in:
            match = next((c for c in race.candidates if c["name"] == name), None)
            if match is None:
                raise CountingError(f"“{name}”不是{race.name}的候选人。")
            ln.person_id = match.get("person_id")
            ln.gender = match.get("gender") or ""
        ln.name = name
        out.append(ln)
    return out


def _store(
    form: CountingForm, data: FormData, lines: list[LineData], findings: list[Finding], acknowledged
) -> None:
    form.ballots_issued = data.issued
    form.ballots_returned = data.returned
    form.valid_ballots = data.valid
    form.blank_ballots = data.blank
    form.invalid_ballots = data.invalid
    form.post_totals = {str(k): v for k, v in data.totals.items() if v is not None}
    form.post_invalid = {str(k): v for k, v in data.post_invalid.items() if v}
    form.findings = [f.as_dict() for f in findings]
    form.acknowledged_warnings = sorted(acknowledged)
    form.save()
    form.lines.all().delete()
    CountingLine.objects.bulk_create(
        [
            CountingLine(
                form=form,
                post_id=ln.post_id,
                name=ln.name[:40],
                person_id=ln.person_id,
                write_in=ln.write_in,
                gender=ln.gender or "",
                votes=ln.votes,
            )
            for ln in lines
            if ln.votes or not ln.write_in
        ]
    )


def _entry_for(
    actor, rnd: Round, station: VotingStation, election: Election
) -> tuple[int, CountingForm | None]:
    forms = {f.entry: f for f in CountingForm.objects.select_for_update().filter(round=rnd, station=station)}
    if not election.double_entry:
        return 1, forms.get(1)
    for entry, f in forms.items():
        if f.entered_by_id == actor.pk:
            return entry, f
    for entry in (1, 2):
        if entry not in forms:
            return entry, None
    raise CountingError(f"{station.name}的计票单已由两名录入员分别录入；双人录入时同一人只能录入一次。")


@guarded
@transaction.atomic
def save_form(
    actor,
    rnd: Round,
    station: VotingStation,
    data: FormData,
    acknowledge=(),
    *,
    method: str = CountingForm.AGGREGATED,
    based_on: int | None = None,
) -> CountingForm:
    """Check and save one counting form (aggregated entry).

    Raises :class:`FormBlocked` with the F findings, :class:`NeedsAcknowledgement` with W findings
    not in ``acknowledge``. Single entry: the saved form is accepted. Double entry: the form is the
    actor's entry (1 or 2); when both entries exist and agree, the form is accepted.

    ``based_on`` is the version the clerk's page showed (0: no form yet). When the stored form has
    moved on since, the save is refused with :class:`StaleForm` (已被他人修改); the check runs under
    the lock guard's row lock, so of two saves based on the same version exactly one is stored.
    """
    acknowledge = _codes(acknowledge)
    _bounded(data)
    if based_on is not None and (type(based_on) is not int or based_on < 0):
        raise CountingError("版本号无效，请重新打开计票单后再录入。")
    election = _check_write(actor, rnd, station)
    races = round_races(rnd)
    lines = _known_lines(rnd, data, races)
    data.lines = lines
    findings = check(rnd, data, races)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise FormBlocked(findings)
    acknowledged = set(acknowledge or ())
    pending = [f for f in findings if f.severity == "warning" and f.code not in acknowledged]
    if pending:
        raise NeedsAcknowledgement(pending)
    entry, form = _entry_for(actor, rnd, station, election)
    if based_on is not None and form is not None and based_on != form.version:
        raise StaleForm(form, data)
    before = _head(form) if form else None
    # The lines are replaced in bulk (no per-row signals): keep their old values for the audit record.
    lines_before = (
        {f"{ln.post.name}·{ln.name}": ln.votes for ln in form.lines.select_related("post")} if form else None
    )
    if form is None:
        form = CountingForm(round=rnd, station=station, entry=entry, entered_by=actor)
    form.method = method
    form.status = CountingForm.SAVED if election.double_entry else CountingForm.ACCEPTED
    form.resolution_note = ""
    form.resolved_by = None
    form.version += 1
    _store(form, data, lines, findings, acknowledged & {f.code for f in findings})
    changes = {k: [before[k] if before else None, v] for k, v in _head(form).items()}
    post_names = dict(election.posts.values_list("pk", "name"))
    changes["lines"] = [lines_before, {f"{post_names.get(ln.post_id, ln.post_id)}·{ln.name}": ln.votes for ln in lines}]
    if acknowledged:
        changes["acknowledged"] = [None, sorted(acknowledged & {f.code for f in findings})]
    audit.record(
        actor,
        "counting.form_save",
        form,
        changes=changes,
        object_repr=f"{station.name} 第{rnd.number}轮 计票单（录入{entry}）",
        region_code=election.organization.code,
    )
    if election.double_entry:
        _reconcile(rnd, station)
        form.refresh_from_db()
    return form


HEAD_LABELS = (
    ("issued", "发出选票"),
    ("returned", "收回选票"),
    ("valid", "有效票"),
    ("blank", "空白票"),
    ("invalid", "废票"),
)


def side_by_side(rnd: Round, a: FormData, b: FormData, races: list[RaceSpec] | None = None) -> list[dict]:
    """Two versions of a station's form figure by figure (``label``, ``a``, ``b``, ``diff``): the
    two entries of a double entry, or a clerk's unsaved entry against the version saved meanwhile
    (已被他人修改). ``diff`` marks what D.01 finds different."""
    races = races if races is not None else round_races(rnd)
    ca, cb = form_count(rnd, a, races), form_count(rnd, b, races)
    diff_fields = {d.field for d in compare_entries(ca, cb)}
    rows = [
        {"label": label, "a": getattr(ca, key), "b": getattr(cb, key), "diff": key in diff_fields}
        for key, label in HEAD_LABELS
    ]
    for pa, pb in zip(ca.posts, cb.posts, strict=True):
        va = {ln.name: ln.votes for ln in pa.lines}
        vb = {ln.name: ln.votes for ln in pb.lines}
        for n in dict.fromkeys([ln.name for ln in pa.lines] + [ln.name for ln in pb.lines]):
            rows.append(
                {"label": f"{pa.post} {n}", "a": va.get(n), "b": vb.get(n), "diff": f"line:{pa.post}:{n}" in diff_fields}
            )
    return rows


# No counting figure comes near this (a village has a few thousand voters); larger numbers are typing
# slips and would not fit the database's integer columns.
MAX_FIGURE = 10_000_000


def _bounded(data: FormData) -> None:
    figures = [(label, getattr(data, key)) for key, label in HEAD_LABELS]
    figures += [(f"{ln.name or '另选他人'}的得票", ln.votes) for ln in data.lines]
    figures += [("职位得票合计", v) for v in data.totals.values()]
    for label, value in figures:
        if isinstance(value, int) and not isinstance(value, bool) and value > MAX_FIGURE:
            raise CountingError(f"{label}：{value} 超过 {MAX_FIGURE}，不可能是计票数字，请核对纸质计票单。")


@dataclass
class JsonForm:
    round_number: int
    station_id: int
    data: FormData
    acknowledge: tuple[str, ...]
    compute: bool
    version: int | None


def form_from_json(body) -> JsonForm:
    """A counting form sent as JSON by a script (the counting API), checked for shape: every
    figure an integer or null, every line an object; anything else is a :class:`CountingError`
    in Chinese that names the field (issue 9 §4: junk JSON answers 4xx, never a server error)."""
    if not isinstance(body, dict):
        raise CountingError("请求内容应为一个 JSON 对象，如 {\"round\": 1, \"station\": 3, …}。")

    def whole(value, label: str, *, required: bool = False, low: int = 0) -> int | None:
        if value is None and not required:
            return None
        if type(value) is not int or not low <= value <= MAX_FIGURE:
            raise CountingError(f"{label}：应为 {low}—{MAX_FIGURE} 之间的整数，收到 {json_text(value)}。")
        return value

    lines_in = body.get("lines", [])
    if not isinstance(lines_in, list):
        raise CountingError(f"lines（各候选人得票）：应为列表，收到 {json_text(lines_in)}。")
    lines = []
    for i, ln in enumerate(lines_in, 1):
        if not isinstance(ln, dict):
            raise CountingError(f"lines 第 {i} 项：应为对象，如 {{\"post\": 5, \"name\": \"张三\", \"votes\": 10}}。")
        name = ln.get("name", "")
        if not isinstance(name, str) or len(name) > 40:
            raise CountingError(f"lines 第 {i} 项的 name（姓名）：应为不超过 40 字的文字。")
        write_in = ln.get("write_in", False)
        if not isinstance(write_in, bool):
            raise CountingError(f"lines 第 {i} 项的 write_in（另选他人）：应为 true 或 false。")
        lines.append(
            LineData(
                whole(ln.get("post"), f"lines 第 {i} 项的 post（职位）", required=True, low=1),
                name,
                whole(ln.get("votes"), f"lines 第 {i} 项的 votes（得票）"),
                write_in,
            )
        )
    data = FormData(
        **{key: whole(body.get(key), f"{key}（{label}）") for key, label in HEAD_LABELS}, lines=lines
    )
    compute = body.get("compute", False)
    if not isinstance(compute, bool):
        raise CountingError("compute（是否计算结果）：应为 true 或 false。")
    return JsonForm(
        round_number=whole(body.get("round", 1), "round（轮次）", required=True, low=1),
        station_id=whole(body.get("station"), "station（投票站）", required=True, low=1),
        data=data,
        acknowledge=_codes(body.get("acknowledge", [])),
        compute=compute,
        version=whole(body.get("version"), "version（版本）"),
    )


def json_text(value) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "…"


def _codes(acknowledge) -> tuple[str, ...]:
    """The acknowledged warning codes as given by a page or a script: a list of codes, nothing else."""
    if acknowledge is None:
        return ()
    if isinstance(acknowledge, str) or not isinstance(acknowledge, list | tuple | set | frozenset):
        raise CountingError("已确认的警告（acknowledge）应为警告编号的列表，如 [\"W.01\"]。")
    if not all(isinstance(code, str) for code in acknowledge):
        raise CountingError("已确认的警告（acknowledge）中的每一项都应为警告编号，如 \"W.01\"。")
    return tuple(acknowledge)


def entries(rnd: Round, station: VotingStation) -> dict[int, CountingForm]:
    return {
        f.entry: f
        for f in CountingForm.objects.filter(round=rnd, station=station)
        .select_related("entered_by", "resolved_by")
        .prefetch_related("lines")
    }


def differences(rnd: Round, station: VotingStation, races=None) -> list[Difference] | None:
    """D.01: where entry 1 and entry 2 differ; None while one of them is missing."""
    forms = entries(rnd, station)
    if 1 not in forms or 2 not in forms:
        return None
    races = races if races is not None else round_races(rnd)
    a = form_count(rnd, FormData.from_form(forms[1]), races)
    b = form_count(rnd, FormData.from_form(forms[2]), races)
    return compare_entries(a, b)


def _reconcile(rnd: Round, station: VotingStation) -> None:
    diffs = differences(rnd, station)
    if diffs is None:
        return
    status = CountingForm.ACCEPTED if not diffs else CountingForm.SAVED
    CountingForm.objects.filter(round=rnd, station=station).update(
        status=status, resolution_note="", resolved_by=None
    )


def committee_chair(election: Election):
    from huanjie.elections.services import sitting_members

    return next((m for m in sitting_members(election) if m.post == "director"), None)


@guarded
@transaction.atomic
def resolve_double_entry(
    actor, rnd: Round, station: VotingStation, chosen_entry: int, note: str
) -> CountingForm:
    """The election committee's chair decides between two differing entries, with a note.

    The chair checks the paper form and takes the entry that matches it; the chair may not be one
    of the two clerks (the decision is an independent third look).
    """
    election = _check_write(actor, rnd, station)
    forms = {f.entry: f for f in CountingForm.objects.select_for_update().filter(round=rnd, station=station)}
    if 1 not in forms or 2 not in forms:
        raise CountingError(f"{station.name}的计票单尚未完成两次录入。")
    diffs = differences(rnd, station)
    if not diffs:
        raise CountingError(f"{station.name}的两次录入一致，无需处理。")
    if actor.pk in (forms[1].entered_by_id, forms[2].entered_by_id):
        raise CountingError("处理双录不一致须由选举委员会主任（未参加录入的人）作出，录入员不能自行处理。")
    note = (note or "").strip()
    if not note:
        raise CountingError("处理意见：请写明核对纸质计票单的情况和采用哪一次录入的理由。")
    if chosen_entry not in (1, 2):
        raise CountingError("请选择采用第 1 次或第 2 次录入。")
    chair = committee_chair(election)
    full_note = (f"选举委员会主任{chair.person.name}：" if chair else "") + note
    chosen, other = forms[chosen_entry], forms[3 - chosen_entry]
    chosen.status, chosen.resolution_note, chosen.resolved_by = CountingForm.ACCEPTED, full_note[:300], actor
    chosen.save(update_fields=["status", "resolution_note", "resolved_by", "updated_at"])
    other.status = CountingForm.SAVED
    other.save(update_fields=["status", "updated_at"])
    audit.record(
        actor,
        "counting.double_entry_resolve",
        chosen,
        changes={
            "采用录入": [None, chosen_entry],
            "不一致": [None, [f"{d.label}: {d.first} / {d.second}" for d in diffs]],
            "处理意见": [None, full_note],
        },
        object_repr=f"{station.name} 第{rnd.number}轮 计票单",
        region_code=election.organization.code,
    )
    return chosen


def accepted_form(rnd: Round, station: VotingStation) -> CountingForm | None:
    return (
        CountingForm.objects.filter(round=rnd, station=station, status=CountingForm.ACCEPTED)
        .order_by("entry")
        .first()
    )


# ---------------------------------------------------------------- ballot by ballot (R26)


def _engine_races(races: list[RaceSpec]) -> list[Race]:
    return [
        Race(
            post=r.name,
            seats=r.seats,
            candidates=tuple(EngineCandidate(c["name"], c.get("gender")) for c in r.candidates),
            women_only=r.women_only,
        )
        for r in races
    ]


STAGE = {Round.FIRST: "first", Round.TIE_REVOTE: "tie_revote", Round.RUNOFF: "runoff"}


def _names(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values or () if v and v.strip()))


def verdict(rnd: Round, entry: BallotEntry, races: list[RaceSpec] | None = None) -> dict:
    """The engine's decision on one entered ballot (R26): valid, invalid codes, selections."""
    races = races if races is not None else round_races(rnd)
    election = rnd.election
    engine_races = _engine_races(races)
    parts = {}
    for r in races:
        m = (entry.marks or {}).get(str(r.post.pk)) or {}
        parts[r.name] = Ballot(
            approve=_names(m.get("approve")),
            oppose=_names(m.get("oppose")),
            write_in=_names(m.get("write_in")),
        )
    profile = profile_of(election)
    stage = STAGE[rnd.kind]
    try:
        if election.ballot_layout == "per_post" and len(races) > 1:
            # One ballot per post: each is valid or void on its own (R19, R26).
            out = {
                "valid": True,
                "invalid": [],
                "selections": {},
                "ignored_write_ins": [],
                "referred_to_committee": False,
            }
            for r, er in zip(races, engine_races, strict=True):
                b = parts[r.name]
                one = validate_ballot(
                    Ballot(
                        approve=b.approve,
                        oppose=b.oppose,
                        write_in=b.write_in,
                        unreadable=entry.unreadable,
                        extra_mark=entry.extra_mark,
                    ),
                    [er],
                    kinds.engine_kind(election.kind),
                    profile,
                    stage=stage,
                )
                for inv in one["invalid"]:
                    out["invalid"].append({**inv, "post": r.name})
                out["selections"].update(one["selections"])
                out["ignored_write_ins"] += one["ignored_write_ins"]
                out["referred_to_committee"] |= one["referred_to_committee"]
            out["valid"] = not out["invalid"]
            return out
        sheet = Sheet(id=entry.number, parts=parts, unreadable=entry.unreadable, extra_mark=entry.extra_mark)
        return validate_ballot(sheet, engine_races, kinds.engine_kind(election.kind), profile, stage=stage)
    except EngineError as exc:
        raise CountingError(f"第 {entry.number} 张选票：{exc.message}") from None


@guarded
@transaction.atomic
def start_ballot_form(actor, rnd: Round, station: VotingStation, issued: int) -> CountingForm:
    """Open (or reopen) the ballot-by-ballot form of a station; ballots already entered are kept."""
    _check_write(actor, rnd, station)
    if type(issued) is not int or issued < 0:
        raise CountingError(f"发出选票：应为 0 或正整数，收到“{issued}”。")
    form = CountingForm.objects.filter(round=rnd, station=station, entry=1).first()
    if form is not None and form.method != CountingForm.BALLOTS:
        raise CountingError(f"{station.name}已按汇总方式录入了计票单。")
    if form is None:
        form = CountingForm.objects.create(
            round=rnd,
            station=station,
            entry=1,
            method=CountingForm.BALLOTS,
            entered_by=actor,
            ballots_issued=issued,
        )
    else:
        form.ballots_issued = issued
        form.status = CountingForm.DRAFT
        form.save(update_fields=["ballots_issued", "status", "updated_at"])
    audit.record(
        actor,
        "counting.ballots_start",
        form,
        changes={"ballots_issued": [None, issued]},
        object_repr=f"{station.name} 第{rnd.number}轮 逐票录入",
        region_code=rnd.election.organization.code,
    )
    return form


@guarded
@transaction.atomic
def add_ballot(actor, form: CountingForm, marks: dict, *, unreadable: bool = False, extra_mark: bool = False):
    """Enter one ballot; returns (entry, verdict). ``marks``: {post id: {approve, oppose, write_in}}."""
    rnd = form.round
    _check_write(actor, rnd, form.station)
    if form.method != CountingForm.BALLOTS:
        raise CountingError("该计票单不是逐票录入。")
    races = round_races(rnd)
    clean = {}
    for r in races:
        m = marks.get(r.post.pk) or marks.get(str(r.post.pk)) or {}
        part = {k: list(_names(m.get(k))) for k in ("approve", "oppose", "write_in") if _names(m.get(k))}
        if m.get("genders"):
            part["genders"] = {k: v for k, v in m["genders"].items() if v in ("M", "F")}
        if part:
            clean[str(r.post.pk)] = part
    last = form.ballots.order_by("-number").values_list("number", flat=True).first() or 0
    entry = BallotEntry(form=form, number=last + 1, marks=clean, unreadable=unreadable, extra_mark=extra_mark)
    result = verdict(rnd, entry, races)  # raises on marks the engine refuses (e.g. unknown names)
    entry.save()
    if form.status != CountingForm.DRAFT:
        form.status = CountingForm.DRAFT
        form.save(update_fields=["status", "updated_at"])
    audit.record(
        actor,
        "counting.ballot_add",
        form,
        changes={f"第{entry.number}张": [None, {"valid": result["valid"], "marks": clean}]},
        object_repr=f"{form.station.name} 第{rnd.number}轮 逐票录入",
        region_code=rnd.election.organization.code,
    )
    return entry, result


@guarded
@transaction.atomic
def remove_ballot(actor, form: CountingForm, number: int) -> None:
    _check_write(actor, form.round, form.station)
    entry = form.ballots.filter(number=number).first()
    if entry is None:
        raise CountingError(f"没有第 {number} 张选票。")
    audit.record(
        actor,
        "counting.ballot_remove",
        form,
        changes={f"第{number}张": [entry.marks, None]},
        object_repr=f"{form.station.name} 第{form.round.number}轮 逐票录入",
        region_code=form.round.election.organization.code,
    )
    entry.delete()
    if form.status != CountingForm.DRAFT:
        form.status = CountingForm.DRAFT
        form.save(update_fields=["status", "updated_at"])


def ballot_summary(form: CountingForm, races: list[RaceSpec] | None = None) -> tuple[FormData, list[tuple]]:
    """The form's numbers derived from its ballots, and (entry, verdict) for each ballot."""
    rnd = form.round
    races = races if races is not None else round_races(rnd)
    by_name = {r.name: r for r in races}
    rows = []
    tally: dict[tuple[int, str], int] = {}
    genders: dict[tuple[int, str], str] = {}
    invalid = blank = valid = 0
    post_invalid: dict[int, int] = {}
    for entry in form.ballots.all():
        v = verdict(rnd, entry, races)
        rows.append((entry, v))
        whole = any(i["post"] is None for i in v["invalid"]) or len(v["invalid"]) >= len(races)
        if whole:
            invalid += 1
            continue
        for i in v["invalid"]:
            pid = by_name[i["post"]].post.pk
            post_invalid[pid] = post_invalid.get(pid, 0) + 1
        if not any(v["selections"].values()):
            blank += 1
            continue
        valid += 1
        for post_name, names in v["selections"].items():
            race = by_name[post_name]
            for n in names:
                tally[(race.post.pk, n)] = tally.get((race.post.pk, n), 0) + 1
        for r in races:
            g = ((entry.marks or {}).get(str(r.post.pk)) or {}).get("genders") or {}
            for n, sex in g.items():
                genders[(r.post.pk, n)] = sex
    lines = []
    for r in races:
        listed = {c["name"] for c in r.candidates}
        for c in r.candidates:
            lines.append(LineData(r.post.pk, c["name"], tally.get((r.post.pk, c["name"]), 0)))
        for (pid, n), votes in tally.items():
            if pid == r.post.pk and n not in listed:
                lines.append(LineData(pid, n, votes, True, genders.get((pid, n), "")))
    n = len(rows)
    data = FormData(form.ballots_issued, n, valid, blank, invalid, lines, {}, post_invalid)
    return data, rows


@guarded
@transaction.atomic
def finish_ballot_form(actor, form: CountingForm, acknowledge=()) -> CountingForm:
    """Derive the form from its ballots, check it (F/W) and accept it."""
    rnd, station = form.round, form.station
    election = _check_write(actor, rnd, station)
    races = round_races(rnd)
    data, rows = ballot_summary(form, races)
    if not rows:
        raise CountingError("尚未录入任何选票。")
    findings = check(rnd, data, races)
    if any(f.severity == "error" for f in findings):
        raise FormBlocked(findings)
    acknowledged = set(acknowledge or ())
    pending = [f for f in findings if f.severity == "warning" and f.code not in acknowledged]
    if pending:
        raise NeedsAcknowledgement(pending)
    form.status = CountingForm.ACCEPTED
    _store(form, data, data.lines, findings, acknowledged & {f.code for f in findings})
    audit.record(
        actor,
        "counting.ballots_finish",
        form,
        changes={k: [None, v] for k, v in _head(form).items()},
        object_repr=f"{station.name} 第{rnd.number}轮 逐票录入",
        region_code=election.organization.code,
    )
    return form
