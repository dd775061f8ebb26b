"""Recording 离任审计 and training: the township for its villages (the county for any of its own).

Each write runs in one transaction with its audit record and refreshes the village's gate dates
(``CampaignVillage.audit_done_on`` / ``training_done_on``), which nothing else writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from huanjie.accounts import audit
from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.core.access import COUNTY, TOWNSHIP, in_scope

from .models import InductionAttendance, OutgoingAudit, TrainingAttendance, TrainingSession

RECORDERS = {COUNTY, TOWNSHIP}
MAX_ATTACHMENT = 10 * 1024 * 1024
# Extension → (content type, the bytes such a file starts with). The name alone proves nothing.
ATTACHMENT_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}


class PreparationRefused(Exception):
    """``errors`` maps a field to its Chinese reason."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()))
        self.errors = errors


def _require(actor, entry: CampaignVillage) -> None:
    if getattr(actor, "role", None) not in RECORDERS:
        raise PreparationRefused({"village": "只有乡镇换届办或县换届办可以登记离任审计和业务培训。"})
    if not in_scope(actor, entry.village.code):
        raise PreparationRefused({"village": f"{entry.village.name}不在您的管辖范围内。"})


@dataclass
class Attachment:
    name: str
    data: bytes


def check_attachment(att: Attachment) -> str:
    """The content type of an accepted report file; refuses other types, lying names and large files."""
    name = (att.name or "").strip()
    ext = name[name.rfind("."):].lower() if "." in name else ""
    if ext not in ATTACHMENT_TYPES:
        raise PreparationRefused({"attachment": f"附件“{name}”的类型不受支持：只接受 PDF、JPG 或 PNG 文件。"})
    if len(att.data) > MAX_ATTACHMENT:
        raise PreparationRefused({"attachment": f"附件超过 {MAX_ATTACHMENT // 1024 // 1024} MB。"})
    content_type, magics = ATTACHMENT_TYPES[ext]
    if not att.data.startswith(magics):
        raise PreparationRefused({"attachment": f"附件“{name}”的内容不是{ext[1:].upper()}文件（可能改过扩展名或已损坏）。"})
    return content_type


@transaction.atomic
def record_audit(actor, entry: CampaignVillage, *, audited_on: dt.date | None, auditor: str, conclusion: str,
                 findings: str = "", attachment: Attachment | None = None) -> OutgoingAudit:
    """Record (or correct) the village's 离任审计; the village's P14 gate opens on its date."""
    _require(actor, entry)
    errors = {}
    auditor, findings = (auditor or "").strip(), (findings or "").strip()
    if audited_on is None:
        errors["audited_on"] = "请填写审计完成日期。"
    elif audited_on > timezone.localdate():
        errors["audited_on"] = "审计完成日期不能晚于今天。"
    if not auditor:
        errors["auditor"] = "请填写审计单位。"
    elif len(auditor) > 100:
        errors["auditor"] = "审计单位超过 100 个字。"
    if conclusion not in dict(OutgoingAudit.CONCLUSION_CHOICES):
        errors["conclusion"] = "请选择审计结论。"
    content_type = ""
    if attachment is not None:
        try:
            content_type = check_attachment(attachment)
        except PreparationRefused as exc:
            errors.update(exc.errors)
    if errors:
        raise PreparationRefused(errors)
    record = OutgoingAudit.objects.filter(entry=entry).first()
    before = {} if record is None else {
        "audited_on": record.audited_on, "auditor": record.auditor, "conclusion": record.conclusion,
        "findings": record.findings, "attachment": record.attachment_name}
    record = record or OutgoingAudit(entry=entry)
    record.audited_on, record.auditor, record.conclusion, record.findings = audited_on, auditor, conclusion, findings
    if attachment is not None:
        record.attachment_name, record.attachment_type = attachment.name[-120:], content_type
        record.attachment = attachment.data
    record.recorded_by = actor
    record.save()
    entry.audit_done_on = audited_on
    entry.save(update_fields=["audit_done_on"])
    after = {"audited_on": audited_on, "auditor": auditor, "conclusion": conclusion, "findings": findings,
             "attachment": record.attachment_name}
    audit.record(actor, "preparation.audit", record, changes=audit.diff(before, after))
    return record


@dataclass
class Attended:
    entry: CampaignVillage
    committee_all: bool
    staff: bool
    trainees: str = ""


def refresh_training(entry: CampaignVillage) -> dt.date | None:
    """P15: trained on the day both the whole election committee and the staff had attended."""
    rows = TrainingAttendance.objects.filter(entry=entry)
    committee = rows.filter(committee_all=True).aggregate(d=Min("session__held_on"))["d"]
    staff = rows.filter(staff=True).aggregate(d=Min("session__held_on"))["d"]
    done = max(committee, staff) if committee and staff else None
    if entry.training_done_on != done:
        entry.training_done_on = done
        entry.save(update_fields=["training_done_on"])
    return done


@transaction.atomic
def record_training(actor, campaign: Campaign, *, held_on: dt.date | None, organiser: str, topic: str,
                    attended: list[Attended]) -> TrainingSession:
    """One training session with who of each village attended; refreshes each village's P15 gate."""
    prefix = getattr(actor, "scope_prefix", None) or ""
    if getattr(actor, "role", None) not in RECORDERS or prefix[:6] != campaign.county.code[:6]:
        raise PreparationRefused({"organiser": "只有乡镇换届办或县换届办可以登记业务培训。"})
    errors = {}
    organiser, topic = (organiser or "").strip(), (topic or "").strip()
    if held_on is None:
        errors["held_on"] = "请填写培训日期。"
    elif held_on > timezone.localdate():
        errors["held_on"] = "培训日期不能晚于今天（培训结束后登记）。"
    if not organiser:
        errors["organiser"] = "请填写组织单位。"
    present = [a for a in attended if a.committee_all or a.staff or a.trainees.strip()]
    if not present:
        errors["villages"] = "请至少为一个村（社区）勾选参训人员。"
    for a in present:
        if a.entry.campaign_id != campaign.pk or not in_scope(actor, a.entry.village.code):
            errors["villages"] = f"{a.entry.village.name}不在您的管辖范围内。"
    if errors:
        raise PreparationRefused(errors)
    session = TrainingSession.objects.create(
        campaign=campaign, region=actor.region, held_on=held_on, organiser=organiser, topic=topic, recorded_by=actor)
    for a in present:
        names = [n.strip() for n in a.trainees.replace("、", "\n").replace("，", "\n").splitlines() if n.strip()]
        TrainingAttendance.objects.create(session=session, entry=a.entry, committee_all=a.committee_all,
                                          staff=a.staff, trainees="\n".join(names), trainee_count=len(names))
    trained = [a.entry.village.code for a in present if refresh_training(a.entry)]
    audit.record(actor, "preparation.training", session, changes={
        "held_on": [None, held_on], "organiser": [None, organiser],
        "villages": [None, [a.entry.village.code for a in present]], "trained": [None, trained]})
    return session


# ---------------------------------------------------------------- 岗前培训 (seed 004 §二(三)3, P24)


@dataclass
class Inductee:
    """One member of the new teams who must attend county-level 岗前培训, and what they attended."""

    entry: CampaignVillage
    person: object
    posts: list[str]
    county_sessions: list[TrainingSession]
    other_sessions: list[TrainingSession]
    required: int  # county-level sessions the campaign asks of the heads (P24)
    head: bool  # holds a post needing county-level training

    @property
    def done(self) -> bool:
        """A head has attended the county-level sessions; anyone else has attended some session."""
        if self.head:
            return len(self.county_sessions) >= self.required
        return bool(self.county_sessions or self.other_sessions)


def induction_members(campaign: Campaign, prefix: str):
    """The elected members (not void) of the new teams of the villages under ``prefix``, each with
    the posts they hold; those whose post needs county-level training (P24) are marked."""
    from huanjie.elections import kinds
    from huanjie.elections.models import ElectedMember

    required_posts = kinds.induction_kinds()
    members = (ElectedMember.objects.filter(election__campaign=campaign, status=ElectedMember.ELECTED,
                                            election__organization__code__startswith=prefix, person__isnull=False)
               .exclude(election__kind__in=kinds.non_team_kinds())
               .select_related("person", "post", "election__organization"))
    entries = {e.village_id: e for e in campaign.villages.filter(village__code__startswith=prefix)
               .select_related("village__parent")}
    from huanjie.elections.aftervote.services import party_secretaries

    # the hand mark of 一肩挑 counts only where the party plenary's result is not in the system
    party_result = set(party_secretaries([campaign.pk], [e.village_id for e in entries.values()]))
    people: dict[tuple[int, int], dict] = {}
    for m in members:
        entry = entries.get(m.election.organization_id)
        if entry is None:
            continue
        d = people.setdefault((entry.pk, m.person_id), {"entry": entry, "person": m.person, "posts": [],
                                                         "required": False, "elected_on": m.election.election_date})
        d["elected_on"] = min(d["elected_on"], m.election.election_date)
        # The party committee's 委员 is named as such beside the villagers' committee's.
        label = f"党组织{m.post.name}" if m.election.kind in ("party_branch", "party_plenary") and \
            m.post.name == "委员" else m.post.name
        if label not in d["posts"]:
            d["posts"].append(label)
        if m.post.code in required_posts.get(m.election.kind, ()):
            d["required"] = True
        if m.is_party_secretary and "书记" not in d["posts"] and m.election.organization_id not in party_result:
            d["posts"].append("书记")
            d["required"] = True
    return people


def inductees(campaign: Campaign, prefix: str, *, required_only: bool = True) -> list[Inductee]:
    """Who must attend county-level 岗前培训 (书记、主任、村务监督委员会主任; P24) and what they attended."""
    need = int(campaign.effective_policy()["induction_county_sessions"])
    people = induction_members(campaign, prefix)
    attended: dict[int, list[TrainingSession]] = {}
    for a in (InductionAttendance.objects.filter(session__campaign=campaign, entry__village__code__startswith=prefix)
              .select_related("session__region").order_by("session__held_on")):
        attended.setdefault(a.person_id, []).append(a.session)
    out = []
    for (_, pid), d in people.items():
        if required_only and not d["required"]:
            continue
        sessions = attended.get(pid, [])
        out.append(Inductee(d["entry"], d["person"], d["posts"],
                            [s for s in sessions if s.region.level == "county"],
                            [s for s in sessions if s.region.level != "county"], need, d["required"]))
    out.sort(key=lambda i: (i.done, i.entry.village.code, not i.head, i.person.name))
    return out


@transaction.atomic
def record_induction(actor, campaign: Campaign, *, held_on: dt.date | None, organiser: str, topic: str,
                     person_ids: list[int]) -> TrainingSession:
    """One 岗前培训 session and who of the new teams attended. Its level is the recording office's:
    a session recorded by the county is a county-level session (P24)."""
    prefix = getattr(actor, "scope_prefix", None) or ""
    if getattr(actor, "role", None) not in RECORDERS or prefix[:6] != campaign.county.code[:6]:
        raise PreparationRefused({"organiser": "只有乡镇换届办或县换届办可以登记岗前培训。"})
    errors = {}
    organiser, topic = (organiser or "").strip(), (topic or "").strip()
    if held_on is None:
        errors["held_on"] = "请填写培训日期（格式如 2027-04-20）。"
    elif held_on > timezone.localdate():
        errors["held_on"] = "培训日期不能晚于今天（培训结束后登记）。"
    elif held_on < campaign.starts_on:
        errors["held_on"] = f"培训日期早于本次换届开始日期（{campaign.starts_on}）。"
    if not organiser:
        errors["organiser"] = "请填写组织单位。"
    elif len(organiser) > 100:
        errors["organiser"] = "组织单位超过 100 个字。"
    if len(topic) > 200:
        errors["topic"] = "培训内容超过 200 个字。"
    members = induction_members(campaign, prefix)
    by_person = {pid: d for (_, pid), d in members.items()}
    chosen = []
    for pid in dict.fromkeys(person_ids):
        if pid not in by_person:
            errors["people"] = "所选人员不是您管辖范围内新一届班子的成员。"
            break
        chosen.append(by_person[pid])
    if held_on is not None and "held_on" not in errors:
        # 岗前培训 follows the vote: a session before a trainee's election cannot have trained them.
        early = [d for d in chosen if held_on < d["elected_on"]]
        if early:
            errors["held_on"] = (f"培训日期早于{early[0]['entry'].village.name}{early[0]['person'].name}当选的选举日"
                                 f"（{early[0]['elected_on']}），岗前培训在选举之后进行。")
    if not chosen and "people" not in errors:
        errors["people"] = "请至少勾选一名参训人员。"
    if errors:
        raise PreparationRefused(errors)
    session = TrainingSession.objects.create(
        campaign=campaign, purpose=TrainingSession.INDUCTION, region=actor.region, held_on=held_on,
        organiser=organiser, topic=topic, recorded_by=actor)
    InductionAttendance.objects.bulk_create([
        InductionAttendance(session=session, entry=d["entry"], person=d["person"], posts="、".join(d["posts"])[:80])
        for d in chosen])
    audit.record(actor, "preparation.induction", session, changes={
        "held_on": [None, held_on], "organiser": [None, organiser],
        "level": [None, "县级" if actor.region.level == "county" else "乡镇级"],
        "people": [None, [f"{d['entry'].village.name}{d['person'].name}" for d in chosen]]})
    return session
