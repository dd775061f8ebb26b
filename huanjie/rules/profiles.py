"""Jurisdiction profiles: the configuration switches of rules.md §5 as data.

A profile is a named set of switch values (dotted names such as ``proxy.max_per_agent``). The
five built-in profiles are ``national`` (the law only: VCL, URCL, CC, the Party rules),
``zhejiang``, ``shanghai``, ``beijing`` and ``henan``. :func:`get_profile` takes a profile name
and overrides by dotted name; an unknown switch or an ill-typed value is an error, so a typo in a
campaign's configuration can never silently fall back to a default.

Where rules.md marks an open question, the switch exists with rules.md's default and the
description says it is open (``party.win_base``, ``party.quorum_exact_4_5_ok``,
``party.plenary_quorum``, ``party.exclusion_situations``).

Relation names (used by every relation list here and wherever a relation appears in input):
``spouses``, ``parent-child``, ``siblings``, ``grandparent-grandchild`` (the four groups of CC
Art. 1045 近亲属), or the Chinese terms (配偶, 夫妻, 父母, 子女, 父母子女, 兄弟姐妹, 祖父母,
外祖父母, 孙子女, 外孙子女). In a switch value two shorthands are accepted: ``近亲属`` (all four)
and ``直系亲属`` / ``lineal`` (spouse is *not* lineal; parent-child and grandparent-grandchild).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .errors import EngineError
from .profile_versions import version_for

__all__ = [
    "JURISDICTIONS",
    "NEAR_RELATIVES",
    "PROFILES",
    "RELATIONS",
    "SWITCHES",
    "Profile",
    "SwitchSpec",
    "canonical_relation",
    "get_profile",
    "profile_for",
]

RELATIONS = ("spouses", "parent-child", "siblings", "grandparent-grandchild")
NEAR_RELATIVES = frozenset(RELATIONS)  # CC Art. 1045 ¶2

_RELATION_ALIASES = {
    "spouses": "spouses",
    "spouse": "spouses",
    "配偶": "spouses",
    "夫妻": "spouses",
    "parent-child": "parent-child",
    "parent": "parent-child",
    "child": "parent-child",
    "父母": "parent-child",
    "子女": "parent-child",
    "父母子女": "parent-child",
    "父子": "parent-child",
    "父女": "parent-child",
    "母子": "parent-child",
    "母女": "parent-child",
    "siblings": "siblings",
    "sibling": "siblings",
    "兄弟姐妹": "siblings",
    "兄弟": "siblings",
    "姐妹": "siblings",
    "兄妹": "siblings",
    "姐弟": "siblings",
    "grandparent-grandchild": "grandparent-grandchild",
    "祖父母": "grandparent-grandchild",
    "外祖父母": "grandparent-grandchild",
    "孙子女": "grandparent-grandchild",
    "外孙子女": "grandparent-grandchild",
    "祖孙": "grandparent-grandchild",
}

_RELATION_GROUPS = {
    "近亲属": RELATIONS,
    "near_relatives": RELATIONS,
    "直系亲属": ("parent-child", "grandparent-grandchild"),
    "lineal": ("parent-child", "grandparent-grandchild"),
}

ORGQA_SITUATIONS = (
    "mental_illness",
    "abroad_self_funded",
    "serving_sentence",
    "elderly_infirm",
    "relation_not_transferred",
)

JURISDICTIONS = ("national", "zhejiang", "shanghai", "beijing", "henan")


def canonical_relation(name: object) -> str | None:
    """R37, R20 — map a relation name (English code or CC Art. 1045 Chinese term) to its group.

    Returns one of :data:`RELATIONS`, or ``None`` for any other name (no near relation).
    """
    if not isinstance(name, str):
        return None
    return _RELATION_ALIASES.get(name.strip())


@dataclass(frozen=True)
class SwitchSpec:
    """One configuration switch: its value type, the rule it comes from, and what it means."""

    name: str
    type: str
    rule: str
    description: str
    choices: tuple[str, ...] = ()


def _spec(name: str, type_: str, rule: str, description: str, choices: tuple[str, ...] = ()) -> SwitchSpec:
    return SwitchSpec(name, type_, rule, description, choices)


_SPECS = (
    _spec("proxy.max_per_agent", "int?", "R20", "每名受托人最多接受委托人数；null 为法律未规定"),
    _spec("proxy.deadline_days_before", "int?", "R20", "委托须在选举日前若干日办理；null 为未规定"),
    _spec("proxy.agent_relation", "relations", "R20", "受托人须为委托人的哪些近亲属"),
    _spec("proxy.agent_may_be_candidate", "bool", "R20", "候选人可否作为受托人"),
    _spec("proxy.lists_published_days_before", "int?", "R20", "委托人和受托人名单在选举日前若干日公布"),
    _spec("avoidance.relations", "relations", "R37", "村（居）委会成员之间任职回避的亲属关系"),
    _spec(
        "avoidance.resolution",
        "enum?",
        "R37",
        "回避冲突的处理：按职务高低再按得票多少，或提交选举委员会",
        ("by_post_then_votes", "flag_for_committee"),
    ),
    _spec(
        "avoidance.same_post_same_votes",
        "enum",
        "R37",
        "同职务同票数的回避冲突：再次投票或提交选举委员会",
        ("revote", "flag_for_committee"),
    ),
    _spec(
        "women.mode",
        "enum",
        "R36",
        "妇女成员的保障方式",
        ("none", "dedicated_post", "runoff_reserve", "assembly_decides_post"),
    ),
    _spec("runoff.days_limit", "int?", "R34", "另行选举须在选举日后若干日内举行；null 为未规定"),
    _spec("runoff.min_members_to_leave_vacant", "int?", "R35", "当选人数达到此数时空缺职位可以暂缺"),
    _spec("runoff.vacancy_requires_director", "bool", "R35", "暂缺还须已选出主任（北京）"),
    _spec(
        "runoff.vacancy_allowed_after_first_round",
        "bool",
        "R35",
        "第一次投票后当选人数已达要求时即可不另行选举（上海）",
    ),
    _spec("runoff.require_turnout", "bool", "R33", "另行选举和再次投票也须过半数选民参加投票"),
    _spec("runoff.extra_candidates", "int", "R31", "另行选举候选人比缺额多出的人数"),
    _spec(
        "candidates.margin.director",
        "margin",
        "R14",
        "主任、副主任候选人比应选名额多出的人数 [最少, 最多或null]",
    ),
    _spec("candidates.margin.member", "margin", "R14", "委员候选人比应选名额多出的人数 [最少, 最多或null]"),
    _spec("ballot.same_person_two_posts_invalid", "bool", "R26", "同一人被选为两个以上职务的选票整张无效"),
    _spec("ballot.extra_mark_invalid", "bool", "R26", "有规定以外符号的选票无效（否则提交选举委员会认定）"),
    _spec("ballot.partial_invalid_part_only", "bool", "R26", "部分无法辨认时仅该部分无效"),
    _spec("count.merge_higher_post_votes", "bool", "R30", "高职低就：较高职务所得票数并入较低职务"),
    _spec("calendar.holiday_extension", "bool", "R4", "期间最后一日为法定休假日的顺延"),
    _spec("calendar.voter_list_days_before", "int", "R10", "选民名单在选举日前若干日公布"),
    _spec("calendar.objection_days", "int", "R10", "对选民名单有异议的，自公布之日起若干日内提出"),
    _spec("calendar.objection_decision_days", "int", "R10", "选举委员会自收到异议之日起若干日内作出处理决定"),
    _spec("calendar.candidate_list_days_before", "int?", "R15", "正式候选人名单在选举日前若干日公布"),
    _spec(
        "calendar.voting_arrangements_days_before",
        "int?",
        "R16",
        "选举时间、地点、方式和工作人员在选举日前若干日公布",
    ),
    _spec("calendar.withdrawal_days_before", "int?", "R15", "候选人在选举日前若干日书面申请退出"),
    _spec("calendar.handover_days", "int", "R41", "新一届委员会产生后若干日内完成工作移交"),
    _spec("calendar.term_years", "int", "R41", "任期年数"),
    _spec("recall.vote_within_days", "int?", "R42", "罢免要求提出后若干日内进行表决"),
    _spec("recall.repeat_bar_years", "int?", "R42", "罢免未通过的，同一事实和理由若干年内不得再提出"),
    _spec("election_committee.size", "range?", "R11", "村民选举委员会人数 [最少, 最多]"),
    _spec("election_committee.avoidance_relations", "relations", "R11", "候选人的哪些亲属应退出选举委员会"),
    _spec(
        "counting_staff.relations", "relations", "R12", "候选人的哪些亲属不得担任唱票、计票、监票等工作人员"
    ),
    _spec("mobile_box.min_scrutineers", "int?", "R21", "每个流动票箱的最少监票人数"),
    _spec("mobile_box.township_approval_required", "bool", "R21", "设立流动票箱须经乡镇批准"),
    _spec("mobile_box.voter_list_published_required", "bool", "R21", "使用流动票箱的选民名单须公布"),
    _spec("registration.residence_years", "int", "R8", "户籍不在本村的居住年限（以上含本数）"),
    _spec(
        "registration.extra_categories",
        "choices",
        "R8",
        "省级规定的其他登记类别",
        ("village_work", "married_in_spouse", "collective_rights_holder", "former_agricultural_hukou"),
    ),
    _spec("registration.require_hukou_certificate", "bool", "R8", "户籍地村出具未在户籍地登记的证明（河南）"),
    _spec("registration.lawful_stable_residence", "bool", "R8", "须合法稳定居住（上海）"),
    _spec(
        "registration.exclude_lost_capacity_unreachable",
        "bool",
        "R8",
        "丧失行为能力或登记期间无法联系的不列入（北京）",
    ),
    _spec("age.voting_age", "int", "R5", "选举权年龄（周岁）"),
    _spec(
        "age.birth_date_source",
        "enum",
        "R5",
        "出生日期以身份证还是户籍登记为准",
        ("id_card", "household_register"),
    ),
    _spec("village_committee.size", "range?", "R35", "村民委员会成员人数 [最少, 最多]"),
    _spec("residents.size", "range?", "R45", "居民委员会成员人数 [最少, 最多]"),
    _spec("residents.nomination_min_voters", "int", "R46", "选民联名提名的最少人数"),
    _spec("residents.nomination_min_household_reps", "int", "R46", "户代表联名提名的最少人数"),
    _spec("residents.uncontested_allowed", "bool", "R46", "提名人数等于应选人数时可以等额选举"),
    _spec("residents.margin", "margin", "R46", "居委会候选人比应选名额多出的人数 [最少, 最多或null]"),
    _spec(
        "party.exclusion_situations", "strs", "R51", "经批准可不计入应到会人数的情形（代码或文字）；待核实"
    ),
    _spec("party.quorum_exact_4_5_ok", "bool", "R52", "实到恰为应到的五分之四也算有效；待核实"),
    _spec(
        "party.win_base",
        "enum",
        "R58",
        "当选票数的基数：实到会或应到会有选举权人数；待核实",
        ("present", "expected"),
    ),
    _spec(
        "party.plenary_quorum", "fraction", "R61", "全体会议到会须超过应到委员的比例（2/3 或 4/5）；待核实"
    ),
    _spec("party.plenary_win_base", "enum", "R61", "全体会议当选票数的基数", ("expected", "present")),
    _spec("congress.size_max", "int", "R62", "党代会代表最多人数"),
    _spec("congress.size_normal", "range", "R62", "党代会代表一般人数 [最少, 最多]"),
)

SWITCHES: Mapping[str, SwitchSpec] = MappingProxyType({s.name: s for s in _SPECS})

_KIN3 = ("spouses", "parent-child", "siblings")  # ZJ Art. 31, HA Art. 8: 夫妻、父母子女、兄弟姐妹
_LINEAL = ("spouses", "parent-child", "grandparent-grandchild")  # SH Art. 2 ¶3: 配偶或者直系亲属

_NATIONAL: dict[str, Any] = {
    "proxy.max_per_agent": None,
    "proxy.deadline_days_before": None,
    "proxy.agent_relation": RELATIONS,
    "proxy.agent_may_be_candidate": True,
    "proxy.lists_published_days_before": None,
    "avoidance.relations": (),
    "avoidance.resolution": None,
    "avoidance.same_post_same_votes": "flag_for_committee",
    "women.mode": "none",
    "runoff.days_limit": None,
    "runoff.min_members_to_leave_vacant": 3,
    "runoff.vacancy_requires_director": False,
    "runoff.vacancy_allowed_after_first_round": False,
    "runoff.require_turnout": True,
    "runoff.extra_candidates": 1,
    "candidates.margin.director": (1, None),
    "candidates.margin.member": (1, None),
    "ballot.same_person_two_posts_invalid": False,
    "ballot.extra_mark_invalid": False,
    "ballot.partial_invalid_part_only": True,
    "count.merge_higher_post_votes": False,
    "calendar.holiday_extension": False,
    "calendar.voter_list_days_before": 20,
    "calendar.objection_days": 5,
    "calendar.objection_decision_days": 3,
    "calendar.candidate_list_days_before": None,
    "calendar.voting_arrangements_days_before": None,
    "calendar.withdrawal_days_before": None,
    "calendar.handover_days": 10,
    "calendar.term_years": 5,
    "recall.vote_within_days": None,
    "recall.repeat_bar_years": None,
    "election_committee.size": None,
    "election_committee.avoidance_relations": (),
    "counting_staff.relations": (),
    "mobile_box.min_scrutineers": None,
    "mobile_box.township_approval_required": False,
    "mobile_box.voter_list_published_required": False,
    "registration.residence_years": 1,
    "registration.extra_categories": (),
    "registration.require_hukou_certificate": False,
    "registration.lawful_stable_residence": False,
    "registration.exclude_lost_capacity_unreachable": False,
    "age.voting_age": 18,
    "age.birth_date_source": "id_card",
    "village_committee.size": (3, 7),
    "residents.size": (5, 9),
    "residents.nomination_min_voters": 10,
    "residents.nomination_min_household_reps": 5,
    "residents.uncontested_allowed": False,
    "residents.margin": (1, None),
    "party.exclusion_situations": ORGQA_SITUATIONS,
    "party.quorum_exact_4_5_ok": False,
    "party.win_base": "present",
    "party.plenary_quorum": (4, 5),
    "party.plenary_win_base": "expected",
    "congress.size_max": 300,
    "congress.size_normal": (100, 200),
}

_OVERRIDES: dict[str, dict[str, Any]] = {
    "national": {},
    "zhejiang": {
        "proxy.max_per_agent": 3,
        "proxy.deadline_days_before": 3,
        "proxy.agent_may_be_candidate": False,
        "avoidance.relations": _KIN3,
        "avoidance.resolution": "by_post_then_votes",
        "avoidance.same_post_same_votes": "revote",
        "women.mode": "dedicated_post",
        "runoff.days_limit": 30,
        "ballot.same_person_two_posts_invalid": True,
        "calendar.candidate_list_days_before": 5,
        "calendar.voting_arrangements_days_before": 5,
        "calendar.withdrawal_days_before": 3,
        "recall.vote_within_days": 30,
        "recall.repeat_bar_years": 1,
        "election_committee.size": (5, 9),
        "election_committee.avoidance_relations": _KIN3,
        "counting_staff.relations": _KIN3,
        "mobile_box.min_scrutineers": 3,
        "mobile_box.township_approval_required": True,
        "mobile_box.voter_list_published_required": True,
        "registration.extra_categories": ("village_work",),
    },
    "shanghai": {
        "proxy.max_per_agent": 3,
        "proxy.deadline_days_before": 5,
        "proxy.lists_published_days_before": 2,
        "avoidance.relations": _LINEAL,
        "avoidance.resolution": "flag_for_committee",
        "runoff.days_limit": 30,
        "runoff.vacancy_allowed_after_first_round": True,
        "candidates.margin.director": (1, 1),
        "candidates.margin.member": (1, 3),
        "calendar.candidate_list_days_before": 5,
        "recall.vote_within_days": 30,
        "election_committee.size": (7, 9),
        "counting_staff.relations": _LINEAL,
        "registration.extra_categories": ("married_in_spouse", "collective_rights_holder"),
        "registration.lawful_stable_residence": True,
        "age.birth_date_source": "household_register",
    },
    "beijing": {
        "proxy.max_per_agent": 3,
        "proxy.deadline_days_before": 1,
        "proxy.agent_may_be_candidate": False,
        "women.mode": "assembly_decides_post",
        "runoff.days_limit": 15,
        "runoff.min_members_to_leave_vacant": 4,
        "runoff.vacancy_requires_director": True,
        "candidates.margin.director": (1, 2),
        "candidates.margin.member": (1, 2),
        "calendar.candidate_list_days_before": 5,
        "election_committee.size": (5, 9),
        "counting_staff.relations": _LINEAL,
        "mobile_box.min_scrutineers": 3,
        "registration.extra_categories": ("former_agricultural_hukou",),
        "registration.exclude_lost_capacity_unreachable": True,
        "residents.margin": (1, 2),
    },
    "henan": {
        "proxy.max_per_agent": 3,
        "proxy.deadline_days_before": 1,
        "avoidance.relations": _KIN3,
        "avoidance.resolution": "by_post_then_votes",
        "runoff.min_members_to_leave_vacant": None,
        "candidates.margin.director": (1, 1),
        "candidates.margin.member": (1, 2),
        "ballot.extra_mark_invalid": True,
        "calendar.candidate_list_days_before": 5,
        "counting_staff.relations": _KIN3,
        "mobile_box.min_scrutineers": 3,
        "mobile_box.voter_list_published_required": True,
        "registration.require_hukou_certificate": True,
        "residents.size": (5, 7),
        "residents.uncontested_allowed": True,
    },
}


@dataclass(frozen=True)
class Profile:
    """A jurisdiction's switch values. Read a switch with ``profile["proxy.max_per_agent"]``."""

    name: str
    values: Mapping[str, Any] = field(default_factory=dict)
    version: str = ""  # the dated version (profile_versions) whose switches and sources these are
    effective: dt.date | None = None

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready switch values (tuples become lists), for storing with a campaign."""
        out: dict[str, Any] = {}
        for key, value in self.values.items():
            out[key] = list(value) if isinstance(value, tuple) else value
        return out


def _bad(name: str, message: str) -> EngineError:
    return EngineError("invalid_switch_value", f"配置项 {name} 的值无效：{message}", f"config.{name}")


def _is_int(v: object) -> bool:
    return type(v) is int


def _coerce(spec: SwitchSpec, value: Any) -> Any:
    name, t = spec.name, spec.type
    if t in ("int", "int?"):
        if value is None and t == "int?":
            return None
        if not _is_int(value) or value < 0:
            raise _bad(name, "应为非负整数" + ("或 null" if t == "int?" else ""))
        return value
    if t == "bool":
        if type(value) is not bool:
            raise _bad(name, "应为 true 或 false")
        return value
    if t in ("enum", "enum?"):
        if value is None and t == "enum?":
            return None
        if value not in spec.choices:
            raise _bad(name, "应为 " + "、".join(spec.choices) + ("或 null" if t == "enum?" else ""))
        return value
    if t == "relations":
        if not isinstance(value, list | tuple):
            raise _bad(name, "应为亲属关系名称的列表")
        out: list[str] = []
        for item in value:
            if isinstance(item, str) and item.strip() in _RELATION_GROUPS:
                group = _RELATION_GROUPS[item.strip()]
            else:
                rel = canonical_relation(item)
                if rel is None:
                    raise _bad(name, f"未知的亲属关系 {item!r}")
                group = (rel,)
            out.extend(r for r in group if r not in out)
        return tuple(r for r in RELATIONS if r in out)
    if t == "margin":
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise _bad(name, "应为 [最少, 最多或null]")
        lo, hi = value
        if not _is_int(lo) or lo < 0 or not (hi is None or (_is_int(hi) and hi >= lo)):
            raise _bad(name, "应为 [最少, 最多或null]，且最多不小于最少")
        return (lo, hi)
    if t in ("range", "range?"):
        if value is None and t == "range?":
            return None
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise _bad(name, "应为 [最少, 最多]")
        lo, hi = value
        if not (_is_int(lo) and _is_int(hi) and 0 <= lo <= hi):
            raise _bad(name, "应为 [最少, 最多]，均为非负整数")
        return (lo, hi)
    if t == "fraction":
        if isinstance(value, str) and value.count("/") == 1:
            parts = value.split("/")
            if all(p.strip().isdigit() for p in parts):
                value = [int(parts[0]), int(parts[1])]
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise _bad(name, '应为分数，例如 "4/5" 或 [4, 5]')
        num, den = value
        if not (_is_int(num) and _is_int(den) and 0 < num < den):
            raise _bad(name, "应为小于 1 的正分数")
        return (num, den)
    if t == "choices":
        if not isinstance(value, list | tuple) or any(v not in spec.choices for v in value):
            raise _bad(name, "应为以下代码的列表：" + "、".join(spec.choices))
        return tuple(dict.fromkeys(value))
    if t == "strs":
        if not isinstance(value, list | tuple) or any(not isinstance(v, str) or not v.strip() for v in value):
            raise _bad(name, "应为非空文字的列表")
        return tuple(dict.fromkeys(v.strip() for v in value))
    raise AssertionError(t)  # pragma: no cover - every type of _SPECS is handled above


def get_profile(
    name: str | None = "national", overrides: Mapping[str, Any] | None = None, on: dt.date | None = None
) -> Profile:
    """R1–R70 switches of rules.md §5 — the named jurisdiction's profile with overrides applied.

    ``on`` picks the dated version in force that day (an election's day, see
    :func:`profile_for`); ``None`` takes the newest version. ``overrides`` maps dotted switch
    names to values; unknown names raise ``unknown_switch``, bad values ``invalid_switch_value``,
    an unknown jurisdiction ``unknown_jurisdiction``.
    """
    if name is None:
        name = "national"
    if not isinstance(name, str) or name not in _OVERRIDES:
        raise EngineError(
            "unknown_jurisdiction",
            f"未知的辖区 {name!r}，应为 " + "、".join(JURISDICTIONS),
            "config.jurisdiction",
        )
    version = version_for(name, on)
    values = dict(_NATIONAL)
    values.update(_OVERRIDES[name])
    # a version's own switch values (a province's new text), then the campaign's overrides
    for layer in (version.switches, overrides or {}):
        for key, value in layer.items():
            spec = SWITCHES.get(key)
            if spec is None:
                raise EngineError("unknown_switch", f"未知的配置项 {key!r}", f"config.{key}")
            values[key] = _coerce(spec, value)
    return Profile(name, MappingProxyType(values), version.id, version.effective)


def profile_for(
    name: str | None, election_day: dt.date | None, overrides: Mapping[str, Any] | None = None
) -> Profile:
    """The profile version in force on the election day (issue 16: the 2018 reading for elections
    before 2026-01-01, the 2026 version from then on), with the campaign's overrides."""
    return get_profile(name, overrides, on=election_day)


PROFILES: Mapping[str, Profile] = MappingProxyType({n: get_profile(n) for n in JURISDICTIONS})
