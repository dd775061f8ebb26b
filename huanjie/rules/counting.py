"""Counting a vote: village and residents' committees (R23–R37, R48), Party branch and grassroots
committees (R53–R60), committee plenaries (R61) and congress delegates (R63–R64).

One function, :func:`count_vote`, counts every kind; :func:`count_village_election` and
:func:`count_party_election` are the named entry points for the web application. The input is a
:class:`VoteCount` (frozen dataclasses); the output a :class:`CountResult` whose
:meth:`CountResult.as_dict` is exactly the engine's JSON output for the counting kinds.

Arithmetic is integer only (rules.md §2): ``votes*2 > base`` (过半数), ``votes*3 >= base``
(不少于三分之一), ``present*5 > expected*4`` (超过五分之四).

Ballots are grouped before they are checked: identical ballots (the usual case: a few hundred
patterns among thousands of ballots) are validated once and counted with a multiplicity, so a
ballot-by-ballot count of 100,000 sheets stays well under a second.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import EngineError
from .people import Relation, RelationIndex, relation_zh
from .profiles import Profile, get_profile
from .recall import Meeting, meeting_quorum
from .strokes import stroke_sort_key

__all__ = [
    "COUNT_KINDS",
    "Ballot",
    "Candidate",
    "CountResult",
    "Race",
    "SeatedMember",
    "Sheet",
    "VoteCount",
    "count_party_election",
    "count_village_election",
    "count_vote",
    "majority_threshold",
    "margin_ok",
    "post_rank",
    "runoff_threshold",
    "validate_ballot",
]

VILLAGE_KINDS = ("village_committee", "residents_committee")
PARTY_KINDS = ("party_branch", "township_congress_delegates", "party_plenary")
# Bodies chosen by a 村民会议 or 村民代表会议 (the 村务监督委员会): counted against the meeting's
# attendance, decided by more than half of those present (VCL Arts. 22, 26; R71, R38).
MEETING_KINDS = ("village_supervision",)
# Seed 004: 村务监督委员会一般由3—5人组成 (fewest, most members).
SUPERVISION_SIZE = (3, 5)
COUNT_KINDS = VILLAGE_KINDS + PARTY_KINDS + MEETING_KINDS
STAGES = ("first", "tie_revote", "runoff")

_INVALID_ZH = {
    "over_selection": "所选人数多于应选人数",
    "unreadable": "无法辨认",
    "same_person_two_posts": "同一人被选为两个以上职务，整张选票无效",
    "extra_mark": "有规定以外的符号",
}
_IGNORED_ZH = {
    "no_opposition": "未对任何候选人投反对票，另选的人不计票",
    "unmarked_write_in": "另选的人名后未划“○”，按弃权处理",
    "not_committee_member": "另选的人不是本届委员会委员",
    "revote_candidates_only": "再次投票只在得票相等的人中进行，另选的人不计票",
}


# --------------------------------------------------------------------------------------------
# thresholds


def majority_threshold(base: int) -> int:
    """R1, R27, R58, R61 — smallest ``v`` with ``v*2 > base`` (过半数; exactly half fails)."""
    if base < 0:
        raise ValueError("base must be non-negative")
    return base // 2 + 1


def runoff_threshold(base: int) -> int:
    """R32 — smallest ``v`` with ``v*3 >= base`` (不少于三分之一), and at least 1 vote."""
    if base < 0:
        raise ValueError("base must be non-negative")
    return max(1, (base + 2) // 3)


def post_rank(post: str) -> int:
    """R37 — post order for avoidance and 高职低就: 主任/书记 = 1, 副主任/副书记 = 2, others 3
    (委员, 妇女委员 ranks as 委员 [INTERPRETATION], 代表)."""
    p = post.strip()
    if "副" in p:
        return 2
    if p.endswith("主任") or p.endswith("书记"):
        return 1
    return 3


def margin_ok(kind: str, stage: str, post: str, seats: int, candidates: int, profile: Profile) -> bool | None:
    """R14 (VCL Art. 15 ¶1, SH Art. 12, BJ Art. 16, HA Art. 24), R31, R46, R54, R61, R63 — are
    there enough (and not too many) candidates for the seats?

    * village: ``candidates.margin.director`` for 主任/副主任, ``candidates.margin.member`` else;
    * residents: ``residents.margin`` (an uncontested list allowed where HAU Art. 9 allows it);
    * party branch committee members and delegates: ``(candidates - seats)*5 >= seats``;
    * plenary (书记、副书记): uncontested, ``candidates == seats``;
    * 另行选举: a contest, ``candidates > seats``; tie re-vote: not applicable (None).
    None also where there is no candidate list (海选) or no rule for the post.
    """
    if stage == "tie_revote" or candidates == 0:
        return None
    if stage == "runoff":
        return candidates > seats
    if kind == "party_plenary":
        return candidates == seats
    if kind in MEETING_KINDS:
        return None  # 推选 by the meeting: no statutory margin (等额 or 差额 as the meeting decides)
    if kind in ("party_branch", "township_congress_delegates"):
        if post_rank(post) != 3:
            return None
        return (candidates - seats) * 5 >= seats
    if kind == "residents_committee":
        lo, hi = profile["residents.margin"]
        if candidates == seats and profile["residents.uncontested_allowed"]:
            return True
    else:
        key = "candidates.margin.director" if post_rank(post) < 3 else "candidates.margin.member"
        lo, hi = profile[key]
    return seats + lo <= candidates and (hi is None or candidates <= seats + hi)


# --------------------------------------------------------------------------------------------
# input dataclasses


@dataclass(frozen=True)
class Candidate:
    name: str
    gender: str | None = None  # "M" / "F"
    ethnicity: str | None = None


@dataclass(frozen=True)
class Ballot:
    """One ballot for one post (or one post's part of a multi-post sheet; its ``id`` is then unused).

    ``write_in_marked``: Party ballots (R56) — whether the write-in has its "○"; one bool for all
    write-ins or one per write-in. ``unreadable_entries``: how many entries cannot be read (R26).
    """

    id: str | int = ""
    approve: tuple[str, ...] = ()
    oppose: tuple[str, ...] = ()
    write_in: tuple[str, ...] = ()
    write_in_marked: bool | tuple[bool, ...] = True
    unreadable: bool = False
    unreadable_entries: int = 0
    extra_mark: bool = False


@dataclass(frozen=True)
class Sheet:
    """One ballot sheet covering several posts (R19): ``parts`` maps post → that post's marks."""

    id: str | int
    parts: Mapping[str, Ballot] = field(default_factory=dict)
    unreadable: bool = False
    extra_mark: bool = False


@dataclass(frozen=True)
class Race:
    """One post's contest. Give either aggregated ``votes`` or ``ballots`` (or top-level sheets)."""

    post: str
    seats: int
    candidates: tuple[Candidate, ...] = ()
    women_only: bool | None = None
    votes: Mapping[str, int] | None = None
    write_in_votes: Mapping[str, int] = field(default_factory=dict)
    invalid_ballots: int = 0
    blank_ballots: int = 0
    ballots: tuple[Ballot, ...] | None = None
    write_in_persons: tuple[Candidate, ...] = ()


@dataclass(frozen=True)
class SeatedMember:
    """A member elected at an earlier stage (context for a 另行选举 or re-vote)."""

    name: str
    post: str | None = None
    gender: str | None = None


@dataclass(frozen=True)
class VoteCount:
    """Everything needed to count one vote. Fields a kind does not use stay None/empty."""

    kind: str = "village_committee"
    stage: str = "first"
    races: tuple[Race, ...] = ()
    registered_voters: int | None = None
    ballots_issued: int | None = None
    ballots_returned: int | None = None
    expected_attendance: int | None = None
    present_with_vote: int | None = None
    committee_members: tuple[str, ...] = ()
    present: int | None = None
    sheets: tuple[Sheet, ...] | None = None
    relations: tuple[Relation, ...] = ()
    members_already_elected: tuple[SeatedMember, ...] = ()
    members_already_elected_count: int | None = None
    director_elected: bool | None = None
    smaller_ethnic_groups: tuple[str, ...] = ()
    declared_void: tuple[str, ...] = ()  # R39: election won by improper means, declared void
    meeting: Meeting | None = None  # MEETING_KINDS: the 村民会议 or 村民代表会议 and who came


@dataclass(frozen=True)
class CountResult:
    """The outcome of a count; :meth:`as_dict` gives the engine's output fields."""

    election_valid: bool
    reason: str | None
    participation_base: int
    threshold: int | None
    quorum_met: bool | None
    margin_ok: bool | None
    tally: dict
    merged_votes: dict
    valid_ballots: list
    invalid_ballots: list
    elected: list
    unfilled: list
    tie_revote: Any
    runoff: Any
    removed_for_avoidance: list
    not_counted: list
    ignored_write_ins: list
    warnings: list
    may_remain_vacant: bool | None
    shortfall_action: str | None
    rule_basis: str
    report_for_approval: bool

    def as_dict(self) -> dict:
        return {
            "election_valid": self.election_valid,
            "reason": self.reason,
            "participation_base": self.participation_base,
            "threshold": self.threshold,
            "quorum_met": self.quorum_met,
            "margin_ok": self.margin_ok,
            "tally": self.tally,
            "merged_votes": self.merged_votes,
            "valid_ballots": self.valid_ballots,
            "invalid_ballots": self.invalid_ballots,
            "elected": self.elected,
            "unfilled": self.unfilled,
            "tie_revote": self.tie_revote,
            "runoff": self.runoff,
            "removed_for_avoidance": self.removed_for_avoidance,
            "not_counted": self.not_counted,
            "ignored_write_ins": self.ignored_write_ins,
            "warnings": self.warnings,
            "may_remain_vacant": self.may_remain_vacant,
            "shortfall_action": self.shortfall_action,
            "rule_basis": self.rule_basis,
            "report_for_approval": self.report_for_approval,
        }


# --------------------------------------------------------------------------------------------
# ballot keys: the hashable form in which ballots are grouped and checked once per pattern
#
# A post's part of a ballot is either
#   * the short form: the tuple of approved names (the usual ballot: approvals only), or
#   * a FullPart: (approve, oppose, write_in, write_in_marked, unreadable_entries, unreadable, extra_mark).
# A set of ballots is held column-wise: ids, per-sheet flags (unreadable, extra_mark) or None,
# and for each post the list of its parts (None where the sheet leaves the post blank).


class FullPart(tuple):
    """The long form of a part key (a tuple subclass, so it never equals a short-form key)."""

    __slots__ = ()


_BLANK_PART = FullPart(((), (), (), True, 0, False, False))
_NO_FLAGS = (False, False)


def ballot_key(b: Ballot) -> tuple:
    """The grouping key of one post's part of a ballot."""
    marked = b.write_in_marked if isinstance(b.write_in_marked, bool) else tuple(b.write_in_marked)
    if (
        not b.oppose
        and not b.write_in
        and marked is True
        and not b.unreadable_entries
        and not b.unreadable
        and not b.extra_mark
    ):
        return tuple(b.approve)
    return FullPart(
        (
            tuple(b.approve),
            tuple(b.oppose),
            tuple(b.write_in),
            marked,
            b.unreadable_entries,
            b.unreadable,
            b.extra_mark,
        )
    )


def _full(part: Any) -> FullPart:
    if part is None:
        return _BLANK_PART
    if type(part) is FullPart:
        return part
    return FullPart((part, (), (), True, 0, False, False))


@dataclass
class _Ctx:
    kind: str
    stage: str
    party: bool
    posts: tuple[str, ...]
    seats: tuple[int, ...]
    cands: tuple[frozenset[str], ...]
    members: frozenset[str] | None
    partial_part_only: bool
    extra_mark_invalid: bool
    same_person_invalid: bool


def _err(code: str, message: str, path: str) -> EngineError:
    return EngineError(code, message, path)


def _check_names(seq: Any, path: str) -> tuple[str, ...]:
    if not isinstance(seq, tuple):
        raise _err("wrong_type", "应为人名的列表", path)
    for n in seq:
        if not isinstance(n, str) or not n.strip():
            raise _err("wrong_type", f"人名应为非空文字，收到 {n!r}", path)
    return seq


def _classify_part(
    part: tuple, ctx: _Ctx, i: int, path: str
) -> tuple[str | None, tuple[str, ...], tuple, bool]:
    """R26, R56, R57 — one post's part of a ballot → (invalid code, selections, ignored, referred)."""
    approve, oppose, write_in, marked, unreadable_entries, unreadable, extra = part
    approve = _check_names(approve, f"{path}.approve")
    oppose = _check_names(oppose, f"{path}.oppose")
    write_in = _check_names(write_in, f"{path}.write_in")
    cands = ctx.cands[i]
    for n in approve + oppose:
        if n not in cands:
            where = "approve" if n in approve else "oppose"
            raise _err("unknown_candidate", f"“{n}”不是{ctx.posts[i]}的候选人", f"{path}.{where}")
    if set(approve) & set(oppose):
        raise _err(
            "conflicting_marks",
            "同一候选人既划赞成又划反对：请按无法辨认的部分录入（unreadable_entries）",
            f"{path}.approve",
        )
    if isinstance(unreadable_entries, tuple):
        unreadable_count = len(unreadable_entries)
    elif type(unreadable_entries) is int and unreadable_entries >= 0:
        unreadable_count = unreadable_entries
    else:
        raise _err("wrong_type", "unreadable_entries 应为非负整数或列表", f"{path}.unreadable_entries")
    if type(unreadable) is not bool or type(extra) is not bool:
        raise _err("wrong_type", "unreadable、extra_mark 应为 true 或 false", path)
    if isinstance(marked, tuple):
        if len(marked) != len(write_in) or any(type(m) is not bool for m in marked):
            raise _err(
                "wrong_type",
                "write_in_marked 应为布尔值，或与 write_in 等长的布尔值列表",
                f"{path}.write_in_marked",
            )
    elif type(marked) is not bool:
        raise _err("wrong_type", "write_in_marked 应为 true 或 false", f"{path}.write_in_marked")

    if unreadable:
        return "unreadable", (), (), False
    referred = False
    if extra:
        if ctx.party or ctx.extra_mark_invalid:
            return "extra_mark", (), (), False
        referred = True
    ignored: list[tuple[str, str]] = []
    counted: list[str] = []
    opposition_left = len(oppose)
    oppose_set = set(oppose)
    for j, name in enumerate(write_in):
        if name in cands:
            if name in oppose_set:
                raise _err("conflicting_marks", f"对“{name}”既划反对又另行写上其姓名", f"{path}.write_in")
            counted.append(name)  # writing a listed candidate's name is a vote for that candidate
            continue
        if ctx.stage == "tie_revote":
            ignored.append((name, "revote_candidates_only"))
            continue
        if ctx.party:
            is_marked = marked if isinstance(marked, bool) else marked[j]
            if not is_marked:
                ignored.append((name, "unmarked_write_in"))
                continue
            if ctx.members is not None and name not in ctx.members:
                ignored.append((name, "not_committee_member"))
                continue
            if opposition_left == 0:
                ignored.append((name, "no_opposition"))
                continue
            opposition_left -= 1
        counted.append(name)
    selections = tuple(dict.fromkeys(approve + tuple(counted)))
    if unreadable_count and not ctx.partial_part_only:
        return "unreadable", (), (), referred
    if len(selections) + unreadable_count > ctx.seats[i]:
        return "over_selection", (), (), referred
    return None, selections, tuple(ignored), referred


def _classify_sheet(
    flags: tuple, parts: Sequence[Any], results: Sequence[tuple], ctx: _Ctx, path: str
) -> tuple[str | None, bool]:
    """R26 — sheet-level validity given each post's part result → (invalid code, referred)."""
    s_unreadable, s_extra = flags
    if type(s_unreadable) is not bool or type(s_extra) is not bool:
        raise _err("wrong_type", "unreadable、extra_mark 应为 true 或 false", path)
    referred = any(r[3] for r in results)
    if s_unreadable:
        return "unreadable", False
    if s_extra:
        if ctx.party or ctx.extra_mark_invalid:
            return "extra_mark", False
        referred = True
    if ctx.same_person_invalid and len(parts) > 1:
        seen: dict[str, int] = {}
        for i, part in enumerate(parts):
            if part is None:
                continue
            full = _full(part)
            for name in set(full[0]) | set(full[2]):
                if seen.setdefault(name, i) != i:
                    return "same_person_two_posts", referred
    return None, referred


def validate_ballot(
    ballot: Ballot | Sheet,
    races: Sequence[Race],
    kind: str = "village_committee",
    profile: Profile | None = None,
    *,
    stage: str = "first",
    committee_members: Sequence[str] = (),
) -> dict:
    """R26 (village), R56–R57 (Party) — check one ballot (or one multi-post sheet).

    Returns ``{"valid": bool, "invalid": [{post, code, reason}], "selections": {post: [names]},
    "ignored_write_ins": [{post, name, code, reason}], "referred_to_committee": bool}``.
    """
    profile = profile or get_profile("national")
    ctx = _make_ctx(kind, stage, races, profile, committee_members)
    if isinstance(ballot, Sheet):
        flags, parts_in = _sheet_parts(ballot, ctx.posts, "ballot")
    else:
        if len(races) != 1:
            raise _err("wrong_type", "单个职位的选票只能对应一个职位", "races")
        flags, parts_in = _NO_FLAGS, (ballot_key(ballot),)
    parts = [
        _classify_part(_full(part), ctx, i, "ballot" if len(ctx.posts) == 1 else f"ballot.{ctx.posts[i]}")
        for i, part in enumerate(parts_in)
    ]
    code, referred = _classify_sheet(flags, parts_in, parts, ctx, "ballot")
    invalid: list[dict] = []
    selections: dict[str, list[str]] = {}
    ignored: list[dict] = []
    if code is not None:
        invalid.append({"post": None, "code": code, "reason": _INVALID_ZH[code]})
    else:
        for i, (pcode, sel, ign, _) in enumerate(parts):
            if pcode is not None:
                invalid.append({"post": ctx.posts[i], "code": pcode, "reason": _INVALID_ZH[pcode]})
                continue
            selections[ctx.posts[i]] = list(sel)
            for name, icode in ign:
                ignored.append(
                    {"post": ctx.posts[i], "name": name, "code": icode, "reason": _IGNORED_ZH[icode]}
                )
    return {
        "valid": not invalid,
        "invalid": invalid,
        "selections": selections,
        "ignored_write_ins": ignored,
        "referred_to_committee": referred,
    }


def _sheet_parts(sheet: Sheet, posts: Sequence[str], path: str) -> tuple[tuple, tuple]:
    unknown = [p for p in sheet.parts if p not in posts]
    if unknown:
        raise _err("unknown_post", f"选票上的职位“{unknown[0]}”不在 races 中", f"{path}.{unknown[0]}")
    parts = tuple(ballot_key(sheet.parts[p]) if p in sheet.parts else None for p in posts)
    flags = (sheet.unreadable, sheet.extra_mark)
    return (flags if flags != _NO_FLAGS else _NO_FLAGS), parts


def sheets_to_columns(sheets: Sequence[Sheet], posts: Sequence[str], path: str = "inputs.ballots") -> tuple:
    """Multi-post sheets → the column-wise ballot set ``(ids, flags, cols)``."""
    cols: list[list] = [[] for _ in posts]
    flags: list[tuple] = []
    for j, sheet in enumerate(sheets):
        f, parts = _sheet_parts(sheet, posts, f"{path}[{j}]")
        flags.append(f)
        for col, part in zip(cols, parts, strict=True):
            col.append(part)
    return [s.id for s in sheets], flags, cols


def _make_ctx(kind: str, stage: str, races: Sequence[Race], profile: Profile, members: Sequence[str]) -> _Ctx:
    party = kind in PARTY_KINDS
    return _Ctx(
        kind=kind,
        stage=stage,
        party=party,
        posts=tuple(r.post for r in races),
        seats=tuple(r.seats for r in races),
        cands=tuple(frozenset(c.name for c in r.candidates) for r in races),
        members=frozenset(members) if kind == "party_plenary" else None,
        partial_part_only=profile["ballot.partial_invalid_part_only"],
        extra_mark_invalid=profile["ballot.extra_mark_invalid"],
        same_person_invalid=(not party) and profile["ballot.same_person_two_posts_invalid"],
    )


# --------------------------------------------------------------------------------------------
# tallying


@dataclass
class _BallotTally:
    tallies: list[Counter]
    valid_ids: list
    invalid: list[dict]
    ignored: list[dict]
    referred: int


def _intern(col: list, path: str) -> tuple[list, list[int]]:
    """Distinct parts of one post (first-seen order) and each ballot's index into them."""
    try:
        index = dict.fromkeys(col)
    except TypeError:
        for j, k in enumerate(col):
            try:
                hash(k)
            except TypeError:
                raise _err("wrong_type", "选票中的人名应为文字", f"{path}[{j}]") from None
        raise  # pragma: no cover - some part was unhashable above
    distinct = list(index)
    for n, k in enumerate(distinct):
        index[k] = n
    return distinct, list(map(index.__getitem__, col))


def _tally_sheets(
    ids: Sequence[Any], flags: Sequence[tuple] | None, cols: Sequence[list], ctx: _Ctx, path: str
) -> _BallotTally:
    """R26, R56, R57 — check each distinct part once, each distinct sheet once, count with multiplicity."""
    n_posts = len(ctx.posts)
    single = n_posts == 1
    distinct_parts: list[list] = []
    codes: list[list[int]] = []
    part_results: list[list[tuple]] = []
    for i, col in enumerate(cols):
        distinct, idx = _intern(col, path)
        distinct_parts.append(distinct)
        codes.append(idx)
        first = {}
        if len(distinct) < len(col):
            for j, n in enumerate(idx):
                if n not in first:
                    first[n] = j
                    if len(first) == len(distinct):
                        break
        else:
            first = {n: n for n in range(len(distinct))}
        results = []
        for n, part in enumerate(distinct):
            ppath = f"{path}[{first[n]}]" if single else f"{path}[{first[n]}].{ctx.posts[i]}"
            if part is not None and type(part) is not FullPart and type(part) is not tuple:
                raise _err("wrong_type", "选票格式不正确", ppath)
            results.append(_classify_part(_full(part), ctx, i, ppath))
        part_results.append(results)
    flag_col = flags if flags is not None else [_NO_FLAGS] * len(ids)
    sheet_keys = list(zip(flag_col, *codes, strict=True)) if n_posts else [(f,) for f in flag_col]
    try:
        counts = Counter(sheet_keys)
    except TypeError:
        for j, f in enumerate(flag_col):
            if type(f) is not tuple or any(type(x) is not bool for x in f):
                raise _err(
                    "wrong_type", "unreadable、extra_mark 应为 true 或 false", f"{path}[{j}]"
                ) from None
        raise  # pragma: no cover
    tallies = [Counter() for _ in ctx.posts]
    referred = 0
    sheet_class: dict[tuple, tuple] = {}
    for key, n in counts.items():
        f = key[0]
        parts = [distinct_parts[i][key[i + 1]] for i in range(n_posts)]
        results = [part_results[i][key[i + 1]] for i in range(n_posts)]
        code, ref = _classify_sheet(f, parts, results, ctx, path)
        clean = code is None and all(r[0] is None and not r[2] for r in results)
        sheet_class[key] = (code, results, clean)
        if ref:
            referred += n
        if code is not None:
            continue
        for i, (pcode, sel, _ign, _r) in enumerate(results):
            if pcode is None and sel:
                t = tallies[i]
                for name in sel:
                    t[name] += n
    valid_ids: list = []
    invalid: list[dict] = []
    ignored: list[dict] = []
    single_post = ctx.posts[0] if single else None
    if all(c[2] for c in sheet_class.values()):
        valid_ids = list(ids)
    else:
        for bid, key in zip(ids, sheet_keys, strict=True):
            code, results, clean = sheet_class[key]
            if clean:
                valid_ids.append(bid)
                continue
            if code is not None:
                invalid.append({"id": bid, "post": single_post, "code": code, "reason": _INVALID_ZH[code]})
                continue
            sheet_ok = True
            for i, (pcode, _sel, ign, _r2) in enumerate(results):
                if pcode is not None:
                    sheet_ok = False
                    invalid.append(
                        {"id": bid, "post": ctx.posts[i], "code": pcode, "reason": _INVALID_ZH[pcode]}
                    )
                    continue
                for name, icode in ign:
                    ignored.append(
                        {
                            "ballot": bid,
                            "post": ctx.posts[i],
                            "name": name,
                            "code": icode,
                            "reason": _IGNORED_ZH[icode],
                        }
                    )
            if sheet_ok:
                valid_ids.append(bid)
    return _BallotTally(tallies, valid_ids, invalid, ignored, referred)


def _nonneg_int(value: Any, path: str, what: str) -> int:
    if type(value) is not int or value < 0:
        raise _err("negative_number" if type(value) is int else "wrong_type", f"{what}应为非负整数", path)
    return value


def _aggregate_tally(race: Race, i: int, returned: int, ctx: _Ctx, ignored: list[dict]) -> Counter:
    """R23, R26 — aggregated counts, checked against what the ballots allow.

    R61 (engine.md ``party_plenary``): votes written in for someone who is not a member of the new
    committee are not counted; they are appended to ``ignored`` (code ``not_committee_member``)
    with their number, and the rest of the count goes on — one such name never voids a plenary."""
    path = f"inputs.races[{i}]"
    invalid = _nonneg_int(race.invalid_ballots, f"{path}.invalid_ballots", "废票数")
    blank = _nonneg_int(race.blank_ballots, f"{path}.blank_ballots", "空白票数")
    if invalid + blank > returned:
        raise _err("too_many_votes", f"废票与空白票合计{invalid + blank}张，多于收回的{returned}张", path)
    usable = returned - invalid - blank
    declared = {p.name for p in race.write_in_persons}
    cands = ctx.cands[i]
    tally: Counter = Counter()
    assert race.votes is not None
    for name, v in race.votes.items():
        if name not in cands and (name not in declared or ctx.stage == "tie_revote"):
            raise _err(
                "unknown_candidate",
                f"“{name}”不是{race.post}的候选人（另选他人请列入 write_in_persons 或 write_in_votes）",
                f"{path}.votes",
            )
        v = _nonneg_int(v, f"{path}.votes.{name}", "票数")
        if name not in cands and ctx.members is not None and name not in ctx.members:
            _ignore_non_member(ignored, race.post, name, v)
            continue
        tally[name] += v
    for name, v in race.write_in_votes.items():
        if ctx.stage == "tie_revote" and name not in cands:
            raise _err(
                "unknown_candidate",
                f"再次投票只在得票相等的人中进行，“{name}”不是候选人",
                f"{path}.write_in_votes",
            )
        v = _nonneg_int(v, f"{path}.write_in_votes.{name}", "票数")
        if name not in cands and ctx.members is not None and name not in ctx.members:
            _ignore_non_member(ignored, race.post, name, v)
            continue
        tally[name] += v
    for name, v in tally.items():
        if v > usable:
            raise _err(
                "too_many_votes",
                f"“{name}”得{v}票，多于有效且非空白的选票{usable}张",
                f"{path}.votes",
            )
    total = sum(tally.values())
    if total > usable * race.seats:
        raise _err(
            "too_many_votes",
            f"{race.post}合计{total}票，多于选票所允许的{usable}×{race.seats}={usable * race.seats}票",
            f"{path}.votes",
        )
    return tally


def _ignore_non_member(ignored: list[dict], post: str, name: str, votes: int) -> None:
    code = "not_committee_member"
    for entry in ignored:  # the same name in votes and write_in_votes is one entry
        if entry["post"] == post and entry["name"] == name and entry["code"] == code:
            entry["votes"] += votes
            return
    ignored.append({"post": post, "name": name, "votes": votes, "code": code, "reason": _IGNORED_ZH[code]})


# --------------------------------------------------------------------------------------------
# deciding who is elected


@dataclass
class _Decision:
    elected: list[tuple[int, str, int]] = field(default_factory=list)  # (race, name, votes)
    ties: list[tuple[int, int, list[str], str]] = field(default_factory=list)  # (race, seats, names, why)
    removed: list[dict] = field(default_factory=list)
    flagged: list[dict] = field(default_factory=list)
    pending: set[str] = field(default_factory=set)
    shortfall: list[int] = field(default_factory=list)
    merged: dict[int, dict[str, int]] = field(default_factory=dict)
    removed_names: set[str] = field(default_factory=set)
    kept: dict[str, tuple[int, int]] = field(default_factory=dict)


def _name_order(names: Sequence[str], votes: Mapping[str, int]) -> list[str]:
    return sorted(names, key=lambda n: (-votes.get(n, 0), stroke_sort_key(n), n))


def _decide(
    races: Sequence[Race],
    pools: list[dict[str, int]],
    threshold: int | None,
    profile: Profile,
    village: bool,
    relations: RelationIndex,
    seated: Sequence[SeatedMember],
) -> _Decision:
    """R27–R29, R30, R37, R59 — fill the seats post by post, highest post first.

    Within a post, people at or over the threshold are taken by votes (R28, R59); a tie that
    straddles the last seat(s) goes to a re-vote among the tied (R29, R59). A person already
    elected to a higher post is not elected again (one person, one post). Under R37 a person
    related (``avoidance.relations``) to someone kept earlier (higher post, or same post with more
    votes) is removed and the seat passes to the next qualifier; same post and same votes gives a
    further vote (ZJ) or a flag for the committee.
    """
    n = len(races)
    ranks = [post_rank(r.post) for r in races]
    allowed = profile["avoidance.relations"] if village else ()
    resolution = (profile["avoidance.resolution"] or "flag_for_committee") if allowed else None
    same_post_rule = profile["avoidance.same_post_same_votes"]
    merge = village and profile["count.merge_higher_post_votes"]
    d = _Decision()
    filled = [0] * n
    closed = [False] * n
    kept = d.kept  # name → (rank, votes)
    prior: dict[str, int] = {}  # members seated at an earlier stage → rank of their post
    for m in seated:
        prior[m.name] = post_rank(m.post) if m.post else 3
    removed_names = d.removed_names

    def related_kept(name: str) -> tuple[str, str, int] | None:
        for other, other_rank in prior.items():
            rel = relations.related(name, other, allowed) if allowed else None
            if rel:
                return other, rel, other_rank
        for other, (other_rank, _v) in kept.items():
            rel = relations.related(name, other, allowed) if allowed else None
            if rel:
                return other, rel, other_rank
        return None

    for rank in sorted(set(ranks)):
        level = [i for i in range(n) if ranks[i] == rank]
        if merge:
            for i in level:
                add: dict[str, int] = {}
                for j in range(n):
                    if ranks[j] >= rank:
                        continue
                    for name in pools[i]:
                        v = pools[j].get(name, 0)
                        if v and name not in kept and name not in d.pending:
                            add[name] = add.get(name, 0) + v
                if add:
                    d.merged[i] = add
                    for name, v in add.items():
                        pools[i][name] += v
        entries = []
        for i in level:
            for name, v in pools[i].items():
                if v > 0 and (threshold is None or v >= threshold):
                    entries.append((v, i, name))
        entries.sort(key=lambda e: (-e[0], e[1], stroke_sort_key(e[2]), e[2]))
        k = 0
        while k < len(entries):
            v = entries[k][0]
            block = []
            while k < len(entries) and entries[k][0] == v:
                block.append(entries[k])
                k += 1
            live = []
            in_block: set[str] = set()
            for _v, i, name in block:
                if name in kept or name in removed_names or name in in_block:
                    continue
                if closed[i] or filled[i] >= races[i].seats:
                    continue
                in_block.add(name)
                hit = related_kept(name)
                if hit is not None:
                    other, rel, other_rank = hit
                    if resolution == "flag_for_committee" or (other in prior and other_rank == rank):
                        _flag(d, name, other, rel, races[i].post)
                        _flag(d, other, name, rel, races[i].post)
                    elif other in prior and other_rank > rank:
                        _remove(d, other, "lower_post", name, rel, "")
                        removed_names.add(other)
                        del prior[other]
                    else:
                        code = "lower_post" if other_rank < rank else "fewer_votes"
                        _remove(d, name, code, other, rel, races[i].post)
                        removed_names.add(name)
                        continue
                live.append((i, name))
            # conflicts inside the block: same post level and the same votes
            units: dict[int, list[list[str]]] = {}
            done: set[str] = set()
            for a_idx, (i, a) in enumerate(live):
                if a in done:
                    continue
                partner = None
                if allowed:
                    for j, b in live[a_idx + 1 :]:
                        if b not in done and relations.related(a, b, allowed):
                            partner = (j, b)
                            break
                if partner is None:
                    units.setdefault(i, []).append([a])
                    done.add(a)
                    continue
                j, b = partner
                rel = relations.related(a, b, allowed) or ""
                if resolution == "by_post_then_votes" and same_post_rule == "revote" and i == j:
                    units.setdefault(i, []).append([a, b])
                    done.update((a, b))
                else:
                    _flag(d, a, b, rel, races[i].post)
                    _flag(d, b, a, rel, races[j].post)
                    units.setdefault(i, []).append([a])
                    done.add(a)
            for i, group in units.items():
                room = races[i].seats - filled[i]
                if len(group) <= room:
                    for unit in group:
                        if len(unit) == 1:
                            d.elected.append((i, unit[0], v))
                            kept[unit[0]] = (rank, v)
                        else:
                            d.ties.append((i, 1, _name_order(unit, pools[i]), "avoidance"))
                            d.pending.update(unit)
                        filled[i] += 1
                else:
                    names = [name for unit in group for name in unit]
                    d.ties.append((i, room, _name_order(names, pools[i]), "tie"))
                    d.pending.update(names)
                    filled[i] = races[i].seats
                    closed[i] = True
    d.shortfall = [races[i].seats - filled[i] for i in range(n)]
    return d


def _flag(d: _Decision, name: str, other: str, rel: str, post: str) -> None:
    if any(f["name"] == name for f in d.flagged):
        return
    d.flagged.append(
        {
            "name": name,
            "code": "flag_for_committee",
            "reason": f"与{other}系{relation_zh(rel)}关系，依法不得同时担任成员，提交村民选举委员会处理",
        }
    )


def _remove(d: _Decision, name: str, code: str, other: str, rel: str, post: str) -> None:
    why = "职务较低" if code == "lower_post" else "同一职务得票较少"
    d.removed.append(
        {
            "name": name,
            "code": code,
            "reason": f"与{other}系{relation_zh(rel)}关系，任职回避：{why}，不能当选",
        }
    )


# --------------------------------------------------------------------------------------------
# the count


def _gender_of(race: Race, name: str) -> str | None:
    for c in race.candidates:
        if c.name == name:
            return c.gender
    for c in race.write_in_persons:
        if c.name == name:
            return c.gender
    return None


def _women_only(race: Race, profile: Profile) -> bool:
    if race.women_only is not None:
        return race.women_only
    return profile["women.mode"] == "dedicated_post" and race.post.strip() == "妇女委员"


def _validate_races(vote: VoteCount) -> None:
    if not vote.races:
        raise _err("missing_field", "至少需要一个职位（races）", "inputs.races")
    posts: set[str] = set()
    for i, race in enumerate(vote.races):
        path = f"inputs.races[{i}]"
        if not isinstance(race.post, str) or not race.post.strip():
            raise _err("wrong_type", "职位名称应为非空文字", f"{path}.post")
        if race.post in posts:
            raise _err("duplicate_post", f"职位“{race.post}”重复", f"{path}.post")
        posts.add(race.post)
        if type(race.seats) is not int or race.seats < 1:
            raise _err("wrong_type", "应选名额应为正整数", f"{path}.seats")
        names: set[str] = set()
        for j, c in enumerate(race.candidates):
            if not isinstance(c.name, str) or not c.name.strip():
                raise _err("wrong_type", "候选人姓名应为非空文字", f"{path}.candidates[{j}].name")
            if c.name in names:
                raise _err("duplicate_name", f"候选人“{c.name}”重复", f"{path}.candidates[{j}]")
            names.add(c.name)
            if c.gender not in (None, "M", "F"):
                raise _err("wrong_type", "性别应为 M 或 F", f"{path}.candidates[{j}].gender")
        for j, c in enumerate(race.write_in_persons):
            if c.gender not in (None, "M", "F"):
                raise _err("wrong_type", "性别应为 M 或 F", f"{path}.write_in_persons[{j}].gender")
        if vote.stage == "tie_revote" and not race.candidates:
            raise _err("missing_field", "再次投票须列出得票相等的候选人", f"{path}.candidates")
        if vote.kind == "party_plenary":
            for j, c in enumerate(race.candidates):
                if c.name not in vote.committee_members:
                    raise _err(
                        "not_committee_member",
                        f"候选人“{c.name}”不是本届委员会委员（书记、副书记从委员中选举）",
                        f"{path}.candidates[{j}]",
                    )


def _base_and_validity(
    vote: VoteCount, profile: Profile, returned: int
) -> tuple[int, bool, str | None, bool | None]:
    """R24, R25, R33 (village); R52, R57, R58 (Party); R61 (plenary) → (base, valid, reason, quorum)."""
    kind = vote.kind
    issued = vote.ballots_issued
    if issued is not None:
        _nonneg_int(issued, "inputs.ballots_issued", "发出选票数")
    over_issued = issued is not None and returned > issued
    if kind in VILLAGE_KINDS:
        registered = vote.registered_voters
        if registered is None:
            raise _err("missing_field", "缺少登记选民数", "inputs.registered_voters")
        _nonneg_int(registered, "inputs.registered_voters", "登记选民数")
        if returned > registered:
            raise _err(
                "inconsistent_counts",
                f"收回选票{returned}张，多于登记选民{registered}人",
                "inputs.ballots_returned",
            )
        base = returned  # R23: invalid and blank ballots are included
        check_turnout = vote.stage == "first" or profile["runoff.require_turnout"]
        if over_issued:
            return base, False, "returned_exceeds_issued", None
        if check_turnout and not returned * 2 > registered:
            return base, False, "turnout_not_over_half", None
        return base, True, None, None
    if kind in MEETING_KINDS:
        meeting = vote.meeting
        if meeting is None:
            raise _err("missing_field", "缺少推选会议（村民会议或村民代表会议）及到会人数", "inputs.meeting")
        present = _nonneg_int(meeting.present, "inputs.meeting.present", "到会人数")
        quorum = meeting_quorum(meeting)["quorum_met"]
        if returned > present:
            raise _err(
                "inconsistent_counts", f"收回选票{returned}张，多于到会{present}人", "inputs.ballots_returned"
            )
        base = present  # decisions by more than half of those present (VCL Arts. 22, 26)
        if not quorum:
            return base, False, "quorum_not_met", False
        if over_issued:
            return base, False, "returned_exceeds_issued", True
        return base, True, None, True
    if kind == "party_plenary":
        members = len(vote.committee_members)
        if members == 0:
            raise _err("missing_field", "缺少委员名单", "inputs.committee_members")
        if vote.present is None:
            raise _err("missing_field", "缺少到会委员人数", "inputs.present")
        present = _nonneg_int(vote.present, "inputs.present", "到会人数")
        if present > members:
            raise _err("inconsistent_counts", f"到会{present}人，多于委员{members}人", "inputs.present")
        num, den = profile["party.plenary_quorum"]
        quorum = present * den > members * num
        base = members if profile["party.plenary_win_base"] == "expected" else present
        if not quorum:
            return base, False, "quorum_not_met", False
        if over_issued:
            return base, False, "returned_exceeds_issued", True
        return base, True, None, True
    if vote.expected_attendance is None:
        raise _err("missing_field", "缺少应到会人数", "inputs.expected_attendance")
    if vote.present_with_vote is None:
        raise _err("missing_field", "缺少实到会有选举权的人数", "inputs.present_with_vote")
    expected = _nonneg_int(vote.expected_attendance, "inputs.expected_attendance", "应到会人数")
    present = _nonneg_int(vote.present_with_vote, "inputs.present_with_vote", "实到会人数")
    if returned > present:
        raise _err(
            "inconsistent_counts",
            f"收回选票{returned}张，多于实到会有选举权的{present}人",
            "inputs.ballots_returned",
        )
    quorum = quorum_met(present, expected, profile)
    base = present if profile["party.win_base"] == "present" else expected
    if not quorum:
        return base, False, "quorum_not_met", False
    if over_issued:
        return base, False, "returned_exceeds_issued", True
    return base, True, None, True


def quorum_met(present: int, expected: int, profile: Profile | None = None) -> bool:
    """R52 — ``present*5 > expected*4``; exactly 4/5 only with ``party.quorum_exact_4_5_ok``."""
    profile = profile or get_profile("national")
    if profile["party.quorum_exact_4_5_ok"]:
        return expected > 0 and present * 5 >= expected * 4
    return present * 5 > expected * 4


def count_vote(
    vote: VoteCount,
    profile: Profile | None = None,
    *,
    _sheet_keys: tuple | None = None,
    _race_keys: Mapping[int, tuple] | None = None,
) -> CountResult:
    """R23–R37, R48 (village, residents); R52–R61 (Party); R63–R64 (delegates) — count one vote.

    * Validity: village turnout ``returned*2 > registered`` (R24, also in 另行选举 and re-votes
      unless ``runoff.require_turnout`` is off, R33); ``returned <= issued`` (R25, R57); Party
      quorum ``present*5 > expected*4`` (R52); plenary quorum ``party.plenary_quorum`` (R61).
    * Base: village = ballots returned, invalid and blank included (R23); Party = present
      (``party.win_base``, R58); plenary = members (``party.plenary_win_base``, R61).
    * Threshold: first round and every Party stage ``v*2 > base`` (R27, R58, R60); village
      另行选举 ``v*3 >= base`` and most votes (R32); re-vote: most votes, no threshold (R29, R59).
    * Ballots: R26 (village), R56–R57 (Party), grouped and checked once per pattern.
    * Shortfall: 另行选举 with shortfall + ``runoff.extra_candidates`` candidates by votes, all
      tied at the cut-off included, people removed for avoidance left out (R31, R60).
    * Women (R36), avoidance (R37), merging higher-post votes (R30), may-remain-vacant (R35).
    * R39 (VCL Art. 17; ZJ Art. 41): people in ``declared_void`` are not counted at any stage,
      so they neither win nor stand in the 另行选举.
    """
    profile = profile or get_profile("national")
    kind, stage = vote.kind, vote.stage
    if kind not in COUNT_KINDS:
        raise _err("unknown_kind", f"未知的计票类型 {kind!r}", "kind")
    if stage not in STAGES:
        raise _err("wrong_type", "stage 应为 first、tie_revote 或 runoff", "inputs.stage")
    _validate_races(vote)
    village = kind in VILLAGE_KINDS
    ctx = _make_ctx(kind, stage, vote.races, profile, vote.committee_members)
    races = vote.races

    # ---- ballots → tallies
    returned = vote.ballots_returned
    ballot_tally: _BallotTally | None = None
    race_tallies: list[Counter] = []
    uses_sheets = vote.sheets is not None or _sheet_keys is not None
    aggregate_ignored: list[dict] = []  # write-ins left out of aggregated counts (R61)
    if uses_sheets:
        for i, r in enumerate(races):
            if r.votes is not None or r.ballots is not None:
                raise _err(
                    "mixed_ballot_forms",
                    "已给出整张选票（ballots），职位中不能再给出 votes 或 ballots",
                    f"inputs.races[{i}]",
                )
        if _sheet_keys is not None:
            ids, flags, cols = _sheet_keys
        else:
            assert vote.sheets is not None
            ids, flags, cols = sheets_to_columns(vote.sheets, ctx.posts)
        _check_ids(ids, "inputs.ballots")
        if returned is None:
            returned = len(ids)
        elif returned != len(ids):
            raise _err(
                "ballot_count_mismatch", f"收回选票{returned}张，但录入了{len(ids)}张", "inputs.ballots"
            )
        ballot_tally = _tally_sheets(ids, flags, cols, ctx, "inputs.ballots")
        race_tallies = ballot_tally.tallies
    else:
        combined: _BallotTally | None = None
        race_keys: dict[int, tuple[list, list]] = dict(_race_keys or {})
        for i, r in enumerate(races):
            if r.ballots is not None and r.votes is not None:
                raise _err(
                    "mixed_ballot_forms", "同一职位不能同时给出 votes 和 ballots", f"inputs.races[{i}]"
                )
            if r.ballots is None and r.votes is None:
                raise _err("missing_field", "缺少票数（votes）或选票（ballots）", f"inputs.races[{i}].votes")
            if r.ballots is not None and i not in race_keys:
                race_keys[i] = ([b.id for b in r.ballots], [ballot_key(b) for b in r.ballots])
            if i in race_keys:
                n_ballots = len(race_keys[i][0])
                if returned is None:
                    returned = n_ballots
                if n_ballots != returned:
                    raise _err(
                        "ballot_count_mismatch",
                        f"收回选票{returned}张，但{r.post}录入了{n_ballots}张",
                        f"inputs.races[{i}].ballots",
                    )
        if returned is None:
            raise _err("missing_field", "缺少收回选票数", "inputs.ballots_returned")
        _nonneg_int(returned, "inputs.ballots_returned", "收回选票数")
        for i, r in enumerate(races):
            if i in race_keys:
                sub = _make_ctx(kind, stage, [r], profile, vote.committee_members)
                ids, col = race_keys[i]
                _check_ids(ids, f"inputs.races[{i}].ballots")
                bt = _tally_sheets(ids, None, [col], sub, f"inputs.races[{i}].ballots")
                race_tallies.append(bt.tallies[0])
                combined = _merge_ballot_tallies(combined, bt)
            else:
                race_tallies.append(_aggregate_tally(r, i, returned, ctx, aggregate_ignored))
        ballot_tally = combined
    _nonneg_int(returned, "inputs.ballots_returned", "收回选票数")

    base, valid, reason, quorum = _base_and_validity(vote, profile, returned)

    # ---- tally output: every candidate listed, with zeros
    tally_out: dict[str, dict[str, int]] = {}
    for i, r in enumerate(races):
        t = {c.name: 0 for c in r.candidates}
        t.update(race_tallies[i])
        tally_out[r.post] = t

    # ---- women-only posts: votes for men are not counted (R36 dedicated_post)
    not_counted: list[dict] = []
    pools: list[dict[str, int]] = []
    for i, r in enumerate(races):
        pool = dict(tally_out[r.post])
        if village and _women_only(r, profile):
            for name in list(pool):
                g = _gender_of(r, name)
                if g is None and pool[name] > 0:
                    raise _err(
                        "missing_gender",
                        f"{r.post}只计妇女的得票，请在 write_in_persons 中注明“{name}”的性别",
                        f"inputs.races[{i}].write_in_persons",
                    )
                if g == "M":
                    if pool[name] > 0:
                        not_counted.append(
                            {
                                "name": name,
                                "post": r.post,
                                "votes": pool[name],
                                "code": "man_on_women_post",
                                "reason": "妇女委员职位单列，男性的得票不计入",
                            }
                        )
                    del pool[name]
        for name in vote.declared_void:
            if name in pool:
                not_counted.append(
                    {
                        "name": name,
                        "post": r.post,
                        "votes": pool[name],
                        "code": "declared_void",
                        "reason": "以暴力、威胁、欺骗、贿赂等不正当手段当选，当选无效",
                    }
                )
                del pool[name]
        pools.append(pool)

    margins = [margin_ok(kind, stage, r.post, r.seats, len(r.candidates), profile) for r in races]
    known = [m for m in margins if m is not None]
    margin = all(known) if known else None

    threshold: int | None
    if stage == "tie_revote":
        threshold = None
    elif stage == "runoff" and village:
        threshold = runoff_threshold(base)
    else:
        threshold = majority_threshold(base)

    warnings: list[str] = []
    if ballot_tally is not None and ballot_tally.referred:
        warnings.append("ballots_referred_to_committee")
    if margin is False:
        warnings.append("margin_not_met")

    valid_ids = ballot_tally.valid_ids if ballot_tally else []
    invalid_list = ballot_tally.invalid if ballot_tally else []
    ignored_list = (ballot_tally.ignored if ballot_tally else []) + aggregate_ignored
    single = len(races) == 1
    tally_final: dict = tally_out[races[0].post] if single else tally_out
    rule_basis = "village_analogy" if kind == "residents_committee" else "law"
    report = kind in ("party_branch", "party_plenary")

    if not valid:
        return CountResult(
            election_valid=False,
            reason=reason,
            participation_base=base,
            threshold=None,
            quorum_met=quorum,
            margin_ok=margin,
            tally=tally_final,
            merged_votes={},
            valid_ballots=valid_ids,
            invalid_ballots=invalid_list,
            elected=[],
            unfilled=[],
            tie_revote=None,
            runoff=None,
            removed_for_avoidance=[],
            not_counted=not_counted,
            ignored_write_ins=ignored_list,
            warnings=warnings,
            may_remain_vacant=None,
            shortfall_action=None,
            rule_basis=rule_basis,
            report_for_approval=False,
        )

    relations = RelationIndex(vote.relations)
    decision = _decide(races, pools, threshold, profile, village, relations, vote.members_already_elected)
    removed_names = decision.removed_names
    kept = decision.kept

    elected_sorted = sorted(decision.elected, key=lambda e: (e[0], -e[2], stroke_sort_key(e[1]), e[1]))
    elected = [{"name": name, "post": races[i].post, "votes": v} for i, name, v in elected_sorted]

    # ---- women (R36)
    def is_woman(i: int, name: str) -> bool:
        return _gender_of(races[i], name) == "F"

    woman_elected = any(is_woman(i, name) for i, name, _v in decision.elected) or any(
        m.gender == "F" for m in vote.members_already_elected
    )

    unfilled: list[dict] = []
    runoffs: list[dict] = []
    extra = profile["runoff.extra_candidates"]
    for i, r in enumerate(races):
        short = decision.shortfall[i]
        if short <= 0:
            continue
        unfilled.append({"post": r.post, "seats": short})
        pool_names = [
            name
            for name in pools[i]
            if name not in kept and name not in removed_names and name not in decision.pending
        ]
        ordered = _name_order(pool_names, pools[i])
        want = short + extra
        chosen = ordered[:want]
        if len(ordered) > want and chosen:
            cut = pools[i].get(chosen[-1], 0)
            chosen += [nm for nm in ordered[want:] if pools[i].get(nm, 0) == cut]
        entry: dict[str, Any] = {"post": r.post, "seats": short, "candidates": chosen}
        if village and _women_only(r, profile):
            entry["women_only"] = not woman_elected
        runoffs.append(entry)

    if village and profile["women.mode"] == "runoff_reserve" and not woman_elected and runoffs:
        has_woman = any(
            _gender_of(races[_post_index(races, e["post"])], nm) == "F"
            for e in runoffs
            for nm in e["candidates"]
        )
        if not has_woman:
            for e in reversed(runoffs):
                i = _post_index(races, e["post"])
                women = [
                    nm
                    for nm in _name_order(list(pools[i]), pools[i])
                    if is_woman(i, nm)
                    and nm not in kept
                    and nm not in removed_names
                    and nm not in decision.pending
                ]
                if women:
                    e["candidates"] = e["candidates"] + [women[0]]
                    e["women_reserved"] = women[0]
                    break

    ties = [
        {"post": races[i].post, "seats": seats, "candidates": names, "code": why}
        for i, seats, names, why in sorted(decision.ties, key=lambda t: t[0])
    ]

    removed = decision.removed + decision.flagged
    if decision.flagged:
        warnings.append("avoidance_flagged")
    if village:
        if not woman_elected:
            warnings.append("no_woman_member")
            if profile["women.mode"] == "assembly_decides_post":
                warnings.append("woman_post_assembly_decides")
        if vote.smaller_ethnic_groups:
            groups = set(vote.smaller_ethnic_groups)
            if not any(_ethnicity_of(races[i], name) in groups for i, name, _v in decision.elected):
                warnings.append("no_minority_member")

    shortfall_total = sum(u["seats"] for u in unfilled)
    may_remain: bool | None = None
    shortfall_action = None
    if shortfall_total:
        if village:
            may_remain = _may_remain_vacant(vote, profile, decision, races)
            if may_remain and stage == "runoff":
                # R35 (ZJ Art. 30, SH Art. 21, BJ Art. 30 ¶3): after a 另行选举 the committee is
                # complete enough, so no further round is proposed; the 村民会议 or 村民代表会议 may
                # leave the seats empty (or fill them later by 补选, R44).
                shortfall_action = "meeting_may_leave_vacant"
                runoffs = []
            elif may_remain:
                # SH Art. 21: complete enough already after the first vote: the meeting decides
                # whether to hold the 另行选举 proposed here or to leave the seats empty.
                shortfall_action = "runoff_or_leave_vacant"
            else:
                shortfall_action = "runoff"
        else:
            shortfall_action = "runoff_or_reduce_seats"

    merged = {races[i].post: add for i, add in sorted(decision.merged.items())}

    return CountResult(
        election_valid=True,
        reason=None,
        participation_base=base,
        threshold=threshold,
        quorum_met=quorum,
        margin_ok=margin,
        tally=tally_final,
        merged_votes=merged,
        valid_ballots=valid_ids,
        invalid_ballots=invalid_list,
        elected=elected,
        unfilled=unfilled,
        tie_revote=_one_or_many(ties),
        runoff=_one_or_many(runoffs),
        removed_for_avoidance=removed,
        not_counted=not_counted,
        ignored_write_ins=ignored_list,
        warnings=list(dict.fromkeys(warnings)),
        may_remain_vacant=may_remain,
        shortfall_action=shortfall_action,
        rule_basis=rule_basis,
        report_for_approval=report,
    )


def _post_index(races: Sequence[Race], post: str) -> int:
    for i, r in enumerate(races):
        if r.post == post:
            return i
    raise KeyError(post)  # pragma: no cover


def _ethnicity_of(race: Race, name: str) -> str | None:
    for c in race.candidates + race.write_in_persons:
        if c.name == name:
            return c.ethnicity
    return None


def _one_or_many(items: list[dict]) -> Any:
    if not items:
        return None
    return items[0] if len(items) == 1 else items


def _may_remain_vacant(
    vote: VoteCount, profile: Profile, decision: _Decision, races: Sequence[Race]
) -> bool | None:
    """R35 — may the unfilled seats stay empty? ZJ Art. 30 and national [INTERP]: after the
    另行选举, with at least 3 members; SH Art. 21: already after the first round with 3; BJ Art. 30:
    only with more than three (≥ 4) members and a 主任 elected."""
    minimum = profile["runoff.min_members_to_leave_vacant"]
    if minimum is None:
        return None
    if vote.stage == "first" and not profile["runoff.vacancy_allowed_after_first_round"]:
        return False
    earlier = vote.members_already_elected_count
    if earlier is None:
        earlier = len(vote.members_already_elected)
    total = earlier + len(decision.elected)
    if total < minimum:
        return False
    if profile["runoff.vacancy_requires_director"]:
        director = bool(vote.director_elected) or any(
            races[i].post.strip().endswith("主任") and "副" not in races[i].post
            for i, _n, _v in decision.elected
        )
        director = director or any(
            (m.post or "").strip().endswith("主任") and "副" not in (m.post or "")
            for m in vote.members_already_elected
        )
        return director
    return True


def _check_ids(ids: Sequence[Any], path: str) -> None:
    seen: set = set()
    for j, bid in enumerate(ids):
        if type(bid) is not str and type(bid) is not int:
            raise _err("wrong_type", "选票编号应为文字或整数", f"{path}[{j}].id")
        if bid in seen:
            raise _err("duplicate_ballot_id", f"选票编号 {bid!r} 重复", f"{path}[{j}].id")
        seen.add(bid)


def _merge_ballot_tallies(a: _BallotTally | None, b: _BallotTally) -> _BallotTally:
    if a is None:
        return b
    bad = {e["id"] for e in a.invalid} | {e["id"] for e in b.invalid}
    ids = list(dict.fromkeys(a.valid_ids + b.valid_ids))
    return _BallotTally(
        a.tallies + b.tallies,
        [x for x in ids if x not in bad],
        a.invalid + b.invalid,
        a.ignored + b.ignored,
        a.referred + b.referred,
    )


def count_village_election(vote: VoteCount, profile: Profile | None = None) -> CountResult:
    """R23–R37 (VCL Art. 15 ¶2 and the provincial rules) — count a village or residents' vote."""
    if vote.kind not in VILLAGE_KINDS:
        raise _err("unknown_kind", "count_village_election 只用于村（居）民委员会选举", "kind")
    return count_vote(vote, profile)


def count_party_election(vote: VoteCount, profile: Profile | None = None) -> CountResult:
    """R52–R61, R63–R64 — count a Party branch, delegate or plenary vote."""
    if vote.kind not in PARTY_KINDS:
        raise _err("unknown_kind", "count_party_election 只用于党组织选举", "kind")
    return count_vote(vote, profile)
