"""Writes to the people register. Each runs in one transaction and appends to the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict

from huanjie.accounts import audit
from huanjie.core.access import require_scope, require_write
from huanjie.rules.idnumber import parse_id

from .models import Person, Relation


class ValidationFailed(Exception):
    """Bad input: ``errors`` maps a field name to its Chinese message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(f"{k}：{v}" for k, v in errors.items()))
        self.errors = errors


PERSON_FIELDS = [
    "name", "id_number", "gender", "birth_date", "manual_birth_data", "ethnicity", "education",
    "political_status", "hukou_village", "residence_village", "group_name", "address", "phone",
    "deprived_from", "deprived_until", "deprived_lifetime",
]


def _snapshot(person: Person) -> dict:
    return model_to_dict(person, fields=PERSON_FIELDS)


@dataclass
class IdentityFacts:
    id_number: str | None
    gender: str
    birth_date: dt.date
    manual: bool


def identity_from_input(id_number: str, gender: str, birth_date: dt.date | None) -> IdentityFacts:
    """Gender and birth date come from the ID number; by hand only when there is none (then flagged)."""
    raw = (id_number or "").strip()
    if raw:
        parsed = parse_id(raw, dt.date.today())
        if not parsed.valid:
            raise ValidationFailed({"id_number": parsed.reason or "身份证号码无效"})
        return IdentityFacts(parsed.normalised, parsed.gender, parsed.birth_date, manual=False)
    errors = {}
    if gender not in {"M", "F"}:
        errors["gender"] = "没有身份证号码时必须手工选择性别"
    if birth_date is None:
        errors["birth_date"] = "没有身份证号码时必须手工填写出生日期"
    if errors:
        raise ValidationFailed(errors)
    return IdentityFacts(None, gender, birth_date, manual=True)


def _check_deprivation(data: dict) -> None:
    start, end = data.get("deprived_from"), data.get("deprived_until")
    if start and end and end < start:
        raise ValidationFailed({"deprived_until": "剥夺政治权利的截止日期早于起始日期"})
    if data.get("deprived_lifetime") and end:
        raise ValidationFailed({"deprived_until": "终身剥夺政治权利时不应填写截止日期"})


@transaction.atomic
def save_person(actor, data: dict, person: Person | None = None) -> Person:
    """Create or update a person. ``data`` holds cleaned form values."""
    require_write(actor)
    facts = identity_from_input(data.get("id_number", ""), data.get("gender", ""), data.get("birth_date"))
    _check_deprivation(data)
    hukou = data["hukou_village"]
    require_scope(actor, hukou.code)
    if facts.id_number:
        clash = Person.objects.filter(id_number=facts.id_number)
        if person is not None:
            clash = clash.exclude(pk=person.pk)
        other = clash.select_related("hukou_village").first()
        if other is not None:
            raise ValidationFailed({"id_number": f"该身份证号码已登记为{other.hukou_village.full_name()}的{other.name}，一人只能有一条记录"})
    before = _snapshot(person) if person else {}
    if person is None:
        person = Person()
    else:
        require_scope(actor, person.hukou_village.code)
    for field in PERSON_FIELDS:
        if field in data:
            setattr(person, field, data[field])
    person.id_number = facts.id_number
    person.gender = facts.gender
    person.birth_date = facts.birth_date
    person.manual_birth_data = facts.manual
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        raise ValidationFailed({"id_number": "该身份证号码已存在，一人只能有一条记录"}) from exc
    after = _snapshot(person)
    audit.record(actor, "person.update" if before else "person.create", person, changes=audit.diff(before, after))
    return person


@transaction.atomic
def add_relation(actor, person: Person, other: Person, kind: str, *, person_is_elder: bool = True) -> Relation:
    """Store a relation once. For parent/grandparent kinds ``person_is_elder`` says who is the elder."""
    require_write(actor)
    require_scope(actor, person.hukou_village.code)
    if person.pk == other.pk:
        raise ValidationFailed({"other": "不能与本人建立亲属关系"})
    if kind not in dict(Relation.KIND_CHOICES):
        raise ValidationFailed({"kind": "未知的亲属关系类型"})
    if kind in Relation.SYMMETRIC:
        elder, younger = sorted([person, other], key=lambda p: p.pk)
    else:
        elder, younger = (person, other) if person_is_elder else (other, person)
        if elder.birth_date >= younger.birth_date:
            raise ValidationFailed({"kind": f"{elder.name}的出生日期不早于{younger.name}，不能是其长辈"})
    existing = Relation.objects.filter(elder__in=[person, other], younger__in=[person, other]).first()
    if existing is not None:
        raise ValidationFailed({"other": f"{person.name}与{other.name}之间已登记关系：{existing.get_kind_display()}"})
    rel = Relation.objects.create(elder=elder, younger=younger, kind=kind)
    audit.record(actor, "relation.create", rel, region_code=person.hukou_village.code,
                 changes={"elder": [None, elder.pk], "younger": [None, younger.pk], "kind": [None, kind]})
    return rel


@transaction.atomic
def remove_relation(actor, relation: Relation) -> None:
    require_write(actor)
    require_scope(actor, relation.elder.hukou_village.code)
    audit.record(actor, "relation.delete", relation, region_code=relation.elder.hukou_village.code,
                 changes={"elder": [relation.elder_id, None], "younger": [relation.younger_id, None],
                          "kind": [relation.kind, None]})
    relation.delete()


class PersonLookupError(Exception):
    """A person field that names nobody; ``str(exc)`` says why in Chinese and what to do."""


def find_by_id_number(user, text: str) -> Person:
    """The person with this ID number within the user's scope. A number that cannot be an ID
    number (wrong length, bad check digit) is reported as such, not as "人员库中没有"."""
    raw = (text or "").strip()
    if not raw:
        raise PersonLookupError("请填写公民身份号码，或按姓名查找后选择。")
    parsed = parse_id(raw, dt.date.today())
    if not parsed.valid:
        raise PersonLookupError(f"公民身份号码“{raw}”有误：{parsed.reason or '格式不对。'}")
    person = Person.objects.visible_to(user).filter(id_number=parsed.normalised).first()
    if person is None:
        raise PersonLookupError(
            f"人员库中没有公民身份号码为 {parsed.normalised} 的人员（或不在您的管辖范围内），请先在人员库中登记。"
        )
    return person
