"""The JSON case dispatcher: ``huanjie engine CASE.json`` / ``huanjie engine - < CASE.json``.

A case is ``{"kind": ..., "config": {...}, "inputs": {...}}`` (other top-level keys are
ignored); see /work/shared/spec/engine.md. :func:`run_case` returns the output dict or raises
:class:`~huanjie.rules.errors.EngineError`; :func:`main` prints one JSON object (UTF-8, keys
sorted, byte-identical across runs) and exits 0, or prints ``{"error": {code, message, path}}``
and exits 2. It never prints a traceback.

Input conventions beyond engine.md:

* A name in a race's ``votes`` that is not a candidate is accepted only when it is declared as
  a write-in in ``write_in_persons`` (or given in ``write_in_votes``); otherwise it is the error
  ``unknown_candidate`` (a typo must not silently become a write-in).
* ``invalid_ballots`` entries and ``ignored_write_ins`` entries carry the ``post`` as well.
* ``tie_revote`` entries carry ``code``: ``tie`` (R29/R59) or ``avoidance`` (R37, ZJ: same post
  and same votes).
* ``ignored_write_ins`` entries from aggregated counts (no ``ballot``) carry ``votes``: in a
  ``party_plenary`` the votes written in for a non-member of the new committee are left out
  (code ``not_committee_member``) instead of refusing the case.
* ``shortfall_action`` codes beyond engine.md (R35): ``meeting_may_leave_vacant`` — a 另行选举
  left seats empty but the committee is complete enough, so ``runoff`` is null and the 村民会议
  or 村民代表会议 may leave them empty (or fill them later by 补选, R44);
  ``runoff_or_leave_vacant`` — Shanghai, complete enough after the first vote: the meeting
  decides between the proposed 另行选举 and leaving the seats empty.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

from .counting import COUNT_KINDS, Candidate, FullPart, Race, SeatedMember, VoteCount, count_vote
from .dates import election_calendar, parse_date
from .errors import EngineError
from .party import DelegateRecord, Exclusion, congress_size, credentials, party_attendance
from .people import (
    PersonRecord,
    ProxyRequest,
    RegistrationRecord,
    Relation,
    VoterApplicant,
    check_proxies,
    eligibility,
    registration_conflicts,
    relation_conflicts,
    voter_registration_decision,
)
from .policy import (
    AgeException,
    NegativeFinding,
    PolicyCandidate,
    candidate_policy_decisions,
    get_policy,
    team_checks,
)
from .profile_versions import explain
from .profiles import JURISDICTIONS, Profile, get_profile
from .recall import (
    Meeting,
    MobileBox,
    Nomination,
    RecallPetition,
    RecallVote,
    mobile_boxes,
    recall,
    residents_nomination,
)

__all__ = ["KINDS", "main", "run_case"]

_MISSING: Any = object()


# --------------------------------------------------------------------------------------------
# typed reading of JSON


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    names = {"dict": "对象", "list": "列表", "str": "文字", "int": "整数", "float": "小数", "bool": "布尔值"}
    return names.get(type(value).__name__, type(value).__name__)


class _Obj:
    """A JSON object at a path, read with typed accessors that raise EngineError."""

    __slots__ = ("d", "path")

    def __init__(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise EngineError("wrong_type", f"应为对象，收到{_type_name(value)}", path)
        self.d = value
        self.path = path

    def p(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return self.d.get(key) is not None

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        value = self.d.get(key)
        if value is None:
            if default is _MISSING:
                raise EngineError("missing_field", f"缺少字段 {key}", self.p(key))
            return default
        return value

    def int(self, key: str, default: Any = _MISSING, *, positive: bool = False) -> Any:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        return _int(value, self.p(key), positive=positive)

    def bool(self, key: str, default: Any = _MISSING) -> Any:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if type(value) is not bool:
            raise EngineError("wrong_type", f"应为 true 或 false，收到{_type_name(value)}", self.p(key))
        return value

    def str(self, key: str, default: Any = _MISSING) -> Any:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, str) or not value.strip():
            raise EngineError("wrong_type", f"应为非空文字，收到{_type_name(value)}", self.p(key))
        return value

    def date(self, key: str, default: Any = _MISSING) -> Any:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        return parse_date(value, self.p(key))

    def list(self, key: str, default: Any = _MISSING) -> Any:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, list):
            raise EngineError("wrong_type", f"应为列表，收到{_type_name(value)}", self.p(key))
        return value

    def objs(self, key: str, default: Any = _MISSING) -> list[_Obj]:
        items = self.list(key, default)
        return [_Obj(item, f"{self.p(key)}[{i}]") for i, item in enumerate(items or [])]

    def names(self, key: str, default: Any = _MISSING) -> tuple[str, ...]:
        items = self.list(key, default)
        for i, item in enumerate(items or []):
            if not isinstance(item, str) or not item.strip():
                raise EngineError(
                    "wrong_type", f"应为非空文字，收到{_type_name(item)}", f"{self.p(key)}[{i}]"
                )
        return tuple(items or ())

    def int_map(self, key: str, default: Any = _MISSING) -> Any:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, dict):
            raise EngineError("wrong_type", f"应为 {{名称: 整数}}，收到{_type_name(value)}", self.p(key))
        return {k: _int(v, f"{self.p(key)}.{k}") for k, v in value.items()}


def _int(value: Any, path: str, *, positive: bool = False) -> int:
    if type(value) is not int:
        raise EngineError("wrong_type", f"应为整数，收到{_type_name(value)}", path)
    if value < 0:
        raise EngineError("negative_number", f"不能为负数（{value}）", path)
    if positive and value == 0:
        raise EngineError("wrong_type", "应为正整数", path)
    return value


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _relations(inputs: _Obj, key: str = "relations") -> tuple[Relation, ...]:
    out = []
    for r in inputs.objs(key, []):
        out.append(Relation(r.str("a"), r.str("b"), r.str("relation")))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# counting kinds


def _candidate(value: Any, path: str) -> Candidate:
    if isinstance(value, str) and value.strip():
        return Candidate(value)
    c = _Obj(value, path)
    gender = c.raw("gender", None)
    if gender not in (None, "M", "F"):
        raise EngineError("wrong_type", "性别应为 M 或 F", c.p("gender"))
    return Candidate(c.str("name"), gender, c.str("ethnicity", None))


_PART_FIELDS = ("approve", "oppose", "write_in")


def _seq(value: Any, path: str) -> tuple:
    if value is None:
        return ()
    if type(value) is not list:
        raise EngineError("wrong_type", f"应为列表，收到{_type_name(value)}", path)
    return tuple(value)


def _part_key(b: Any, path: str) -> tuple:
    """One post's marks → the hashable key the counter groups by (see counting.ballot_key)."""
    if type(b) is not dict:
        raise EngineError("wrong_type", f"应为对象，收到{_type_name(b)}", path)
    g = b.get
    a = _seq(g("approve"), path + ".approve")
    if len(b) == 1 and "approve" in b:
        return a
    o = _seq(g("oppose"), path + ".oppose")
    w = _seq(g("write_in"), path + ".write_in")
    marked = g("write_in_marked", True)
    if type(marked) is list:
        marked = tuple(marked)
    elif marked is None:
        marked = True
    ue = g("unreadable_entries", 0)
    if type(ue) is list:
        ue = tuple(ue)
    elif ue is None:
        ue = 0
    unreadable = g("unreadable", False)
    extra = g("extra_mark", False)
    return FullPart(
        (a, o, w, marked, ue, False if unreadable is None else unreadable, False if extra is None else extra)
    )


_SHEET_KEYS = frozenset(("id", "unreadable", "extra_mark"))
_NO_FLAGS = (False, False)


def _sheet_columns(items: list, posts: tuple[str, ...], path: str) -> tuple[list, list, list]:
    """Top-level multi-post sheets → (ids, flags, one column of part keys per post)."""
    ids: list = []
    flags: list = []
    cols: list[list] = [[] for _ in posts]
    allowed = frozenset(posts) | _SHEET_KEYS
    pairs = list(zip(posts, cols, strict=True))
    for j, s in enumerate(items):
        if type(s) is not dict:
            raise EngineError("wrong_type", f"应为对象，收到{_type_name(s)}", f"{path}[{j}]")
        if not s.keys() <= allowed:
            k = next(k for k in s if k not in allowed)
            raise EngineError("unknown_post", f"选票上的“{k}”不是 races 中的职位", f"{path}[{j}].{k}")
        g = s.get
        bid = g("id")
        if bid is None:
            raise EngineError("missing_field", "选票缺少编号 id", f"{path}[{j}].id")
        ids.append(bid)
        for post, col in pairs:
            p = g(post)
            if p is None:
                col.append(None)
            elif type(p) is dict and len(p) == 1 and type(a := p.get("approve")) is list:
                col.append(tuple(a))
            else:
                col.append(_part_key(p, f"{path}[{j}].{post}"))
        if len(s) > len(posts) + 1 and ("unreadable" in s or "extra_mark" in s):
            u, e = g("unreadable", False), g("extra_mark", False)
            flags.append((False if u is None else u, False if e is None else e))
        else:
            flags.append(_NO_FLAGS)
    return ids, flags, cols


def _race_ballot_column(items: list, path: str) -> tuple[list, list]:
    ids: list = []
    col: list = []
    for j, b in enumerate(items):
        if type(b) is not dict:
            raise EngineError("wrong_type", f"应为对象，收到{_type_name(b)}", f"{path}[{j}]")
        bid = b.get("id")
        if bid is None:
            raise EngineError("missing_field", "选票缺少编号 id", f"{path}[{j}].id")
        ids.append(bid)
        col.append(_part_key(b, f"{path}[{j}]"))
    return ids, col


def _count_case(kind: str, inputs: _Obj, profile: Profile) -> dict:
    stage = inputs.raw("stage", "first")
    if stage not in ("first", "tie_revote", "runoff"):
        raise EngineError("wrong_type", "stage 应为 first、tie_revote 或 runoff", inputs.p("stage"))
    races: list[Race] = []
    race_keys: dict[int, tuple[list, list]] = {}  # race index → (ids, part keys)
    for i, r in enumerate(inputs.objs("races")):
        cands = tuple(
            _candidate(c, f"{r.p('candidates')}[{j}]") for j, c in enumerate(r.list("candidates", []))
        )
        wip = tuple(
            _candidate(c, f"{r.p('write_in_persons')}[{j}]")
            for j, c in enumerate(r.list("write_in_persons", []))
        )
        for key in ("oppose", "abstain"):
            value = r.raw(key, None)
            if isinstance(value, dict):
                r.int_map(key)
            elif value is not None:
                r.int(key)
        ballots = None
        if r.has("ballots"):
            race_keys[i] = _race_ballot_column(r.list("ballots"), r.p("ballots"))
            ballots = ()
        votes = r.raw("votes", None)
        if votes is not None and not isinstance(votes, dict):
            raise EngineError("wrong_type", "votes 应为 {姓名: 票数}", r.p("votes"))
        wiv = r.raw("write_in_votes", {})
        if not isinstance(wiv, dict):
            raise EngineError("wrong_type", "write_in_votes 应为 {姓名: 票数}", r.p("write_in_votes"))
        races.append(
            Race(
                post=r.str("post"),
                seats=r.int("seats", positive=True),
                candidates=cands,
                women_only=r.bool("women_only", None),
                votes=votes,
                write_in_votes=wiv,
                invalid_ballots=r.raw("invalid_ballots", 0),
                blank_ballots=r.raw("blank_ballots", 0),
                ballots=ballots,
                write_in_persons=wip,
            )
        )
    seated: list[SeatedMember] = []
    seated_count = None
    mae = inputs.raw("members_already_elected", None)
    if isinstance(mae, int) and not isinstance(mae, bool):
        seated_count = _int(mae, inputs.p("members_already_elected"))
    elif mae is not None:
        for j, m in enumerate(inputs.list("members_already_elected")):
            if isinstance(m, str) and m.strip():
                seated.append(SeatedMember(m))
            else:
                mo = _Obj(m, f"{inputs.p('members_already_elected')}[{j}]")
                gender = mo.raw("gender", None)
                if gender not in (None, "M", "F"):
                    raise EngineError("wrong_type", "性别应为 M 或 F", mo.p("gender"))
                seated.append(SeatedMember(mo.str("name"), mo.str("post", None), gender))
    vote = VoteCount(
        kind=kind,
        stage=stage,
        races=tuple(races),
        registered_voters=inputs.int("registered_voters", None),
        ballots_issued=inputs.int("ballots_issued", None),
        ballots_returned=inputs.int("ballots_returned", None),
        expected_attendance=inputs.int("expected_attendance", None),
        present_with_vote=inputs.int("present_with_vote", None),
        committee_members=inputs.names("committee_members", []),
        present=inputs.int("present", None),
        relations=_relations(inputs),
        members_already_elected=tuple(seated),
        members_already_elected_count=seated_count,
        director_elected=inputs.bool("director_elected", None),
        smaller_ethnic_groups=inputs.names("smaller_ethnic_groups", []),
        declared_void=inputs.names("declared_void", []),
        meeting=_meeting(inputs),
    )
    sheet_keys = None
    if inputs.has("ballots"):
        if race_keys:
            raise EngineError(
                "mixed_ballot_forms",
                "已给出整张选票（ballots），职位中不能再给出 ballots",
                inputs.p("ballots"),
            )
        sheet_keys = _sheet_columns(inputs.list("ballots"), tuple(r.post for r in races), inputs.p("ballots"))
    result = count_vote(vote, profile, _sheet_keys=sheet_keys, _race_keys=race_keys or None)
    return result.as_dict()


def _meeting(inputs: _Obj) -> Meeting | None:
    """``inputs.meeting`` of a count chosen by a 村民会议 or 村民代表会议 (R71, R38)."""
    if not inputs.has("meeting"):
        return None
    m = _Obj(inputs.raw("meeting"), inputs.p("meeting"))
    return Meeting(
        m.str("body"),
        m.int("members"),
        m.int("present"),
        m.int("households", None),
        m.int("households_present", None),
    )


# --------------------------------------------------------------------------------------------
# other kinds


def _party_attendance(inputs: _Obj, profile: Profile) -> dict:
    def exclusions(key: str) -> list[Exclusion]:
        out = []
        for e in inputs.objs(key, []):
            out.append(
                Exclusion(
                    e.str("who"),
                    e.str("situation"),
                    e.bool("higher_approved", True),
                    e.bool("assembly_approved", True),
                )
            )
        return out

    res = party_attendance(
        inputs.int("present_with_vote"),
        members_total=inputs.int("members_total", None),
        probationary=inputs.int("probationary", 0),
        on_probation_discipline=inputs.int("on_probation_discipline", 0),
        rights_suspended=inputs.int("rights_suspended", 0),
        excluded_with_approval=exclusions("excluded_with_approval"),
        absent_not_excluded=exclusions("absent_not_excluded"),
        expected_attendance=inputs.int("expected_attendance", None),
        profile=profile,
    )
    return res.as_dict()


def _person(p: _Obj) -> PersonRecord:
    return PersonRecord(
        name=p.str("name"),
        id=p.str("id", None),
        birth_date=p.date("birth_date", None),
        deprived_from=p.date("deprived_from", None),
        deprived_until=p.date("deprived_until", None),
        deprived_lifetime=p.bool("deprived_lifetime", False),
    )


def _eligibility(inputs: _Obj, profile: Profile) -> dict:
    persons = [_person(p) for p in inputs.objs("persons")]
    decisions = eligibility(persons, inputs.date("election_date"), profile)
    return {"decisions": [d.as_dict() for d in decisions]}


def _voter_registration(inputs: _Obj, profile: Profile) -> dict:
    if not inputs.has("persons") and not inputs.has("registrations"):
        raise EngineError("missing_field", "缺少 persons 或 registrations", inputs.p("persons"))
    decisions: list[dict] = []
    if inputs.has("persons"):
        election = inputs.date("election_date")
        applicants = []
        for p in inputs.objs("persons"):
            applicants.append(
                VoterApplicant(
                    name=p.str("name"),
                    hukou_here=p.bool("hukou_here"),
                    lives_here=p.bool("lives_here", True),
                    expressed_intent=p.bool("expressed_intent", False),
                    resident_since=p.date("resident_since", None),
                    applied=p.bool("applied", False),
                    assembly_approved=p.bool("assembly_approved", False),
                    village_work_since=p.date("village_work_since", None),
                    lawful_stable_residence=p.bool("lawful_stable_residence", True),
                    hukou_certificate=p.bool("hukou_certificate", False),
                    married_in_spouse=p.bool("married_in_spouse", False),
                    collective_rights=p.bool("collective_rights", False),
                    committee_confirmed=p.bool("committee_confirmed", False),
                    former_agricultural_hukou=p.bool("former_agricultural_hukou", False),
                    works_here=p.bool("works_here", False),
                    voted_in_residents_election=p.bool("voted_in_residents_election", False),
                    lost_capacity=p.bool("lost_capacity", False),
                    unreachable=p.bool("unreachable", False),
                    id=p.str("id", None),
                    birth_date=p.date("birth_date", None),
                    deprived_from=p.date("deprived_from", None),
                    deprived_until=p.date("deprived_until", None),
                    deprived_lifetime=p.bool("deprived_lifetime", False),
                )
            )
        reg_date = inputs.date("registration_date", None)
        decisions += [
            d.as_dict() for d in voter_registration_decision(applicants, election, reg_date, profile)
        ]
    if inputs.has("registrations"):
        records = []
        for r in inputs.objs("registrations"):
            records.append(
                RegistrationRecord(
                    person=r.str("person"),
                    id=r.str("id"),
                    village=r.str("village"),
                    registered_on=r.date("registered_on"),
                    basis=r.str("basis", None),
                )
            )
        decisions += [d.as_dict() for d in registration_conflicts(records)]
    return {"decisions": decisions}


def _proxies(inputs: _Obj, profile: Profile) -> dict:
    requests = []
    seen: set = set()
    for p in inputs.objs("proxies"):
        pid = p.raw("id")
        if type(pid) not in (str, int):
            raise EngineError("wrong_type", "委托编号应为文字或整数", p.p("id"))
        if pid in seen:
            raise EngineError("duplicate_name", f"委托编号 {pid!r} 重复", p.p("id"))
        seen.add(pid)
        requests.append(
            ProxyRequest(
                id=pid,
                principal=p.str("principal"),
                agent=p.str("agent"),
                relation=p.str("relation"),
                filed=p.date("filed"),
                agent_is_candidate=p.bool("agent_is_candidate", False),
                agent_has_vote=p.bool("agent_has_vote", True),
            )
        )
    decisions, publish_by = check_proxies(requests, inputs.date("election_date"), profile)
    return {"decisions": [d.as_dict() for d in decisions], "publish_lists_by": _iso(publish_by)}


def _relations_kind(inputs: _Obj, profile: Profile) -> dict:
    conflicts, resolution = relation_conflicts(_relations(inputs, "pairs"), profile)
    if not inputs.has("pairs"):
        raise EngineError("missing_field", "缺少字段 pairs", inputs.p("pairs"))
    return {"conflicts": conflicts, "resolution": resolution}


def _calendar(inputs: _Obj, profile: Profile) -> dict:
    holidays = [
        parse_date(h, f"{inputs.p('holidays')}[{i}]") for i, h in enumerate(inputs.list("holidays", []))
    ]
    working = [
        parse_date(h, f"{inputs.p('working_days')}[{i}]")
        for i, h in enumerate(inputs.list("working_days", []))
    ]
    res = election_calendar(
        inputs.date("election_date"),
        profile,
        list_published=inputs.date("list_published", None),
        objection_filed=inputs.date("objection_filed", None),
        objection_received=inputs.date("objection_received", None),
        took_office=inputs.date("took_office", None),
        holidays=holidays,
        working_days=working,
    )
    return res.as_dict()


def _recall(inputs: _Obj, profile: Profile) -> dict:
    petitions = [
        RecallPetition(
            id=str(p.raw("id")),
            villager_signatures=p.int("villager_signatures", None),
            rep_signatures=p.int("rep_signatures", None),
            filed=p.date("filed", None),
        )
        for p in inputs.objs("petitions", [])
    ]
    votes = [
        RecallVote(
            id=str(v.raw("id")),
            ballots_returned=v.int("ballots_returned"),
            approve=v.int("approve"),
            ballots_issued=v.int("ballots_issued", None),
            previous_failed_on=v.date("previous_failed_on", None),
        )
        for v in inputs.objs("votes", [])
    ]
    return recall(inputs.int("registered_voters"), petitions, votes, inputs.int("reps_total", None), profile)


def _mobile_boxes(inputs: _Obj, profile: Profile) -> dict:
    boxes = []
    for b in inputs.objs("boxes"):
        scrut = b.raw("scrutineers", 0)
        if isinstance(scrut, list):
            scrut = b.names("scrutineers")
        else:
            scrut = _int(scrut, b.p("scrutineers"))
        boxes.append(
            MobileBox(
                id=str(b.raw("id")),
                township_approved=b.bool("township_approved", False),
                voter_list_published=b.bool("voter_list_published", False),
                scrutineers=scrut,
                scrutineer_list_published=b.bool("scrutineer_list_published", None),
            )
        )
    return mobile_boxes(
        boxes, profile, candidates=inputs.names("candidates", []), relations=_relations(inputs)
    )


def _residents_nomination(inputs: _Obj, profile: Profile) -> dict:
    noms = [
        Nomination(
            name=n.str("name"),
            by_voters=n.int("by_voters", None),
            by_household_reps=n.int("by_household_reps", None),
            by_group_reps=n.bool("by_group_reps", False),
        )
        for n in inputs.objs("nominations", [])
    ]
    sizes = [
        _int(s, f"{inputs.p('size_proposals')}[{i}]") for i, s in enumerate(inputs.list("size_proposals", []))
    ]
    return residents_nomination(inputs.int("seats", positive=True), noms, sizes, profile)


def _credentials(inputs: _Obj, profile: Profile) -> dict:
    delegates = [
        DelegateRecord(
            name=d.str("name"),
            unit=d.str("unit"),
            unit_expected=d.int("unit_expected"),
            unit_present=d.int("unit_present"),
            member_status=d.str("member_status"),
            votes=d.int("votes", None),
            ballots_issued=d.int("ballots_issued", None),
            ballots_returned=d.int("ballots_returned", None),
            unit_seats=d.int("unit_seats", None),
            unit_candidates=d.int("unit_candidates", None),
        )
        for d in inputs.objs("delegates")
    ]
    return {"decisions": credentials(delegates, profile)}


def _congress_size(inputs: _Obj, profile: Profile) -> dict:
    seats = inputs.raw("unit_seats")
    cands = inputs.raw("candidates")
    seats = inputs.int_map("unit_seats") if isinstance(seats, dict) else inputs.int("unit_seats")
    cands = inputs.int_map("candidates") if isinstance(cands, dict) else inputs.int("candidates")
    return congress_size(inputs.int("delegates_planned"), seats, cands, profile)


def _delegate_allocation(inputs: _Obj, profile: Profile) -> dict:
    from .allocation import UnitShare, allocate_delegates

    units = [UnitShare(u.str("unit"), u.int("members"), u.int("reserved", 0)) for u in inputs.objs("units")]
    return allocate_delegates(units, inputs.int("total"), inputs.int("minimum", 1)).as_dict()


def _sorting(inputs: _Obj, profile: Profile) -> dict:
    from .strokes import stroke_sort_key, unknown_characters

    names = list(inputs.names("names"))
    method = inputs.raw("method", "stroke")
    if method == "stroke":
        order = sorted(names, key=lambda n: (stroke_sort_key(n), n))
    elif method == "nomination_votes":
        votes = inputs.int_map("nomination_votes")
        for n in names:
            if n not in votes:
                raise EngineError(
                    "missing_field", f"缺少“{n}”的提名票数", f"{inputs.p('nomination_votes')}.{n}"
                )
        order = sorted(names, key=lambda n: (-votes[n], stroke_sort_key(n), n))
    else:
        raise EngineError("wrong_type", "method 应为 stroke 或 nomination_votes", inputs.p("method"))
    unknown = {n: list(unknown_characters(n)) for n in names if unknown_characters(n)}
    return {"order": order, "unknown_characters": unknown}


def _id_number(inputs: _Obj, profile: Profile) -> dict:
    from .idnumber import parse_id

    ref = inputs.date("reference_date", None)
    results = []
    for i, raw in enumerate(inputs.list("ids")):
        if not isinstance(raw, str):
            raise EngineError(
                "wrong_type", f"身份证号码应为文字，收到{_type_name(raw)}", f"{inputs.p('ids')}[{i}]"
            )
        r = parse_id(raw, ref)
        results.append(
            {
                "id": raw,
                "valid": r.valid,
                "normalised": r.normalised,
                "birth_date": _iso(r.birth_date),
                "gender": r.gender,
                "code": r.code,
                "reason": r.reason,
                "normalisations": list(r.normalisations),
            }
        )
    return {"results": results}


def _education(inputs: _Obj, profile: Profile) -> dict:
    from .education import education_category, education_code

    codes: dict[str, str | None] = {}
    categories: dict[str, str] = {}
    for i, label in enumerate(inputs.list("labels")):
        if not isinstance(label, str):
            raise EngineError(
                "wrong_type", f"应为文字，收到{_type_name(label)}", f"{inputs.p('labels')}[{i}]"
            )
        code = education_code(label)
        codes[label] = code
        if code is not None:
            categories[code] = education_category(code)
    return {"codes": codes, "categories": categories}


def _candidate_policy(inputs: _Obj, profile: Profile) -> dict:
    raw_policy = inputs.raw("policy", {})
    policy = get_policy(raw_policy)
    if inputs.has("cutoff_date"):
        cutoff = inputs.date("cutoff_date")
    elif policy["cutoff_date"]:
        cutoff = parse_date(policy["cutoff_date"])
    else:
        raise EngineError("missing_field", "缺少年龄计算截止日期 cutoff_date", inputs.p("cutoff_date"))
    cands = []
    for c in inputs.objs("candidates"):
        findings = []
        for j, item in enumerate(c.list("negative_items", [])):
            if isinstance(item, str):
                findings.append(NegativeFinding(item))
            else:
                f = _Obj(item, f"{c.p('negative_items')}[{j}]")
                findings.append(
                    NegativeFinding(f.str("code"), f.str("department", None), f.bool("confirmed", True))
                )
        rels = []
        for r in c.objs("relations", []):
            other = r.str("name") if r.has("name") else r.str("b")
            rels.append((other, r.str("relation")))
        exc = None
        if c.has("age_exception"):
            e = _Obj(c.raw("age_exception"), c.p("age_exception"))
            exc = AgeException(e.str("reason"), e.str("approved_by"))
        gender = c.raw("gender", None)
        if gender not in (None, "M", "F"):
            raise EngineError("wrong_type", "性别应为 M 或 F", c.p("gender"))
        cands.append(
            PolicyCandidate(
                name=c.str("name"),
                post=c.str("post"),
                gender=gender,
                id=c.str("id", None),
                birth_date=c.date("birth_date", None),
                education=c.str("education", None)
                if not isinstance(c.raw("education", None), int)
                else str(c.raw("education")),
                new_to_post=c.bool("new_to_post", False),
                new_to_team=c.bool("new_to_team", False),
                negative_items=tuple(findings),
                relations=tuple(rels),
                age_exception=exc,
                current_post=c.str("current_post", None),
                sanction_in_effect=c.bool("sanction_in_effect", False),
                roles=c.names("roles", []),
                body=c.str("body", None),
            )
        )
    relations = _relations(inputs)
    decisions = candidate_policy_decisions(
        cands,
        cutoff,
        policy,
        relations=relations,
        villagers_committee_members=inputs.names("villagers_committee_members", []),
    )
    counts = [c.d for c in inputs.objs("candidate_counts", [])]
    prev = inputs.raw("previous_term", None)
    if prev is not None and not isinstance(prev, dict):
        raise EngineError("wrong_type", "previous_term 应为对象", inputs.p("previous_term"))
    checks = team_checks(
        cands,
        cutoff,
        policy,
        candidate_counts=counts,
        population=inputs.int("population", None),
        paid_posts=inputs.int("paid_posts", None),
        team_size=inputs.int("team_size", None),
        team_size_reason=inputs.str("team_size_reason", None),
        previous_term=prev,
    )
    return {"decisions": [d.as_dict() for d in decisions], "team_checks": checks}


KINDS: dict[str, Callable[[_Obj, Profile], dict]] = {
    "party_attendance": _party_attendance,
    "eligibility": _eligibility,
    "voter_registration": _voter_registration,
    "proxies": _proxies,
    "relations": _relations_kind,
    "calendar": _calendar,
    "recall": _recall,
    "mobile_boxes": _mobile_boxes,
    "residents_nomination": _residents_nomination,
    "credentials": _credentials,
    "congress_size": _congress_size,
    "delegate_allocation": _delegate_allocation,
    "sorting": _sorting,
    "id_number": _id_number,
    "education_code": _education,
    "candidate_policy": _candidate_policy,
}


def run_case(case: dict) -> dict:
    """Every kind of engine.md — dispatch one case and return its output dict.

    Raises :class:`EngineError` (code, 中文 message, path) on bad input.
    """
    if not isinstance(case, dict):
        raise EngineError("wrong_type", "案例应为 JSON 对象", "")
    kind = case.get("kind")
    if not isinstance(kind, str):
        raise EngineError("missing_field", "缺少字段 kind", "kind")
    if kind not in KINDS and kind not in COUNT_KINDS:
        raise EngineError("unknown_kind", f"未知的类型 {kind!r}", "kind")
    config = case.get("config")
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise EngineError("wrong_type", "config 应为对象", "config")
    overrides = {k: v for k, v in config.items() if k != "jurisdiction"}
    profile = get_profile(config.get("jurisdiction", "national"), overrides)
    raw_inputs = case.get("inputs")
    if raw_inputs is None:
        raw_inputs = {}
    inputs = _Obj(raw_inputs, "inputs")
    if kind in COUNT_KINDS:
        return _count_case(kind, inputs, profile)
    return KINDS[kind](inputs, profile)


USAGE = (
    "用法：huanjie engine CASE.json 或 huanjie engine - < CASE.json；"
    "列出法规依据：huanjie engine --explain 辖区 [--date YYYY-MM-DD]"
)


def _read_case(argv: list[str]) -> Any:
    """The case JSON from the file named in ``argv`` (or stdin for ``-``)."""
    if len(argv) != 1:
        raise EngineError("usage", USAGE, "")
    if argv[0] == "-":
        data = (
            sys.stdin.buffer.read()
            if hasattr(sys.stdin, "buffer")
            else sys.stdin.read().encode("utf-8")
        )
    else:
        try:
            with open(argv[0], "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise EngineError(
                "unreadable_file", f"无法读取文件：{exc.strerror or exc}", argv[0]
            ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise EngineError("invalid_json", "文件不是 UTF-8 编码", "") from None
    try:
        case = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise EngineError("invalid_json", f"不是有效的 JSON：{exc}", "") from None
    return case


def _explain(args: list[str]) -> dict:
    """``--explain PROFILE [--date YYYY-MM-DD]``: the rules of the profile version in force on
    that day (the newest without a date), each with its sources and their status (issue 16)."""
    day = None
    if len(args) == 3 and args[1] == "--date":
        day = parse_date(args[2], "--date")
    elif len(args) != 1:
        raise EngineError("usage", USAGE, "")
    if args[0] not in JURISDICTIONS:
        raise EngineError(
            "unknown_jurisdiction", f"未知的辖区 {args[0]!r}，应为 " + "、".join(JURISDICTIONS), "--explain"
        )
    return explain(args[0], day)


def _dump(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    """``huanjie engine CASE.json`` / ``huanjie engine - < CASE.json``: print one JSON object.

    Exit 0 with the output, or 2 with ``{"error": {"code", "message", "path"}}``. Never a traceback.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    out = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
    # A case of 100,000 ballots allocates millions of small objects and no cycles: the cyclic
    # collector would only slow loading and counting down (by more than half).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        try:
            if argv and argv[0] == "--explain":
                payload, code = _explain(argv[1:]), 0
            else:
                payload, code = run_case(_read_case(argv)), 0
        except EngineError as exc:
            payload, code = exc.as_dict(), 2
        except RecursionError:
            payload, code = EngineError("invalid_json", "JSON 嵌套过深", "").as_dict(), 2
        except Exception as exc:  # never a traceback: report the failure as a JSON error
            payload = EngineError("internal_error", f"引擎内部错误：{type(exc).__name__}", "").as_dict()
            code = 2
        body = _dump(payload)
    except Exception:  # pragma: no cover - even dumping failed
        body, code = _dump({"error": {"code": "internal_error", "message": "引擎内部错误", "path": ""}}), 2
    finally:
        if gc_was_enabled:
            gc.enable()
    if out is not None:
        out.write(body)
        out.flush()
    else:  # pragma: no cover - a text-only stdout (tests capturing with StringIO)
        sys.stdout.write(body.decode("utf-8"))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
