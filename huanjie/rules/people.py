"""People: eligibility (R5–R7), voter registration (R8–R9), proxies (R20), relations (R11, R12, R37)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .dates import add_years, age_on, latest_day_before
from .errors import EngineError
from .profiles import Profile, canonical_relation, get_profile

__all__ = [
    "EligibilityDecision",
    "PersonRecord",
    "ProxyDecision",
    "ProxyRequest",
    "RegistrationDecision",
    "RegistrationRecord",
    "Relation",
    "RelationIndex",
    "VoterApplicant",
    "VoterDecision",
    "check_counting_staff",
    "check_election_committee",
    "check_proxies",
    "eligibility",
    "registration_conflicts",
    "relation_conflicts",
    "voter_registration_decision",
]

_RELATION_ZH = {
    "spouses": "夫妻",
    "parent-child": "父母子女",
    "siblings": "兄弟姐妹",
    "grandparent-grandchild": "祖孙",
}


def relation_zh(relation: str | None) -> str:
    return _RELATION_ZH.get(relation or "", "其他")


@dataclass(frozen=True)
class Relation:
    """A relation between two named people; ``relation`` is any name of :mod:`profiles`."""

    a: str
    b: str
    relation: str


class RelationIndex:
    """Look up the canonical relations between two people (symmetric)."""

    def __init__(self, relations: Iterable[Relation]) -> None:
        self._pairs: dict[frozenset[str], set[str]] = {}
        for rel in relations:
            canon = canonical_relation(rel.relation)
            if canon is None or rel.a == rel.b:
                continue
            self._pairs.setdefault(frozenset((rel.a, rel.b)), set()).add(canon)

    def between(self, a: str, b: str) -> set[str]:
        return self._pairs.get(frozenset((a, b)), set())

    def related(self, a: str, b: str, allowed: Iterable[str]) -> str | None:
        """The first relation of ``allowed`` (in R-list order) that links a and b, else None."""
        found = self.between(a, b)
        for rel in allowed:
            if rel in found:
                return rel
        return None


# --------------------------------------------------------------------------------------------
# R5–R7 eligibility


@dataclass(frozen=True)
class PersonRecord:
    """A person whose right to vote and stand is checked (R5–R7)."""

    name: str
    id: str | None = None
    birth_date: date | None = None
    deprived_from: date | None = None
    deprived_until: date | None = None
    deprived_lifetime: bool = False


@dataclass(frozen=True)
class EligibilityDecision:
    name: str
    eligible: bool
    birth_date: date | None
    gender: str | None
    code: str | None
    reason: str | None

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "eligible": self.eligible,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "gender": self.gender,
            "code": self.code,
            "reason": self.reason,
        }


def _parse_id(raw: str, reference: date):
    from .idnumber import parse_id  # another module of this package, loaded when first needed

    return parse_id(raw, reference)


def resolve_birth_date(
    id_number: str | None, birth_date: date | None, reference: date, profile: Profile
) -> tuple[date | None, str | None, str | None, str | None]:
    """R5, R67 — the birth date to use: (birth_date, gender, error_code, error_reason).

    ``age.birth_date_source = id_card`` (ZJ Art. 12 ¶2, HA Art. 19): the ID card first, the
    household register without one; ``household_register`` (SH Art. 9): the register first.
    """
    id_birth = gender = None
    id_code = id_reason = None
    if id_number is not None:
        parsed = _parse_id(id_number, reference)
        if parsed.valid:
            id_birth, gender = parsed.birth_date, parsed.gender
        else:
            id_code, id_reason = parsed.code or "id_format", parsed.reason or "身份证号码无效"
    if profile["age.birth_date_source"] == "household_register":
        chosen = birth_date or id_birth
    else:
        chosen = id_birth or birth_date
    if chosen is None:
        if id_code is not None:
            return None, None, id_code, f"身份证号码无效（{id_reason}），无法确定出生日期"
        return None, None, "birth_date_unknown", "缺少身份证号码和出生日期，无法确定年龄"
    return chosen, gender, None, None


def _deprived_on(person: PersonRecord, day: date, path: str) -> bool:
    """R7 — is ``day`` inside the deprivation of political rights (both ends inclusive)?"""
    if person.deprived_lifetime:
        return True
    start, end = person.deprived_from, person.deprived_until
    if start is None and end is None:
        return False
    if end is None:
        raise EngineError(
            "incomplete_deprivation",
            f"{person.name}：剥夺政治权利有起始日期但没有截止日期，也未注明终身",
            f"{path}.deprived_until",
        )
    if start is not None and end < start:
        raise EngineError(
            "date_order", f"{person.name}：剥夺政治权利的截止日期早于起始日期", f"{path}.deprived_until"
        )
    return (start is None or start <= day) and day <= end


def eligibility(
    persons: Sequence[PersonRecord],
    election_date: date,
    profile: Profile | None = None,
    *,
    path: str = "inputs.persons",
) -> list[EligibilityDecision]:
    """R5, R6, R7 — VCL Art. 13 ¶1, CL Arts. 54–58: 年满十八周岁 on the election day (含本日)
    and not deprived of political rights on that day (or for life)."""
    profile = profile or get_profile("national")
    voting_age = profile["age.voting_age"]
    out: list[EligibilityDecision] = []
    for i, person in enumerate(persons):
        p = f"{path}[{i}]"
        birth, gender, code, reason = resolve_birth_date(person.id, person.birth_date, election_date, profile)
        deprived = _deprived_on(person, election_date, p)
        if code is not None:
            out.append(EligibilityDecision(person.name, False, None, None, code, reason))
            continue
        assert birth is not None
        age = age_on(birth, election_date)
        if age < voting_age:
            out.append(
                EligibilityDecision(
                    person.name,
                    False,
                    birth,
                    gender,
                    "under_age",
                    f"出生于{birth.isoformat()}，到选举日{election_date.isoformat()}未满{voting_age}周岁",
                )
            )
        elif deprived:
            what = "终身" if person.deprived_lifetime else "选举日在剥夺期间内"
            out.append(
                EligibilityDecision(
                    person.name, False, birth, gender, "deprived", f"依法被剥夺政治权利（{what}）"
                )
            )
        else:
            out.append(EligibilityDecision(person.name, True, birth, gender, None, None))
    return out


# --------------------------------------------------------------------------------------------
# R8 voter list, R9 one registration


@dataclass(frozen=True)
class VoterApplicant:
    """A person considered for the village voter list (R8). Flags default to the usual case."""

    name: str
    hukou_here: bool
    lives_here: bool = True
    expressed_intent: bool = False
    resident_since: date | None = None
    applied: bool = False
    assembly_approved: bool = False
    village_work_since: date | None = None
    lawful_stable_residence: bool = True
    hukou_certificate: bool = False
    married_in_spouse: bool = False
    collective_rights: bool = False
    committee_confirmed: bool = False
    former_agricultural_hukou: bool = False
    works_here: bool = False
    voted_in_residents_election: bool = False
    lost_capacity: bool = False
    unreachable: bool = False
    id: str | None = None
    birth_date: date | None = None
    deprived_from: date | None = None
    deprived_until: date | None = None
    deprived_lifetime: bool = False


@dataclass(frozen=True)
class VoterDecision:
    name: str
    registered: bool
    category: str | None
    reason: str

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "registered": self.registered,
            "category": self.category,
            "reason": self.reason,
        }


_CATEGORY_ZH = {
    "hukou_resident": "户籍在本村并在本村居住",
    "hukou_absent_intent": "户籍在本村、不在本村居住，本人表示参加选举",
    "non_hukou_resident": "户籍不在本村，在本村居住满规定年限，本人申请并经村民会议或村民代表会议同意",
    "village_work": "户籍不在本村，在本村从事村务工作一年以上，本人申请并经村民会议或村民代表会议同意",
    "married_in_spouse": "嫁（入）本村未迁户口的配偶，本人申请并经村民选举委员会确认",
    "collective_rights_holder": "享有本村集体经济组织权益的原村民，本人申请并经村民选举委员会确认",
    "former_agricultural_hukou": "原农业户口村民转为非农业户口仍在本村居住或工作，经村民会议同意",
}


def voter_registration_decision(
    persons: Sequence[VoterApplicant],
    election_date: date,
    registration_date: date | None = None,
    profile: Profile | None = None,
    *,
    path: str = "inputs.persons",
) -> list[VoterDecision]:
    """R8 (VCL Art. 13 ¶2 and provincial categories), R5–R7 where birth or deprivation data is given.

    Categories: ``hukou_resident`` (1), ``hukou_absent_intent`` (2), ``non_hukou_resident`` (3:
    resident ``registration.residence_years`` or more — R2, exactly one year qualifies — applied
    and approved), and the provincial ``village_work`` (ZJ Art. 13(3)), ``married_in_spouse`` and
    ``collective_rights_holder`` (SH Art. 9 ¶3), ``former_agricultural_hukou`` (BJ Art. 13(3)).
    Periods are counted up to ``registration_date`` (default: the election day).
    """
    profile = profile or get_profile("national")
    on = registration_date or election_date
    years = profile["registration.residence_years"]
    extra = set(profile["registration.extra_categories"])
    out: list[VoterDecision] = []
    for i, p in enumerate(persons):
        ppath = f"{path}[{i}]"
        if (
            p.id is not None
            or p.birth_date is not None
            or p.deprived_lifetime
            or p.deprived_from
            or p.deprived_until
        ):
            record = PersonRecord(
                p.name, p.id, p.birth_date, p.deprived_from, p.deprived_until, p.deprived_lifetime
            )
            decision = eligibility([record], election_date, profile, path=ppath)[0]
            if not decision.eligible:
                out.append(VoterDecision(p.name, False, None, decision.reason or "不具有选举权"))
                continue
        if profile["registration.exclude_lost_capacity_unreachable"] and (p.lost_capacity or p.unreachable):
            why = "丧失行为能力" if p.lost_capacity else "登记期间无法取得联系"
            out.append(VoterDecision(p.name, False, None, f"{why}，不列入选民名单（R8）"))
            continue

        def ok(category: str, name: str = p.name) -> VoterDecision:
            return VoterDecision(name, True, category, _CATEGORY_ZH[category])

        if p.hukou_here:
            if p.lives_here:
                out.append(ok("hukou_resident"))
            elif p.expressed_intent:
                out.append(ok("hukou_absent_intent"))
            else:
                out.append(VoterDecision(p.name, False, None, "户籍在本村但不在本村居住，未表示参加选举"))
            continue

        reasons: list[str] = []
        long_enough = p.resident_since is not None and add_years(p.resident_since, years) <= on
        if p.resident_since is not None and p.resident_since > on:
            raise EngineError("date_order", f"{p.name}：开始居住日期晚于登记日期", f"{ppath}.resident_since")
        if long_enough and p.lives_here and p.applied and p.assembly_approved:
            if profile["registration.lawful_stable_residence"] and not p.lawful_stable_residence:
                reasons.append("不属于合法稳定居住")
            elif profile["registration.require_hukou_certificate"] and not p.hukou_certificate:
                reasons.append("未提交户籍所在村未在该村登记参加选举的证明")
            else:
                out.append(ok("non_hukou_resident"))
                continue
        if "village_work" in extra and p.village_work_since is not None:
            if add_years(p.village_work_since, 1) <= on and p.applied and p.assembly_approved:
                out.append(ok("village_work"))
                continue
        if "married_in_spouse" in extra and p.married_in_spouse and p.lives_here:
            if p.applied and p.committee_confirmed:
                out.append(ok("married_in_spouse"))
                continue
        if "collective_rights_holder" in extra and p.collective_rights:
            if p.applied and p.committee_confirmed:
                out.append(ok("collective_rights_holder"))
                continue
        if "former_agricultural_hukou" in extra and p.former_agricultural_hukou:
            if (p.lives_here or p.works_here) and not p.voted_in_residents_election and p.assembly_approved:
                out.append(ok("former_agricultural_hukou"))
                continue
        if not reasons:
            if p.resident_since is None:
                reasons.append("户籍不在本村，未提供在本村居住的起始日期")
            elif not long_enough:
                reasons.append(f"户籍不在本村，在本村居住不满{years}年")
            elif not p.lives_here:
                reasons.append("户籍不在本村，也不在本村居住")
            elif not p.applied:
                reasons.append("户籍不在本村，本人未申请参加选举")
            else:
                reasons.append("户籍不在本村，未经村民会议或村民代表会议同意")
        out.append(VoterDecision(p.name, False, None, "；".join(reasons)))
    return out


@dataclass(frozen=True)
class RegistrationRecord:
    """One registration of a person in a village (R9)."""

    person: str
    id: str
    village: str
    registered_on: date
    basis: str | None = None


@dataclass(frozen=True)
class RegistrationDecision:
    person: str
    village: str
    accepted: bool
    reason: str | None

    def as_dict(self) -> dict:
        return {
            "person": self.person,
            "village": self.village,
            "accepted": self.accepted,
            "reason": self.reason,
        }


def _id_key(raw: str) -> str:
    text = "".join(raw.split()).upper()
    return text.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})


def registration_conflicts(registrations: Sequence[RegistrationRecord]) -> list[RegistrationDecision]:
    """R9 — VCL Art. 13 ¶3: one person, one village. Duplicates are found by ID number; the
    earliest registration (by ``registered_on``, then input order) stays, later ones are refused
    ("已在<village>登记"). [INTERPRETATION] which registration wins."""
    order = sorted(range(len(registrations)), key=lambda i: (registrations[i].registered_on, i))
    first: dict[str, int] = {}
    result: dict[int, RegistrationDecision] = {}
    for i in order:
        rec = registrations[i]
        key = _id_key(rec.id)
        if key in first:
            kept = registrations[first[key]]
            if kept.village == rec.village:
                why = f"已于{kept.registered_on.isoformat()}在本村（{kept.village}）登记，不得重复登记"
            else:
                why = f"已在{kept.village}登记，不得再参加其他地方村民委员会的选举"
            result[i] = RegistrationDecision(rec.person, rec.village, False, why)
        else:
            first[key] = i
            result[i] = RegistrationDecision(rec.person, rec.village, True, None)
    return [result[i] for i in range(len(registrations))]


# --------------------------------------------------------------------------------------------
# R20 proxies


@dataclass(frozen=True)
class ProxyRequest:
    """A written authorisation to vote (委托投票)."""

    id: str
    principal: str
    agent: str
    relation: str
    filed: date
    agent_is_candidate: bool = False
    agent_has_vote: bool = True


@dataclass(frozen=True)
class ProxyDecision:
    id: str
    accepted: bool
    code: str | None
    reason: str | None

    def as_dict(self) -> dict:
        return {"id": self.id, "accepted": self.accepted, "code": self.code, "reason": self.reason}


def check_proxies(
    proxies: Sequence[ProxyRequest], election_date: date, profile: Profile | None = None
) -> tuple[list[ProxyDecision], date | None]:
    """R20 — VCL Art. 15 ¶4 and ZJ Art. 25, SH Art. 16, BJ Art. 25, HA Art. 30.

    A request is refused when: the agent is not a near relative of the principal
    (``proxy.agent_relation``, CC Art. 1045); it is filed after ``election - N`` days
    (``proxy.deadline_days_before``, R4) or after the election day; the agent is a candidate
    where that is barred; the agent has no vote in the village; principal and agent are the same
    person; the principal already gave a proxy; the agent has themself given a proxy (no
    sub-delegation, ZJ Art. 25; [INTERPRETATION] applied everywhere, an absent agent cannot vote);
    or the agent already holds ``proxy.max_per_agent`` accepted proxies — counted in filing order,
    so the 4th and later are refused ([INTERPRETATION]).

    Returns the decisions (input order) and the day the lists must be published by (or None).
    """
    profile = profile or get_profile("national")
    allowed = profile["proxy.agent_relation"]
    deadline_days = profile["proxy.deadline_days_before"]
    max_per_agent = profile["proxy.max_per_agent"]
    may_be_candidate = profile["proxy.agent_may_be_candidate"]
    principals = {p.principal for p in proxies}
    order = sorted(range(len(proxies)), key=lambda i: (proxies[i].filed, i))
    latest = None if deadline_days is None else latest_day_before(election_date, deadline_days)
    per_agent: dict[str, int] = {}
    seen_principal: set[str] = set()
    decided: dict[int, ProxyDecision] = {}
    for i in order:
        p = proxies[i]

        def refuse(code: str, reason: str, p: ProxyRequest = p) -> ProxyDecision:
            return ProxyDecision(p.id, False, code, reason)

        rel = canonical_relation(p.relation)
        if p.principal == p.agent:
            decided[i] = refuse("self", "委托人和受托人是同一人")
        elif rel is None or rel not in allowed:
            decided[i] = refuse(
                "not_near_relative", f"受托人与委托人的关系（{p.relation}）不属于可以受托的近亲属"
            )
        elif not p.agent_has_vote:
            decided[i] = refuse("agent_without_vote", "受托人不是本村有选举权的村民")
        elif p.filed > election_date:
            decided[i] = refuse("filed_after_election", "委托在选举日之后办理")
        elif latest is not None and p.filed > latest:
            decided[i] = refuse(
                "filed_late", f"委托应在选举日的{deadline_days}日前办理（最迟{latest.isoformat()}）"
            )
        elif p.agent_is_candidate and not may_be_candidate:
            decided[i] = refuse("agent_is_candidate", "候选人不得接受委托")
        elif p.agent in principals:
            decided[i] = refuse(
                "agent_is_principal", "受托人本人已委托他人投票，不能再代他人投票（不得转委托）"
            )
        elif p.principal in seen_principal:
            decided[i] = refuse("duplicate_principal", "该委托人已委托他人，一人只能委托一次")
        elif max_per_agent is not None and per_agent.get(p.agent, 0) >= max_per_agent:
            decided[i] = refuse(
                "agent_limit",
                f"每一受托人接受委托不得超过{max_per_agent}人，已按办理先后受理{max_per_agent}人",
            )
        else:
            per_agent[p.agent] = per_agent.get(p.agent, 0) + 1
            seen_principal.add(p.principal)
            decided[i] = ProxyDecision(p.id, True, None, None)
    days = profile["proxy.lists_published_days_before"]
    publish_by = None if days is None else latest_day_before(election_date, days)
    return [decided[i] for i in range(len(proxies))], publish_by


# --------------------------------------------------------------------------------------------
# R37 relation conflicts, R11 election committee, R12 counting staff


def relation_conflicts(
    pairs: Sequence[Relation], profile: Profile | None = None
) -> tuple[dict[str, bool], str | None]:
    """R37 — which pairs are barred from sitting on the same committee under the jurisdiction's
    ``avoidance.relations``; and the resolution code (``by_post_then_votes``,
    ``flag_for_committee`` or None where the jurisdiction has no avoidance rule)."""
    profile = profile or get_profile("national")
    allowed = profile["avoidance.relations"]
    conflicts: dict[str, bool] = {}
    for pair in pairs:
        canon = canonical_relation(pair.relation)
        key = f"{pair.a}/{pair.b}"
        conflicts[key] = conflicts.get(key, False) or (canon is not None and canon in allowed)
    resolution = None
    if allowed:
        resolution = profile["avoidance.resolution"] or "flag_for_committee"
    return conflicts, resolution


def check_election_committee(
    members: Sequence[str],
    candidates: Sequence[str],
    relations: Sequence[Relation] = (),
    profile: Profile | None = None,
) -> dict:
    """R11 — VCL Art. 12, ZJ Arts. 8–9, SH Art. 7, BJ Art. 9: committee size, and members who
    must leave because they are candidates, or (ZJ Art. 9 ¶2) near relatives of a candidate.

    Returns ``{"size_ok": bool|None, "must_leave": [{"name", "code", "reason"}]}``.
    """
    profile = profile or get_profile("national")
    size = profile["election_committee.size"]
    size_ok = None if size is None else size[0] <= len(members) <= size[1]
    must_leave = _barred_by_candidacy(
        members, candidates, RelationIndex(relations), profile["election_committee.avoidance_relations"],
        own="本人被提名为候选人，应退出村民选举委员会", relative="应退出村民选举委员会",
    )
    return {"size_ok": size_ok, "must_leave": must_leave}


def _barred_by_candidacy(people, candidates, index, allowed, *, own: str, relative: str) -> list[dict]:
    """Who among ``people`` is a candidate, or a relative (of the kinds ``allowed``) of one: R11, R12."""
    cand = list(dict.fromkeys(candidates))
    out: list[dict] = []
    for person in people:
        if person in cand:
            out.append({"name": person, "code": "is_candidate", "reason": own})
            continue
        for c in cand:
            rel = index.related(person, c, allowed)
            if rel:
                reason = f"与候选人{c}系{relation_zh(rel)}关系，{relative}"
                out.append({"name": person, "code": "relative_of_candidate", "reason": reason})
                break
    return out


def check_counting_staff(
    staff: Sequence[str],
    candidates: Sequence[str],
    relations: Sequence[Relation] = (),
    profile: Profile | None = None,
) -> list[dict]:
    """R12 — candidates and (per ``counting_staff.relations``: ZJ Art. 22, SH Art. 14, BJ Art. 21,
    HA Art. 32) their relatives may not be 唱票人、计票人、监票人. A candidate is always barred
    ([INTERPRETATION] for the national profile). Returns ``[{"name", "code", "reason"}]``."""
    profile = profile or get_profile("national")
    return _barred_by_candidacy(
        staff, candidates, RelationIndex(relations), profile["counting_staff.relations"],
        own="候选人不得担任唱票、计票、监票等工作人员", relative="不得担任唱票、计票、监票等工作人员",
    )
