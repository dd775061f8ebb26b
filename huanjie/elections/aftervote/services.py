"""After the vote: submitting and locking the result (报送), unlocking by the township, the division
of work (分工) and 一肩挑, the handover (R41, P20), and the village status for the township and
county dashboards.

The result itself (``RoundResult.output``, the engine's decision, and the ``ElectedMember`` rows)
is written by the counting work; this module only reads it. Whether the result is complete is the
engine's answer: a pending tie re-vote (``tie_revote``), seats that must go to a further round
(``unfilled`` without ``may_remain_vacant``, R35) or an invalid election (R24, R25) block the
submission. Every write runs in one ``transaction.atomic()`` with its audit record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from huanjie.accounts import audit
from huanjie.core.access import TOWNSHIP, VILLAGE, in_scope
from huanjie.elections import kinds as kind_hooks
from huanjie.elections import services as election_services
from huanjie.elections.aftervote import locking, seal
from huanjie.elections.models import Election, Post, Round, StepRecord
from huanjie.elections.registration import services as registration
from huanjie.elections.voting.models import (
    CountingForm,
    ElectedMember,
    HandoverItem,
    ResultSubmission,
    RoundResult,
)
from huanjie.rules.dates import age_on
from huanjie.rules.statistics import Percent
from huanjie.rules.statistics import percent as statistics_percent

SUBMIT_ROLES = {VILLAGE}
UNLOCK_ROLES = {TOWNSHIP}  # the issue: "Only the township can unlock" — not the county, not the village
ASSIGN_ROLES = {VILLAGE, TOWNSHIP}
HANDOVER_ROLES = {VILLAGE, TOWNSHIP}
# Township congress delegates are elected by the township, not the village: not a village row.
# the congress's elections are the township's, not a village's: not on the villages' dashboards
DASHBOARD_EXCLUDED_KINDS = (Election.CONGRESS_DELEGATES, Election.TOWNSHIP_COMMITTEE, Election.DISCIPLINE_COMMISSION,
                            Election.TOWNSHIP_COMMITTEE_PLENARY, Election.DISCIPLINE_PLENARY,
                            Election.COUNTY_DELEGATES)
# Kinds that count against 应到会人数 (R51–R52) rather than registered voters.
ATTENDANCE_KINDS = (Election.PARTY_BRANCH, Election.PARTY_PLENARY)
DASHBOARD_KINDS = [(k, label) for k, label in Election.KIND_CHOICES if k not in DASHBOARD_EXCLUDED_KINDS]

REASON_ZH = {
    "turnout_not_over_half": "参加投票的选民未超过登记选民的半数",
    "returned_exceeds_issued": "收回的选票多于发出的选票",
    "quorum_not_met": "到会人数不足",
}


class AfterVoteError(election_services.ElectionError):
    """A refused action after the vote; ``str(exc)`` is the Chinese reason shown to the user. An
    :class:`ElectionError` like every refusal of the election machinery, so that a view catching
    ElectionError shows it instead of failing with a server error."""


def _require(actor, roles: set[str], what: str, election: Election) -> None:
    if getattr(actor, "role", None) not in roles:
        raise AfterVoteError(f"您的账号角色无权{what}。")
    if not in_scope(actor, election.organization.code):
        raise AfterVoteError("该村（社区）不在您的管辖范围内。")


# ---------------------------------------------------------------- is the result complete?


def last_round(election: Election) -> Round | None:
    return election.rounds.order_by("-number").first()


def _as_list(value) -> list[dict]:
    if not value:
        return []
    return value if isinstance(value, list) else [value]


def result_blockers(election: Election) -> list[str]:
    """Why the result cannot be submitted yet (empty when it can), from the engine's output of the
    last round and the elected members (a 当选无效 decision reopens its seat, R39)."""
    rnd = last_round(election)
    if rnd is None:
        return ["尚未建立投票轮次，没有选举结果。"]
    result = RoundResult.objects.filter(round=rnd).first()
    if result is None:
        return [f"第 {rnd.number} 轮投票尚未计票，没有选举结果。"]
    out = result.output or {}
    if not out.get("election_valid", False):
        reason = REASON_ZH.get(out.get("reason") or "", out.get("reason") or "未说明原因")
        return [f"第 {rnd.number} 轮投票无效（{reason}），须依法重新组织投票后再报送。"]
    problems = []
    for tie in _as_list(out.get("tie_revote")):
        names = "、".join(tie.get("candidates") or [])
        problems.append(f"{tie.get('post', '')}得票相等（{names}），须再次投票决定当选人（R29）。")
    may_remain = bool(out.get("may_remain_vacant"))
    if not may_remain:
        elected = dict(
            ElectedMember.objects.filter(election=election, status=ElectedMember.ELECTED)
            .values_list("post_id")
            .annotate(n=Count("id"))
        )
        for post in election.posts.all():
            missing = post.seats - elected.get(post.pk, 0)
            if missing > 0 and not any(post.name in p for p in problems):
                problems.append(f"{post.name}尚缺 {missing} 名，须另行选举（R31、R35）。")
    return problems + kind_hooks.result_blockers(election)


# ---------------------------------------------------------------- submit, unlock, relock


@transaction.atomic
def submit_result(actor, election: Election) -> ResultSubmission:
    """The village election committee submits the result to the township (报送); it locks.

    Submitting again after an unlock locks the result again (the same submission row)."""
    _require(actor, SUBMIT_ROLES, "报送选举结果（由村民选举委员会报送）", election)
    original = election
    election = Election.objects.select_for_update(no_key=True).get(pk=election.pk)
    submission = ResultSubmission.objects.filter(election=election).first()
    if submission is not None and submission.locked:
        raise AfterVoteError(
            f"{election.title}的选举结果已于 {timezone.localtime(submission.submitted_at):%Y-%m-%d %H:%M} 报送，无需重复报送。"
        )
    rnd = last_round(election)
    election_services.check_election_day_action(election, "报送选举结果", rnd, error=AfterVoteError)
    problems = result_blockers(election)
    if problems:
        raise AfterVoteError("选举结果尚不完整，不能报送：" + "；".join(problems))
    now = timezone.now()
    before_stage = election.stage
    if submission is None:
        submission = ResultSubmission.objects.create(
            election=election, submitted_at=now, submitted_by=actor, locked=True
        )
        action, changes = "result.submit", {"locked": [False, True], "submitted_at": [None, now]}
    else:
        changes = {"locked": [False, True], "submitted_at": [submission.submitted_at, now]}
        submission.submitted_at, submission.submitted_by, submission.locked = now, actor, True
        submission.save(update_fields=["submitted_at", "submitted_by", "locked"])
        action = "result.resubmit"
    election.stage = Election.SUBMITTED
    election.save(update_fields=["stage", "updated_at"])
    changes["stage"] = [before_stage, Election.SUBMITTED]
    _record_took_office(actor, election)
    # The seal: what the result was computed from, keyed, in the chain (checked by `audit verify`).
    changes["seal"] = [None, seal.compute(election)]
    audit.record(actor, action, election, changes=changes)
    original.submission, original.stage = submission, election.stage  # the caller's object is current
    return submission


@transaction.atomic
def unlock(actor, election: Election, reason: str) -> ResultSubmission:
    """The township unlocks a submitted result, with a reason; later changes are audited in full."""
    _require(actor, UNLOCK_ROLES, "解锁选举结果（只有乡镇换届办可以解锁）", election)
    reason = (reason or "").strip()
    if not reason:
        raise AfterVoteError("解锁原因：必须填写解锁原因。")
    if len(reason) > 300:
        raise AfterVoteError(f"解锁原因：不能超过 300 字（现有 {len(reason)} 字）。")
    submission = ResultSubmission.objects.select_for_update().filter(election=election).first()
    if submission is None:
        raise AfterVoteError(f"{election.title}的选举结果尚未报送，无需解锁。")
    if not submission.locked:
        raise AfterVoteError(f"{election.title}的选举结果已处于解锁状态。")
    now = timezone.now()
    submission.locked = False
    submission.unlocked_at, submission.unlocked_by, submission.unlock_reason = now, actor, reason
    submission.save(update_fields=["locked", "unlocked_at", "unlocked_by", "unlock_reason"])
    before_stage = election.stage
    election.stage = Election.COUNTED
    election.save(update_fields=["stage", "updated_at"])
    audit.record(
        actor,
        "result.unlock",
        election,
        changes={
            "locked": [True, False],
            "unlock_reason": [None, reason],
            "stage": [before_stage, Election.COUNTED],
        },
    )
    election.submission = submission
    return submission


def _record_took_office(actor, election: Election) -> None:
    """VCL Art. 20: the handover counts from the day the new committee is produced. When a further
    round completed it after the election day, that round's day is recorded (unless an office
    already recorded one), so the engine's calendar moves the handover deadline (R41)."""
    rnd = last_round(election)
    if rnd is None or rnd.held_on is None or rnd.held_on <= election.election_date:
        return
    if StepRecord.objects.filter(election=election, key="took_office").exists():
        return
    if rnd.held_on <= timezone.localdate():
        election_services.record_after_result_step(
            actor, election, "took_office", rnd.held_on, f"第 {rnd.number} 轮投票选齐"
        )


# ---------------------------------------------------------------- 分工 and 一肩挑


NO_PARTY_RESULT = object()


def party_secretaries(campaign_ids, organization_ids) -> dict[int, int | None]:
    """``{village id: person id}`` of the 书记 elected by each village's party plenary in the
    campaigns (one query); a village whose plenary has not elected one is absent."""
    return dict(
        ElectedMember.objects.filter(
            election__campaign_id__in=set(campaign_ids), election__organization_id__in=set(organization_ids),
            election__kind=Election.PARTY_PLENARY, post__code="secretary", status=ElectedMember.ELECTED,
        ).values_list("election__organization_id", "person_id")
    )


def computed_party_secretary(election: Election, members=None):
    """一肩挑 from the two results: the id of the elected 主任 of this committee election who is the
    person the village's party plenary elected 书记, None when the 书记 was not elected 主任, or
    ``NO_PARTY_RESULT`` when the party's result is not in the system (then the office marks it)."""
    if election.kind not in COMMITTEE_KINDS:
        return NO_PARTY_RESULT
    found = party_secretaries([election.campaign_id], [election.organization_id])
    if election.organization_id not in found:
        return NO_PARTY_RESULT
    person = found[election.organization_id]
    if members is None:
        members = ElectedMember.objects.filter(election=election, status=ElectedMember.ELECTED).select_related("post")
    return next((m.pk for m in members if m.post.code == Post.DIRECTOR and person is not None
                 and m.person_id == person), None)


def yijiantiao_of(election: Election) -> int | None:
    """The id of the elected member who is 一肩挑: from the two results where the party plenary's is
    in the system, else the office's mark (pages and the archive show this, not the stored mark,
    which may predate the party's result)."""
    members = list(ElectedMember.objects.filter(election=election, status=ElectedMember.ELECTED).select_related("post"))
    computed = computed_party_secretary(election, members)
    if computed is not NO_PARTY_RESULT:
        return computed
    return next((m.pk for m in members if m.is_party_secretary), None)


@transaction.atomic
def assign_posts(actor, election: Election, assignments: dict, party_secretary=None,
                 extra_posts: dict | None = None) -> list[ElectedMember]:
    """Record the division of work (分工) of the elected members, ``{member or id: text}``, and
    which member is also the village Party secretary (一肩挑: the secretary elected 主任).

    ``party_secretary``: the member (or id) who is the Party secretary, or None for nobody.
    ``extra_posts``: ``{member or id: [codes of ElectedMember.SUPPORTING_POSTS]}`` — the
    supporting organisations' posts (seed 004 §二(二)4, §二(三)5) each member also holds; each post
    is held by one person in the village (across its elections of the campaign). Members not in
    the mapping keep theirs; None leaves all unchanged."""
    _require(actor, ASSIGN_ROLES, "登记委员会分工", election)
    members = {
        m.pk: m
        for m in ElectedMember.objects.select_for_update()
        .filter(election=election, status=ElectedMember.ELECTED)
        .select_related("post")
    }
    secretary_id = getattr(party_secretary, "pk", party_secretary)
    computed = computed_party_secretary(election, members.values())
    if computed is not NO_PARTY_RESULT:
        # 一肩挑 follows from the two results once the party plenary's is in the system: it is
        # shown, never ticked by hand (a different choice would contradict the party's result).
        if secretary_id is not None and (int(secretary_id) if str(secretary_id).strip() else None) != computed:
            raise AfterVoteError(
                "一肩挑由两项选举结果确定（村党组织委员会全体会议选出的书记当选村民委员会主任），不能手工标记。"
            )
        secretary_id = computed
    elif secretary_id is not None:
        secretary_id = int(secretary_id)
        if secretary_id not in members:
            raise AfterVoteError("一肩挑：所选人员不是本届当选的村民委员会成员。")
        post = members[secretary_id].post
        if post.code != Post.DIRECTOR:
            raise AfterVoteError(
                f"一肩挑：{members[secretary_id].name}当选的是{post.name}，"
                "一肩挑指村党组织书记当选村民委员会主任。"
            )
    wanted: dict[int, str] = {}
    for key, text in assignments.items():
        pk = int(getattr(key, "pk", key))
        if pk not in members:
            raise AfterVoteError("分工：所选人员不是本届当选的村民委员会成员。")
        wanted[pk] = (text or "").strip()
        if len(wanted[pk]) > 40:
            raise AfterVoteError(f"分工：{members[pk].name}的分工不能超过 40 字。")
    extras = _check_extra_posts(election, members, extra_posts or {})
    changed = []
    for pk, m in members.items():
        new_text = wanted.get(pk, m.assigned_post)
        new_secretary = pk == secretary_id
        new_extra = extras.get(pk, m.extra_posts)
        changes = {}
        if new_text != m.assigned_post:
            changes["assigned_post"] = [m.assigned_post, new_text]
        if new_secretary != m.is_party_secretary:
            changes["is_party_secretary"] = [m.is_party_secretary, new_secretary]
        if new_extra != m.extra_posts:
            names = dict(ElectedMember.SUPPORTING_POSTS)
            changes["extra_posts"] = ["、".join(names[c] for c in m.extra_post_codes if c in names),
                                      "、".join(names[c] for c in new_extra.split(",") if c)]
        if changes:
            m.assigned_post, m.is_party_secretary, m.extra_posts = new_text, new_secretary, new_extra
            m.save(update_fields=["assigned_post", "is_party_secretary", "extra_posts"])
            audit.record(
                actor,
                "result.assign_post",
                m,
                changes=changes,
                region_code=election.organization.code,
                object_repr=f"{election.title}：{m.post.name}{m.name}",
            )
            changed.append(m)
    return changed


def _village_holders(election: Election, exclude_election: bool = True):
    """The elected members of the village's other elections of the campaign who hold supporting posts."""
    qs = ElectedMember.objects.filter(
        election__campaign=election.campaign, election__organization=election.organization,
        status=ElectedMember.ELECTED).exclude(extra_posts="").select_related("post", "election")
    return qs.exclude(election=election) if exclude_election else qs


def _check_extra_posts(election: Election, members: dict[int, ElectedMember], wanted: dict) -> dict[int, str]:
    """``{member id: "code,code"}`` for the members in ``wanted``; refuses unknown posts and a post
    given to two people of the village."""
    names = dict(ElectedMember.SUPPORTING_POSTS)
    order = [c for c, _ in ElectedMember.SUPPORTING_POSTS]
    out: dict[int, str] = {}
    for key, codes in wanted.items():
        pk = int(getattr(key, "pk", key))
        if pk not in members:
            raise AfterVoteError("配套组织职务：所选人员不是本届当选的成员。")
        codes = list(dict.fromkeys(c for c in (codes or []) if c))
        bad = [c for c in codes if c not in names]
        if bad:
            raise AfterVoteError(f"配套组织职务：“{bad[0]}”不是可登记的职务（{'、'.join(names.values())}）。")
        out[pk] = ",".join(sorted(codes, key=order.index))
    held: dict[str, tuple[int | None, str]] = {}
    for m in _village_holders(election):
        for c in m.extra_post_codes:
            held.setdefault(c, (m.person_id, f"{m.election.title}的{m.name}"))
    mine: dict[str, ElectedMember] = {}
    for pk, m in members.items():
        for c in (out[pk] if pk in out else m.extra_posts).split(","):
            if not c:
                continue
            if c in mine and mine[c].person_id != m.person_id:
                raise AfterVoteError(f"配套组织职务：{names[c]}只能由一人担任，{mine[c].name}和{m.name}都登记了。")
            mine[c] = m
            other = held.get(c)
            if other is not None and (other[0] is None or other[0] != m.person_id):
                raise AfterVoteError(f"配套组织职务：{names[c]}已由{other[1]}担任（本村每项职务一人）。")
    return out


def supporting_posts(election: Election) -> dict:
    """The village's supporting posts across its elections: who holds each, which are not filled,
    and the warnings of seed 004 §二(二)4 ("原则上由'两委'中的女性成员兼任妇联主席", "提倡'两委'中
    年轻干部兼任团组织负责人": the campaign's young-member age, P11)."""
    names = dict(ElectedMember.SUPPORTING_POSTS)
    young = election.campaign.effective_policy()["young_member_age_max"]
    holders: dict[str, ElectedMember] = {}
    for m in _village_holders(election, exclude_election=False).select_related("person"):
        for c in m.extra_post_codes:
            holders.setdefault(c, m)
    warnings = []
    for c, m in holders.items():
        person = m.person
        if c in ("women_federation", "women_director") and person is not None and person.gender != "F":
            warnings.append(f"{names[c]}由男性成员{m.name}担任（原则上由“两委”中的女性成员兼任）。")
        if c == "youth_league" and person is not None:
            age = age_on(person.birth_date, election.election_date)
            if age > young:
                warnings.append(f"团组织负责人{m.name}{age}岁，超过{young}岁（提倡“两委”中年轻干部兼任）。")
    return {
        "rows": [(c, label, holders.get(c)) for c, label in ElectedMember.SUPPORTING_POSTS],
        "missing": [label for c, label in ElectedMember.SUPPORTING_POSTS if c not in holders],
        "warnings": warnings,
    }


# ---------------------------------------------------------------- handover (R41, P20)


@dataclass
class HandoverStatus:
    took_office: dt.date | None
    deadline: dt.date | None  # the engine's calendar: took_office + calendar.handover_days (R41)
    items: list[dict] = field(default_factory=list)  # one per kind: kind, label, item (or None)
    done_on: dt.date | None = None
    status: str = "due"  # done / due / overdue / late

    @property
    def complete(self) -> bool:
        return self.done_on is not None

    @property
    def status_label(self) -> str:
        return {"done": "已完成", "due": "待办", "overdue": "已逾期", "late": "完成但超过期限"}[self.status]


def handover_step(election: Election):
    """The engine's handover step of the election calendar (R41), or None."""
    cal = election_services.calendar_for(election)
    return next((s for s in cal.steps if s.key == "handover"), None)


def handover_status(election: Election, today: dt.date | None = None) -> HandoverStatus:
    today = today or timezone.localdate()
    step = handover_step(election)
    # prefetched by the county's overview (one query for every village), else this election's own
    prefetched = getattr(election, "_prefetched_objects_cache", {}).get("handover")
    items = {i.kind: i for i in (prefetched if prefetched is not None else HandoverItem.objects.filter(election=election))}
    rows = [{"kind": k, "label": label, "item": items.get(k)} for k, label in HandoverItem.KIND_CHOICES]
    done = all(r["item"] is not None and r["item"].signed for r in rows)
    done_on = max(r["item"].handed_over_on for r in rows) if done else None
    deadline = step.latest_date if step else None
    if done_on is not None:
        status = "late" if deadline is not None and done_on > deadline else "done"
    else:
        status = "overdue" if deadline is not None and today > deadline else "due"
    return HandoverStatus(
        took_office=step.earliest_date if step else None,
        deadline=deadline,
        items=rows,
        done_on=done_on,
        status=status,
    )


HANDOVER_FIELDS = ("description", "handed_over_on", "handed_by", "received_by", "supervised_by", "signed")


@transaction.atomic
def save_handover(actor, election: Election, kind: str, data: dict) -> HandoverItem:
    """Record the handover of seals, files or 三资 with its date and signatures (R41, P20).

    When all three are signed, the calendar's handover step is recorded as done on the last date,
    so the election timeline shows it (on time or late against the engine's 10-day deadline)."""
    _require(actor, HANDOVER_ROLES, "登记工作移交", election)
    labels = dict(HandoverItem.KIND_CHOICES)
    if kind not in labels:
        raise AfterVoteError(f"移交事项：未知的事项“{kind}”。")
    label = labels[kind]
    clean = {f: data.get(f) for f in HANDOVER_FIELDS if f in data}
    for f in ("description", "handed_by", "received_by", "supervised_by"):
        if f in clean:
            clean[f] = (clean[f] or "").strip()
    day = clean.get("handed_over_on")
    if day is not None and not isinstance(day, dt.date):
        raise AfterVoteError(f"{label}：移交日期无效。")
    step = handover_step(election)
    late_reason = str(data.get("late_reason") or "").strip()[:200]
    if day is not None:
        # The handover happens after the vote: on the election day (the vote counted that day) or
        # later, not before the new committee's recorded day; late is allowed with a reason (R41).
        election_services.check_dated_fact(
            election,
            f"{label}移交日期",
            day,
            after=[("新一届委员会产生之日", step.earliest_date if step is not None else None)],
            election_day_fact=True,
            election_day=election.election_date,
            deadline=step.latest_date if step is not None else None,
            late_allowed=True,
            explanation=late_reason,
            error=AfterVoteError,
        )
    item = HandoverItem.objects.select_for_update().filter(election=election, kind=kind).first()
    before = {f: getattr(item, f) for f in HANDOVER_FIELDS} if item else {}
    merged = {**before, **clean}
    if merged.get("signed"):
        missing = [
            name
            for f, name in (
                ("handed_over_on", "移交日期"),
                ("handed_by", "移交人"),
                ("received_by", "接收人"),
            )
            if not merged.get(f)
        ]
        if missing:
            raise AfterVoteError(f"{label}：已签字的移交必须填写{'、'.join(missing)}。")
    if item is None:
        item = HandoverItem(election=election, kind=kind)
    for f, v in clean.items():
        setattr(item, f, v)
    item.save()
    after = {f: getattr(item, f) for f in HANDOVER_FIELDS}
    changes = audit.diff(before, after)
    if late_reason:
        changes["late_reason"] = [None, late_reason]
    audit.record(
        actor,
        "handover.save",
        item,
        changes=changes,
        region_code=election.organization.code,
        object_repr=f"{election.title}：移交{label}",
    )
    status = handover_status(election)
    if status.done_on is not None:
        existing = StepRecord.objects.filter(election=election, key="handover").first()
        if existing is None or existing.done_on != status.done_on:
            election_services.record_after_result_step(
                actor,
                election,
                "handover",
                status.done_on,
                "三项移交均已签字" + (f"；逾期原因：{late_reason}" if late_reason else ""),
            )
    return item


# ---------------------------------------------------------------- counted forms and turnout


def counted_forms(round_ids) -> list[CountingForm]:
    """The form that counts for each station of each round: the accepted one, else the first entry
    that is not a draft (with double entry both clerks' forms exist until they agree)."""
    forms = (
        CountingForm.objects.filter(round_id__in=list(round_ids))
        .exclude(status=CountingForm.DRAFT)
        .order_by("round_id", "station_id", "entry")
    )
    chosen: dict[tuple[int, int], CountingForm] = {}
    for f in forms:
        key = (f.round_id, f.station_id)
        if key not in chosen or (
            f.status == CountingForm.ACCEPTED and chosen[key].status != CountingForm.ACCEPTED
        ):
            chosen[key] = f
    return list(chosen.values())


def percent(part: int, whole: int) -> Percent | None:
    """part/whole as the statistics' one rounding rule prints it (huanjie/rules/statistics.py:
    half up at two decimals, "64.71%"), None without a base; every page and document shows the
    same figure for the same counts."""
    if not whole:
        return None
    return statistics_percent(part, whole)


def _first_round_totals(election_ids) -> dict[int, dict]:
    """Ballots issued and returned in the first round per election, from the counting forms (one
    query; entry 1 or the accepted entry per station)."""
    rows = (
        CountingForm.objects.filter(round__election_id__in=election_ids, round__number=1)
        .exclude(status=CountingForm.DRAFT)
        .filter(Q(entry=1) | Q(status=CountingForm.ACCEPTED))
        .values("round__election_id", "station_id", "entry", "status", "ballots_issued", "ballots_returned")
        .order_by("round__election_id", "station_id", "entry")
    )
    per_station: dict[tuple[int, int], dict] = {}
    for r in rows:
        key = (r["round__election_id"], r["station_id"])
        if key not in per_station or r["status"] == CountingForm.ACCEPTED:
            per_station[key] = r
    out: dict[int, dict] = {}
    for (eid, _), r in per_station.items():
        d = out.setdefault(eid, {"issued": 0, "returned": 0, "stations": 0})
        d["issued"] += r["ballots_issued"]
        d["returned"] += r["ballots_returned"]
        d["stations"] += 1
    return out


# ---------------------------------------------------------------- dashboards


COMMITTEE_KINDS = (Election.VILLAGE_COMMITTEE, Election.RESIDENTS_COMMITTEE)


def dashboard_elections(campaign, scope_prefix: str, q: str = "", township_code: str = "", kinds=COMMITTEE_KINDS):
    """The elections of the campaign in scope; by default one per village (the villagers' or
    residents' committee), or the ``kinds`` asked for (the dashboards show the party kinds too)."""
    qs = (
        Election.objects.filter(kind__in=list(kinds))
        .exclude(kind__in=DASHBOARD_EXCLUDED_KINDS)
        .select_related("organization__parent", "campaign")
        .order_by("organization__code", "kind")
    )
    return kind_hooks.dashboard_filter(qs, campaign, scope_prefix, q, township_code)


def village_rows(elections: list[Election]) -> list[dict]:
    """Status, turnout and results of each village, with a fixed number of queries for any count."""
    ids = [e.pk for e in elections]
    submissions = {s.election_id: s for s in ResultSubmission.objects.filter(election_id__in=ids)}
    registered = {pk: c["total"] for pk, c in registration.village_counts(elections).items()}
    ballots = _first_round_totals(ids)
    elected: dict[int, list] = {}
    for m in (
        ElectedMember.objects.filter(election_id__in=ids, status=ElectedMember.ELECTED)
        .select_related("post")
        .values(
            "election_id", "post__name", "post__code", "post__rank", "name", "votes", "person_id",
            "person__gender", "person__birth_date", "is_party_secretary"
        )
        .order_by("election_id", "post__rank", "-votes")
    ):
        elected.setdefault(m["election_id"], []).append(m)
    # Party assemblies: 应到/实到 and the quorum from the first round's count (R51–R52).
    attendance = {
        eid: out.get("input", {}) | {"quorum_met": out.get("quorum_met")}
        for eid, out in RoundResult.objects.filter(
            round__election_id__in=[e.pk for e in elections if e.kind in ATTENDANCE_KINDS], round__number=1
        ).values_list("round__election_id", "output")
    }
    # 一肩挑 from the two results: the person the party plenary elected 书记 was elected 主任.
    secretaries = party_secretaries({e.campaign_id for e in elections}, {e.organization_id for e in elections})
    counted = set(
        RoundResult.objects.filter(round__election_id__in=ids).values_list("round__election_id", flat=True)
    )
    rows = []
    for e in elections:
        members = elected.get(e.pk, [])
        by_post: dict[str, list[str]] = {}
        for m in members:
            by_post.setdefault(m["post__name"], []).append(m["name"])
        sub = submissions.get(e.pk)
        reg = registered.get(e.pk, 0)
        b = ballots.get(e.pk, {"issued": 0, "returned": 0, "stations": 0})
        att = attendance.get(e.pk) if e.kind in ATTENDANCE_KINDS else None
        if att is not None:  # a party assembly's participation is 实到 over 应到
            reg = att.get("expected_attendance") or len(att.get("committee_members") or ())
        secretary = secretaries.get(e.organization_id)
        computed = secretary is not None and any(
            m["post__code"] == Post.DIRECTOR and m["person_id"] == secretary for m in members
        )
        rows.append(
            {
                "election": e,
                "kind": e.get_kind_display(),
                "quorum_met": att.get("quorum_met") if att else None,
                "young": sum(
                    1 for m in members if m["person__birth_date"] and age_on(m["person__birth_date"], e.election_date) <= 35
                ),
                "village": e.organization,
                "township": e.organization.parent,
                "stage": e.get_stage_display(),
                "submitted": sub is not None,
                "locked": bool(sub and sub.locked),
                "reopened": bool(sub and not sub.locked),
                "registered": reg,
                "issued": b["issued"],
                "returned": b["returned"],
                "stations": b["stations"],
                "turnout": percent(b["returned"], reg),
                "elected_by_post": list(by_post.items()),
                "elected_count": len(members),
                "women": sum(1 for m in members if m["person__gender"] == "F"),
                # computed when the party plenary's result is in the system, else the office's mark
                "yijiantiao": computed if secretary is not None else any(m["is_party_secretary"] for m in members),
                "counted": e.pk in counted,
            }
        )
    return rows


def dashboard_totals(rows: list[dict]) -> dict:
    t = {
        "villages": len(rows),
        "counted": sum(1 for r in rows if r["counted"]),
        "submitted": sum(1 for r in rows if r["locked"]),
        "reopened": sum(1 for r in rows if r["reopened"]),
        # Turnout is over the villages that have voted: the others have no ballots yet. Party
        # assemblies count against 应到会人数, not voters: they have their own quorum column.
        "registered": sum(r["registered"] for r in rows if r["counted"] and r["quorum_met"] is None),
        "returned": sum(r["returned"] for r in rows if r["counted"] and r["quorum_met"] is None),
        "elected": sum(r["elected_count"] for r in rows),
        "women": sum(r["women"] for r in rows),
        "young": sum(r["young"] for r in rows),
        "yijiantiao": sum(1 for r in rows if r["yijiantiao"]),
    }
    t["turnout"] = percent(t["returned"], t["registered"])
    t["women_percent"] = percent(t["women"], t["elected"])
    return t


def turnout_chart(rows: list[dict]) -> dict:
    return {
        "categories": [r["village"].name for r in rows],
        "series": [{"name": "参选率（%）", "data": [float(r["turnout"].value) if r["turnout"] else 0 for r in rows]}],
    }


def elected_summary(election: Election) -> list[ElectedMember]:
    return list(
        ElectedMember.objects.filter(election=election)
        .select_related("post", "person", "round")
        .order_by("post__rank", "status", "-votes", "id")
    )


def can_submit(user, election: Election) -> bool:
    return getattr(user, "role", None) in SUBMIT_ROLES and not locking.is_locked(election)


def can_unlock(user, election: Election) -> bool:
    return getattr(user, "role", None) in UNLOCK_ROLES and locking.is_locked(election)


__all__ = [
    "AfterVoteError",
    "HandoverStatus",
    "assign_posts",
    "computed_party_secretary",
    "counted_forms",
    "dashboard_elections",
    "dashboard_totals",
    "handover_status",
    "party_secretaries",
    "percent",
    "result_blockers",
    "save_handover",
    "submit_result",
    "turnout_chart",
    "unlock",
    "village_rows",
    "yijiantiao_of",
]
