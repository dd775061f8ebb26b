"""Every write of the oversight app: survey, 一村一策 plans, complaints, incidents.

Each function checks the actor's role and scope, validates with Chinese messages naming the
field, writes in one transaction and appends the audit record. Reads of the elections' data
(signals) go through the elections' models and services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from huanjie.accounts import audit
from huanjie.accounts.models import User
from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.core.access import COUNTY, TOWNSHIP, VILLAGE, in_scope
from huanjie.people.models import Person, Region

from .models import RISK_LABELS, Complaint, ComplaintNote, Incident, IncidentStep, RiskPlan, Survey

OFFICES = frozenset({COUNTY, TOWNSHIP})


class OversightError(Exception):
    """A refused oversight action; ``str(exc)`` is the Chinese reason."""


def _require(actor, roles, what: str) -> None:
    if getattr(actor, "role", None) not in roles:
        raise OversightError(f"您的账号无权{what}。")


def _require_scope(actor, region: Region, what: str) -> None:
    if not in_scope(actor, region.code):
        raise OversightError(f"{region.name}不在您的管辖范围内，不能{what}。")


def _text(value, label: str, *, required: bool = True, limit: int | None = None) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise OversightError(f"{label}：必须填写。")
    if limit is not None and len(text) > limit:
        raise OversightError(f"{label}：不能超过 {limit} 个字（现在 {len(text)} 个）。")
    return text


def _date(value, label: str, *, not_future: bool = True) -> dt.date:
    if not isinstance(value, dt.date):
        raise OversightError(f"{label}：日期无效。")
    if not_future and value > timezone.localdate():
        raise OversightError(f"{label}：{value.isoformat()} 晚于今天。")
    return value


def _count(value, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 999:
        raise OversightError(f"{label}：应为 0–999 的整数。")
    return value


def _campaign_village(campaign: Campaign, village: Region) -> CampaignVillage:
    entry = CampaignVillage.objects.filter(campaign=campaign, village=village).first()
    if entry is None:
        raise OversightError(f"{village.name}不在“{campaign.name}”的换届范围内。")
    return entry


def _set_complicated(actor, entry: CampaignVillage, value: bool) -> None:
    """The campaign's 选情复杂村 flag follows the survey and the plans (one flag, not two)."""
    if entry.complicated != value:
        entry.complicated = value
        entry.save(update_fields=["complicated"])
        audit.record(actor, "campaign_village.complicated", entry, changes={"complicated": [not value, value]})


def upsert(actor, model, lookup: dict, clean: dict, action: str, *, on_create: dict | None = None,
           always: dict | None = None):
    """Create the record ``lookup`` names, or update it with ``clean``; the audit keeps the change."""
    obj = model.objects.select_for_update().filter(**lookup).first()
    before = {k: getattr(obj, k) for k in clean} if obj else {}
    if obj is None:
        obj = model(**lookup, **(on_create or {}), **(always or {}), **clean)
    else:
        for k, v in {**clean, **(always or {})}.items():
            setattr(obj, k, v)
    obj.save()
    audit.record(actor, action, obj, changes=audit.diff(before, clean))
    return obj


def scope_filter(user, field: str = "village__code") -> Q:
    prefix = user.scope_prefix
    if prefix is None:
        return Q(pk__in=[])
    return Q(**{f"{field}__startswith": prefix})


# ---------------------------------------------------------------- survey (调查摸底)

@transaction.atomic
def save_survey(actor, campaign: Campaign, village: Region, data: dict) -> Survey:
    """Record (or correct) the survey of a village; the 选情复杂村 flag is set here with its reason."""
    _require(actor, OFFICES, "登记调查摸底")
    _require_scope(actor, village, "登记调查摸底")
    entry = _campaign_village(campaign, village)
    clean = {
        "surveyed_on": _date(data.get("surveyed_on"), "摸底日期"),
        "team_situation": _text(data.get("team_situation"), "班子运行情况", limit=2000),
        "reserve_total": _count(data.get("reserve_total"), "合适人选人数"),
        "reserve_women": _count(data.get("reserve_women"), "其中女性"),
        "reserve_young": _count(data.get("reserve_young"), "其中35周岁以下"),
        "reserve_college": _count(data.get("reserve_college"), "其中大专以上"),
        "risks_found": _text(data.get("risks_found"), "发现的不利因素", required=False, limit=2000),
        "complicated": bool(data.get("complicated")),
        "complicated_reason": _text(data.get("complicated_reason"), "列为选情复杂村的原因", required=False,
                                    limit=300),
    }
    for key, label in (("reserve_women", "其中女性"), ("reserve_young", "其中35周岁以下"),
                       ("reserve_college", "其中大专以上")):
        if clean[key] > clean["reserve_total"]:
            raise OversightError(f"{label}：{clean[key]} 人多于合适人选总数 {clean['reserve_total']} 人。")
    if clean["complicated"] and not clean["complicated_reason"]:
        raise OversightError("列为选情复杂村的原因：列为选情复杂村时必须写明原因。")
    if not clean["complicated"]:
        clean["complicated_reason"] = ""
    survey = upsert(actor, Survey, {"campaign": campaign, "village": village}, clean, "oversight.survey",
                    always={"recorded_by": actor})
    has_plan = RiskPlan.objects.filter(campaign=campaign, village=village).exclude(status=RiskPlan.RESOLVED)
    _set_complicated(actor, entry, clean["complicated"] or has_plan.exists())
    return survey


# ---------------------------------------------------------------- 一村一策


@transaction.atomic
def save_plan(actor, campaign: Campaign, village: Region, data: dict) -> RiskPlan:
    """Create or update a village's 一村一策 plan; the village is flagged 选情复杂村 while the plan is
    not resolved (the township may flag a village at any time, not only in the survey)."""
    _require(actor, OFFICES, "制定一村一策")
    _require_scope(actor, village, "制定一村一策")
    entry = _campaign_village(campaign, village)
    risks = data.get("risks") or []
    if not isinstance(risks, list) or any(r not in RISK_LABELS for r in risks):
        raise OversightError("风险类型：包含未知的风险类型。")
    if not risks:
        raise OversightError("风险类型：至少选择一项风险。")
    review_on = data.get("review_on")
    if not isinstance(review_on, dt.date):
        raise OversightError("下次研判日期：日期无效。")
    status = data.get("status") or RiskPlan.OPEN
    if status not in dict(RiskPlan.STATUS_CHOICES):
        raise OversightError("状态：未知的状态。")
    clean = {
        "reason": _text(data.get("reason"), "选情复杂的原因", limit=300),
        "risks": [code for code in RISK_LABELS if code in risks],
        "risk_detail": _text(data.get("risk_detail"), "风险研判", required=False, limit=2000),
        "measures": _text(data.get("measures"), "应对措施", limit=2000),
        "responsible": _text(data.get("responsible"), "责任人（包村干部）", limit=60),
        "review_on": review_on,
        "status": status,
    }
    plan = upsert(actor, RiskPlan, {"campaign": campaign, "village": village}, clean, "oversight.risk_plan",
                  on_create={"created_by": actor})
    survey_flag = Survey.objects.filter(campaign=campaign, village=village, complicated=True).exists()
    _set_complicated(actor, entry, status != RiskPlan.RESOLVED or survey_flag)
    return plan


@dataclass
class Signal:
    """A risk the system sees in the elections' own data (no one typed it)."""

    village: Region
    kind: str
    detail: str
    election_id: int | None = None

    @property
    def label(self) -> str:
        return RISK_LABELS.get(self.kind, self.kind)


def detect_signals(campaign: Campaign, prefix: str, today: dt.date | None = None) -> list[Signal]:
    """The automatic risk signals of the villages under ``prefix``: an election that failed turnout
    (R24), seats still open after a further round (R31–R35), a write-in elected (另选他人), a
    candidate withdrawing within the policy's last days (P22), a complaint open against a candidate."""
    from huanjie.elections.models import Candidate, ElectedMember, Election, Round, RoundResult
    from huanjie.elections.voting.results import seat_status

    today = today or timezone.localdate()
    late_days = campaign.effective_policy()["late_withdrawal_days"]
    elections = {
        e.pk: e
        for e in Election.objects.filter(campaign=campaign, organization__code__startswith=prefix).select_related(
            "organization"
        )
    }
    signals: list[Signal] = []
    results = (
        RoundResult.objects.filter(round__election_id__in=list(elections))
        .select_related("round")
        .order_by("round__election_id", "round__number")
    )
    last: dict[int, RoundResult] = {}
    runoff_done: set[int] = set()
    for rr in results:
        last[rr.round.election_id] = rr
        if rr.round.kind == Round.RUNOFF:
            runoff_done.add(rr.round.election_id)
    for eid, rr in last.items():
        e = elections[eid]
        if rr.output.get("election_valid") is False:
            signals.append(Signal(e.organization, "low_turnout",
                                  f"第{rr.round.number}轮投票参加人数不足，选举无效（R24）", eid))
    for eid in sorted(runoff_done):
        e = elections[eid]
        open_posts = [f"{s['post'].name}{s['open']}名" for s in seat_status(e) if s["open"]]
        if open_posts:
            signals.append(Signal(e.organization, "unfilled", "另行选举后仍缺额：" + "、".join(open_posts), eid))
    names: dict[int, set[str]] = {}
    listed = Candidate.objects.filter(election_id__in=list(elections))
    # The names by primary key (an index scan per id): joined with the people table, a county's few
    # thousand candidates were planned as a scan of its million people, 0.2–0.6 s (issue 17).
    person_names = dict(
        Person.objects.filter(pk__in_ids=listed.order_by().values("person_id")).order_by().values_list("id", "name")
    )
    for eid, person_id in listed.values_list("election_id", "person_id"):
        names.setdefault(eid, set()).add(person_names[person_id])
    for m in ElectedMember.objects.filter(election_id__in=list(elections), status=ElectedMember.ELECTED).select_related(
        "post"
    ):
        if m.name not in names.get(m.election_id, set()):
            signals.append(Signal(elections[m.election_id].organization, "write_in",
                                  f"{m.name}以另选他人当选{m.post.name}（{m.votes}票）", m.election_id))
    for c in Candidate.objects.filter(
        election_id__in=list(elections), status=Candidate.WITHDRAWN, withdrawn_on__isnull=False
    ).select_related("person", "post"):
        e = elections[c.election_id]
        days = (e.election_date - c.withdrawn_on).days
        if 0 <= days <= late_days:
            signals.append(Signal(e.organization, "late_withdrawal",
                                  f"{c.post.name}候选人{c.person.name}在选举日前{days}天书面退出", e.pk))
    for complaint in Complaint.objects.filter(
        campaign=campaign, village__code__startswith=prefix, candidate__isnull=False
    ).exclude(status=Complaint.ANSWERED).select_related("village", "candidate__person"):
        signals.append(Signal(complaint.village, "petition",
                              f"举报{complaint.number}涉及候选人{complaint.candidate.person.name}，尚未办结",
                              complaint.election_id))
    signals.sort(key=lambda s: (s.village.code, s.kind))
    return signals


def risk_rows(campaign: Campaign, prefix: str, today: dt.date | None = None, q: str = "",
              entries: list | None = None) -> list[dict]:
    """One row per village with a plan, a signal or a 整顿/暂缓 state; overdue reviews first.
    ``entries``: the campaign's villages under ``prefix`` if the page has read them already."""
    today = today or timezone.localdate()
    plans = {p.village_id: p for p in RiskPlan.objects.filter(campaign=campaign, village__code__startswith=prefix)
             .select_related("village", "village__parent")}
    signals: dict[int, list[Signal]] = {}
    for s in detect_signals(campaign, prefix, today):
        signals.setdefault(s.village.pk, []).append(s)
    if entries is None:
        entries = CampaignVillage.objects.filter(campaign=campaign, village__code__startswith=prefix).select_related(
            "village", "village__parent")
    surveys = {s.village_id: s for s in Survey.objects.filter(campaign=campaign, village__code__startswith=prefix)}
    rows = []
    for entry in entries:
        v = entry.village
        plan, sig = plans.get(v.pk), signals.get(v.pk, [])
        survey = surveys.get(v.pk)
        flagged = entry.complicated or (survey is not None and survey.complicated)
        if not (plan or sig or flagged or entry.state != CampaignVillage.IN_SCOPE):
            continue
        if q and q not in v.name and q not in (v.parent.name if v.parent else ""):
            continue
        overdue = plan is not None and plan.status != RiskPlan.RESOLVED and plan.review_on < today
        rows.append({
            "village": v, "township": v.parent, "entry": entry, "plan": plan, "signals": sig, "survey": survey,
            "overdue": overdue, "flagged": flagged,
            "reason": (plan.reason if plan else "") or (survey.complicated_reason if survey else ""),
        })
    rows.sort(key=lambda r: (not r["overdue"], r["plan"] is None, r["plan"].review_on if r["plan"] else today,
                             r["village"].code))
    return rows


# ---------------------------------------------------------------- complaints (举报 / 信访)


def complaints_visible_to(user):
    """County and township offices see the complaints of their scope; nobody else sees any."""
    if user.role not in OFFICES:
        return Complaint.objects.none()
    return Complaint.objects.filter(scope_filter(user))


def identity_visible(user, complaint: Complaint) -> bool:
    """An anonymous complainant's identity is seen by the county office only."""
    return not complaint.anonymous or user.role == COUNTY


def _next_number(model, prefix: str) -> str:
    year = timezone.localdate().year
    start = f"{prefix}{year}-"
    last = model.objects.filter(number__startswith=start).order_by("-number").values_list("number", flat=True).first()
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{start}{seq:04d}"


def _check_election_links(campaign: Campaign, village: Region, election, candidate):
    if election is not None and (election.campaign_id != campaign.pk or election.organization_id != village.pk):
        raise OversightError("涉及选举：所选选举不属于该村（社区）。")
    if candidate is not None:
        if election is None:
            election = candidate.election
        if candidate.election_id != election.pk:
            raise OversightError("被举报候选人：不是所选选举的候选人。")
        if election.organization_id != village.pk:
            raise OversightError("被举报候选人：不是该村（社区）的候选人。")
    return election


@transaction.atomic
def register_complaint(actor, campaign: Campaign, *, village: Region, channel: str, received_on: dt.date,
                       matter: str, content: str, anonymous: bool = False, complainant_name: str = "",
                       complainant_contact: str = "", concerned: str = "", election=None,
                       candidate=None) -> Complaint:
    """Register a complaint; its deadline is the receipt date plus the policy's answer days (P21)."""
    _require(actor, OFFICES, "登记举报")
    _require_scope(actor, village, "登记举报")
    _campaign_village(campaign, village)
    if channel not in dict(Complaint.CHANNEL_CHOICES):
        raise OversightError("来源渠道：请选择电话、来信、来访、举报箱或网上举报。")
    if matter not in dict(Complaint.MATTER_CHOICES):
        raise OversightError("举报事项：请选择举报事项。")
    received_on = _date(received_on, "受理日期")
    election = _check_election_links(campaign, village, election, candidate)
    name = _text(complainant_name, "举报人姓名", required=False, limit=40)
    contact = _text(complainant_contact, "举报人联系方式", required=False, limit=60)
    if anonymous is False and not name:
        raise OversightError("举报人姓名：实名举报请填写姓名；举报人要求保密的，请勾选“对举报人身份保密”。")
    days = campaign.effective_policy()["complaint_answer_days"]
    complaint = Complaint.objects.create(
        campaign=campaign, number=_next_number(Complaint, "JB"), channel=channel, received_on=received_on,
        village=village, election=election, candidate=candidate,
        concerned=_text(concerned, "被举报人", required=False, limit=60) or (
            candidate.person.name if candidate else ""),
        matter=matter, content=_text(content, "举报内容", limit=4000), anonymous=bool(anonymous),
        complainant_name=name, complainant_contact=contact, registered_by=actor,
        deadline=received_on + dt.timedelta(days=days),
    )
    # the audit chain is read by the county and township; an anonymous name stays out of it
    audit.record(actor, "oversight.complaint.register", complaint, changes={
        "matter": [None, complaint.get_matter_display()], "channel": [None, complaint.get_channel_display()],
        "anonymous": [None, complaint.anonymous], "deadline": [None, complaint.deadline],
        "complainant": [None, "（保密）" if complaint.anonymous else name],
    })
    return complaint


def handlers_for(complaint: Complaint):
    """Accounts that may handle a complaint: county and township offices whose scope covers the village."""
    code = complaint.village.code
    return [u for u in User.objects.filter(role__in=OFFICES, is_active=True).select_related("region")
            if in_scope(u, code)]


def _for_update(actor, complaint: Complaint, what: str) -> Complaint:
    _require(actor, OFFICES, what)
    c = Complaint.objects.select_for_update(of=("self",)).select_related("village", "candidate", "election").get(
        pk=complaint.pk)
    _require_scope(actor, c.village, what)
    return c


@transaction.atomic
def assign_complaint(actor, complaint: Complaint, handler: User, on: dt.date) -> Complaint:
    c = _for_update(actor, complaint, "交办举报")
    if c.status == Complaint.ANSWERED:
        raise OversightError(f"举报{c.number}已办结，不能再交办。")
    if handler is None or handler.role not in OFFICES or not in_scope(handler, c.village.code):
        raise OversightError("承办人：应为管辖该村的乡镇或县换届办账号。")
    on = _date(on, "交办日期")
    if on < c.received_on:
        raise OversightError(f"交办日期：{on.isoformat()} 早于受理日期 {c.received_on.isoformat()}。")
    before = {"handler": c.handler.username if c.handler else None, "status": c.status}
    c.handler, c.assigned_on, c.status = handler, on, Complaint.HANDLING
    c.save(update_fields=["handler", "assigned_on", "status"])
    audit.record(actor, "oversight.complaint.assign", c,
                 changes=audit.diff(before, {"handler": handler.username, "status": c.status}))
    return c


@transaction.atomic
def add_complaint_note(actor, complaint: Complaint, text: str) -> ComplaintNote:
    c = _for_update(actor, complaint, "记录办理进展")
    if c.status == Complaint.ANSWERED:
        raise OversightError(f"举报{c.number}已办结。")
    note = ComplaintNote.objects.create(complaint=c, author=actor, text=_text(text, "办理进展", limit=2000))
    audit.record(actor, "oversight.complaint.note", c, changes={"note": [None, note.text]})
    return note


@transaction.atomic
def answer_complaint(actor, complaint: Complaint, *, finding: str, finding_text: str, answer: str,
                     on: dt.date) -> Complaint:
    """Close a complaint with the finding and the answer to the complainant."""
    c = _for_update(actor, complaint, "办结举报")
    if c.status == Complaint.ANSWERED:
        raise OversightError(f"举报{c.number}已办结。")
    if c.handler_id is None:
        raise OversightError(f"举报{c.number}尚未交办承办人，不能办结。")
    if finding not in dict(Complaint.FINDING_CHOICES):
        raise OversightError("核查结论：请选择属实、部分属实或不属实。")
    on = _date(on, "办结日期")
    if on < c.received_on:
        raise OversightError(f"办结日期：{on.isoformat()} 早于受理日期 {c.received_on.isoformat()}。")
    c.finding = finding
    c.finding_text = _text(finding_text, "核查情况", limit=4000)
    c.answer = _text(answer, "答复举报人", limit=4000)
    c.answered_on, c.status = on, Complaint.ANSWERED
    c.save(update_fields=["finding", "finding_text", "answer", "answered_on", "status"])
    audit.record(actor, "oversight.complaint.answer", c, changes={
        "status": [Complaint.HANDLING, c.status], "finding": [None, c.get_finding_display()],
        "answered_on": [None, on], "late": [None, on > c.deadline]})
    return c


@transaction.atomic
def apply_consequence(actor, complaint: Complaint, *, document_number: str = "") -> Complaint:
    """A substantiated finding against a candidate becomes the elections' own decision, linked here:
    before the vote the candidacy ends (the elections' withdrawal, gap filled from the nominees,
    R15); after it the election of the person is declared void (R39). An existing withdrawal or
    disqualification of the candidate is linked as it is."""
    from huanjie.elections.models import Candidate, ElectedMember
    from huanjie.elections.nomination import services as candidate_services
    from huanjie.elections.services import ElectionError
    from huanjie.elections.voting import results as result_services

    c = _for_update(actor, complaint, "依举报作出处理决定")
    if c.candidate_id is None:
        raise OversightError(f"举报{c.number}没有涉及候选人，不能据此处理候选人。")
    if c.finding not in ("substantiated", "partly"):
        raise OversightError(f"举报{c.number}核查结论不是属实或部分属实，不能据此处理候选人。")
    if c.consequence:
        raise OversightError(f"举报{c.number}已作出处理决定：{c.get_consequence_display()}。")
    cand = Candidate.objects.select_related("person", "election", "post").get(pk=c.candidate_id)
    cause = f"经查实举报{c.number}（{c.get_matter_display()}）：{c.finding_text}"[:290]
    member = (
        ElectedMember.objects.filter(election=cand.election, person=cand.person, status=ElectedMember.ELECTED)
        .select_related("post", "election").first()
    )
    try:
        if member is not None:
            result_services.void_election_of(actor, member, cause, document_number)
            c.consequence, c.elected_member = "void", member
            c.consequence_note = f"{member.post.name}{member.name}当选无效（{document_number.strip()}）"
        elif cand.status != Candidate.ACTIVE:
            c.consequence = "withdrawn"
            c.consequence_note = f"{cand.person.name}已{cand.get_status_display()}（{cand.withdrawn_on}）"
        else:
            change = candidate_services.withdraw(actor, cand, timezone.localdate(), reason=cause)
            c.consequence = "withdrawn"
            c.consequence_note = f"取消{cand.post.name}候选人{cand.person.name}的候选人资格" + (
                f"，由{change.replacement.person.name}递补" if change.replacement else "")
    except (ElectionError, PermissionDenied) as exc:
        raise OversightError(str(exc)) from exc
    c.save(update_fields=["consequence", "elected_member", "consequence_note"])
    audit.record(actor, "oversight.complaint.consequence", c,
                 changes={"consequence": [None, c.get_consequence_display()], "note": [None, c.consequence_note]})
    return c


# ---------------------------------------------------------------- incidents (seed 003 篇6)

INCIDENT_ROLES = frozenset({COUNTY, TOWNSHIP, VILLAGE})


def incidents_visible_to(user):
    """The village sees its own, the township and county their scope; nobody else sees any."""
    if user.role not in INCIDENT_ROLES:
        return Incident.objects.none()
    return Incident.objects.filter(scope_filter(user))


def _step(incident: Incident, actor, kind: str, label: str, text: str, at) -> None:
    IncidentStep.objects.create(incident=incident, at=at, actor=actor, kind=kind, label=label, text=text)


@transaction.atomic
def report_incident(actor, campaign: Campaign, *, village: Region, category: str, place: str,
                    occurred_at: dt.datetime, description: str, election=None) -> Incident:
    """Report an incident at once (village, township or county); the township responds first,
    unless the county reported it."""
    _require(actor, INCIDENT_ROLES, "报告突发事件")
    _require_scope(actor, village, "报告突发事件")
    _campaign_village(campaign, village)
    if category not in dict(Incident.CATEGORY_CHOICES):
        raise OversightError("事件类别：请选择事件类别。")
    now = timezone.now()
    if not isinstance(occurred_at, dt.datetime):
        raise OversightError("发生时间：时间无效。")
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    if occurred_at > now + dt.timedelta(minutes=5):
        raise OversightError("发生时间：晚于现在。")
    if election is not None and (election.campaign_id != campaign.pk or election.organization_id != village.pk):
        raise OversightError("涉及选举：所选选举不属于该村（社区）。")
    incident = Incident.objects.create(
        campaign=campaign, number=_next_number(Incident, "TF"), village=village, election=election,
        category=category, place=_text(place, "地点", limit=120), occurred_at=occurred_at,
        description=_text(description, "事件经过", limit=4000), reported_at=now, reported_by=actor,
        level="county" if actor.role == COUNTY else "township",
    )
    _step(incident, actor, "report", "报告", incident.description, now)
    audit.record(actor, "oversight.incident.report", incident, changes={
        "category": [None, incident.get_category_display()], "occurred_at": [None, occurred_at]})
    return incident


def _incident_for_update(actor, incident: Incident, what: str, roles=OFFICES) -> Incident:
    _require(actor, roles, what)
    i = Incident.objects.select_for_update().select_related("village").get(pk=incident.pk)
    _require_scope(actor, i.village, what)
    if i.status == Incident.CLOSED:
        raise OversightError(f"事件{i.number}已处置完毕。")
    return i


@transaction.atomic
def respond_incident(actor, incident: Incident, text: str) -> Incident:
    """先期处置: what was done on site at once."""
    i = _incident_for_update(actor, incident, "登记先期处置")
    text = _text(text, "先期处置情况", limit=4000)
    now = timezone.now()
    if i.first_response_at is None:
        i.first_response, i.first_response_at = text, now
    else:
        i.first_response = f"{i.first_response}\n{text}"
    if i.status == Incident.REPORTED:
        i.status = Incident.RESPONDING
    i.save(update_fields=["first_response", "first_response_at", "status"])
    _step(i, actor, "respond", "先期处置", text, now)
    audit.record(actor, "oversight.incident.respond", i, changes={"first_response": [None, text]})
    return i


@transaction.atomic
def escalate_incident(actor, incident: Incident, reason: str) -> Incident:
    """应急响应: the township cannot contain it; the county takes it over."""
    i = _incident_for_update(actor, incident, "启动应急响应")
    if i.first_response_at is None:
        raise OversightError("请先登记先期处置情况，再启动应急响应。")
    if i.level == "county":
        raise OversightError(f"事件{i.number}已由县级处置，请按县应急预案向上级报告。")
    reason = _text(reason, "升级原因", limit=2000)
    now = timezone.now()
    i.level, i.status, i.escalated_at, i.escalation_reason = "county", Incident.ESCALATED, now, reason
    i.save(update_fields=["level", "status", "escalated_at", "escalation_reason"])
    _step(i, actor, "escalate", "启动应急响应（报县）", reason, now)
    audit.record(actor, "oversight.incident.escalate", i, changes={"level": ["township", "county"], "reason": [None, reason]})
    return i


@transaction.atomic
def close_incident(actor, incident: Incident, outcome: str) -> Incident:
    i = _incident_for_update(actor, incident, "办结突发事件")
    if i.level == "county" and actor.role != COUNTY:
        raise OversightError(f"事件{i.number}已报县处置，由县换届办办结。")
    if i.first_response_at is None:
        raise OversightError("请先登记先期处置情况，再办结。")
    outcome = _text(outcome, "处置结果", limit=4000)
    now = timezone.now()
    before = i.status
    i.status, i.closed_at, i.outcome = Incident.CLOSED, now, outcome
    i.save(update_fields=["status", "closed_at", "outcome"])
    _step(i, actor, "close", "处置完毕", outcome, now)
    audit.record(actor, "oversight.incident.close", i, changes={"status": [before, i.status]})
    return i
