"""三个100% (policy.md P19): who must sign what, computed from the people the system already knows,
and who has not signed yet.

* every township party secretary — the responsibility letter (责任书), one per township of the
  campaign; the system keeps no register of township leaders, so the name is recorded with the
  letter (:func:`record_township_letter`), and a township without one is listed as not signed;
* the village party secretary — the responsibility letter (责任书). During the campaign the sitting
  secretary is the previous term's (imported with the previous term's cadres);
* every candidate still standing — the commitment (承诺书);
* every election worker: the election committee's active members and each station's staff — the
  guarantee (保证书).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from huanjie.accounts import audit
from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.core.access import COUNTY, TOWNSHIP, VILLAGE
from huanjie.people.models import Person, Region

from .models import Commitment, TownshipLetter
from .services import OversightError, _campaign_village, _date, _require, _require_scope

MAX_COPY = 5 * 1024 * 1024
COPY_TYPES = {b"%PDF": ("application/pdf", ".pdf"), b"\x89PNG": ("image/png", ".png"),
              b"\xff\xd8\xff": ("image/jpeg", ".jpg")}


@dataclass
class Need:
    kind: str
    person: Person
    role: str
    signed: Commitment | None = None

    @property
    def kind_label(self) -> str:
        return dict(Commitment.KIND_CHOICES)[self.kind]


def needs(campaign: Campaign, villages: list[Region]) -> dict[int, list[Need]]:
    """Per village id, everyone who must sign, with the signed record where there is one."""
    from huanjie.elections.models import Candidate, CommitteeMember, Election, StationStaff
    from huanjie.reports.models import PreviousCadre

    ids = [v.pk for v in villages]
    out: dict[int, dict[tuple[str, int], Need]] = {v: {} for v in ids}

    def add(village_id, kind, person, role):
        out[village_id].setdefault((kind, person.pk), Need(kind, person, role))

    secretaries = {p.id_number: p.village_id for p in PreviousCadre.objects.filter(
        campaign=campaign, village_id__in=ids, secretary=True)}
    for person in Person.objects.filter(id_number__in=list(secretaries)):
        add(secretaries[person.id_number], Commitment.RESPONSIBILITY, person, "村党组织书记")
    elections = Election.objects.filter(campaign=campaign, organization_id__in=ids)
    # Plain values, and the people by primary key in one query: a county's thousands of candidates
    # and workers joined with the people table were planned as a scan of its million people, and
    # four model objects per row cost more than the page's budget (issue 17).
    # The candidates' pledge is the 两委's (seed 004 三项承诺); the supervision committee's candidates,
    # chosen by a meeting, sign none.
    candidates = Candidate.objects.filter(election__in=elections.exclude(kind=Election.VILLAGE_SUPERVISION),
                                          status=Candidate.ACTIVE)
    members = CommitteeMember.objects.filter(election__in=elections, status=CommitteeMember.ACTIVE)
    staff = StationStaff.objects.filter(station__election__in=elections)
    people = Person.objects.filter(
        Q(pk__in_ids=candidates.order_by().values("person_id")) | Q(pk__in_ids=members.order_by().values("person_id"))
        | Q(pk__in_ids=staff.order_by().values("person_id"))).order_by().only("id", "name").in_bulk()
    for village_id, person_id, post in candidates.values_list("election__organization_id", "person_id", "post__name"):
        add(village_id, Commitment.PLEDGE, people[person_id], f"{post}候选人")
    member_posts = dict(CommitteeMember._meta.get_field("post").flatchoices)
    for village_id, person_id, post in members.values_list("election__organization_id", "person_id", "post"):
        add(village_id, Commitment.GUARANTEE, people[person_id], f"村民选举委员会{member_posts.get(post, post)}")
    staff_roles = dict(StationStaff._meta.get_field("role").flatchoices)
    for village_id, person_id, station, role in staff.values_list(
            "station__election__organization_id", "person_id", "station__name", "role"):
        add(village_id, Commitment.GUARANTEE, people[person_id], f"{station}{staff_roles.get(role, role)}")
    for rec in Commitment.objects.filter(campaign=campaign, village_id__in=ids).defer("copy"):
        need = out.get(rec.village_id, {}).get((rec.kind, rec.person_id))
        if need is not None:
            need.signed = rec
    return {v: sorted(d.values(), key=lambda n: (n.kind != Commitment.RESPONSIBILITY, n.kind, n.person.name))
            for v, d in out.items()}


def village_rows(campaign: Campaign, prefix: str, q: str = "") -> list[dict]:
    villages = [e.village for e in CampaignVillage.objects.filter(
        campaign=campaign, village__code__startswith=prefix).select_related("village__parent")
        if not q or q in e.village.name or q in e.village.parent.name]
    per = needs(campaign, villages)
    rows = []
    for v in villages:
        items = per[v.pk]
        missing = [n for n in items if n.signed is None]
        rows.append({"village": v, "required": len(items), "signed": len(items) - len(missing), "missing": missing})
    return rows


def _copy(data: bytes | None, name: str) -> tuple[bytes | None, str, str]:
    if not data:
        return None, "", ""
    if len(data) > MAX_COPY:
        raise OversightError(f"签字件：文件 {len(data) // 1024} KB，超过 5 MB。")
    for magic, (ctype, _) in COPY_TYPES.items():
        if data.startswith(magic):
            return data, (name or "签字件")[-120:], ctype
    raise OversightError("签字件：只能上传 PDF、PNG 或 JPG 文件。")


@transaction.atomic
def record_signed(actor, campaign: Campaign, village: Region, kind: str, person_id: int, signed_on: dt.date,
                  copy: bytes | None = None, copy_name: str = "") -> Commitment:
    """Record that a person signed (or correct the date / replace the signed copy)."""
    _require(actor, {COUNTY, TOWNSHIP, VILLAGE}, "登记三个100%签订情况")
    _require_scope(actor, village, "登记三个100%签订情况")
    _campaign_village(campaign, village)
    need = next((n for n in needs(campaign, [village])[village.pk] if n.kind == kind and n.person.pk == person_id),
                None)
    if need is None:
        raise OversightError("签订人：不在本村应签订的名单中。")
    signed_on = _date(signed_on, "签订日期")
    data, name, ctype = _copy(copy, copy_name)
    rec = need.signed or Commitment(campaign=campaign, village=village, kind=kind, person=need.person)
    before = {"signed_on": rec.signed_on, "copy": rec.copy_name or None} if rec.pk else {}
    rec.role, rec.signed_on, rec.recorded_by = need.role, signed_on, actor
    if data is not None:
        rec.copy, rec.copy_name, rec.copy_type = data, name, ctype
    rec.save()
    audit.record(actor, "oversight.commitment", rec, object_repr=f"{need.person.name}{need.kind_label}",
                 changes=audit.diff(before, {"signed_on": signed_on, "copy": rec.copy_name or None}))
    return rec


# ---------------------------------------------------------------- township party secretaries


def township_rows(campaign: Campaign, prefix: str) -> list[dict]:
    """The townships of the campaign under ``prefix`` with their secretary's letter (or None)."""
    ids = set(CampaignVillage.objects.filter(campaign=campaign, village__code__startswith=prefix)
              .values_list("village__parent_id", flat=True))
    letters = {t.township_id: t for t in TownshipLetter.objects.filter(campaign=campaign, township_id__in=ids)}
    townships = Region.objects.filter(pk__in=ids, level=Region.TOWNSHIP).order_by("code")
    return [{"township": t, "letter": letters.get(t.pk),
             "signed": bool(letters.get(t.pk) and letters[t.pk].signed_on)} for t in townships]


@transaction.atomic
def record_township_letter(actor, campaign: Campaign, township: Region, secretary: str,
                           signed_on: dt.date | None, copy: bytes | None = None, copy_name: str = "") -> TownshipLetter:
    """Record the township party secretary's name and, once signed, the date and the signed copy.
    The county signs these letters with the townships; a township may record its own."""
    _require(actor, {COUNTY, TOWNSHIP}, "登记乡镇党委书记责任书")
    _require_scope(actor, township, "登记乡镇党委书记责任书")
    if township.level != Region.TOWNSHIP or not CampaignVillage.objects.filter(
            campaign=campaign, village__parent=township).exists():
        raise OversightError(f"{township.name}不是本次换届的乡镇（街道）。")
    name = (secretary or "").strip()
    if not name:
        raise OversightError("乡镇党委书记：必须填写姓名。")
    if len(name) > 40:
        raise OversightError(f"乡镇党委书记：不能超过 40 个字（现在 {len(name)} 个）。")
    if signed_on is not None:
        signed_on = _date(signed_on, "签订日期")
    data, cname, ctype = _copy(copy, copy_name)
    if data is not None and signed_on is None:
        raise OversightError("签订日期：上传签字件时必须填写签订日期。")
    rec = TownshipLetter.objects.select_for_update().filter(campaign=campaign, township=township).first()
    before = {"secretary": rec.secretary, "signed_on": rec.signed_on, "copy": rec.copy_name or None} if rec else {}
    rec = rec or TownshipLetter(campaign=campaign, township=township)
    rec.secretary, rec.signed_on, rec.recorded_by = name, signed_on, actor
    if data is not None:
        rec.copy, rec.copy_name, rec.copy_type = data, cname, ctype
    rec.save()
    audit.record(actor, "oversight.township_letter", rec, object_repr=f"{township.name}党委书记{name}责任书",
                 changes=audit.diff(before, {"secretary": name, "signed_on": signed_on, "copy": rec.copy_name or None}))
    return rec
