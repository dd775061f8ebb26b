"""Writes and decisions of the 村务监督委员会's choice (seed 004 §二(二)3).

The election is created through :func:`huanjie.elections.services.create_election` with the kind
``village_supervision``: its posts, round, stations, counting form, result, lock and documents are
the elections app's. What is decided here is asked of the engine: the meeting's quorum (R71 for a
村民会议, R38 for a 村民代表会议) and who may not sit on the committee (P6: members of the new
villagers' committee and their near relatives, the accountant, the clerk, the head of the
collective economic organization, anyone appointed from outside). The P6 check runs when a
candidate is proposed, again before the list is put to the meeting, and again on the result.
Every write runs in one transaction with its audit record.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from huanjie.accounts import audit
from huanjie.campaigns.models import Campaign
from huanjie.core.access import COUNTY, TOWNSHIP, VILLAGE, in_scope
from huanjie.elections import services as elections
from huanjie.elections.aftervote import locking
from huanjie.elections.models import Candidate, ElectedMember, Election
from huanjie.people.models import Person, Region, Relation
from huanjie.rules import EngineError
from huanjie.rules.counting import SUPERVISION_SIZE
from huanjie.rules.dates import is_of_age
from huanjie.rules.people import Relation as EngineRelation
from huanjie.rules.policy import PolicyCandidate, candidate_policy_decisions, get_policy
from huanjie.rules.recall import MEETING_BODIES, Meeting, meeting_quorum
from huanjie.supervision.models import Nominee, Supervision

WORK_ROLES = {COUNTY, TOWNSHIP, VILLAGE}
SETUP_ROLES = {COUNTY, TOWNSHIP}
DIRECTOR, MEMBER = "supervision_director", "supervision_member"
# Post code → (label, rank). The labels are what ballots, results and certificates print.
POSTS = {DIRECTOR: ("主任", 1), MEMBER: ("委员", 3)}
SIZE = SUPERVISION_SIZE  # the rule lives in the engine


class SupervisionError(Exception):
    """A refused action; ``str(exc)`` is the Chinese reason, naming the field where there is one;
    ``fields`` maps a form field to its own reason (shown beside the field)."""

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.fields = fields or {}


def _require(actor, roles: set[str], what: str, code: str) -> None:
    if getattr(actor, "role", None) not in roles:
        raise SupervisionError(f"您的账号不能{what}。")
    if not in_scope(actor, code):
        raise SupervisionError("对象不在您的管辖范围内。")


def supervision_of(election: Election) -> Supervision | None:
    if election.kind != Election.VILLAGE_SUPERVISION:
        return None
    return Supervision.objects.filter(election=election).select_related("election__organization__parent").first()


def _count(value, field: str, *, required: bool = True) -> int | None:
    """A head count typed in a form: a non-negative whole number, or a refusal naming the field."""
    if value in (None, ""):
        if required:
            raise SupervisionError(f"「{field}」：请填写人数。")
        return None
    if isinstance(value, bool):
        raise SupervisionError(f"「{field}」：应为不小于 0 的整数。")
    if isinstance(value, int):
        n = value
    else:
        text = str(value).strip()
        if not text.isdecimal():
            raise SupervisionError(f"「{field}」：应为不小于 0 的整数，收到“{text}”。")
        n = int(text)
    if n < 0:
        raise SupervisionError(f"「{field}」：应为不小于 0 的整数。")
    return n


# ---------------------------------------------------------------- creating the election


@transaction.atomic
def create_supervision(actor, campaign: Campaign, village: Region, meeting_date: dt.date, *, body: str,
                       size: int, method: str = Supervision.BALLOT) -> Supervision:
    """The township (or county) sets up the choice of a village's supervision committee: the meeting
    that chooses (村民会议 or 村民代表会议), its day, the committee's size (3–5: a 主任 and the
    委员) and how it votes."""
    _require(actor, SETUP_ROLES, "建立村务监督委员会推选（由乡镇或县换届办建立）", village.code)
    problems = {}
    if body not in dict(Supervision.BODY_CHOICES):
        problems["body"] = "「推选会议」：请选择村民会议或村民代表会议"
    if type(size) is not int or not SIZE[0] <= size <= SIZE[1]:
        problems["size"] = f"「成员人数」：村务监督委员会由 {SIZE[0]} 至 {SIZE[1]} 人组成，收到“{size}”"
    if method not in dict(Supervision.METHOD_CHOICES):
        problems["method"] = "「表决方式」：请选择无记名投票或举手表决"
    if problems:
        raise SupervisionError("；".join(problems.values()) + "。", fields=problems)
    try:
        election = elections.create_election(
            actor, campaign, village, meeting_date, [(DIRECTOR, 1), (MEMBER, size - 1)],
            kind=Election.VILLAGE_SUPERVISION,
        )
    except elections.ElectionError as exc:
        raise SupervisionError(str(exc)) from None
    sv = Supervision.objects.create(election=election, body=body, method=method)
    audit.record(actor, "supervision.create", sv, object_repr=election.title,
                 changes={"body": [None, sv.get_body_display()], "size": [None, size],
                          "method": [None, sv.get_method_display()]})
    return sv


# ---------------------------------------------------------------- the meeting and its quorum


def meeting_of(sv: Supervision) -> Meeting | None:
    if sv.members is None or sv.present is None:
        return None
    return Meeting(sv.body, sv.members, sv.present, sv.households, sv.households_present)


def quorum(sv: Supervision) -> dict | None:
    """The engine's answer for the meeting as recorded (R71 or R38), with the arithmetic; None
    until the attendance is recorded."""
    meeting = meeting_of(sv)
    return meeting_quorum(meeting) if meeting else None


@transaction.atomic
@locking.guarded
def record_meeting(actor, sv: Supervision, *, members, present, households=None, households_present=None,
                   method: str | None = None) -> Supervision:
    """The meeting's attendance as counted on the day (and the voting method it decided). Refused,
    saving nothing, when a figure is missing or impossible; a quorum that is not met is recorded
    (it is a fact) and then keeps the ballots from being counted."""
    election = sv.election
    _require(actor, WORK_ROLES, "登记推选会议到会情况", election.organization.code)
    who = "本村十八周岁以上村民人数" if sv.body == Supervision.VILLAGERS_MEETING else "村民代表会议组成人员数"
    members = _count(members, who)
    present = _count(present, "到会人数")
    households = _count(households, "本村户数", required=False)
    households_present = _count(households_present, "到会户代表数", required=False)
    if sv.body == Supervision.REPRESENTATIVES_MEETING and (households is not None or households_present is not None):
        raise SupervisionError("「本村户数」「到会户代表数」只用于村民会议按户计算到会，村民代表会议不填。")
    if (households is None) != (households_present is None):
        raise SupervisionError("「本村户数」「到会户代表数」：按户计算时两项都要填写。")
    if members == 0:
        raise SupervisionError(f"「{who}」：应大于 0。")
    if method is not None and method not in dict(Supervision.METHOD_CHOICES):
        raise SupervisionError("「表决方式」：请选择无记名投票或举手表决。")
    meeting = Meeting(sv.body, members, present, households, households_present)
    try:
        meeting_quorum(meeting)
    except EngineError as exc:
        field = {"present": "到会人数", "households_present": "到会户代表数", "households": "本村户数"}.get(
            exc.path.rsplit(".", 1)[-1], "到会人数")
        raise SupervisionError(f"「{field}」：{exc.message}。") from None
    before = {"members": sv.members, "present": sv.present, "households": sv.households,
              "households_present": sv.households_present, "method": sv.method}
    sv.members, sv.present, sv.households, sv.households_present = members, present, households, households_present
    if method is not None:
        sv.method = method
    sv.save()
    after = {"members": sv.members, "present": sv.present, "households": sv.households,
             "households_present": sv.households_present, "method": sv.method}
    audit.record(actor, "supervision.meeting", sv, object_repr=f"{election.title}：到会情况",
                 changes={k: [before[k], after[k]] for k in after if before[k] != after[k]})
    return sv


# ---------------------------------------------------------------- who may not sit (P6)


def discipline_member(election: Election) -> Person | None:
    """The party organization's 纪检委员 (or 纪委书记) elected in this campaign's party election of
    the village, if any: by default the committee's 主任 (seed 004)."""
    m = (
        ElectedMember.objects.filter(
            election__campaign=election.campaign, election__organization=election.organization,
            election__kind=Election.PARTY_PLENARY, post__code="discipline_member", status=ElectedMember.ELECTED,
        ).select_related("person").first()
    )
    return m.person if m and m.person_id else None


def villagers_committee(election: Election) -> tuple[list[Person], str]:
    """The new villagers' committee of the same campaign and village: its elected members once
    the result is in, else its active candidates (the people who may become members)."""
    vc = Election.objects.filter(
        campaign=election.campaign, organization=election.organization,
        kind__in=[Election.VILLAGE_COMMITTEE, Election.RESIDENTS_COMMITTEE],
    ).first()
    if vc is None:
        return [], "none"
    elected = [m.person for m in ElectedMember.objects.filter(election=vc, status=ElectedMember.ELECTED)
               .select_related("person") if m.person_id]
    if elected:
        return elected, "elected"
    cands = [c.person for c in Candidate.objects.filter(election=vc, status=Candidate.ACTIVE).select_related("person")]
    return cands, "candidates"


def check_people(election: Election, people: list[tuple[Person, str, list[str]]]) -> dict[int, list[str]]:
    """P6 through the engine for (person, post label, roles) → {person id: Chinese reasons}.

    Only the P6 findings are taken: the other checks of ``candidate_policy_decisions`` (ages,
    relatives among the candidates, P1–P5) are for the 两委, not for this committee."""
    if not people:
        return {}
    committee, _state = villagers_committee(election)
    ids = {p.pk for p, _post, _roles in people} | {p.pk for p in committee}
    names = {p.pk: p.name for p in Person.objects.filter(pk__in=ids)}
    rels = Relation.objects.filter(Q(elder_id__in=ids) & Q(younger_id__in=ids))
    relations = [EngineRelation(names[r.elder_id], names[r.younger_id], r.engine_name) for r in rels]
    committee_ids = {p.pk for p in committee}
    candidates = [
        PolicyCandidate(
            p.name, f"监委会{post}", gender=p.gender or None, birth_date=p.birth_date, id=p.id_number or None,
            roles=tuple(roles) + (("villagers_committee",) if p.pk in committee_ids else ()), body="supervision",
        )
        for p, post, roles in people
    ]
    decisions = candidate_policy_decisions(
        candidates, election.campaign.cutoff_date, get_policy(election.campaign.policy or {}),
        relations=relations, villagers_committee_members=[p.name for p in committee],
    )
    return {
        p.pk: [r["reason"] for r in d.refusals + d.warnings if r["code"].startswith("P6")]
        for (p, _post, _roles), d in zip(people, decisions, strict=True)
    }


def nominees(sv: Supervision) -> list[Nominee]:
    return list(Nominee.objects.filter(candidate__election=sv.election).select_related("candidate__person",
                                                                                        "candidate__post"))


def _is_villager(person: Person, village: Region) -> bool:
    return person.hukou_village_id == village.pk or person.residence_village_id == village.pk


@transaction.atomic
@locking.guarded
def add_candidate(actor, sv: Supervision, person: Person, post_code: str, *, roles: list[str] | tuple = (),
                  accounting: bool = False, on: dt.date | None = None) -> Nominee:
    """Put a villager forward for the committee. The P6 check runs at once: a person who may not
    sit is recorded as refused with the reasons (the list shows them) and is not on the ballot."""
    election = sv.election
    election.refresh_from_db(fields=["stage"])  # the stage as it is now, under the lock guard
    _require(actor, WORK_ROLES, "提出村务监督委员会成员候选人", election.organization.code)
    if election.stage in (Election.VOTING, Election.COUNTED, Election.SUBMITTED):
        raise SupervisionError("名单已提交会议表决，不能再增加候选人。")
    if post_code not in POSTS:
        raise SupervisionError("「职务」：请选择主任或委员。")
    bad_roles = [r for r in roles if r not in dict(Nominee.ROLE_CHOICES)]
    if bad_roles:
        raise SupervisionError(f"「现任职务」：无法识别“{'、'.join(bad_roles)}”。")
    elections.require_visible_person(actor, person, error=SupervisionError)
    if not _is_villager(person, election.organization):
        raise SupervisionError(f"「姓名」：{person.name}户籍和居住地都不在{election.organization.name}，"
                               "村务监督委员会成员从本村村民中推选。")
    if person.birth_date and not is_of_age(person.birth_date, election.election_date):
        raise SupervisionError(f"「姓名」：{person.name}（出生日期 {person.birth_date.isoformat()}）在推选会议日 "
                               f"{election.election_date.isoformat()} 未满十八周岁，不能推选为村务监督委员会成员。")
    if Candidate.objects.filter(election=election, person=person).exists():
        raise SupervisionError(f"「姓名」：{person.name}已在候选人名单中。")
    post = election.posts.get(code=post_code)
    order = Candidate.objects.filter(election=election).count() + 1
    reasons = check_people(election, [(person, POSTS[post_code][0], list(roles))])[person.pk]
    cand = Candidate.objects.create(
        election=election, post=post, person=person, list_order=order,
        status=Candidate.DISQUALIFIED if reasons else Candidate.ACTIVE,
    )
    nominee = Nominee.objects.create(candidate=cand, roles=list(roles), accounting=bool(accounting),
                                     refusals=reasons, checked_on=on or election.election_date)
    audit.record(actor, "supervision.candidate_refused" if reasons else "supervision.candidate_add", nominee,
                 object_repr=f"{election.title}候选人：{person.name}（{post.name}）",
                 changes={"roles": [None, nominee.role_labels], "accounting": [None, nominee.accounting],
                          "refusals": [None, reasons]})
    return nominee


@transaction.atomic
@locking.guarded
def withdraw_candidate(actor, nominee: Nominee) -> Nominee:
    """Take a proposed candidate off the list before the meeting votes (kept on record)."""
    cand = nominee.candidate
    election = cand.election
    election.refresh_from_db(fields=["stage"])
    _require(actor, WORK_ROLES, "调整候选人名单", election.organization.code)
    if election.stage in (Election.VOTING, Election.COUNTED, Election.SUBMITTED):
        raise SupervisionError("名单已提交会议表决，不能再调整。")
    if cand.status == Candidate.WITHDRAWN:
        raise SupervisionError(f"{cand.person.name}已不在名单中。")
    before = cand.status
    cand.status = Candidate.WITHDRAWN
    cand.save(update_fields=["status"])
    audit.record(actor, "supervision.candidate_withdraw", nominee, object_repr=f"{election.title}候选人：{cand.person.name}",
                 changes={"status": [before, Candidate.WITHDRAWN]})
    return nominee


def list_findings(sv: Supervision) -> dict:
    """The list as it would be put to the meeting: P6 again for every candidate still on it (the
    villagers' committee may have been elected since), the seats, the accounting member."""
    active = [n for n in nominees(sv) if n.candidate.status == Candidate.ACTIVE]
    reasons = check_people(sv.election, [(n.candidate.person, n.candidate.post.name, n.roles) for n in active])
    refused = [(n, reasons[n.candidate.person_id]) for n in active if reasons[n.candidate.person_id]]
    short = []
    for post in sv.election.posts.all():
        have = sum(1 for n in active if n.candidate.post_id == post.pk)
        if have < post.seats:
            short.append(f"{post.name}应选 {post.seats} 名，名单中只有 {have} 名")
    warnings = []
    if active and not any(n.accounting for n in active):
        warnings.append("名单中没有具备财会、管理知识的人员（村务监督委员会成员中应有具备财会、管理知识的人员）")
    return {"refused": refused, "short": short, "warnings": warnings, "active": active}


@transaction.atomic
@locking.guarded
def check_list(actor, sv: Supervision, on: dt.date) -> dict:
    """资格把关 of the whole list before it goes to the meeting: the P6 findings are stored on each
    candidate, anyone refused now leaves the ballot, and the step is recorded on the timeline."""
    election = sv.election
    election.refresh_from_db(fields=["stage"])
    _require(actor, WORK_ROLES, "进行候选人资格把关", election.organization.code)
    if election.stage in (Election.VOTING, Election.COUNTED, Election.SUBMITTED):
        raise SupervisionError("名单已提交会议表决。")
    elections.check_dated_fact(election, "「资格把关日期」", on, before_vote=True, error=SupervisionError)
    findings = list_findings(sv)
    for n, reasons in findings["refused"]:
        n.refusals, n.checked_on = reasons, on
        n.save(update_fields=["refusals", "checked_on"])
        n.candidate.status = Candidate.DISQUALIFIED
        n.candidate.save(update_fields=["status"])
    for n in findings["active"]:
        if n not in [x for x, _r in findings["refused"]]:
            n.refusals, n.checked_on = [], on
            n.save(update_fields=["refusals", "checked_on"])
    sv.list_checked_on = on
    sv.save(update_fields=["list_checked_on"])
    if not election.steps.filter(key="candidates_checked").exists():
        elections.record_step(actor, election, "candidates_checked", on, "村务监督委员会成员候选人资格把关")
    audit.record(actor, "supervision.check_list", sv, object_repr=f"{election.title}：资格把关",
                 changes={"refused": [None, {n.candidate.person.name: r for n, r in findings["refused"]}]})
    return findings


# ---------------------------------------------------------------- the hooks' answers


def voting_blockers(election: Election) -> list[str]:
    """Before the list goes to the meeting: the list checked, nobody on it barred (P6, again
    now), every seat with a candidate."""
    sv = supervision_of(election)
    if sv is None:
        return ["未找到本次村务监督委员会推选的信息"]
    out = []
    if sv.list_checked_on is None:
        out.append("候选人名单尚未进行资格把关")
    findings = list_findings(sv)
    for n, reasons in findings["refused"]:
        out.append(f"{n.candidate.person.name}：{'；'.join(reasons)}")
    out += findings["short"]
    return out


def ballot_blockers(election: Election) -> list[str]:
    """Ballots are not counted without the meeting's attendance or short of its quorum."""
    sv = supervision_of(election)
    if sv is None:
        return ["未找到本次村务监督委员会推选的信息"]
    q = quorum(sv)
    if q is None:
        return [f"尚未登记{sv.get_body_display()}的到会人数"]
    return [] if q["quorum_met"] else [q["text"]]


def vote_inputs(rnd) -> dict:
    sv = supervision_of(rnd.election)
    meeting = meeting_of(sv) if sv else None
    return {"meeting": meeting, "expected_attendance": meeting.members if meeting else None}


def result_findings(election: Election) -> dict:
    """The P6 check again on the elected (the villagers' committee is known by now), and whether
    someone with accounting or management knowledge was chosen."""
    elected = list(ElectedMember.objects.filter(election=election, status=ElectedMember.ELECTED)
                   .select_related("person", "post"))
    roles = {n.candidate.person_id: n for n in Nominee.objects.filter(candidate__election=election)
             .select_related("candidate")}
    people = [(m.person, m.post.name, roles[m.person_id].roles if m.person_id in roles else [])
              for m in elected if m.person_id]
    reasons = check_people(election, people)
    refused = [(m, reasons[m.person_id]) for m in elected if m.person_id and reasons.get(m.person_id)]
    warnings = []
    if elected and not any(roles.get(m.person_id) and roles[m.person_id].accounting for m in elected):
        warnings.append("当选成员中没有具备财会、管理知识的人员")
    return {"elected": elected, "refused": refused, "warnings": warnings}


def result_blockers(election: Election) -> list[str]:
    return [f"当选的{m.name}：{'；'.join(r)}，不得担任村务监督委员会成员，须依法另行推选"
            for m, r in result_findings(election)["refused"]]


def body_label(sv: Supervision) -> str:
    return MEETING_BODIES.get(sv.body, sv.get_body_display())


# ---------------------------------------------------------------- lists and dashboards


def overview_rows(svs) -> dict[int, dict]:
    """Per supervision (keyed by its election): the elected (主任 first), women among them, the
    candidates left off the list by the P6 check, and whether the result is submitted — a fixed
    number of queries for any count of villages (the lists and dashboards of a whole county)."""
    from django.db.models import Count

    from huanjie.elections.models import ResultSubmission

    svs = list(svs)
    ids = [sv.election_id for sv in svs]
    elected: dict[int, list] = {}
    for m in (ElectedMember.objects.filter(election_id__in=ids, status=ElectedMember.ELECTED)
              .values("election_id", "name", "post__code", "person__gender")
              .order_by("election_id", "post__rank", "-votes", "id")):
        elected.setdefault(m["election_id"], []).append(m)
    refused = dict(Nominee.objects.filter(candidate__election_id__in=ids).exclude(refusals=[])
                   .values("candidate__election_id").annotate(n=Count("id"))
                   .values_list("candidate__election_id", "n"))
    locked = dict(ResultSubmission.objects.filter(election_id__in=ids).values_list("election_id", "locked"))
    rows = {}
    for sv in svs:
        members = elected.get(sv.election_id, [])
        rows[sv.election_id] = {
            "sv": sv,
            "elected": [m["name"] for m in members],
            "director": next((m["name"] for m in members if m["post__code"] == DIRECTOR), ""),
            "women": sum(1 for m in members if m["person__gender"] == "F"),
            "refused": refused.get(sv.election_id, 0),
            "submitted": locked.get(sv.election_id),  # None: not submitted; False: reopened
        }
    return rows


DASHBOARD_COLUMNS = ["村（社区）", "乡镇（街道）", "推选会议", "表决方式", "会议日期", "阶段", "会议组成人员", "到会",
                     "主任", "当选成员", "女性", "不得担任而未列入", "报送"]


def dashboard_cells(row: dict) -> list:
    sv = row["sv"]
    e = sv.election
    submitted = {None: "未报送", False: "已解锁", True: "已报送锁定"}[row["submitted"]]
    return [e.organization.name, e.organization.parent.name if e.organization.parent else "", sv.get_body_display(),
            sv.get_method_display(), e.election_date, e.get_stage_display(),
            "" if sv.members is None else sv.members, "" if sv.present is None else sv.present,
            row["director"], "、".join(row["elected"]), row["women"], row["refused"], submitted]
