"""After the vote (issue 13 "After the vote", issue 14 structure statistics): the cadres who left
office and whether they were placed elsewhere (另行安排), the talks with those not elected
(谈心谈话), and the reserve cadres (后备干部) of each village.

Who left office is computed, never typed: a cadre of the previous term (imported list) has left
when every body they served on has its new result and they are in neither new team. Who was not
elected is computed too: a standing candidate of an election with a result who is in no new team.
Only the township's (or county's) records are typed: the placement with where, the talk, the
reserve list. Every write checks role and scope and is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from huanjie.accounts import audit
from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.core.access import COUNTY, TOWNSHIP, in_scope
from huanjie.people.models import Person, Region
from huanjie.rules.dates import age_on
from huanjie.rules.policy import _level_at_least, education_level

from .models import Placement, PreviousCadre, ReserveCadre, Talk

OFFICES = frozenset({COUNTY, TOWNSHIP})
LEFT, NOT_ELECTED = "left", "not_elected"


class OutgoingError(Exception):
    """A refused record; ``str(exc)`` is the Chinese reason naming the field."""


@dataclass
class OutgoingRow:
    """One person who left office or was not elected, with what the township recorded."""

    key: str
    name: str
    village: Region
    previous: PreviousCadre | None = None  # set when the person served in the previous term
    left: bool = False
    stood: list[str] = field(default_factory=list)  # "主任候选人" … posts stood for and not won
    placement: Placement | None = None
    talk: Talk | None = None

    @property
    def placed(self) -> bool:
        return bool(self.placement and self.placement.placed)

    @property
    def situation(self) -> str:
        if self.left and self.stood:
            return "上届班子成员，参选未当选"
        if self.left:
            return "上届班子成员，未参选（离任）"
        return "参选未当选"


def _bodies(kind: str) -> str | None:
    from huanjie.elections.models import Election

    if kind in (Election.VILLAGE_COMMITTEE, Election.RESIDENTS_COMMITTEE):
        return "committee"
    if kind in (Election.PARTY_BRANCH, Election.PARTY_PLENARY):
        return "party"
    return None


def _elected(campaign: Campaign) -> tuple[set[str], dict[int, set[str]]]:
    """The ID numbers of everyone elected (not void) anywhere in the campaign, and per village the
    bodies ("committee", "party") whose new result is in."""
    from huanjie.elections.models import ElectedMember, RoundResult

    from .structure import TEAM_KINDS

    # in a new 两委 team: a seat on the supervision committee is a placement, not staying in office
    keys = set(ElectedMember.objects.filter(election__campaign=campaign, status=ElectedMember.ELECTED,
                                            election__kind__in=TEAM_KINDS, person__isnull=False)
               .values_list("person__id_number", flat=True))
    bodies: dict[int, set[str]] = {}
    for village_id, kind in (RoundResult.objects.filter(round__election__campaign=campaign)
                             .values_list("round__election__organization_id", "round__election__kind").distinct()):
        body = _bodies(kind)
        if body:
            bodies.setdefault(village_id, set()).add(body)
    return keys, bodies


def outgoing_rows(campaign: Campaign, prefix: str, q: str = "") -> list[OutgoingRow]:
    """Everyone under ``prefix`` who left office or was not elected, by village and name."""
    from huanjie.elections.models import Candidate, Election

    keys, bodies = _elected(campaign)
    rows: dict[str, OutgoingRow] = {}
    for p in PreviousCadre.objects.filter(campaign=campaign, village__code__startswith=prefix).select_related(
            "village__parent"):
        served = ({"party"} if p.party_committee else set()) | ({"committee"} if p.villagers_committee else set())
        if p.id_number in keys or not served or not served <= bodies.get(p.village_id, set()):
            continue
        rows[p.id_number] = OutgoingRow(p.id_number, p.name, p.village, previous=p, left=True)
    from .structure import TEAM_KINDS

    counted = Election.objects.filter(campaign=campaign, organization__code__startswith=prefix, kind__in=TEAM_KINDS,
                                      stage__in=[Election.COUNTED, Election.SUBMITTED])
    for c in (Candidate.objects.filter(election__in=counted, status=Candidate.ACTIVE, person__id_number__isnull=False)
              .select_related("person", "post", "election__organization__parent").order_by("post__rank", "id")):
        key = c.person.id_number
        if key in keys:
            continue
        row = rows.setdefault(key, OutgoingRow(key, c.person.name, c.election.organization))
        # the party committee's 委员 is not the villagers' committee's: say which body
        label = f"{'党组织' if _bodies(c.election.kind) == 'party' else ''}{c.post.name}候选人"
        if label not in row.stood:
            row.stood.append(label)
    placements = {p.id_number: p for p in Placement.objects.filter(campaign=campaign, id_number__in=list(rows))}
    talks = {t.id_number: t for t in Talk.objects.filter(campaign=campaign, id_number__in=list(rows))}
    out = []
    for row in rows.values():
        row.placement, row.talk = placements.get(row.key), talks.get(row.key)
        if q and q not in row.name and q not in row.village.name and q not in row.village.parent.name:
            continue
        out.append(row)
    return sorted(out, key=lambda r: (r.village.code, not r.left, r.name))


def outgoing_counts(rows: list[OutgoingRow]) -> dict[str, int]:
    left = [r for r in rows if r.left]
    return {
        "left": len(left),
        "placed": sum(1 for r in left if r.placed),
        "not_elected": sum(1 for r in rows if r.stood),
        "people": len(rows),
        "talked": sum(1 for r in rows if r.talk is not None),
    }


def _row_for(actor, campaign: Campaign, village: Region, id_number: str, what: str) -> OutgoingRow:
    if getattr(actor, "role", None) not in OFFICES:
        raise OutgoingError(f"您的账号无权{what}。")
    if not in_scope(actor, village.code):
        raise OutgoingError(f"{village.name}不在您的管辖范围内，不能{what}。")
    row = next((r for r in outgoing_rows(campaign, village.code) if r.key == id_number), None)
    if row is None:
        raise OutgoingError(f"公民身份号码：{id_number or '（空）'} 不是{village.name}离任或未当选的人员。")
    return row


def _day(value, label: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise OutgoingError(f"{label}：日期无效，应为 YYYY-MM-DD。")
    if value > timezone.localdate():
        raise OutgoingError(f"{label}：{value.isoformat()} 晚于今天。")
    return value


def _text(value, label: str, limit: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise OutgoingError(f"{label}：必须填写。")
    if len(text) > limit:
        raise OutgoingError(f"{label}：不能超过 {limit} 个字（现在 {len(text)} 个）。")
    return text


@transaction.atomic
def record_placement(actor, campaign: Campaign, village: Region, id_number: str, *, placed: bool,
                     where: str = "", on: dt.date | None = None) -> Placement:
    """另行安排 of a cadre who left office: where to and when (or that there is none yet)."""
    row = _row_for(actor, campaign, village, id_number, "登记离任村干部的安排")
    if not row.left:
        raise OutgoingError(f"{row.name}不是上届村干部，没有离任安排可登记。")
    clean = {"placed": bool(placed), "placed_where": "", "placed_on": None}
    if placed:
        clean["placed_where"] = _text(where, "安排去向", 120)
        clean["placed_on"] = _day(on, "安排日期")
    obj = Placement.objects.select_for_update().filter(campaign=campaign, id_number=row.key).first()
    before = {k: getattr(obj, k) for k in clean} if obj else {}
    obj = obj or Placement(campaign=campaign, id_number=row.key)
    obj.village, obj.name, obj.recorded_by = village, row.name, actor
    for k, v in clean.items():
        setattr(obj, k, v)
    obj.save()
    audit.record(actor, "reports.placement", obj, object_repr=f"{row.name}（离任安排）",
                 changes=audit.diff(before, clean))
    return obj


@transaction.atomic
def record_talk(actor, campaign: Campaign, village: Region, id_number: str, *, talked_on: dt.date | None,
                talked_by: str, content: str) -> Talk:
    """谈心谈话 with a person not elected or leaving office (one record per person, corrected in place)."""
    row = _row_for(actor, campaign, village, id_number, "登记谈心谈话")
    clean = {"talked_on": _day(talked_on, "谈话日期"), "talked_by": _text(talked_by, "谈话人", 60),
             "content": _text(content, "谈话情况", 2000)}
    obj = Talk.objects.select_for_update().filter(campaign=campaign, id_number=row.key).first()
    before = {k: getattr(obj, k) for k in clean} if obj else {}
    obj = obj or Talk(campaign=campaign, id_number=row.key)
    obj.village, obj.name, obj.recorded_by = village, row.name, actor
    for k, v in clean.items():
        setattr(obj, k, v)
    obj.save()
    audit.record(actor, "reports.talk", obj, object_repr=f"{row.name}（谈心谈话）", changes=audit.diff(before, clean))
    return obj


# ---------------------------------------------------------------- 后备干部


def _office(actor, village: Region, what: str) -> None:
    if getattr(actor, "role", None) not in OFFICES:
        raise OutgoingError(f"您的账号无权{what}。")
    if not in_scope(actor, village.code):
        raise OutgoingError(f"{village.name}不在您的管辖范围内，不能{what}。")


@transaction.atomic
def add_reserve(actor, campaign: Campaign, village: Region, id_number: str, *, source: str, note: str = "",
                added_on: dt.date | None = None) -> ReserveCadre:
    """List a person of the village's register as a reserve cadre. A person "from the elections"
    must be a candidate of this campaign who was not elected."""
    _office(actor, village, "登记后备干部")
    if not CampaignVillage.objects.filter(campaign=campaign, village=village).exists():
        raise OutgoingError(f"{village.name}不在“{campaign.name}”的换届范围内。")
    if source not in dict(ReserveCadre.SOURCE_CHOICES):
        raise OutgoingError("来源：应为调查摸底、参加本次选举未当选或其他途径。")
    number = (id_number or "").strip().upper()
    person = Person.objects.filter(Q(hukou_village=village) | Q(residence_village=village),
                                   id_number=number).first() if number else None
    if person is None:
        raise OutgoingError(f"公民身份号码：{number or '（空）'} 不是{village.name}户籍或居住的人员。")
    added_on = _day(added_on or timezone.localdate(), "列入日期")
    if age_on(person.birth_date, added_on) < 18:
        raise OutgoingError(f"公民身份号码：{person.name}未满 18 周岁，不能列为后备干部。")
    if source == ReserveCadre.ELECTION and not any(
            r.key == number and r.stood for r in outgoing_rows(campaign, village.code)):
        raise OutgoingError(f"来源：{person.name}不是本次选举中未当选的候选人。")
    if ReserveCadre.objects.filter(campaign=campaign, person=person).exists():
        raise OutgoingError(f"公民身份号码：{person.name}已列入后备干部。")
    obj = ReserveCadre.objects.create(campaign=campaign, village=village, person=person, source=source,
                                      note=_text(note, "培养方向", 200, required=False),
                                      added_on=added_on,
                                      recorded_by=actor)
    audit.record(actor, "reports.reserve.add", obj, object_repr=f"{person.name}（后备干部）",
                 changes={"source": [None, source], "village": [None, village.name]})
    return obj


@transaction.atomic
def remove_reserve(actor, reserve: ReserveCadre) -> None:
    _office(actor, reserve.village, "调整后备干部")
    audit.record(actor, "reports.reserve.remove", reserve, object_repr=f"{reserve.person.name}（后备干部）",
                 changes={"source": [reserve.source, None]})
    reserve.delete()


def reserve_rows(campaign: Campaign, prefix: str, q: str = "") -> list[dict]:
    """Per village: the reserve cadres listed (count, women, young, college or more) and the
    survey's count of suitable people, for the statistics."""
    from huanjie.oversight.models import Survey

    young_max = campaign.effective_policy()["young_member_age_max"]
    entries = (CampaignVillage.objects.filter(campaign=campaign, village__code__startswith=prefix)
               .select_related("village__parent").order_by("village__code"))
    surveys = {s.village_id: s for s in Survey.objects.filter(campaign=campaign, village__code__startswith=prefix)}
    listed: dict[int, list[ReserveCadre]] = {}
    for r in ReserveCadre.objects.filter(campaign=campaign, village__code__startswith=prefix).select_related("person"):
        listed.setdefault(r.village_id, []).append(r)
    rows = []
    for e in entries:
        v = e.village
        if q and q not in v.name and q not in v.parent.name:
            continue
        people = [r.person for r in listed.get(v.pk, [])]
        survey = surveys.get(v.pk)
        rows.append({
            "village": v, "reserves": listed.get(v.pk, []), "count": len(people),
            "women": sum(1 for p in people if p.gender == "F"),
            "young": sum(1 for p in people if age_on(p.birth_date, campaign.cutoff_date) <= young_max),
            "college": sum(1 for p in people if _level_at_least(education_level(p.education), "college")),
            "from_election": sum(1 for r in listed.get(v.pk, []) if r.source == ReserveCadre.ELECTION),
            "survey_total": survey.reserve_total if survey else None,
        })
    return rows


def reserve_totals(rows: list[dict]) -> dict[str, int]:
    return {k: sum(r[k] for r in rows) for k in ("count", "women", "young", "college", "from_election")} | {
        "villages_with": sum(1 for r in rows if r["count"]), "villages": len(rows),
        "survey_total": sum(r["survey_total"] or 0 for r in rows)}
