"""Recall (R42–R43), residents' committees (R45–R47) and mobile ballot boxes (R21, R12)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .dates import add_years
from .errors import EngineError
from .people import Relation, check_counting_staff
from .profiles import Profile, get_profile
from .villageposts import representatives_share_ok, women_share_ok

__all__ = [
    "Meeting",
    "MobileBox",
    "Nomination",
    "RecallPetition",
    "RecallVote",
    "meeting_quorum",
    "mobile_boxes",
    "by_election_turnout",
    "nomination_ballot_valid",
    "nomination_turnout",
    "party_congress_possible",
    "recall",
    "representatives_meeting",
    "residents_meeting",
    "residents_nomination",
    "villagers_meeting",
]


def _nonneg(value: object, path: str, what: str) -> int:
    if type(value) is not int or value < 0:  # type: ignore[operator]
        raise EngineError(
            "negative_number" if type(value) is int else "wrong_type", f"{what}应为非负整数", path
        )
    return value  # type: ignore[return-value]


@dataclass(frozen=True)
class RecallPetition:
    id: str
    villager_signatures: int | None = None
    rep_signatures: int | None = None
    filed: date | None = None


@dataclass(frozen=True)
class RecallVote:
    id: str
    ballots_returned: int
    approve: int
    ballots_issued: int | None = None
    previous_failed_on: date | None = None
    held_on: date | None = None


def recall(
    registered_voters: int,
    petitions: Sequence[RecallPetition] = (),
    votes: Sequence[RecallVote] = (),
    reps_total: int | None = None,
    profile: Profile | None = None,
) -> dict:
    """R42, R43 — VCL Art. 16; ZJ Arts. 35–36; SH Art. 27; BJ Art. 34.

    * A petition suffices with ``sig*5 >= voters`` (五分之一以上) or ``rep_sig*3 >= reps``
      (三分之一以上); exactly 1/5 or 1/3 suffices (R2).
    * A recall vote is valid with ``ballots*2 > registered`` (and ``returned <= issued``, R25);
      it passes with ``approve*2 > ballots`` (all ballots cast are the base, R43).
    * ``vote_deadlines``: the latest day of the vote for a petition with a ``filed`` date
      (``recall.vote_within_days``, ZJ/SH 30 days); ``barred_until`` for a vote with
      ``previous_failed_on``: the same facts may not be raised again within a year (ZJ Art. 36).
    """
    profile = profile or get_profile("national")
    voters = _nonneg(registered_voters, "inputs.registered_voters", "有选举权的村民人数")
    reps = None if reps_total is None else _nonneg(reps_total, "inputs.reps_total", "村民代表人数")
    sufficient: dict[str, bool] = {}
    deadlines: dict[str, str | None] = {}
    within = profile["recall.vote_within_days"]
    for i, p in enumerate(petitions):
        path = f"inputs.petitions[{i}]"
        ok = False
        if p.villager_signatures is not None:
            sig = _nonneg(p.villager_signatures, f"{path}.villager_signatures", "联名人数")
            if sig > voters:
                raise EngineError("inconsistent_counts", f"联名{sig}人，多于有选举权的村民{voters}人", path)
            ok = ok or sig * 5 >= voters
        if p.rep_signatures is not None:
            if reps is None:
                raise EngineError("missing_field", "有村民代表联名时须给出村民代表总数", "inputs.reps_total")
            rsig = _nonneg(p.rep_signatures, f"{path}.rep_signatures", "代表联名人数")
            if rsig > reps:
                raise EngineError("inconsistent_counts", f"代表联名{rsig}人，多于村民代表{reps}人", path)
            ok = ok or rsig * 3 >= reps
        sufficient[str(p.id)] = ok
        if p.filed is not None and within is not None:
            deadlines[str(p.id)] = (p.filed + timedelta(days=within)).isoformat()
        else:
            deadlines[str(p.id)] = None
    results: dict[str, dict] = {}
    bar_years = profile["recall.repeat_bar_years"]
    for i, v in enumerate(votes):
        path = f"inputs.votes[{i}]"
        returned = _nonneg(v.ballots_returned, f"{path}.ballots_returned", "收回选票数")
        approve = _nonneg(v.approve, f"{path}.approve", "赞成票数")
        if returned > voters:
            raise EngineError("inconsistent_counts", f"收回选票{returned}张，多于登记选民{voters}人", path)
        if approve > returned:
            raise EngineError(
                "too_many_votes", f"赞成{approve}票，多于收回的选票{returned}张", f"{path}.approve"
            )
        valid = returned * 2 > voters
        if v.ballots_issued is not None:
            issued = _nonneg(v.ballots_issued, f"{path}.ballots_issued", "发出选票数")
            valid = valid and returned <= issued
        entry: dict = {
            "vote_valid": valid,
            "recalled": valid and approve * 2 > returned,
            "barred_until": None,
        }
        if v.previous_failed_on is not None and bar_years is not None:
            entry["barred_until"] = add_years(v.previous_failed_on, bar_years).isoformat()
        results[str(v.id)] = entry
    return {"petition_sufficient": sufficient, "votes": results, "vote_deadlines": deadlines}


@dataclass(frozen=True)
class Nomination:
    name: str
    by_voters: int | None = None
    by_household_reps: int | None = None
    by_group_reps: bool = False


def residents_nomination(
    seats: int,
    nominations: Sequence[Nomination] = (),
    size_proposals: Sequence[int] = (),
    profile: Profile | None = None,
) -> dict:
    """R45, R46 — URCL Arts. 7–8; HAU Arts. 7, 9; BJU Art. 13.

    A nominee is valid with ``residents.nomination_min_voters`` (10) voters or more,
    ``residents.nomination_min_household_reps`` (5) household representatives or more (以上
    includes the number, R2), or a residents' group nomination. The election is contested unless
    the jurisdiction allows an uncontested list when nominees equal seats (HAU Art. 9).
    Committee size: ``residents.size`` (5–9; Henan 5–7).
    """
    profile = profile or get_profile("national")
    seats = _nonneg(seats, "inputs.seats", "应选名额")
    min_voters = profile["residents.nomination_min_voters"]
    min_reps = profile["residents.nomination_min_household_reps"]
    valid: list[str] = []
    invalid: dict[str, str] = {}
    for i, n in enumerate(nominations):
        path = f"inputs.nominations[{i}]"
        v = 0 if n.by_voters is None else _nonneg(n.by_voters, f"{path}.by_voters", "联名选民人数")
        r = (
            0
            if n.by_household_reps is None
            else _nonneg(n.by_household_reps, f"{path}.by_household_reps", "户代表人数")
        )
        if n.name in valid or n.name in invalid:
            raise EngineError("duplicate_name", f"被提名人“{n.name}”重复", f"{path}.name")
        if v >= min_voters or r >= min_reps or n.by_group_reps:
            valid.append(n.name)
        else:
            invalid[n.name] = (
                f"选民联名{v}人（须{min_voters}人以上）、户代表联名{r}人（须{min_reps}人以上），且非居民小组推荐"
            )
    lo, hi = profile["residents.size"]
    size_valid = {}
    for i, s in enumerate(size_proposals):
        s = _nonneg(s, f"inputs.size_proposals[{i}]", "委员会人数")
        size_valid[str(s)] = lo <= s <= hi
    uncontested = profile["residents.uncontested_allowed"] and len(valid) == seats and seats > 0
    mlo, mhi = profile["residents.margin"]
    contested_ok = seats + mlo <= len(valid) and (mhi is None or len(valid) <= seats + mhi)
    return {
        "valid_nominees": valid,
        "invalid_nominees": invalid,
        "uncontested_allowed": uncontested,
        "margin_ok": contested_ok or uncontested,
        "size_valid": size_valid,
    }


def residents_meeting(members: int, present: int, in_favour: int) -> dict:
    """R47 — URCL Art. 9: a residents' meeting needs more than half of its members present
    (``present*2 > members``); a decision more than half of those present (``in_favour*2 > present``)."""
    members = _nonneg(members, "members", "会议组成人员数")
    present = _nonneg(present, "present", "到会人数")
    in_favour = _nonneg(in_favour, "in_favour", "赞成人数")
    if present > members or in_favour > present:
        raise EngineError(
            "inconsistent_counts", "到会人数不得多于组成人员，赞成人数不得多于到会人数", "present"
        )
    quorum = present * 2 > members
    return {"quorum_met": quorum, "adopted": quorum and in_favour * 2 > present}


@dataclass(frozen=True)
class MobileBox:
    id: str
    township_approved: bool = False
    voter_list_published: bool = False
    scrutineers: int | tuple[str, ...] = 0
    scrutineer_list_published: bool | None = None


def mobile_boxes(
    boxes: Sequence[MobileBox],
    profile: Profile | None = None,
    *,
    candidates: Sequence[str] = (),
    relations: Sequence[Relation] = (),
) -> dict:
    """R21 (ZJ Art. 24 ¶2, BJ Art. 23, HA Art. 31) and R12 — is each mobile ballot box compliant?

    Township approval and a published voter list where the jurisdiction requires them; at least
    ``mobile_box.min_scrutineers`` (3) scrutineers; when scrutineers are named, none may be a
    candidate or a candidate's relative (R12, ``counting_staff.relations``); ZJ also publishes the
    scrutineer list (``scrutineer_list_published`` false fails it).
    """
    profile = profile or get_profile("national")
    minimum = profile["mobile_box.min_scrutineers"]
    compliant: dict[str, bool] = {}
    reasons: dict[str, str] = {}
    for i, box in enumerate(boxes):
        path = f"inputs.boxes[{i}]"
        problems: list[str] = []
        if profile["mobile_box.township_approval_required"] and not box.township_approved:
            problems.append("未经乡镇人民政府（村民委员会选举工作指导机构）批准")
        if profile["mobile_box.voter_list_published_required"] and not box.voter_list_published:
            problems.append("使用流动票箱的选民名单未公布")
        if isinstance(box.scrutineers, tuple):
            names = box.scrutineers
            count = len(set(names))
            for bad in check_counting_staff(names, candidates, relations, profile):
                problems.append(f"监票人{bad['name']}：{bad['reason']}")
        else:
            count = _nonneg(box.scrutineers, f"{path}.scrutineers", "监票人数")
        if minimum is not None and count < minimum:
            problems.append(f"监票人{count}人，少于规定的{minimum}人")
        if profile["mobile_box.township_approval_required"] and box.scrutineer_list_published is False:
            problems.append("监票人名单未公布")
        key = str(box.id)
        if key in compliant:
            raise EngineError("duplicate_name", f"流动票箱编号 {key} 重复", f"{path}.id")
        compliant[key] = not problems
        reasons[key] = "；".join(problems) if problems else "符合规定"
    return {"compliant": compliant, "reasons": reasons}


def representatives_meeting(
    members: int,
    present: int,
    in_favour: int,
    *,
    representatives: int | None = None,
    women: int | None = None,
) -> dict:
    """R38 — VCL Arts. 25–26: a 村民代表会议 meets with 三分之二以上 of its members present
    (``present*3 >= members*2``, R2: exactly 2/3 suffices) and decides by more than half of those
    present (``in_favour*2 > present``). Its make-up: 村民代表 ``reps*5 >= members*4`` and women
    ``women*3 >= members``. Make-up checks are None when the numbers are not given."""
    members = _nonneg(members, "members", "组成人员数")
    present = _nonneg(present, "present", "到会人数")
    in_favour = _nonneg(in_favour, "in_favour", "赞成人数")
    if present > members or in_favour > present:
        raise EngineError(
            "inconsistent_counts", "到会人数不得多于组成人员，赞成人数不得多于到会人数", "present"
        )
    quorum = present * 3 >= members * 2
    reps_ok = (
        None
        if representatives is None
        else representatives_share_ok(_nonneg(representatives, "representatives", "村民代表数"), members)
    )
    women_ok = None if women is None else women_share_ok(_nonneg(women, "women", "妇女代表数"), members)
    return {
        "quorum_met": quorum,
        "adopted": quorum and in_favour * 2 > present,
        "representatives_ok": reps_ok,
        "women_ok": women_ok,
    }


def villagers_meeting(
    adults: int,
    present: int,
    *,
    households: int | None = None,
    households_present: int | None = None,
    in_favour: int | None = None,
) -> dict:
    """R71 — VCL Art. 22: a 村民会议 meets with more than half of the village's villagers aged
    eighteen or over present (``present*2 > adults``), or with the representatives of two thirds or
    more of its households (``households_present*3 >= households*2``, R2: exactly 2/3 suffices);
    it decides by more than half of those present (``in_favour*2 > present``). ``adopted`` is None
    when ``in_favour`` is not given."""
    adults = _nonneg(adults, "adults", "本村十八周岁以上村民人数")
    present = _nonneg(present, "present", "到会人数")
    if present > adults:
        raise EngineError("inconsistent_counts", f"到会{present}人，多于本村十八周岁以上村民{adults}人", "present")
    by_villagers = present * 2 > adults
    by_households = None
    if households is not None or households_present is not None:
        if households is None or households_present is None:
            raise EngineError("missing_field", "按户计算时须同时给出户数和到会的户代表数", "households")
        total = _nonneg(households, "households", "本村户数")
        came = _nonneg(households_present, "households_present", "到会户代表数")
        if came > total:
            raise EngineError("inconsistent_counts", f"到会户代表{came}户，多于本村{total}户", "households_present")
        by_households = total > 0 and came * 3 >= total * 2
    quorum = by_villagers or bool(by_households)
    adopted = None
    if in_favour is not None:
        favour = _nonneg(in_favour, "in_favour", "赞成人数")
        if favour > present:
            raise EngineError("inconsistent_counts", "赞成人数不得多于到会人数", "in_favour")
        adopted = quorum and favour * 2 > present
    return {
        "quorum_met": quorum,
        "by_villagers": by_villagers,
        "by_households": by_households,
        "adopted": adopted,
    }


@dataclass(frozen=True)
class Meeting:
    """A 村民会议 (``body="villagers_meeting"``: ``members`` = villagers aged 18 or over, and
    optionally the households) or a 村民代表会议 (``body="representatives_meeting"``: ``members``
    = its members) and who came."""

    body: str
    members: int
    present: int
    households: int | None = None
    households_present: int | None = None


MEETING_BODIES = {"villagers_meeting": "村民会议", "representatives_meeting": "村民代表会议"}


def meeting_quorum(meeting: Meeting) -> dict:
    """R71 (村民会议) or R38 (村民代表会议): may the meeting decide? Returns ``quorum_met``, the
    rule applied, and the arithmetic in Chinese as the chair reads it out."""
    m = meeting
    if m.body == "villagers_meeting":
        r = villagers_meeting(m.members, m.present, households=m.households, households_present=m.households_present)
        sign = ">" if r["by_villagers"] else "≤"
        text = f"本村十八周岁以上村民{m.members}人，到会{m.present}人：{m.present}×2={m.present * 2} {sign} {m.members}"
        if r["by_households"] is not None:
            hs = "≥" if r["by_households"] else "<"
            text += (f"；本村{m.households}户，到会户代表{m.households_present}户："
                     f"{m.households_present}×3={m.households_present * 3} {hs} {m.households}×2={m.households * 2}")
        verdict = "村民会议到会人数符合规定，可以推选" if r["quorum_met"] else "村民会议到会人数不足（须过半数村民或三分之二以上户代表到会），不能推选"
        return {"quorum_met": r["quorum_met"], "rule": "R71", "text": f"{text}，{verdict}"}
    if m.body == "representatives_meeting":
        r = representatives_meeting(m.members, m.present, 0)
        sign = "≥" if r["quorum_met"] else "<"
        verdict = ("村民代表会议到会人数符合规定，可以推选" if r["quorum_met"]
                   else "村民代表会议到会人数不足三分之二，不能推选")
        text = (f"村民代表会议组成人员{m.members}人，到会{m.present}人："
                f"{m.present}×3={m.present * 3} {sign} {m.members}×2={m.members * 2}，{verdict}")
        return {"quorum_met": r["quorum_met"], "rule": "R38", "text": text}
    raise EngineError("wrong_type", "会议应为 villagers_meeting（村民会议）或 representatives_meeting（村民代表会议）", "body")


def nomination_turnout(registered: int, participated: int) -> bool:
    """R13 — ZJ Art. 18 (formal candidates fixed by nomination votes) and BJ Art. 16 (nomination
    meeting): valid only with more than half of registered voters taking part
    (``participated*2 > registered``)."""
    registered = _nonneg(registered, "registered", "登记选民数")
    participated = _nonneg(participated, "participated", "参加提名的人数")
    return participated * 2 > registered


def nomination_ballot_valid(nominees: int, seats: int) -> bool:
    """R13 — ZJ Art. 17: a voter may nominate no more people than there are seats."""
    return _nonneg(nominees, "nominees", "提名人数") <= _nonneg(seats, "seats", "应选名额")


def by_election_turnout(body: str, members: int, voted: int) -> bool:
    """R44 — ZJ Art. 38: at a 村民会议 (``body="assembly"``) more than half of its members must vote
    (``voted*2 > members``); at a 村民代表会议 (``body="representatives"``) at least two thirds
    (``voted*3 >= members*2``)."""
    members = _nonneg(members, "members", "组成人员数")
    voted = _nonneg(voted, "voted", "参加投票人数")
    if body == "assembly":
        return voted * 2 > members
    if body == "representatives":
        return voted * 3 >= members * 2
    raise EngineError("wrong_type", "body 应为 assembly 或 representatives", "body")


def party_congress_possible(members: int) -> bool:
    """R50 — P2020 Art. 4: with 500 members or more (以上 includes 500) a 党员代表大会 may be held
    (with approval; scattered units may also qualify, which is a manual decision)."""
    return _nonneg(members, "members", "党员人数") >= 500
