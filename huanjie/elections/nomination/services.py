"""Nomination (海选), the formal candidates, policy checks and the published candidate list.

Every legal decision is a call into the rules engine: counting nomination ballots, the number of
candidates per post and their order (R13–R15, R36, R70: :mod:`huanjie.rules.nomination`), the
candidate policy and avoidance between candidates (P1–P6: ``candidate_policy_decisions``), the
team-shape targets (P10–P11: ``team_checks``), the deadlines (R15: ``election_calendar``) and
the margin (R14: ``margin_ok``). This module turns the answers into rows, audit records and
Chinese messages; every write runs in one ``transaction.atomic()`` with its audit record.

People are passed to the engine by id (names repeat in a village) with their names for the
stroke order; the engine's reasons are translated back to names.

The qualification review is the review app's: :func:`decide_candidates` opens a review for every
new candidate (``huanjie.review.services.open_review``) and the list is published only when
every active candidate has passed (``review_status``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from huanjie.accounts import audit
from huanjie.core.access import TOWNSHIP
from huanjie.elections import kinds
from huanjie.elections.aftervote.locking import guarded
from huanjie.elections.models import CommitteeMember, Election, Post, VoterRegistration
from huanjie.elections.nomination.models import (
    Candidate,
    CandidateListPublication,
    Nomination,
    NominationCount,
    NominationSignature,
    TeamExplanation,
)
from huanjie.elections.services import (
    STAGE_ORDER,
    WORK_ROLES,
    ElectionError,
    _require_in_scope,
    _require_role,
    calendar_for,
    check_dated_fact,
    member_leaves,
    members_to_leave_for,
    profile_of,
    record_step,
    step_keys,
)
from huanjie.people.models import Person, Relation
from huanjie.rules import (
    AgeException,
    EngineError,
    PolicyCandidate,
    age_on,
    candidate_policy_decisions,
    get_policy,
    margin_ok,
    team_checks,
)
from huanjie.rules import Relation as EngineRelation
from huanjie.rules.education import EDUCATION_LABELS
from huanjie.rules.nomination import (
    NominationBallot,
    NominationPost,
    Nominee,
    Selection,
    count_nominations,
    joint_nomination_valid,
    next_nominees,
    nominee_order,
    select_candidates,
)

GENDER_ZH = {"M": "男", "F": "女"}
POLITICAL_ZH = dict(Person.POLITICAL_CHOICES)
CHANNELS = {Nomination.JOINT_10, Nomination.SELF, Nomination.PARTY_ORG}
METHODS = {"votes": "按提名得票多少", "self_nomination": "自荐人按姓氏笔画（浙江自荐直选）"}
CURRENT_POSTS = ["主任", "副主任", "委员", "妇女委员"]


class CandidateError(ElectionError):
    """A refused nomination or candidate action; ``str(exc)`` is the Chinese reason."""


# ---------------------------------------------------------------- helpers


def _list_published_on(election: Election) -> dt.date | None:
    step = election.steps.filter(key="voter_list_published").first()
    return step.done_on if step else None


def _check(actor, election: Election, what: str) -> None:
    _require_role(actor, WORK_ROLES, what)
    _require_in_scope(actor, election.organization.code)
    if STAGE_ORDER.index(election.stage) >= STAGE_ORDER.index(Election.VOTING):
        raise CandidateError(f"选举已进入“{election.get_stage_display()}”阶段，不能再{what}。")


def _token(pk) -> str:
    return f"#{pk}#"


_TOKEN = re.compile(r"#(\d+)#")


def _pk(key: str) -> int:
    return int(key.strip("#"))


def _names(text: str, names: Mapping[int, str]) -> str:
    return _TOKEN.sub(lambda m: names.get(int(m.group(1)), m.group(0)), text or "")


def _posts(election: Election) -> list[Post]:
    return list(election.posts.order_by("rank", "id"))


def _engine_posts(posts: Sequence[Post]) -> list[NominationPost]:
    return [NominationPost(p.code, p.name, p.seats, p.women_only) for p in posts]


def registered_ids(election: Election) -> set[int]:
    return set(
        VoterRegistration.objects.filter(election=election, status=VoterRegistration.REGISTERED).values_list(
            "person_id", flat=True
        )
    )


def registered_count(election: Election) -> int:
    return VoterRegistration.objects.filter(election=election, status=VoterRegistration.REGISTERED).count()


def active_candidates(election: Election):
    return (
        Candidate.objects.filter(election=election, status=Candidate.ACTIVE)
        .select_related("person", "post", "nomination")
        .order_by("post__rank", "list_order", "id")
    )


def _locked(election: Election) -> bool:
    return Candidate.objects.filter(election=election).exists()


def _not_locked(election: Election) -> None:
    if _locked(election):
        raise CandidateError("已确定正式候选人，提名不能再修改（候选人退出时由被提名人依次递补）。")


def _policy(election: Election):
    try:
        return get_policy(election.campaign.policy or {})
    except EngineError as exc:
        raise CandidateError(f"换届政策设置有误：{exc.message}") from exc


def _relations_among(person_ids: Iterable[int]) -> list[EngineRelation]:
    ids = list(set(person_ids))
    rels = Relation.objects.filter(elder_id__in=ids, younger_id__in=ids)
    return [EngineRelation(_token(r.elder_id), _token(r.younger_id), r.engine_name) for r in rels]


# ---------------------------------------------------------------- review (the review app's services)


def _review():
    from huanjie.review import services

    return services


def review_state(candidate: Candidate) -> dict:
    return _review().review_status(candidate)


def review_states(candidates) -> dict[int, dict]:
    """:func:`review_state` of every candidate listed, by id, in a fixed number of queries."""
    return _review().review_statuses(candidates)


def _open_review(actor, candidate: Candidate) -> None:
    _review().open_review(actor, candidate)


# ---------------------------------------------------------------- nomination count (R13)


@dataclass
class NominationSheet:
    """One nomination ballot as entered: post code → people named; ``by_proxy`` if filled in for
    someone else."""

    id: str
    nominations: dict[str, list[Person]]
    by_proxy: bool = False


def _need_registered(election: Election, people: Iterable[Person], what: str) -> None:
    ids = registered_ids(election)
    bad = [p.name for p in dict.fromkeys(people) if p.pk not in ids]
    if bad:
        raise CandidateError(f"{what}不是本村登记选民：" + "、".join(bad) + "。")


@guarded
@transaction.atomic
def record_nomination_count(
    actor,
    election: Election,
    *,
    held_on: dt.date,
    ballots: Sequence[NominationSheet] | None = None,
    aggregated: Mapping[str, Mapping[Person, int]] | None = None,
    participated: int | None = None,
) -> NominationCount:
    """Record the nomination vote, ballot by ballot or aggregated per post (R13).

    The count replaces an earlier one (a recount) as long as no candidate is fixed. The nominees
    become :class:`Nomination` rows with their nomination votes; a person already nominated for the
    post through a channel keeps the channel and gets the votes.
    """
    _check(actor, election, "录入提名")
    election = Election.objects.select_for_update(no_key=True).get(pk=election.pk)
    _not_locked(election)
    check_dated_fact(
        election,
        "提名日期",
        held_on,
        after=[("选民名单公布", _list_published_on(election))],
        before_vote=True,
        error=CandidateError,
    )
    posts = {p.code: p for p in _posts(election)}
    people: dict[int, Person] = {}
    engine_ballots = None
    engine_aggregated = None
    if ballots is not None:
        engine_ballots = []
        for b in ballots:
            for code, named in b.nominations.items():
                if code not in posts:
                    raise CandidateError(f"提名票“{b.id}”：本次选举没有职位“{code}”。")
                for p in named:
                    people[p.pk] = p
            engine_ballots.append(
                NominationBallot(
                    str(b.id),
                    {c: [_token(p.pk) for p in named] for c, named in b.nominations.items()},
                    b.by_proxy,
                )
            )
        if not engine_ballots:
            raise CandidateError("没有录入任何提名票。")
    elif aggregated is not None:
        engine_aggregated = {}
        for code, votes in aggregated.items():
            if code not in posts:
                raise CandidateError(f"本次选举没有职位“{code}”。")
            for p in votes:
                people[p.pk] = p
            engine_aggregated[code] = {_token(p.pk): v for p, v in votes.items()}
        if participated is None:
            raise CandidateError("按职位汇总录入时须填写参加提名的人数。")
    else:
        raise CandidateError("请录入提名票或按职位汇总的提名票数。")
    _need_registered(election, people.values(), "被提名人")
    registered = registered_count(election)
    profile = profile_of(election)
    try:
        result = count_nominations(
            _engine_posts(posts.values()),
            ballots=engine_ballots,
            aggregated=engine_aggregated,
            registered=registered,
            participated=participated,
            profile=profile,
        )
    except EngineError as exc:
        raise CandidateError(_names(exc.message, {pk: p.name for pk, p in people.items()})) from exc
    names = {pk: p.name for pk, p in people.items()}

    existing = {
        (n.post.code, n.person_id): n
        for n in Nomination.objects.filter(election=election).select_related("post")
    }
    kept: set[int] = set()
    for code, tally in result.tally.items():
        for key, votes in tally.items():
            pk = _pk(key)
            n = existing.get((code, pk))
            if n is None:
                n = Nomination.objects.create(
                    election=election,
                    post=posts[code],
                    person=people[pk],
                    channel=Nomination.OPEN_VOTE,
                    nomination_votes=votes,
                )
            else:
                n.nomination_votes = votes
                n.save(update_fields=["nomination_votes"])
            kept.add(n.pk)
    for n in existing.values():
        if n.pk in kept:
            continue
        if n.channel == Nomination.OPEN_VOTE:
            n.delete()
        elif n.nomination_votes:
            n.nomination_votes = 0
            n.save(update_fields=["nomination_votes"])
    void = [
        {
            **v,
            "key": _pk(v["key"]) if v.get("key") else None,
            "name": names.get(_pk(v["key"])) if v.get("key") else None,
            "post_name": posts[v["post"]].name if v.get("post") else None,
        }
        for v in result.void
    ]
    before = NominationCount.objects.filter(election=election).first()
    count, _ = NominationCount.objects.update_or_create(
        election=election,
        defaults={
            "method": NominationCount.BALLOTS if ballots is not None else NominationCount.AGGREGATED,
            "held_on": held_on,
            "registered_voters": registered,
            "participated": result.participated or 0,
            "ballots": result.ballots,
            "turnout_required": result.turnout_required,
            "turnout_ok": result.turnout_ok,
            "void": void,
            "recorded_by": actor,
        },
    )
    if STAGE_ORDER.index(election.stage) < STAGE_ORDER.index(Election.NOMINATION):
        election.stage = Election.NOMINATION
        election.save(update_fields=["stage", "updated_at"])
    audit.record(
        actor,
        "candidates.nomination_count",
        election,
        changes={
            "participated": [before.participated if before else None, count.participated],
            "void": [None, len(void)],
            "nominees": [None, sum(len(t) for t in result.tally.values())],
        },
    )
    return count


@guarded
@transaction.atomic
def add_channel_nomination(
    actor,
    election: Election,
    post: Post,
    person: Person,
    channel: str,
    *,
    signatories: Sequence[Person] = (),
    votes: int = 0,
    note: str = "",
) -> Nomination:
    """A nomination through a channel: 十人联名 (signatories checked as registered voters of the
    village), 自荐 or 党组织推荐. ``votes`` are the nominee's votes where a preliminary vote ranks them."""
    _check(actor, election, "登记提名")
    _not_locked(election)
    if post.election_id != election.pk:
        raise CandidateError("职位不属于本次选举。")
    if channel not in CHANNELS:
        raise CandidateError("提名方式：应为十人联名、自荐或党组织推荐。")
    if not isinstance(votes, int) or votes < 0:
        raise CandidateError("提名票数应为非负整数。")
    _need_registered(election, [person], "被提名人")
    if Nomination.objects.filter(post=post, person=person).exists():
        raise CandidateError(f"{person.name}已被提名为{post.name}候选人。")
    signers = list(dict.fromkeys(signatories))
    if channel == Nomination.JOINT_10:
        if person in signers:
            raise CandidateError(f"联名提名人中不能有被提名人{person.name}本人。")
        ids = registered_ids(election)
        bad = [p.name for p in signers if p.pk not in ids]
        if bad:
            raise CandidateError("以下联名提名人不是本村登记选民：" + "、".join(bad) + "。")
        if not joint_nomination_valid(len(signers)):
            raise CandidateError(f"十人联名提名须有10名以上本村登记选民联名，现有{len(signers)}名。")
    n = Nomination.objects.create(
        election=election,
        post=post,
        person=person,
        channel=channel,
        nomination_votes=votes,
        note=(note or "")[:200],
    )
    NominationSignature.objects.bulk_create([NominationSignature(nomination=n, person=p) for p in signers])
    if STAGE_ORDER.index(election.stage) < STAGE_ORDER.index(Election.NOMINATION):
        election.stage = Election.NOMINATION
        election.save(update_fields=["stage", "updated_at"])
    audit.record(
        actor,
        "candidates.nominate",
        n,
        changes={
            "channel": [None, n.get_channel_display()],
            "post": [None, post.name],
            "signatures": [None, len(signers)],
        },
    )
    return n


def _nomination_for_update(actor, nomination: Nomination, what: str) -> Nomination:
    _check(actor, nomination.election, what)
    return (
        Nomination.objects.select_for_update()
        .select_related("person", "post", "election")
        .get(pk=nomination.pk)
    )


@guarded
@transaction.atomic
def record_written_choice(actor, nomination: Nomination, on: dt.date) -> Nomination:
    """A person nominated for several posts chooses this one in writing (ZJ Art. 18); their other
    nominations are set aside."""
    n = _nomination_for_update(actor, nomination, "登记书面选择")
    _not_locked(n.election)
    others = list(
        Nomination.objects.filter(election=n.election, person=n.person)
        .exclude(pk=n.pk)
        .select_related("post")
    )
    if not others:
        raise CandidateError(f"{n.person.name}只被提名为{n.post.name}，无须书面选择。")
    check_dated_fact(n.election, "书面选择日期", on, before_vote=True, error=CandidateError)
    n.written_choice_on = on
    n.status = Nomination.NOMINEE
    n.save(update_fields=["written_choice_on", "status"])
    for o in others:
        o.status = Nomination.DECLINED
        o.written_choice_on = None
        o.note = f"本人书面选择{n.post.name}"
        o.save(update_fields=["status", "written_choice_on", "note"])
    audit.record(
        actor, "candidates.written_choice", n, changes={"chosen": [None, n.post.name], "on": [None, on]}
    )
    return n


@guarded
@transaction.atomic
def decline(actor, nomination: Nomination, on: dt.date, reason: str = "") -> Nomination:
    """A nominee declines in writing before the candidates are fixed."""
    n = _nomination_for_update(actor, nomination, "登记放弃")
    _not_locked(n.election)
    check_dated_fact(n.election, "书面放弃日期", on, before_vote=True, error=CandidateError)
    old = n.status
    n.status = Nomination.DECLINED
    n.note = (f"{on.isoformat()}书面放弃" + (f"：{reason}" if reason else ""))[:200]
    n.save(update_fields=["status", "note"])
    audit.record(actor, "candidates.decline", n, changes={"status": [old, n.status]})
    return n


@guarded
@transaction.atomic
def exclude_nominee(actor, nomination: Nomination, reason: str) -> Nomination:
    """The committee does not take this nominee (a policy refusal; of two near relatives, the one
    who is not taken, P5). The reason is stored and shown."""
    n = _nomination_for_update(actor, nomination, "确定候选人")
    reason = (reason or "").strip()
    if not reason:
        raise CandidateError("请填写不确定为候选人的原因。")
    if n.status == Nomination.CANDIDATE:
        raise CandidateError(f"{n.person.name}已是候选人，请按退出或资格审查处理。")
    old = n.status
    n.status, n.excluded_reason = Nomination.NOT_SELECTED, reason[:300]
    n.save(update_fields=["status", "excluded_reason"])
    audit.record(
        actor, "candidates.exclude", n, changes={"status": [old, n.status], "reason": [None, reason]}
    )
    return n


@guarded
@transaction.atomic
def restore_nominee(actor, nomination: Nomination) -> Nomination:
    n = _nomination_for_update(actor, nomination, "确定候选人")
    if n.status not in (Nomination.NOT_SELECTED, Nomination.DECLINED):
        raise CandidateError(f"{n.person.name}不是被排除或放弃的被提名人。")
    old = n.status
    n.status, n.excluded_reason = Nomination.NOMINEE, ""
    n.save(update_fields=["status", "excluded_reason"])
    audit.record(actor, "candidates.restore", n, changes={"status": [old, n.status]})
    return n


@guarded
@transaction.atomic
def update_nominee(
    actor,
    nomination: Nomination,
    *,
    current_post: str | None = None,
    exception_body: str | None = None,
    exception_reason: str | None = None,
) -> Nomination:
    """The nominee's post in the outgoing committee (P2 newcomer / new head) and a recorded
    exception to an age limit (P2: reason and the approving body, both required)."""
    n = _nomination_for_update(actor, nomination, "修改被提名人信息")
    changes = {}
    if current_post is not None:
        if current_post and current_post not in CURRENT_POSTS:
            raise CandidateError("现任职务：应为" + "、".join(CURRENT_POSTS) + "或空。")
        changes["current_post"] = [n.current_post, current_post]
        n.current_post = current_post
    if exception_body is not None or exception_reason is not None:
        body = (exception_body or "").strip()
        reason = (exception_reason or "").strip()
        if bool(body) != bool(reason):
            raise CandidateError("破格须同时填写批准机关和理由（P2）。")
        changes["exception"] = [n.exception_body or None, body or None]
        n.exception_body, n.exception_reason = body[:100], reason[:300]
    n.save(update_fields=["current_post", "exception_body", "exception_reason"])
    Candidate.objects.filter(nomination=n).update(
        exception_body=n.exception_body, exception_reason=n.exception_reason
    )
    audit.record(actor, "candidates.nominee_update", n, changes=changes)
    return n


# ---------------------------------------------------------------- policy checks (P1–P6)


@dataclass
class Entry:
    """A person on (or proposed for) the list of a post."""

    person: Person
    post: Post
    nomination: Nomination | None
    votes: int = 0
    candidate: Candidate | None = None
    note: str = ""
    women_rule: bool = False
    decision: dict | None = None


def _policy_candidate(e: Entry, own=None) -> PolicyCandidate:
    """``own``: the election kind's ``KindHooks.policy_candidate`` (read once by the caller)."""
    n = e.nomination
    current = n.current_post if n else ""
    post, policy_body = e.post.name, None
    own = own if e.candidate is not None else None
    if own is not None:
        # A kind whose candidates stand for a post the policy names otherwise (a party committee
        # member proposed as 书记) or whose current post is recorded elsewhere.
        facts = own(e.candidate)
        post, policy_body = facts.get("post", post), facts.get("body", policy_body)
        current = facts.get("current_post", current)
    exception = None
    body = (e.candidate.exception_body if e.candidate else "") or (n.exception_body if n else "")
    reason = (e.candidate.exception_reason if e.candidate else "") or (n.exception_reason if n else "")
    if body and reason:
        exception = AgeException(reason, body)
    return PolicyCandidate(
        name=_token(e.person.pk),
        post=post,
        gender=e.person.gender,
        birth_date=e.person.birth_date,
        # The label reads better in the engine's reasons ("初中毕业" rather than "71"); the engine
        # maps labels and codes alike (R68).
        education=EDUCATION_LABELS.get(e.person.education, e.person.education) or None,
        new_to_post=current != post,
        new_to_team=not current,
        age_exception=exception,
        current_post=current or None,
        body=policy_body,
    )


def policy_decisions(election: Election, entries: Sequence[Entry]) -> dict[int, dict]:
    """P1–P6 for the people on a list, with their stored relations (P5): person id →
    ``{"ok", "refusals", "warnings"}`` with names in the reasons."""
    if not entries:
        return {}
    ids = [e.person.pk for e in entries]
    try:
        decisions = candidate_policy_decisions(
            [_policy_candidate(e, kinds.hooks_for(election.kind).policy_candidate) for e in entries],
            election.campaign.cutoff_date,
            _policy(election),
            relations=_relations_among(ids),
        )
    except EngineError as exc:
        raise CandidateError(f"政策检查无法进行：{exc.message}") from exc
    names = {e.person.pk: e.person.name for e in entries}
    out = {}
    for e, d in zip(entries, decisions, strict=True):
        out[e.person.pk] = {
            "ok": d.ok,
            "refusals": [{**r, "reason": _names(r["reason"], names)} for r in d.refusals],
            "warnings": [{**w, "reason": _names(w["reason"], names)} for w in d.warnings],
        }
    return out


# ---------------------------------------------------------------- preview and decision (R14, R15, R70)


@dataclass
class PostPreview:
    post: Post
    minimum: int
    maximum: int | None
    number: int
    entries: list[Entry]
    others: list[Nomination]
    ties: list[str]
    margin_ok: bool | None


@dataclass
class Preview:
    posts: list[PostPreview]
    decisions: dict[int, dict]
    choice_required: list[str]
    warnings: list[str]
    blockers: list[str]
    count: NominationCount | None
    method: str = "votes"

    @property
    def ok(self) -> bool:
        return not self.blockers


def _nominees_by_post(nominations: Sequence[Nomination]) -> dict[str, list[Nominee]]:
    out: dict[str, list[Nominee]] = {}
    for n in nominations:
        out.setdefault(n.post.code, []).append(
            Nominee(_token(n.person_id), n.person.name, n.nomination_votes, n.person.gender)
        )
    return out


def preview(election: Election, numbers: Mapping[str, int] | None = None, method: str = "votes") -> Preview:
    """Who would be the formal candidates now, and what blocks fixing them."""
    posts = _posts(election)
    by_code = {p.code: p for p in posts}
    noms = list(
        Nomination.objects.filter(election=election)
        .select_related("person", "post")
        .order_by("post__rank", "id")
    )
    usable = [n for n in noms if n.status == Nomination.NOMINEE]
    choices = {_token(n.person_id): n.post.code for n in usable if n.written_choice_on}
    count = NominationCount.objects.filter(election=election).first()
    blockers: list[str] = []
    if not noms:
        blockers.append("尚未录入提名。")
    if count and count.turnout_required and count.turnout_ok is False:
        blockers.append(
            f"参加提名的{count.participated}人未超过登记选民{count.registered_voters}人的半数，提名无效，须重新组织提名（R13）。"
        )
    if method not in METHODS:
        raise CandidateError("确定方式：应为按提名得票或自荐人按笔画。")
    try:
        sel: Selection = select_candidates(
            _engine_posts(posts),
            _nominees_by_post(usable),
            profile_of(election),
            numbers=numbers,
            choices=choices,
            method=method,
        )
    except EngineError as exc:
        raise CandidateError(exc.message) from exc
    by_pk = {n.person_id: n.person for n in noms}
    nom_of = {(n.post.code, n.person_id): n for n in noms}
    out: list[PostPreview] = []
    entries: list[Entry] = []
    for ps in sel.posts:
        post = by_code[ps.post]
        chosen = []
        for c in ps.candidates:
            pk = _pk(c.key)
            n = nom_of.get((ps.post, pk))
            women = ps.added_woman is not None and ps.added_woman.key == c.key
            if n is None:  # added by the women rule from another post's nomination
                n = max((x for x in usable if x.person_id == pk), key=lambda x: x.nomination_votes)
            note = ""
            for t in ps.ties:
                if c.key in t["taken"]:
                    note = t["reason"]
            if women:
                note = "候选人中没有妇女，按规定增列提名得票最多的妇女为候选人"
            e = Entry(by_pk[pk], post, n, c.votes, note=note, women_rule=women)
            chosen.append(e)
        entries.extend(chosen)
        taken = {e.person.pk for e in chosen}
        others = [n for n in noms if n.post.code == ps.post and n.person_id not in taken]
        out.append(
            PostPreview(
                post=post,
                minimum=ps.minimum,
                maximum=ps.maximum,
                number=ps.number,
                entries=chosen,
                others=others,
                ties=[t["reason"] for t in ps.ties],
                margin_ok=ps.margin_ok,
            )
        )
    choice_required = [c["reason"] for c in sel.choice_required]
    blockers.extend(choice_required)
    blockers.extend(p["reason"] for p in sel.problems)
    decisions = policy_decisions(election, entries) if not choice_required else {}
    for e in entries:
        d = e.decision = decisions.get(e.person.pk)
        if d and d["refusals"]:
            fix = "请排除该被提名人" + (
                "或登记破格批准" if any(r["code"].startswith("P2") for r in d["refusals"]) else ""
            )
            blockers.append(
                f"{e.person.name}（{e.post.name}）："
                + "；".join(r["reason"] for r in d["refusals"])
                + "。"
                + fix
            )
    return Preview(
        posts=out,
        decisions=decisions,
        choice_required=choice_required,
        warnings=[w["reason"] for w in sel.warnings],
        blockers=blockers,
        count=count,
        method=method,
    )


def _leave_committee(actor, election: Election, people: Sequence[Person], on: dt.date) -> list[str]:
    """Committee members who become candidates (or whose near relative does, per profile) leave the
    election committee (R11), through the workflow's service."""
    notes = []
    for member, reason in members_to_leave_for(election, list(people)):
        if member.person_id in {p.pk for p in people}:
            from huanjie.elections.services import member_becomes_candidate

            result = member_becomes_candidate(actor, member, on)
        else:
            result = member_leaves(actor, member, CommitteeMember.LEFT_RELATIVE, reason[:200], on)
        notes.append(
            f"{member.person.name}退出村民选举委员会"
            + (f"，由{result.joined.person.name}递补" if result.joined else "")
            + ("；" + "；".join(result.notes) if result.notes else "")
        )
    return notes


@dataclass
class Decision:
    candidates: list[Candidate]
    committee_notes: list[str] = field(default_factory=list)


@guarded
@transaction.atomic
def decide_candidates(
    actor,
    election: Election,
    *,
    numbers: Mapping[str, int] | None = None,
    method: str = "votes",
    on: dt.date | None = None,
) -> Decision:
    """Fix the formal candidates per post from the nominations (R14, R15, R70), refused while
    anything blocks (turnout, a written choice, too few nominees, a policy refusal). Committee
    members who become candidates leave the election committee; each candidate's review opens."""
    _check(actor, election, "确定候选人")
    election = Election.objects.select_for_update(no_key=True).get(pk=election.pk)
    if Candidate.objects.filter(election=election).exists():
        raise CandidateError("本次选举已确定正式候选人。")
    on = on or timezone.localdate()
    check_dated_fact(election, "确定候选人日期", on, before_vote=True, error=CandidateError)
    p = preview(election, numbers, method)
    if p.blockers:
        raise CandidateError("不能确定候选人：" + "；".join(p.blockers))
    created: list[Candidate] = []
    for pp in p.posts:
        for i, e in enumerate(pp.entries, 1):
            n = e.nomination
            c = Candidate.objects.create(
                election=election,
                post=pp.post,
                person=e.person,
                nomination=n,
                list_order=i,
                exception_body=n.exception_body if n else "",
                exception_reason=n.exception_reason if n else "",
                selection_note=e.note[:300],
                women_rule=e.women_rule,
            )
            if n is not None:
                Nomination.objects.filter(pk=n.pk).update(status=Nomination.CANDIDATE)
            created.append(c)
    old = election.stage
    election.stage = Election.CANDIDATES
    election.save(update_fields=["stage", "updated_at"])
    audit.record(
        actor,
        "candidates.decide",
        election,
        changes={
            "stage": [old, election.stage],
            "candidates": [None, {pp.post.name: [e.person.name for e in pp.entries] for pp in p.posts}],
            "method": [None, METHODS[method]],
        },
    )
    notes = _leave_committee(actor, election, [c.person for c in created], on)
    for c in created:
        _open_review(actor, c)
    return Decision(created, notes)


# ---------------------------------------------------------------- the list after the decision


def _votes_on_post(c: Candidate) -> int:
    return _votes_on_posts([c])[c.pk]


def _votes_on_posts(cands: Sequence[Candidate]) -> dict[int, int]:
    """Each candidate's nomination votes on the post they stand for, by candidate id: from the
    nomination they came from, else (a candidate placed on another post, or added) from their
    nomination on that post, read in one query for all of them."""
    out, missing = {}, []
    for c in cands:
        if c.nomination_id and c.nomination.post_id == c.post_id:
            out[c.pk] = c.nomination.nomination_votes
        else:
            missing.append(c)
    if missing:
        votes = {
            (post_id, person_id): v
            for post_id, person_id, v in Nomination.objects.filter(
                post_id__in={c.post_id for c in missing}, person_id__in={c.person_id for c in missing}
            ).values_list("post_id", "person_id", "nomination_votes")
        }
        for c in missing:
            out[c.pk] = votes.get((c.post_id, c.person_id), 0)
    return out


def _renumber(post: Post, method: str = "votes") -> None:
    """R15, R70: active candidates of the post in nomination-vote order, ties by strokes."""
    cands = list(
        Candidate.objects.filter(post=post, status=Candidate.ACTIVE).select_related("person", "nomination")
    )
    by_key = {str(c.pk): c for c in cands}
    votes = _votes_on_posts(cands)
    order = nominee_order([Nominee(str(c.pk), c.person.name, votes[c.pk]) for c in cands], method)
    for i, n in enumerate(order, 1):
        c = by_key[n.key]
        if c.list_order != i:
            c.list_order = i
            c.save(update_fields=["list_order"])


def current_entries(election: Election) -> list[Entry]:
    cands = list(active_candidates(election))
    votes = _votes_on_posts(cands)
    return [
        Entry(
            c.person,
            c.post,
            c.nomination,
            votes[c.pk],
            candidate=c,
            note=c.selection_note,
            women_rule=c.women_rule,
        )
        for c in cands
    ]


def candidate_checks(election: Election) -> dict[int, dict]:
    """P1–P6 on the current active list, by candidate id, with the acknowledgements."""
    entries = current_entries(election)
    decisions = policy_decisions(election, entries)
    out = {}
    for e in entries:
        d = decisions[e.person.pk]
        acks = e.candidate.acknowledged_warnings or {}
        warnings = [{**w, "ack": acks.get(w["code"])} for w in d["warnings"]]
        out[e.candidate.pk] = {"refusals": d["refusals"], "warnings": warnings}
    return out


@guarded
@transaction.atomic
def acknowledge_warning(actor, candidate: Candidate, code: str, reason: str) -> Candidate:
    """A policy warning (P2 newcomer, an exception granted …) is acknowledged with a reason."""
    _check(actor, candidate.election, "说明政策提示")
    c = Candidate.objects.select_for_update().select_related("person", "election").get(pk=candidate.pk)
    reason = (reason or "").strip()
    if not reason:
        raise CandidateError("请填写说明理由。")
    checks = candidate_checks(c.election).get(c.pk)
    if checks is None:
        raise CandidateError(f"{c.person.name}不是有效的候选人。")
    if code not in {w["code"] for w in checks["warnings"]}:
        raise CandidateError(f"{c.person.name}没有需要说明的提示“{code}”。")
    acks = dict(c.acknowledged_warnings or {})
    before = acks.get(code)
    acks[code] = {"reason": reason[:300], "by": str(actor), "on": timezone.localdate().isoformat()}
    c.acknowledged_warnings = acks
    c.save(update_fields=["acknowledged_warnings"])
    audit.record(actor, "candidates.acknowledge", c, changes={code: [before, acks[code]]})
    return c


def team_check_results(election: Election, entries: Sequence[Entry] | None = None) -> list[dict]:
    """P10–P11 on the active list (``team_checks``), each with the township's explanation if any;
    ``entries`` checks another list of the election (a party branch's initial candidates)."""
    entries = current_entries(election) if entries is None else list(entries)
    if not entries:
        return []
    posts = _posts(election)
    population = election.organization.population or None
    try:
        checks = team_checks(
            [_policy_candidate(e, kinds.hooks_for(election.kind).policy_candidate) for e in entries],
            election.campaign.cutoff_date,
            _policy(election),
            population=population,
            # [INTERPRETATION] the seats of the committee being elected stand for its paid posts (P10).
            paid_posts=sum(p.seats for p in posts) if population else None,
        )
    except EngineError as exc:
        raise CandidateError(f"结构检查无法进行：{exc.message}") from exc
    names = {e.person.pk: e.person.name for e in entries}
    explained = {
        t.code: t for t in TeamExplanation.objects.filter(election=election).select_related("written_by")
    }
    return [
        {**c, "reason": _names(c["reason"], names), "explanation": explained.get(c["code"])} for c in checks
    ]


@guarded
@transaction.atomic
def explain_team_check(
    actor, election: Election, code: str, text: str, on: dt.date | None = None
) -> TeamExplanation:
    """The township's written explanation (专项说明) for a structure target the list cannot meet (P11)."""
    if getattr(actor, "role", None) != TOWNSHIP:
        raise CandidateError("专项说明由乡镇（街道）换届办填写。")
    _require_in_scope(actor, election.organization.code)
    text = (text or "").strip()
    if not text:
        raise CandidateError("请填写专项说明。")
    unmet = {c["code"] for c in team_check_results(election) if c["met"] is False}
    if code not in unmet:
        raise CandidateError(f"结构要求“{code}”已达到或不存在，无须说明。")
    before = TeamExplanation.objects.filter(election=election, code=code).first()
    t, _ = TeamExplanation.objects.update_or_create(
        election=election,
        code=code,
        defaults={"text": text, "written_by": actor, "written_on": on or timezone.localdate()},
    )
    audit.record(
        actor,
        "candidates.team_explanation",
        election,
        changes={code: [before.text if before else None, text]},
    )
    return t


def _fill(actor, old: Candidate, on: dt.date) -> tuple[Candidate | None, list[str]]:
    """Fill a gap from the post's nominees in order (R15, ZJ Art. 19), skipping a nominee the
    policy refuses (the reason is stored on the nomination)."""
    election = old.election
    notes: list[str] = []
    active = list(active_candidates(election))
    on_list = {c.person_id for c in active}
    pool = list(
        Nomination.objects.filter(post=old.post, status=Nomination.NOMINEE).select_related("person", "post")
    )
    by_key = {_token(n.person_id): n for n in pool}
    order = next_nominees(
        [Nominee(_token(n.person_id), n.person.name, n.nomination_votes, n.person.gender) for n in pool],
        taken=[_token(pk) for pk in on_list],
    )
    if old.post.women_only:
        order = [x for x in order if x.gender == "F"]
    for nominee in order:
        n = by_key[nominee.key]
        entries = current_entries(election) + [Entry(n.person, old.post, n, n.nomination_votes)]
        d = policy_decisions(election, entries)[n.person_id]
        if d["refusals"]:
            reason = "递补时未通过政策检查：" + "；".join(r["reason"] for r in d["refusals"])
            n.status, n.excluded_reason = Nomination.NOT_SELECTED, reason[:300]
            n.save(update_fields=["status", "excluded_reason"])
            notes.append(f"{n.person.name}：{reason}")
            continue
        new = Candidate.objects.create(
            election=election,
            post=old.post,
            person=n.person,
            nomination=n,
            list_order=999,
            replaces=old,
            exception_body=n.exception_body,
            exception_reason=n.exception_reason,
            selection_note=f"{old.person.name}{old.get_status_display()}后，按提名得票依次递补",
        )
        n.status = Nomination.CANDIDATE
        n.save(update_fields=["status"])
        _renumber(old.post)
        notes.extend(_leave_committee(actor, election, [n.person], on))
        _open_review(actor, new)
        return new, notes
    _renumber(old.post)
    notes.append(f"{old.post.name}没有可以递补的被提名人")
    return None, notes


@dataclass
class Change:
    """A candidate leaving the list: the replacement, and the new publication if the list was re-published."""

    candidate: Candidate
    replacement: Candidate | None
    notes: list[str]
    publication: CandidateListPublication | None = None
    republish_blockers: list[str] = field(default_factory=list)


@guarded
@transaction.atomic
def disqualify(actor, candidate: Candidate, on: dt.date | None = None) -> Change:
    """A candidate who failed the qualification review leaves the list (the review app may already
    have marked them disqualified); the next nominee of the post fills the gap (R15)."""
    _check(actor, candidate.election, "处理资格审查结果")
    c = (
        Candidate.objects.select_for_update()
        .select_related("person", "post", "election")
        .get(pk=candidate.pk)
    )
    if Candidate.objects.filter(replaces=c).exists():
        raise CandidateError(f"{c.person.name}的空缺已经递补。")
    if c.status not in (Candidate.ACTIVE, Candidate.DISQUALIFIED):
        raise CandidateError(f"{c.person.name}已书面退出，不需按资格审查处理。")
    state = review_state(c)
    if not state.get("failed"):
        raise CandidateError(f"{c.person.name}的资格审查没有未通过的结论，不能取消候选人资格。")
    on = on or timezone.localdate()
    old = c.status
    c.status, c.withdrawn_on = Candidate.DISQUALIFIED, c.withdrawn_on or on
    c.save(update_fields=["status", "withdrawn_on"])
    if c.nomination_id:
        Nomination.objects.filter(pk=c.nomination_id).update(
            status=Nomination.NOT_SELECTED, excluded_reason=(state.get("blocking") or "资格审查未通过")[:300]
        )
    replacement, notes = _fill(actor, c, on)
    audit.record(
        actor,
        "candidates.disqualify",
        c,
        changes={
            "status": [old, c.status],
            "replacement": [None, replacement.person.name if replacement else None],
        },
    )
    return Change(c, replacement, notes)


def unfilled_disqualified(election: Election) -> list[Candidate]:
    """Candidates the review disqualified whose place has not been filled yet."""
    filled = Candidate.objects.filter(election=election, replaces__isnull=False).values_list(
        "replaces_id", flat=True
    )
    return list(
        Candidate.objects.filter(election=election, status=Candidate.DISQUALIFIED)
        .exclude(pk__in=list(filled))
        .exclude(nomination__status=Nomination.NOT_SELECTED)
        .select_related("person", "post")
    )


@guarded
@transaction.atomic
def withdraw(actor, candidate: Candidate, on: dt.date, reason: str = "") -> Change:
    """A candidate withdraws in writing up to the profile's deadline (R15: ``withdrawal_latest``);
    the gap is filled from the nominees in order and, if the list was published, it is re-published
    as a new version (when nothing blocks it, e.g. the replacement's review)."""
    _check(actor, candidate.election, "登记候选人退出")
    c = (
        Candidate.objects.select_for_update()
        .select_related("person", "post", "election")
        .get(pk=candidate.pk)
    )
    election = c.election
    if c.status != Candidate.ACTIVE:
        raise CandidateError(f"{c.person.name}已不是有效的候选人。")
    if not isinstance(on, dt.date):
        raise CandidateError("书面申请退出日期无效。")
    check_dated_fact(election, "书面申请退出日期", on, error=CandidateError)
    latest = calendar_for(election).withdrawal_latest
    if on >= election.election_date:
        raise CandidateError("选举日当天及以后不能再申请退出。")
    if latest is not None and on > latest:
        days = profile_of(election)["calendar.withdrawal_days_before"]
        raise CandidateError(
            f"候选人应在选举日的{days}日前书面申请退出（最迟 {latest.isoformat()}），{on.isoformat()} 已超过期限（R15）。"
        )
    c.status, c.withdrawn_on = Candidate.WITHDRAWN, on
    c.save(update_fields=["status", "withdrawn_on"])
    if c.nomination_id:
        Nomination.objects.filter(pk=c.nomination_id).update(
            status=Nomination.WITHDRAWN,
            note=(f"{on.isoformat()}书面申请退出" + (f"：{reason}" if reason else ""))[:200],
        )
    replacement, notes = _fill(actor, c, on)
    audit.record(
        actor,
        "candidates.withdraw",
        c,
        changes={
            "status": [Candidate.ACTIVE, c.status],
            "on": [None, on],
            "reason": [None, reason or None],
            "replacement": [None, replacement.person.name if replacement else None],
        },
    )
    change = Change(c, replacement, notes)
    if CandidateListPublication.objects.filter(election=election).exists():
        why = f"候选人{c.person.name}书面申请退出" + (
            f"，由{replacement.person.name}递补" if replacement else ""
        )
        blockers = publication_blockers(election, on)
        if blockers:
            change.republish_blockers = blockers
        else:
            change.publication = _publish(actor, election, on, why)
    return change


# ---------------------------------------------------------------- publication (R15)


def publication_blockers(election: Election, published_on: dt.date) -> list[str]:
    """What keeps the formal candidate list from being published on ``published_on``."""
    out: list[str] = []
    if not isinstance(published_on, dt.date):
        return ["公布日期无效。"]
    try:
        check_dated_fact(
            election,
            "正式候选人名单公布日期",
            published_on,
            after=[("选民名单公布", _list_published_on(election))],
            before_vote=True,
            error=CandidateError,
        )
    except CandidateError as exc:
        out.append(str(exc))
    first = not CandidateListPublication.objects.filter(election=election).exists()
    if first:
        latest = calendar_for(election).candidate_list_latest
        if latest is not None and published_on > latest:
            days = profile_of(election)["calendar.candidate_list_days_before"]
            out.append(
                f"正式候选人名单应在选举日的{days}日前公布（最迟 {latest.isoformat()}），{published_on.isoformat()} 已超过期限（R15）。"
            )
    cands = list(active_candidates(election))
    if not cands:
        out.append("尚未确定正式候选人。")
        return out
    profile = profile_of(election)
    for post in _posts(election):
        n = sum(1 for c in cands if c.post_id == post.pk and not c.women_rule)
        if margin_ok(kinds.engine_kind(election.kind), "first", post.name, post.seats, n, profile) is False or n <= post.seats:
            out.append(f"{post.name}应选{post.seats}名，现有候选人{n}名，不符合差额要求（R14），须补充提名。")
    for c in unfilled_disqualified(election):
        out.append(f"{c.person.name}（{c.post.name}）资格审查未通过，请先处理递补。")
    states = review_states(cands)
    for c in cands:
        state = states[c.pk]
        if not state.get("passed"):
            out.append(state.get("blocking") or f"{c.person.name}的资格审查尚未通过")
    checks = candidate_checks(election)
    for c in cands:
        ch = checks[c.pk]
        for r in ch["refusals"]:
            out.append(f"{c.person.name}（{c.post.name}）：{r['reason']}")
        for w in ch["warnings"]:
            if not w["ack"]:
                out.append(f"{c.person.name}（{c.post.name}）的政策提示尚未说明理由：{w['reason']}")
    for t in team_check_results(election):
        if t["met"] is False and t["explanation"] is None:
            out.append(f"结构要求未达到，须乡镇形成专项说明：{t['reason']}")
    return out


def snapshot(election: Election) -> list[dict]:
    """The list as published: per post, in list order, with age on the election day (R5)."""
    out = []
    cands = list(active_candidates(election))
    votes = _votes_on_posts(cands)
    for post in _posts(election):
        rows = []
        for c in [c for c in cands if c.post_id == post.pk]:
            p = c.person
            rows.append(
                {
                    "candidate_id": c.pk,
                    "person_id": p.pk,
                    "order": c.list_order,
                    "name": p.name,
                    "gender": GENDER_ZH.get(p.gender, ""),
                    "age": age_on(p.birth_date, election.election_date),
                    "political_status": POLITICAL_ZH.get(p.political_status, ""),
                    "nomination_votes": votes[c.pk],
                    "note": "按规定增列的妇女候选人" if c.women_rule else "",
                }
            )
        out.append({"post": post.code, "post_name": post.name, "seats": post.seats, "candidates": rows})
    return out


def _publish(actor, election: Election, published_on: dt.date, reason: str) -> CandidateListPublication:
    last = CandidateListPublication.objects.filter(election=election).aggregate(m=Max("version"))["m"] or 0
    pub = CandidateListPublication.objects.create(
        election=election,
        version=last + 1,
        published_on=published_on,
        snapshot=snapshot(election),
        reason=reason[:200],
    )
    if last == 0 and "candidate_list" in step_keys(election):
        record_step(actor, election, "candidate_list", published_on, "正式候选人名单")
    audit.record(
        actor,
        "candidates.publish",
        election,
        changes={
            "version": [last or None, pub.version],
            "published_on": [None, published_on],
            "reason": [None, reason or None],
        },
    )
    return pub


@guarded
@transaction.atomic
def publish_candidate_list(
    actor, election: Election, published_on: dt.date, reason: str = ""
) -> CandidateListPublication:
    """Publish (or re-publish) the formal candidate list: refused while anything blocks it (R14, R15,
    the review, policy refusals, unacknowledged warnings, unexplained team targets)."""
    _check(actor, election, "公布正式候选人名单")
    election = Election.objects.select_for_update(no_key=True).get(pk=election.pk)
    blockers = publication_blockers(election, published_on)
    if blockers:
        raise CandidateError("不能公布正式候选人名单：" + "；".join(blockers))
    last = CandidateListPublication.objects.filter(election=election).first()
    if last is not None and last.snapshot == snapshot(election):
        raise CandidateError(f"名单与第{last.version}版相同，无须重新公布。")
    return _publish(actor, election, published_on, reason or ("" if last is None else "名单变动后重新公布"))


def latest_publication(election: Election) -> CandidateListPublication | None:
    return CandidateListPublication.objects.filter(election=election).first()


def list_changed_since_publication(election: Election) -> bool:
    last = latest_publication(election)
    return last is not None and last.snapshot != snapshot(election)


def notice_pdf(election: Election, publication: CandidateListPublication) -> bytes:
    """正式候选人名单公告: per post, in list order, name, gender, age (on the election day) and
    political status; the order rule is stated on the notice."""
    from huanjie.documents.render.pdf import TableSpec
    from huanjie.documents.render.pdf import notice_pdf as render
    from huanjie.elections.registration.documents import committee_name, zh_date

    village = election.organization.name
    tables = []
    for block in publication.snapshot:
        rows = [
            [str(r["order"]), r["name"], r["gender"], str(r["age"]), r["political_status"]]
            + ([r["note"]] if any(x["note"] for x in block["candidates"]) else [])
            for r in block["candidates"]
        ]
        cols = ["序号", "姓名", "性别", "年龄", "政治面貌"]
        if any(x["note"] for x in block["candidates"]):
            cols.append("备注")
        tables.append(
            TableSpec(
                columns=cols, rows=rows, caption=f"{block['post_name']}候选人（应选{block['seats']}名）"
            )
        )
    paragraphs = [
        f"根据{kinds.wording(election).law}和有关规定，经{kinds.wording(election).say('本村')}登记选民直接提名，"
        f"{committee_name(election)}按提名得票多少确定了{election.title}正式候选人。现将正式候选人名单"
        f"按职位公布如下（按提名得票多少排列，得票相同的按姓氏笔画排列；年龄计算至选举日）：",
    ]
    if publication.version > 1:
        paragraphs.append(
            f"本公告为第{publication.version}版：{publication.reason or '名单变动后重新公布'}。"
        )
    closing = [
        f"选举日为 {zh_date(election.election_date)}。对候选人有意见的，请向{committee_name(election)}反映。"
    ]
    return render(
        f"{village}正式候选人名单公告",
        paragraphs,
        issuer=committee_name(election),
        date_text=zh_date(publication.published_on),
        tables=tables,
        closing_paragraphs=closing,
        stamp=True,
    )


def nominees_table(election: Election) -> list[dict]:
    """Nominees per post, in nomination-vote order with ties by strokes, for the nominees page."""
    noms = list(
        Nomination.objects.filter(election=election)
        .select_related("person", "post")
        .prefetch_related("signatures")
    )
    counts: dict[int, int] = {}
    for n in noms:
        counts[n.person_id] = counts.get(n.person_id, 0) + 1
    out = []
    for post in _posts(election):
        mine = [n for n in noms if n.post_id == post.pk]
        order = nominee_order([Nominee(str(n.pk), n.person.name, n.nomination_votes) for n in mine])
        by_key = {str(n.pk): n for n in mine}
        out.append(
            {
                "post": post,
                "rows": [{"n": by_key[x.key], "several": counts[by_key[x.key].person_id] > 1} for x in order],
            }
        )
    return out


def find_voter(election: Election, text: str) -> Person:
    """A registered voter of the election by ID number or by name (a repeated name asks for the ID)."""
    text = (text or "").strip().replace(" ", "")
    if not text:
        raise CandidateError("请填写姓名或身份证号码。")
    regs = Person.objects.filter(
        registrations__election=election, registrations__status=VoterRegistration.REGISTERED
    )
    upper = text.upper()
    if len(upper) == 18 and upper[:17].isdigit():
        found = list(regs.filter(id_number=upper))
    else:
        found = list(regs.filter(Q(name=text)))
    if not found:
        raise CandidateError(f"“{text}”不是本村登记选民。")
    if len(found) > 1:
        raise CandidateError(f"本村有{len(found)}名登记选民叫“{text}”，请填写身份证号码。")
    return found[0]
