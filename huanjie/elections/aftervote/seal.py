"""The seal of a submitted result (issue 9 §5): a keyed hash over the data the result was computed
from, recorded in the audit chain when the result is submitted, and recomputed by
``huanjie audit verify``, which names every election whose data no longer matches.

Sealed, part by part (so a finding says which part changed): the rounds and the engine's
decision of each, the counting forms with their lines, the elected members, and the voter
register (how many are registered, and who). Not sealed: what may change after the result, such
as the division of work (分工) and the handover. The lock flag itself is checked against the
chain: a locked result must still be locked, and an unlocked one must have an unlock record.
"""

from __future__ import annotations

from dataclasses import dataclass

from huanjie.accounts import audit
from huanjie.accounts.models import AuditRecord
from huanjie.elections.models import Election, Round, VoterRegistration
from huanjie.elections.voting.models import (
    CountingForm,
    CountingLine,
    ElectedMember,
    ResultSubmission,
    RoundResult,
)

PART_LABELS = {
    "rounds": "投票轮次及计票结果",
    "forms": "计票单",
    "elected": "当选人员",
    "registrations": "选民登记",
}
SEAL_ACTIONS = ("result.submit", "result.resubmit", "result.unlock")


def _parts(election: Election) -> dict[str, object]:
    rounds = {r.pk: r.number for r in Round.objects.filter(election=election)}
    outputs = dict(RoundResult.objects.filter(round__election=election).values_list("round_id", "output"))
    lines: dict[int, list] = {}
    for ln in CountingLine.objects.filter(form__round__election=election).order_by("form_id", "post_id", "name", "pk"):
        lines.setdefault(ln.form_id, []).append(
            [ln.post_id, ln.name, ln.person_id, ln.write_in, ln.gender, ln.votes])
    forms = [
        [rounds[f.round_id], f.station_id, f.entry, f.method, f.status, f.ballots_issued, f.ballots_returned,
         f.blank_ballots, f.invalid_ballots, f.valid_ballots, f.post_totals, f.post_invalid,
         lines.get(f.pk, [])]
        for f in CountingForm.objects.filter(round__election=election).order_by("round__number", "station_id", "entry")
    ]
    elected = [
        [rounds.get(m.round_id), m.post_id, m.person_id, m.name, m.votes, m.status, m.void_reason]
        for m in ElectedMember.objects.filter(election=election).order_by("round__number", "post_id", "name", "pk")
    ]
    registered = list(
        VoterRegistration.objects.filter(election=election, status=VoterRegistration.REGISTERED)
        .order_by("person_id").values_list("person_id", flat=True)
    )
    return {
        "rounds": [[number, r.kind, r.held_on, outputs.get(r.pk)]
                   for number, r in sorted((r.number, r) for r in Round.objects.filter(election=election))],
        "forms": forms,
        "elected": elected,
        "registrations": {"count": len(registered), "people": registered},
    }


def compute(election: Election) -> dict:
    """The seal: one keyed hash per part, the registered count, and a keyed hash over all."""
    parts = {name: audit.keyed_hash(audit.canonical({"election": election.pk, name: value}))
             for name, value in _parts(election).items()}
    registered = VoterRegistration.objects.filter(election=election, status=VoterRegistration.REGISTERED).count()
    return {"parts": parts, "registered": registered,
            "seal": audit.keyed_hash(audit.canonical({"election": election.pk, "parts": parts}))}


@dataclass
class SealReport:
    submitted: int = 0  # elections whose last lock event is a submission
    checked: int = 0
    unsealed: int = 0  # submitted before results were sealed
    unlocked: int = 0
    findings: list[str] = None

    def __post_init__(self):
        self.findings = self.findings or []


def _name(election: Election | None, pk: str) -> str:
    if election is None:
        return f"选举（编号 {pk}）"
    return f"{election.title}（{election.organization.name}，{election.organization.code}）"


def verify() -> SealReport:
    """Recompute the seal of every election whose result is submitted (per its audit chain)."""
    report = SealReport()
    last: dict[str, AuditRecord] = {}
    for rec in AuditRecord.objects.filter(action__in=SEAL_ACTIONS, object_type="elections.Election").order_by(
        "chain", "seq"
    ):
        last[rec.object_id] = rec
    elections = Election.objects.select_related("organization").in_bulk(
        [int(pk) for pk in last if pk.isdigit()])
    locks = dict(ResultSubmission.objects.filter(election_id__in=list(elections)).values_list("election_id", "locked"))
    for pk, rec in sorted(last.items(), key=lambda item: item[1].at):
        election = elections.get(int(pk)) if pk.isdigit() else None
        name = _name(election, pk)
        if rec.action == "result.unlock":
            report.unlocked += 1
            if locks.get(int(pk)) is True:
                report.findings.append(f"{name}：审计记录显示已解锁，但数据库中的结果为“已锁定”（锁定标志被直接改动）")
            continue
        report.submitted += 1
        if election is None:
            report.findings.append(f"{name}：已报送的选举在数据库中不存在（被直接删除）")
            continue
        if locks.get(election.pk) is not True:
            state = "没有报送记录" if election.pk not in locks else "为“未锁定”"
            report.findings.append(f"{name}：审计记录显示已报送并锁定，但数据库中的结果{state}（锁定标志被直接改动）")
        sealed = (rec.changes.get("seal") or [None, None])[1]
        if not sealed:
            report.unsealed += 1
            continue
        report.checked += 1
        now = compute(election)
        if now["seal"] == sealed.get("seal"):
            continue
        changed = [PART_LABELS.get(p, p) for p, h in sealed.get("parts", {}).items() if now["parts"].get(p) != h]
        detail = "、".join(changed) or "封印"
        extra = ""
        if "registrations" in [p for p, h in sealed.get("parts", {}).items() if now["parts"].get(p) != h]:
            extra = f"；登记选民 报送时 {sealed.get('registered')} 人，现在 {now['registered']} 人"
        report.findings.append(f"{name}：数据与报送时的封印不符（{detail}被改动{extra}）")
    return report
