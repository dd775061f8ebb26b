"""Results of a round: the accepted counting forms of all stations added up and counted by the engine.

:func:`compute_result` builds the engine input (registered voters, ballots, races with candidates
and genders, votes, write-ins, relations among the candidates, members elected in earlier rounds,
people whose election was declared void) and calls :func:`huanjie.rules.count_vote`; the engine
decides validity (R24, R25), the threshold (R27, R32), the elected (R28), ties (R29), avoidance
(R37), the women seat (R36) and what goes to a further round (R31, R35). The output is stored in
``RoundResult.output`` (the engine's dict plus an ``input`` summary) and as ``ElectedMember`` rows.

:func:`create_follow_up_round` turns the engine's ``tie_revote`` / ``runoff`` into a new round with
exactly the people the engine named; :func:`void_election_of` records 当选无效 (R39) and counts the
round again without that person, which reopens the seat.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from dataclasses import asdict, is_dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from huanjie.accounts import audit
from huanjie.core.access import COUNTY, TOWNSHIP
from huanjie.elections import kinds
from huanjie.elections.aftervote import locking
from huanjie.elections.aftervote.locking import guarded
from huanjie.elections.models import Election, Post, Round
from huanjie.elections.services import (
    WORK_ROLES,
    ElectionError,
    _require_in_scope,
    _require_role,
    check_election_day_action,
    profile_of,
)
from huanjie.elections.voting.counting import STAGE, registered_count
from huanjie.elections.voting.models import CountingForm, CountingLine, ElectedMember, RoundRace, RoundResult
from huanjie.elections.voting.services import RaceSpec, round_races
from huanjie.people.models import Person, Relation
from huanjie.rules import Candidate as EngineCandidate
from huanjie.rules import EngineError, Meeting, Race, SeatedMember, VoteCount, count_vote, meeting_quorum
from huanjie.rules.people import Relation as EngineRelation


class ResultError(ElectionError):
    """A refused result action; ``str(exc)`` is the Chinese reason."""


REASON_ZH = {
    "turnout_not_over_half": "参加投票的选民未超过登记选民的半数，选举无效（R24）",
    "returned_exceeds_issued": "收回选票多于发出选票，本次投票无效，应重新投票（R25）",
    "quorum_not_met": "到会人数不足，选举无效",
}
WARNING_ZH = {
    "no_woman_member": "当选人中没有妇女成员（R36）",
    "woman_post_assembly_decides": "由村民会议或村民代表会议决定妇女成员的职位（R36）",
    "no_minority_member": "当选人中没有人数较少的民族的成员（R36）",
    "avoidance_flagged": "当选人之间存在应回避的亲属关系，提交选举委员会处理（R37）",
    "margin_not_met": "候选人数不符合差额规定（R14）",
    "ballots_referred_to_committee": "有选票提交选举委员会认定（R26）",
}
TIE_CODE_ZH = {"tie": "得票相等（R29）", "avoidance": "同职务同票数的回避冲突（R37）"}


def _check_write(actor, election: Election, what: str) -> None:
    _require_role(actor, WORK_ROLES, what)
    _require_in_scope(actor, election.organization.code)


def _acting(actor):
    return locking.acting(actor) if hasattr(locking, "acting") else contextlib.nullcontext()


def _accepted_forms(rnd: Round) -> list[CountingForm]:
    """One accepted form per station (the lowest entry), refusing while any station is unresolved."""
    election = rnd.election
    forms = list(
        CountingForm.objects.filter(round=rnd).select_related("station").order_by("station_id", "entry")
    )
    by_station: dict[int, list[CountingForm]] = defaultdict(list)
    for f in forms:
        by_station[f.station_id].append(f)
    accepted, problems = [], []
    for fs in by_station.values():
        ok = [f for f in fs if f.status == CountingForm.ACCEPTED]
        if ok:
            accepted.append(ok[0])
        elif any(f.method == CountingForm.BALLOTS for f in fs):
            problems.append(f"{fs[0].station.name}的逐票录入尚未完成")
        elif election.double_entry:
            problems.append(f"{fs[0].station.name}的计票单尚未完成双人录入核对")
        else:
            problems.append(f"{fs[0].station.name}的计票单尚未确认")
    if rnd.kind == Round.FIRST:
        for st in election.stations.all():
            if st.pk not in by_station:
                problems.append(f"{st.name}尚未录入计票单")
    if problems:
        raise ResultError("不能计算结果：" + "；".join(problems) + "。")
    if not accepted:
        raise ResultError("不能计算结果：本轮尚无已确认的计票单。")
    return accepted


def _people_by_name(races: list[RaceSpec], lines) -> dict[tuple[int, str], dict]:
    """(post id, name) → {"person_id", "gender"} from the candidate lists and the write-in lines."""
    out: dict[tuple[int, str], dict] = {}
    for r in races:
        for c in r.candidates:
            out[(r.post.pk, c["name"])] = {"person_id": c.get("person_id"), "gender": c.get("gender")}
    for ln in lines:
        key = (ln["post_id"], ln["name"])
        if key not in out or (out[key]["gender"] is None and ln["gender"]):
            out[key] = {"person_id": ln["person_id"], "gender": ln["gender"] or None}
    return out


def build_vote(rnd: Round, races: list[RaceSpec] | None = None) -> tuple[VoteCount, dict]:
    """The engine input of a round from its accepted forms; and a summary for the result page."""
    election = rnd.election
    races = races if races is not None else round_races(rnd)
    if not any(r.candidates for r in races):
        raise ResultError("本轮投票没有候选人，不能计算结果。")
    forms = _accepted_forms(rnd)
    issued = sum(f.ballots_issued for f in forms)
    returned = sum(f.ballots_returned for f in forms)
    invalid = sum(f.invalid_ballots for f in forms)
    blank = sum(f.blank_ballots for f in forms)
    post_invalid: dict[int, int] = defaultdict(int)
    for f in forms:
        for k, v in (f.post_invalid or {}).items():
            post_invalid[int(k)] += v
    lines = list(
        CountingLine.objects.filter(form__in=forms).values(
            "post_id", "name", "write_in", "person_id", "gender", "votes"
        )
    )
    votes: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    write_ins: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for ln in lines:
        (write_ins if ln["write_in"] else votes)[ln["post_id"]][ln["name"]] += ln["votes"]
    people = _people_by_name(races, lines)
    engine_races = []
    for r in races:
        pid = r.post.pk
        cand_names = [c["name"] for c in r.candidates]
        if len(set(cand_names)) != len(cand_names):
            raise ResultError(f"{r.name}有同名候选人，请在姓名后加注（如“王芳（二组）”）以区分。")
        written = {n: v for n, v in write_ins[pid].items() if v}
        engine_races.append(
            Race(
                post=r.name,
                seats=r.seats,
                candidates=tuple(EngineCandidate(c["name"], c.get("gender")) for c in r.candidates),
                women_only=r.women_only,
                votes={n: votes[pid].get(n, 0) for n in cand_names},
                write_in_votes=written,
                invalid_ballots=invalid + post_invalid.get(pid, 0),
                blank_ballots=blank,
                write_in_persons=tuple(
                    EngineCandidate(n, people[(pid, n)]["gender"])
                    for n in written
                    if people.get((pid, n), {}).get("gender")
                ),
            )
        )
    earlier = list(
        ElectedMember.objects.filter(
            election=election, status=ElectedMember.ELECTED, round__number__lt=rnd.number
        ).select_related("post")
        if rnd.kind != Round.FIRST
        else []
    )
    person_ids = {m.person_id for m in earlier if m.person_id}
    person_ids |= {v["person_id"] for v in people.values() if v["person_id"]}
    persons = {p.pk: p for p in Person.objects.filter(pk__in=person_ids).only("pk", "name", "gender")}
    earlier_genders = {
        m.pk: (persons[m.person_id].gender if m.person_id in persons else None) for m in earlier
    }
    seated = tuple(SeatedMember(m.name, m.post.name, earlier_genders[m.pk]) for m in earlier)
    void = tuple(
        ElectedMember.objects.filter(election=election, status=ElectedMember.VOID).values_list(
            "name", flat=True
        )
    )
    # R37: relations among everyone who could sit on the committee (candidates, write-ins, seated)
    name_of = {pid: persons[pid].name for pid in person_ids if pid in persons}
    rels = Relation.objects.filter(Q(elder_id__in=person_ids) & Q(younger_id__in=person_ids))
    relations = tuple(EngineRelation(name_of[r.elder_id], name_of[r.younger_id], r.engine_name) for r in rels)
    # The villagers' committee counts against its registered voters; kinds that count against
    # attendance (应到/实到, R51–R52) give those figures through their hooks instead.
    own_inputs = kinds.hooks_for(election.kind).vote_inputs
    extra_inputs = own_inputs(rnd) if own_inputs is not None else {}
    registered = None if own_inputs is not None else registered_count(election)
    director_elected = any(m.post.code == Post.DIRECTOR for m in earlier)
    vote = VoteCount(
        kind=kinds.engine_kind(election.kind),
        stage=STAGE[rnd.kind],
        races=tuple(engine_races),
        registered_voters=registered,
        **extra_inputs,
        ballots_issued=issued,
        ballots_returned=returned,
        relations=relations,
        members_already_elected=seated,
        members_already_elected_count=len(seated),
        director_elected=director_elected if rnd.kind != Round.FIRST else None,
        declared_void=void,
    )
    summary = {
        "registered_voters": registered,
        # A kind's inputs may be the engine's dataclasses (a meeting): stored as plain JSON.
        **{k: asdict(v) if is_dataclass(v) else v for k, v in extra_inputs.items()},
        "ballots_issued": issued,
        "ballots_returned": returned,
        "valid_ballots": sum(f.valid_ballots for f in forms),
        "blank_ballots": blank,
        "invalid_ballots": invalid,
        "stations": [
            {
                "station": f.station.name,
                "issued": f.ballots_issued,
                "returned": f.ballots_returned,
                "method": f.method,
                "entry": f.entry,
            }
            for f in forms
        ],
        "stage": STAGE[rnd.kind],
        "already_elected": [{"name": m.name, "post": m.post.name} for m in earlier],
        "declared_void": list(void),
        "people": {f"{pid}:{n}": v for (pid, n), v in people.items()},
    }
    return vote, summary


@transaction.atomic
def _mark_election_day_held(actor, election: Election, rnd: Round) -> None:
    """A counted first round means the election day was held: tick that step on the timeline."""
    from huanjie.elections.models import StepRecord
    from huanjie.elections.services import ElectionError, record_step

    if rnd.kind != Round.FIRST or StepRecord.objects.filter(election=election, key="election_day").exists():
        return
    held_on = rnd.held_on or election.election_date
    try:
        record_step(actor, election, "election_day", held_on, "计票完成后自动登记")
    except (ElectionError, PermissionDenied):
        pass  # a count entered before the day (a rehearsal) or by an account that cannot record steps


@guarded
def compute_result(actor, rnd: Round) -> RoundResult:
    """Add up the accepted forms of the round, count with the engine, store the result and the elected.

    One transaction (the lock guard's): the result, the elected members, the stage, the timeline step
    and the audit record are stored together or not at all. The elected rows are written in bulk,
    a fixed number of queries whatever their number; after an unlock their changes are audited here
    (``record_change``) rather than by the per-row signals."""
    election = rnd.election
    _check_write(actor, election, "计算选举结果")
    check_election_day_action(election, "计算选举结果", rnd, error=ResultError)
    blockers = kinds.ballot_blockers(election)
    if blockers:
        raise ResultError("不能计算结果：" + "；".join(blockers) + "。")
    races = round_races(rnd)
    vote, summary = build_vote(rnd, races)
    try:
        result = count_vote(vote, profile_of(election))
    except EngineError as exc:
        raise ResultError(f"规则引擎拒绝计算：{exc.message}（{exc.path}）") from None
    output = result.as_dict()
    output["input"] = summary
    reopened = locking.is_reopened(election)
    with _acting(actor), locking.audited_by_service():
        rr = RoundResult.objects.filter(round=rnd).first()
        before = locking.snapshot(rr) if rr is not None else None
        if rr is None:
            rr = RoundResult.objects.create(round=rnd, output=output)
        else:
            rr.output = output
            rr.save(update_fields=["output", "computed_at"])
        if reopened:
            action = "result.change_after_unlock" if before else "result.add_after_unlock"
            locking.record_change(actor, election, rr, action, before, locking.snapshot(rr))
        _store_elected(actor, rnd, races, output, summary, reopened)
        if election.stage == Election.VOTING:
            election.stage = Election.COUNTED
            election.save(update_fields=["stage", "updated_at"])
    _mark_election_day_held(actor, election, rnd)
    audit.record(
        actor,
        "result.compute",
        election,
        changes={
            f"第{rnd.number}轮结果": [
                None,
                {
                    "valid": output["election_valid"],
                    "threshold": output["threshold"],
                    "elected": [f"{e['post']} {e['name']} {e['votes']}" for e in output["elected"]],
                },
            ]
        },
    )
    return rr


def _store_elected(
    actor, rnd: Round, races: list[RaceSpec], output: dict, summary: dict, reopened: bool
) -> None:
    """Bring the round's elected rows in line with the engine's output: at most one query each to
    read, insert, update and delete, however many are elected."""
    posts = {r.name: r.post for r in races}
    people = summary["people"]
    existing = {
        (m.post_id, m.name): m for m in ElectedMember.objects.filter(round=rnd, status=ElectedMember.ELECTED)
    }
    keep = set()
    new, changed = [], []
    for e in output["elected"]:
        post = posts[e["post"]]
        key = (post.pk, e["name"])
        keep.add(key)
        who = people.get(f"{post.pk}:{e['name']}", {})
        m = existing.get(key)
        if m is None:
            new.append(
                ElectedMember(
                    election_id=rnd.election_id,
                    round=rnd,
                    post=post,
                    person_id=who.get("person_id"),
                    name=e["name"],
                    votes=e["votes"],
                )
            )
        elif m.votes != e["votes"]:
            changed.append((m, locking.snapshot(m)))
            m.votes = e["votes"]
    gone = [m for key, m in existing.items() if key not in keep]
    if new:
        ElectedMember.objects.bulk_create(new)
    if changed:
        ElectedMember.objects.bulk_update([m for m, _ in changed], ["votes"])
    if gone:
        ElectedMember.objects.filter(pk__in=[m.pk for m in gone]).delete()
    if reopened:
        election = rnd.election
        for m in new:
            locking.record_change(actor, election, m, "result.add_after_unlock", {}, locking.snapshot(m))
        for m, before in changed:
            locking.record_change(actor, election, m, "result.change_after_unlock", before, locking.snapshot(m))
        for m in gone:
            locking.record_change(actor, election, m, "result.delete_after_unlock", locking.snapshot(m), {})


# ---------------------------------------------------------------- follow-up rounds (R29, R31–R35)


def _entries(value) -> list[dict]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def follow_ups_needed(rnd: Round) -> dict[str, list[dict]]:
    """{"tie_revote": [...], "runoff": [...]} from the stored result, minus those already created."""
    rr = RoundResult.objects.filter(round=rnd).first()
    if rr is None or not rr.output.get("election_valid"):
        return {}
    out = {}
    for kind in (Round.TIE_REVOTE, Round.RUNOFF):
        entries = _entries(rr.output.get(kind))
        pending = Round.objects.filter(created_from=rnd, kind=kind, result__isnull=True)
        taken = set(RoundRace.objects.filter(round__in=pending).values_list("post__name", flat=True))
        entries = [e for e in entries if e["post"] not in taken]
        if entries:
            out[kind] = entries
    return out


@guarded
@transaction.atomic
def create_follow_up_round(
    actor, rnd: Round, kind: str | None = None, held_on: dt.date | None = None
) -> Round:
    """A tie re-vote (R29) or 另行选举 (R31) with exactly the candidates the engine named.

    ``kind`` None takes the re-vote when there is one, else the 另行选举. The new round has its own
    races (posts, seats, candidates), hence its own ballot and counting forms, and is counted with
    its own rule (stage ``tie_revote`` or ``runoff``).
    """
    election = rnd.election
    _check_write(actor, election, "建立再次投票或另行选举")
    needed = follow_ups_needed(rnd)
    if kind is None:
        kind = Round.TIE_REVOTE if Round.TIE_REVOTE in needed else Round.RUNOFF
    if kind not in (Round.TIE_REVOTE, Round.RUNOFF):
        raise ResultError(f"未知的轮次类型“{kind}”。")
    entries = needed.get(kind)
    if not entries:
        label = "得票相等的再次投票" if kind == Round.TIE_REVOTE else "另行选举"
        raise ResultError(f"第{rnd.number}轮的结果不需要{label}（或已经建立）。")
    output = rnd.result.output
    people = output.get("input", {}).get("people", {})
    posts = {p.name: p for p in election.posts.all()}
    number = (election.rounds.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    new = Round.objects.create(
        election=election,
        number=number,
        kind=kind,
        held_on=held_on or rnd.held_on or election.election_date,
        created_from=rnd,
    )
    for e in entries:
        post = posts[e["post"]]
        cands = []
        for name in e["candidates"]:
            who = people.get(f"{post.pk}:{name}", {})
            cands.append({"name": name, "person_id": who.get("person_id"), "gender": who.get("gender")})
        if kind == Round.TIE_REVOTE:
            reason = TIE_CODE_ZH.get(e.get("code"), "得票相等（R29）")
            women_only = post.women_only or None
        else:
            reason = "未选足应选名额，另行选举（R31）"
            women_only = e.get("women_only", post.women_only or None)
            if e.get("women_reserved"):
                reason += f"；{e['women_reserved']}为保留的妇女候选人（R36）"
        RoundRace.objects.create(
            round=new, post=post, seats=e["seats"], candidates=cands, women_only=women_only, reason=reason
        )
    audit.record(
        actor,
        "result.follow_up_round",
        election,
        changes={
            f"第{number}轮": [
                None,
                {
                    "kind": dict(Round.KIND_CHOICES)[kind],
                    "races": {e["post"]: e["candidates"] for e in entries},
                    "created_from": rnd.number,
                },
            ]
        },
    )
    return new


def seat_status(election: Election) -> list[dict]:
    """Per post: seats, the elected (not void), and the open seats."""
    elected = defaultdict(list)
    for m in ElectedMember.objects.filter(election=election, status=ElectedMember.ELECTED).select_related(
        "round"
    ):
        elected[m.post_id].append(m)
    return [
        {"post": p, "seats": p.seats, "elected": elected[p.pk], "open": max(0, p.seats - len(elected[p.pk]))}
        for p in election.posts.all()
    ]


def is_complete(election: Election) -> bool:
    return all(s["open"] == 0 for s in seat_status(election))


# ---------------------------------------------------------------- 当选无效 (R39)


@guarded
@transaction.atomic
def void_election_of(actor, member: ElectedMember, reason: str, document_number: str) -> RoundResult:
    """Record 当选无效 (R39: won by violence, threats, deception, bribery, forged ballots or false
    counts) with reason and document number; the round is counted again without the person, so the
    seat is reopened — filled by the next qualifier where the engine finds one, otherwise open for a
    另行选举."""
    election = member.election
    _require_role(actor, {COUNTY, TOWNSHIP}, "确认当选无效（由乡镇或县换届办依法确认）")
    _require_in_scope(actor, election.organization.code)
    reason, document_number = (reason or "").strip(), (document_number or "").strip()
    if not reason:
        raise ResultError("当选无效原因：请写明以何种不正当手段当选（R39）。")
    if not document_number:
        raise ResultError("文号：请填写确认当选无效的决定文号。")
    if member.status == ElectedMember.VOID:
        raise ResultError(f"{member.name}的当选已确认无效。")
    with _acting(actor):
        member.status = ElectedMember.VOID
        member.void_reason = reason[:300]
        member.void_document = document_number[:60]
        member.save(update_fields=["status", "void_reason", "void_document"])
    audit.record(
        actor,
        "result.void_election",
        election,
        changes={f"{member.post.name}{member.name}": ["当选", f"当选无效：{reason}（{document_number}）"]},
    )
    return compute_result(actor, member.round)


# ---------------------------------------------------------------- the arithmetic, for the chair


def explain(rnd: Round) -> dict | None:
    """The stored result as text the chair can read out: turnout, base, threshold, each candidate."""
    rr = RoundResult.objects.filter(round=rnd).first()
    if rr is None:
        return None
    out = rr.output
    inp = out.get("input", {})
    registered, returned = inp.get("registered_voters"), inp.get("ballots_returned")
    issued = inp.get("ballots_issued")
    base, threshold = out["participation_base"], out["threshold"]
    # Party assemblies and plenaries count against attendance (R51–R52, R58, R61), not voters.
    expected, present = inp.get("expected_attendance"), inp.get("present_with_vote")
    plenary = inp.get("committee_members") is not None and expected is None
    if plenary:
        expected, present = len(inp.get("committee_members") or ()), inp.get("present")
    attendance = expected is not None
    # Bodies chosen by a 村民会议 or 村民代表会议 count against that meeting (R71, R38).
    meeting = inp.get("meeting")
    quorum_text = ""
    if meeting:
        attendance = False
        q = meeting_quorum(Meeting(**meeting))
        quorum_text = f"{q['text']}（{q['rule']}）。"
        who = "本村十八周岁以上村民" if meeting["body"] == "villagers_meeting" else "村民代表会议组成人员"
        counted_over = f"{who} {meeting['members']} 人，到会 {meeting['present']} 人"
    else:
        counted_over = (
            f"应到会{'委员' if plenary else '有选举权的党员'} {expected} 人，实到会 {present} 人"
            if attendance
            else f"登记选民 {registered} 人"
        )
    lines = [
        f"{counted_over}，发出选票 {issued} 张，收回选票 {returned} 张"
        f"（有效票 {inp.get('valid_ballots')} 张，空白票 {inp.get('blank_ballots')} 张，废票 {inp.get('invalid_ballots')} 张）。"
    ]
    if attendance and not plenary and present is not None:
        ok = out.get("quorum_met") is not False
        lines.append(
            f"到会人数：{present} × 5 = {present * 5} {'>' if present * 5 > expected * 4 else '≤'} 应到 {expected} × 4 = {expected * 4}，"
            + ("超过应到会人数的五分之四（R52）。" if ok else "未超过应到会人数的五分之四，选举不能进行（R52）。")
        )
    if returned is not None and issued is not None:
        if returned > issued:
            lines.append(f"收回 {returned} 张多于发出 {issued} 张：本次投票无效（R25）。")
        else:
            lines.append(f"收回 {returned} 张不多于发出 {issued} 张（R25）。")
    if quorum_text:
        lines.append(quorum_text)
    if not attendance and registered is not None and returned is not None and out["reason"] != "returned_exceeds_issued":
        ok = out["reason"] != "turnout_not_over_half"  # the engine decided (R24); the text only shows it
        lines.append(
            f"参加投票 {returned} 人：{returned} × 2 = {returned * 2} {'>' if ok else '≤'} 登记选民 {registered} 人，"
            + ("超过半数（R24）。" if ok else "未超过半数（R24）。")
        )
    stage = inp.get("stage", "first")
    if out["election_valid"] and attendance:
        if stage == "tie_revote":
            lines.append("本轮为得票相等的再次投票，在得票相等的人中得票多的当选（R59）。")
        elif threshold is not None:
            lines.append(
                f"当选须获得赞成票超过{'应到会' if base == expected else '实到会'}{'委员' if plenary else '有选举权的人数'} {base} 人的半数：票数 × 2 > {base}，"
                f"即至少 {threshold} 票（{'R61' if plenary else 'R58'}"
                + ("；另行选举同样须过半数，R60" if stage == "runoff" else "") + "）。"
            )
    elif out["election_valid"] and meeting and stage != "tie_revote" and threshold is not None:
        lines.append(
            f"当选须获得到会人员的过半数选票：票数 × 2 > 到会 {base} 人，即至少 {threshold} 票"
            f"（{'R71' if meeting['body'] == 'villagers_meeting' else 'R38'}）。"
        )
    elif out["election_valid"]:
        if stage == "tie_revote":
            lines.append(
                f"本轮为得票相等的再次投票，以收回选票 {base} 张计，得票多的当选，不要求过半数（R29）。"
            )
        elif stage == "runoff" and threshold is not None:
            lines.append(
                f"另行选举：得票多的当选，但不得少于选票的三分之一：票数 × 3 ≥ {base}，即至少 {threshold} 票（R32）。"
            )
        elif threshold is not None:
            lines.append(
                f"当选须获得参加投票选民的过半数选票：票数 × 2 > {base}，即至少 {threshold} 票（R27）。"
            )
    else:
        lines.append("选举无效：" + REASON_ZH.get(out["reason"], out["reason"] or "") + "。")
    races = round_races(rnd)
    tally = out["tally"]
    if (
        len(races) == 1
        and races
        and not (
            isinstance(tally, dict) and races[0].name in tally and isinstance(tally[races[0].name], dict)
        )
    ):
        tally = {races[0].name: tally}
    elected = {(e["post"], e["name"]): e for e in out["elected"]}
    ties = {(t["post"], n) for t in _entries(out["tie_revote"]) for n in t["candidates"]}
    runoff = {(t["post"], n) for t in _entries(out["runoff"]) for n in t["candidates"]}
    removed = {r["name"]: r for r in out["removed_for_avoidance"]}
    not_counted = {(r["post"], r["name"]): r for r in out["not_counted"]}
    elected_names = {e["name"]: e["post"] for e in out["elected"]}
    race_rows = []
    for r in races:
        listed = {c["name"] for c in r.candidates}
        rows = []
        for name, votes in sorted(tally.get(r.name, {}).items(), key=lambda kv: -kv[1]):
            key = (r.name, name)
            if key in elected:
                status, why = "elected", "当选" + (f"：{votes} ≥ {threshold}" if threshold else "：得票最多")
            elif key in not_counted:
                status, why = "not_counted", not_counted[key]["reason"]
            elif name in removed:
                status, why = "removed", removed[name]["reason"]
            elif key in ties:
                status, why = "tie", "得票相等，须再次投票（R29）"
            elif name in elected_names and elected_names[name] != r.name:
                status, why = "elsewhere", f"已当选{elected_names[name]}"
            elif out["election_valid"] and threshold is not None and votes >= threshold:
                status, why = "surplus", f"{votes} ≥ {threshold}，但名额已满，按得票多少确定（R28）"
            elif out["election_valid"] and threshold is not None:
                status, why = "below", f"{votes} < {threshold}，未达到当选票数"
            else:
                status, why = "not_elected", "未当选"
            if key in runoff:
                why += "；列为另行选举候选人（R31）"
            rows.append(
                {"name": name, "votes": votes, "write_in": name not in listed, "status": status, "why": why}
            )
        race_rows.append({"post": r.name, "seats": r.seats, "women_only": r.women_only, "rows": rows})
    return {
        "output": out,
        "lines": lines,
        "races": race_rows,
        "ties": _entries(out["tie_revote"]),
        "runoffs": _entries(out["runoff"]),
        "warnings": [WARNING_ZH.get(w, w) for w in out["warnings"]],
        "computed_at": rr.computed_at,
    }
