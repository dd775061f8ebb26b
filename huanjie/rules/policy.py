"""Campaign policy P1–P13 (policy.md): the rules a campaign sets for itself on top of the law.

Every number is campaign data: :data:`DEFAULT_POLICY` holds policy.md's defaults (seed 004),
:func:`get_policy` overlays a campaign's values (unknown keys are an error) and
:meth:`Policy.as_dict` gives the JSON the web application stores per campaign. A policy can make
the law stricter, never looser: where a policy value would fall below a rule of rules.md the
rule is applied and the check says so (P8 against R54).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from .counting import post_rank
from .dates import age_on
from .errors import EngineError
from .people import Relation, RelationIndex, relation_zh, resolve_birth_date
from .profiles import RELATIONS, canonical_relation, get_profile

__all__ = [
    "DEFAULT_POLICY",
    "POLICY_KEYS",
    "NegativeFinding",
    "Policy",
    "PolicyCandidate",
    "PolicyDecision",
    "campaign_targets",
    "candidate_policy_decisions",
    "education_level",
    "get_policy",
    "initial_candidates_minimum",
    "policy_age",
    "team_checks",
]

NEGATIVE_LIST_004 = (
    {"code": "N01", "text": "政治上“两面人”，政治觉悟不高、组织观念不强、法治意识淡薄的"},
    {"code": "N02", "text": "受过刑事处罚、存在“村霸”和涉黑涉恶问题，加入邪教组织、组织或参与非法宗教活动的"},
    {"code": "N03", "text": "因涉黄、涉赌、涉毒或聚众斗殴、敲诈勒索、非法拘禁等受到行政处罚的"},
    {"code": "N04", "text": "不担当不作为，长期不履职，近3年有考核不称职或被评为不合格党员的"},
    {
        "code": "N05",
        "text": "近3年受过撤销党内职务及以上党纪处分、撤职及以上（政务）处分，或涉嫌严重违纪违法正在接受立案审查调查的",
    },
    {"code": "N06", "text": "有严重危害集体利益和群众合法权益行为的"},
    {"code": "N07", "text": "有严重违法用地、严重违章建房、严重损害生态环境、严重失信等行为尚未整改的"},
    {"code": "N08", "text": "非法组织参与集体上访，影响社会稳定的"},
    {"code": "N09", "text": "道德品行低劣、群众普遍反映不好的"},
    {
        "code": "N10",
        "text": "有拉票贿选或其他不正当竞争行为被查处未满5年，或以暴力、威胁、贿赂、欺骗等手段破坏或妨碍选举的",
    },
)

EDUCATION_LEVELS = ("primary", "junior_high", "senior_high", "college")
_LEVEL_ZH = {"primary": "小学", "junior_high": "初中", "senior_high": "高中（中专）", "college": "大专"}
_SEVERITIES = ("refusal", "warning")


def _policy_defaults() -> dict[str, Any]:
    return {
        "cutoff_date": None,
        "head_posts": ["书记", "主任"],
        "head_age_limit": {"M": 60, "F": 55},
        "head_age_severity": "refusal",
        "new_head_age_max": 45,
        "new_head_age_severity": "refusal",
        "deputy_age_max": {"M": 55, "F": 50},
        "deputy_age_severity": "refusal",
        "newcomer_age_max": 45,
        "newcomer_min_education": "senior_high",
        "newcomer_severity": "warning",
        "negative_list": [dict(item) for item in NEGATIVE_LIST_004],
        "sanction_higher_post_severity": "refusal",
        "avoidance_relations": list(RELATIONS),
        "avoidance_severity": "refusal",
        "incompatible_posts_severity": "refusal",
        "initial_candidates_ratio": [3, 2],
        "initial_candidates_rounding": "half_up",
        "initial_candidates_table": {},
        "preliminary_extra": 1,
        "team_size_by_population": [[0, 999, 3, 4], [1000, 2000, 4, 5], [2001, None, None, 6]],
        "team_total": [3, 7],
        "young_member_age_max": 35,
        "young_member_education": "college",
        "min_women_villagers_committee": 1,
        "women_share_target": [3, 10],
        "notice_days": 5,
        "secretary_college_share_target": [3, 10],
        "rich_leader_share_increase_points": 10,
        "secretary_average_age_decrease": 4,
        "review_departments": None,
        # Oversight (issue 14). Seed 004 asks complaints to be "及时受理、限时办结" without a number;
        # 15 days lets a complaint about a candidate be answered before the election day that the
        # formal list precedes by at least 5 days (R15). The campaign sets its own value.
        "complaint_answer_days": 15,
        # Seed 000 "候选人（自薦人）臨時退出選舉": a withdrawal this many days or fewer before the
        # election day is a risk signal for the village.
        "late_withdrawal_days": 7,
        # Seed 004 §二(二)4 "代表中党员应当占一定比例" gives no number: one in five is this
        # project's default, a warning below it; the campaign sets its own value.
        "representatives_party_share_min": [1, 5],
        # Seed 004 §二(三)3: 党组织书记、主任和村务监督委员会主任 "应参加1次县级以上集中培训".
        "induction_county_sessions": 1,
    }


POLICY_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "cutoff_date": "P1 年龄计算截止日期（YYYY-MM-DD）",
        "head_posts": "P2 书记、主任职务名称",
        "head_age_limit": "P2 书记、主任初步候选人：男/女达到此年龄（含）不再提名",
        "head_age_severity": "P2 上项为 refusal 或 warning",
        "new_head_age_max": "P2 新提名书记、主任不超过此年龄",
        "new_head_age_severity": "P2 上项为 refusal 或 warning",
        "deputy_age_max": "P2 两委副职：男/女不超过此年龄",
        "deputy_age_severity": "P2 上项为 refusal 或 warning",
        "newcomer_age_max": "P2 新进两委班子：此年龄以下",
        "newcomer_min_education": "P2 新进两委班子：最低文化程度",
        "newcomer_severity": "P2 上两项为 refusal 或 warning",
        "negative_list": "P3 负面清单（十不选）[{code, text}]",
        "sanction_higher_post_severity": "P4 处分影响期内不得高于原职务提名",
        "avoidance_relations": "P5 候选人之间回避的亲属关系",
        "avoidance_severity": "P5 上项为 refusal 或 warning",
        "incompatible_posts_severity": "P6 不得兼任的职务",
        "initial_candidates_ratio": "P7 初步人选不少于应选人数的倍数 [分子, 分母]",
        "initial_candidates_rounding": "P7 取整方式：half_up、up、down",
        "initial_candidates_table": "P7 应选人数 → 初步人选最少人数的明确表格",
        "preliminary_extra": "P8 预备人选比应选人数多出的人数",
        "team_size_by_population": "P10 [[人口下限, 上限或null, 最少职数或null, 最多职数], ...]",
        "team_total": "P10 两委班子成员总数 [最少, 最多]",
        "young_member_age_max": "P11 至少一名此年龄以下的成员",
        "young_member_education": "P11 该成员的最低文化程度",
        "min_women_villagers_committee": "P11 村民委员会至少女性成员人数",
        "women_share_target": "P11 女性成员比例目标 [分子, 分母]",
        "notice_days": "P18 公示天数",
        "secretary_college_share_target": "P13 书记大专以上比例目标 [分子, 分母]",
        "rich_leader_share_increase_points": "P13 致富能手比例提高的百分点",
        "secretary_average_age_decrease": "P13 书记平均年龄降低的岁数",
        "review_departments": "P17 县级联审的部门代码列表；null 表示全部部门",
        "complaint_answer_days": "P21 举报、信访自受理之日起办结并答复的天数",
        "late_withdrawal_days": "P22 候选人在选举日前此天数内退出，列为选情风险",
        "representatives_party_share_min": "P23 村民（居民）代表中党员比例不低于 [分子, 分母]（低于时警告）",
        "induction_county_sessions": "P24 书记、主任、村务监督委员会主任应参加县级以上岗前集中培训的次数",
    }
)


@dataclass(frozen=True)
class Policy:
    """A campaign's policy values; read with ``policy["head_age_limit"]``."""

    values: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType(_policy_defaults()))

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def as_dict(self) -> dict[str, Any]:
        import copy

        return copy.deepcopy(dict(self.values))


def _bad(key: str, message: str) -> EngineError:
    return EngineError("invalid_policy_value", f"政策项 {key} 的值无效：{message}", f"inputs.policy.{key}")


def _is_int(v: object) -> bool:
    return type(v) is int


def _check_policy_value(key: str, value: Any) -> Any:
    if key == "cutoff_date":
        if value is None:
            return None
        from .dates import parse_date

        return parse_date(value, f"inputs.policy.{key}").isoformat()
    if key == "review_departments":
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise _bad(key, "应为部门代码的列表或 null")
        return list(value)
    if key == "head_posts":
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise _bad(key, "应为职务名称的列表")
        return list(value)
    if key in ("head_age_limit", "deputy_age_max"):
        if (
            not isinstance(value, dict)
            or set(value) != {"M", "F"}
            or not all(_is_int(v) and v >= 0 for v in value.values())
        ):
            raise _bad(key, '应为 {"M": 年龄, "F": 年龄}')
        return dict(value)
    if key.endswith("_severity"):
        if value not in _SEVERITIES:
            raise _bad(key, "应为 refusal 或 warning")
        return value
    if key in ("newcomer_min_education", "young_member_education"):
        if value is not None and value not in EDUCATION_LEVELS:
            raise _bad(key, "应为 " + "、".join(EDUCATION_LEVELS) + " 或 null")
        return value
    if key == "negative_list":
        if not isinstance(value, list):
            raise _bad(key, "应为 [{code, text}] 列表")
        codes: set[str] = set()
        out = []
        for item in value:
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("code"), str)
                or not isinstance(item.get("text"), str)
            ):
                raise _bad(key, "每项应为 {code, text}")
            if item["code"] in codes:
                raise _bad(key, f"代码 {item['code']} 重复")
            codes.add(item["code"])
            out.append({"code": item["code"], "text": item["text"]})
        return out
    if key == "avoidance_relations":
        if not isinstance(value, list) or any(canonical_relation(v) is None for v in value):
            raise _bad(key, "应为亲属关系名称的列表")
        found = {canonical_relation(v) for v in value}
        return [r for r in RELATIONS if r in found]
    if key == "representatives_party_share_min":
        if not (isinstance(value, list) and len(value) == 2 and all(_is_int(v) for v in value)
                and value[1] > 0 and 0 <= value[0] <= value[1]):
            raise _bad(key, "应为 [分子, 分母]，分子不大于分母")
        return list(value)
    if key in ("initial_candidates_ratio", "women_share_target", "secretary_college_share_target"):
        if not (
            isinstance(value, list)
            and len(value) == 2
            and all(_is_int(v) for v in value)
            and value[1] > 0
            and value[0] >= 0
        ):
            raise _bad(key, "应为 [分子, 分母]")
        return list(value)
    if key == "initial_candidates_rounding":
        if value not in ("half_up", "up", "down"):
            raise _bad(key, "应为 half_up、up 或 down")
        return value
    if key == "initial_candidates_table":
        if not isinstance(value, dict):
            raise _bad(key, "应为 {应选人数: 最少人数}")
        out_t = {}
        for k, v in value.items():
            if not (str(k).isdigit() and _is_int(v) and v >= 0):
                raise _bad(key, "应为 {应选人数: 最少人数}")
            out_t[str(int(k))] = v
        return out_t
    if key == "team_size_by_population":
        if not isinstance(value, list):
            raise _bad(key, "应为 [[人口下限, 上限或null, 最少或null, 最多或null], ...]")
        rows = []
        for row in value:
            if not (
                isinstance(row, list)
                and len(row) == 4
                and _is_int(row[0])
                and all(v is None or _is_int(v) for v in row[1:])
            ):
                raise _bad(key, "每行应为 [人口下限, 上限或null, 最少或null, 最多或null]")
            rows.append(list(row))
        return rows
    if key == "team_total":
        if not (
            isinstance(value, list)
            and len(value) == 2
            and all(_is_int(v) and v >= 0 for v in value)
            and value[0] <= value[1]
        ):
            raise _bad(key, "应为 [最少, 最多]")
        return list(value)
    if not _is_int(value) or value < 0:
        raise _bad(key, "应为非负整数")
    return value


def get_policy(overrides: Mapping[str, Any] | None = None) -> Policy:
    """P1–P13 — policy.md's defaults with a campaign's values applied (unknown keys are an error)."""
    values = _policy_defaults()
    if overrides is not None and not isinstance(overrides, Mapping):
        raise EngineError("wrong_type", "policy 应为对象", "inputs.policy")
    for key, value in (overrides or {}).items():
        if key not in values:
            raise EngineError("unknown_policy_key", f"未知的政策项 {key!r}", f"inputs.policy.{key}")
        values[key] = _check_policy_value(key, value)
    return Policy(MappingProxyType(values))


DEFAULT_POLICY = get_policy()


# --------------------------------------------------------------------------------------------
# helpers


def policy_age(birth: date, cutoff: date) -> int:
    """P1 — completed years on the day before the cut-off date ("60 or over" at cut-off
    2021-01-01 means born on or before 1960-12-31)."""
    return age_on(birth, cutoff - timedelta(days=1))


_LEVEL_BY_CODE = {}
for _c in range(10, 20):
    _LEVEL_BY_CODE[_c] = "college"
_LEVEL_BY_CODE.update({20: "college", 21: "college", 28: "college", 22: "senior_high", 23: "senior_high"})
_LEVEL_BY_CODE.update({30: "college", 31: "college", 32: "senior_high", 33: "senior_high"})
_LEVEL_BY_CODE.update({c: "senior_high" for c in (40, 41, 44, 47, 60, 61)})
_LEVEL_BY_CODE.update({c: "junior_high" for c in (42, 43, 45, 46, 48, 49, 62, 63, 70, 71)})
_LEVEL_BY_CODE.update({72: "primary", 73: "primary", 80: "primary", 81: "primary", 82: None, 83: None})


def education_level(value: str | None) -> str | None:
    """R68, P2, P11 — highest level completed, from a GB/T 4658 code or label.

    毕业 (x1) and the category code (x0) count for their level; 结业/肄业 count for the level
    below (having entered, the person completed the level under it). [INTERPRETATION]
    Returns one of ``primary``, ``junior_high``, ``senior_high``, ``college`` or None (unknown,
    其他, or below primary).
    """
    if value is None:
        return None
    text = str(value).strip()
    code: str | None = text if text.isdigit() else None
    if code is None:
        from .education import education_code

        code = education_code(text)
    if code is None or not code.isdigit():
        return None
    return _LEVEL_BY_CODE.get(int(code))


def _level_at_least(level: str | None, minimum: str) -> bool:
    return level is not None and EDUCATION_LEVELS.index(level) >= EDUCATION_LEVELS.index(minimum)


_BODY_CODES = (
    "party",
    "villagers_committee",
    "supervision",
    "collective_management",
    "collective_supervision",
)


def _body_of(post: str, body: str | None) -> str:
    if body:
        return body
    p = post.strip()
    if "监督" in p or "监委" in p:
        return "supervision"
    if "监事" in p:
        return "collective_supervision"
    if any(w in p for w in ("经济合作社", "理事", "社长", "董事")):
        return "collective_management"
    if "书记" in p or "支委" in p or "党" in p:
        return "party"
    return "villagers_committee"


_ROLE_ALIASES = {
    "villagers_committee": "villagers_committee",
    "村委会成员": "villagers_committee",
    "村民委员会成员": "villagers_committee",
    "村委会委员": "villagers_committee",
    "accountant": "accountant",
    "会计": "accountant",
    "报账员": "accountant",
    "clerk": "clerk",
    "文书": "clerk",
    "collective_head": "collective_head",
    "经济合作社社长": "collective_head",
    "集体经济组织负责人": "collective_head",
    "collective_management": "collective_management",
    "理事会成员": "collective_management",
    "collective_supervision": "collective_supervision",
    "监事会成员": "collective_supervision",
    "appointed": "appointed",
    "委派": "appointed",
    "上级委派": "appointed",
}


@dataclass(frozen=True)
class NegativeFinding:
    """P3 — a negative-list item confirmed (or not yet) by a reviewing department."""

    code: str
    department: str | None = None
    confirmed: bool = True


@dataclass(frozen=True)
class AgeException:
    """P2 — a recorded exception to an age limit: the reason and the approving body."""

    reason: str
    approved_by: str


@dataclass(frozen=True)
class PolicyCandidate:
    name: str
    post: str
    gender: str | None = None
    id: str | None = None
    birth_date: date | None = None
    education: str | None = None
    new_to_post: bool = False
    new_to_team: bool = False
    negative_items: tuple[NegativeFinding, ...] = ()
    relations: tuple[tuple[str, str], ...] = ()  # (other candidate's name, relation)
    age_exception: AgeException | None = None
    current_post: str | None = None
    sanction_in_effect: bool = False
    roles: tuple[str, ...] = ()
    body: str | None = None
    rich_leader: bool = False


@dataclass(frozen=True)
class PolicyDecision:
    name: str
    ok: bool
    refusals: list[dict]
    warnings: list[dict]

    def as_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "refusals": self.refusals, "warnings": self.warnings}


def initial_candidates_minimum(seats: int, policy: Policy = DEFAULT_POLICY) -> int:
    """P7 — fewest initial candidates (候选人初步人选): ratio × seats, rounded by policy
    (default 1.5 × seats, half up: 3 → 5, 5 → 8), or the campaign's explicit table."""
    table = policy["initial_candidates_table"]
    if str(seats) in table:
        return table[str(seats)]
    num, den = policy["initial_candidates_ratio"]
    product = num * seats
    rounding = policy["initial_candidates_rounding"]
    if rounding == "up":
        return -(-product // den)
    if rounding == "down":
        return product // den
    return (2 * product + den) // (2 * den)


# --------------------------------------------------------------------------------------------
# P1–P6 per candidate


def candidate_policy_decisions(
    candidates: Sequence[PolicyCandidate],
    cutoff_date: date,
    policy: Policy = DEFAULT_POLICY,
    *,
    relations: Sequence[Relation] = (),
    villagers_committee_members: Sequence[str] = (),
) -> list[PolicyDecision]:
    """P1–P6 — each candidate against the campaign policy.

    P1 ages at the cut-off (:func:`policy_age`); P2 age limits per post and gender (a recorded
    ``age_exception`` turns a refusal into a warning); P3 negative list items confirmed by a
    department; P4 no higher post while a sanction is in effect; P5 near relatives may not both
    be nominated (both are refused, naming the other); P6 incompatible posts for the supervision
    committee (including anyone appointed from outside, 委派) and the collective's two boards.
    """
    profile = get_profile("national")
    negative = {item["code"]: item["text"] for item in policy["negative_list"]}
    rel_index = RelationIndex(
        list(relations) + [Relation(c.name, other, rel) for c in candidates for other, rel in c.relations]
    )
    names = [c.name for c in candidates]
    vc_members = set(villagers_committee_members)
    vc_members |= {c.name for c in candidates if _body_of(c.post, c.body) == "villagers_committee"}
    out: list[PolicyDecision] = []
    for i, c in enumerate(candidates):
        path = f"inputs.candidates[{i}]"
        refusals: list[dict] = []
        warnings: list[dict] = []

        def add(
            severity: str,
            code: str,
            reason: str,
            refusals: list[dict] = refusals,
            warnings: list[dict] = warnings,
        ) -> None:
            (refusals if severity == "refusal" else warnings).append({"code": code, "reason": reason})

        body = _body_of(c.post, c.body)
        rank = post_rank(c.post)
        is_head = (
            rank == 1
            and body in ("party", "villagers_committee")
            and (
                c.post.strip() in policy["head_posts"]
                or any(c.post.strip().endswith(h) for h in policy["head_posts"])
            )
        )
        is_deputy = rank == 2 and body in ("party", "villagers_committee")
        birth, id_gender, code, why = resolve_birth_date(c.id, c.birth_date, cutoff_date, profile)
        gender = c.gender or id_gender
        age = policy_age(birth, cutoff_date) if birth else None
        level = education_level(c.education)
        if age is None:
            add("refusal", "P1-age-unknown", why or "无法确定出生日期")
        else:
            if is_head and gender in ("M", "F"):
                limit = policy["head_age_limit"][gender]
                if age >= limit:
                    reason = f"{'男' if gender == 'M' else '女'}{limit}周岁以上不再提名为书记、主任初步候选人（{age}周岁）"
                    if c.age_exception and c.age_exception.reason and c.age_exception.approved_by:
                        add(
                            "warning",
                            "P2-head-age-exception",
                            reason + f"；经{c.age_exception.approved_by}同意留任",
                        )
                    else:
                        add(policy["head_age_severity"], "P2-head-age", reason)
            if is_head and c.new_to_post and age > policy["new_head_age_max"]:
                reason = f"新提名书记、主任年龄不超过{policy['new_head_age_max']}周岁（{age}周岁）"
                if c.age_exception and c.age_exception.reason and c.age_exception.approved_by:
                    add(
                        "warning",
                        "P2-new-head-age-exception",
                        reason + f"；特别优秀，经{c.age_exception.approved_by}同意放宽",
                    )
                else:
                    add(policy["new_head_age_severity"], "P2-new-head-age", reason)
            if is_deputy and gender in ("M", "F"):
                limit = policy["deputy_age_max"][gender]
                if age > limit:
                    add(
                        policy["deputy_age_severity"],
                        "P2-deputy-age",
                        f"两委副职{'男性' if gender == 'M' else '女性'}不超过{limit}周岁（{age}周岁）",
                    )
            if c.new_to_team and age > policy["newcomer_age_max"]:
                add(
                    policy["newcomer_severity"],
                    "P2-newcomer-age",
                    f"新进两委班子注重选拔{policy['newcomer_age_max']}岁以下人员（{age}周岁）",
                )
        if (is_head or is_deputy) and gender not in ("M", "F"):
            add("refusal", "P2-gender-unknown", "缺少性别，无法按性别检查年龄要求")
        minimum = policy["newcomer_min_education"]
        if c.new_to_team and minimum is not None and not _level_at_least(level, minimum):
            add(
                policy["newcomer_severity"],
                "P2-newcomer-education",
                f"新进两委班子注重选拔{_LEVEL_ZH[minimum]}以上文化程度人员（{c.education or '未填写'}）",
            )
        for j, finding in enumerate(c.negative_items):
            if finding.code not in negative:
                raise EngineError(
                    "unknown_negative_item",
                    f"负面清单中没有代码 {finding.code!r}",
                    f"{path}.negative_items[{j}]",
                )
            dept = finding.department or "审查部门"
            if finding.confirmed:
                add("refusal", "P3-negative-item", f"{finding.code}：{negative[finding.code]}（{dept}认定）")
            else:
                add(
                    "warning",
                    "P3-negative-item-unconfirmed",
                    f"{finding.code}：{negative[finding.code]}（{dept}核查中）",
                )
        if c.sanction_in_effect and c.current_post and post_rank(c.post) < post_rank(c.current_post):
            add(
                policy["sanction_higher_post_severity"],
                "P4-sanction-higher-post",
                f"处分影响期内，不能高于原任职务（{c.current_post}）提名为{c.post}",
            )
        for other in names:
            if other == c.name:
                continue
            rel = rel_index.related(c.name, other, policy["avoidance_relations"])
            if rel:
                add(
                    policy["avoidance_severity"],
                    "P5-relatives",
                    f"与候选人{other}系{relation_zh(rel)}关系，不得同时提名，须确定其中一人",
                )
        roles = {_ROLE_ALIASES[r] for r in c.roles if r in _ROLE_ALIASES}
        severity = policy["incompatible_posts_severity"]
        if body == "supervision":
            if "villagers_committee" in roles or c.name in vc_members:
                add(severity, "P6-incompatible-post", "村民委员会成员不得担任村务监督委员会成员")
            for role, label in (
                ("accountant", "村会计（报账员）"),
                ("clerk", "村文书"),
                ("collective_head", "村集体经济组织负责人"),
            ):
                if role in roles:
                    add(severity, "P6-incompatible-post", f"{label}不得担任村务监督委员会成员")
            # Seed 004: 任何组织和个人不得指定、委派村务监督委员会成员 — members are chosen by the
            # villagers' (representatives') meeting from among the villagers, never sent from outside.
            if "appointed" in roles:
                add(severity, "P6-appointed", "由组织或个人指定、委派的人员不得担任村务监督委员会成员（须由村民会议或村民代表会议推选）")
            for member in sorted(vc_members - {c.name}):
                rel = rel_index.related(c.name, member, RELATIONS)
                if rel:
                    add(
                        severity,
                        "P6-relative-of-committee-member",
                        f"与村民委员会成员（候选人）{member}系{relation_zh(rel)}关系，不得担任村务监督委员会成员",
                    )
        if body == "collective_management" and "collective_supervision" in roles:
            add(severity, "P6-incompatible-post", "集体经济组织理事会成员与监事会成员不得相互兼任")
        if body == "collective_supervision" and (
            "collective_management" in roles or "collective_head" in roles
        ):
            add(severity, "P6-incompatible-post", "集体经济组织理事会成员与监事会成员不得相互兼任")
        out.append(PolicyDecision(c.name, not refusals, refusals, warnings))
    return out


# --------------------------------------------------------------------------------------------
# P7–P12 on the list as a whole


def team_checks(
    candidates: Sequence[PolicyCandidate],
    cutoff_date: date,
    policy: Policy = DEFAULT_POLICY,
    *,
    candidate_counts: Sequence[Mapping[str, Any]] = (),
    population: int | None = None,
    paid_posts: int | None = None,
    team_size: int | None = None,
    team_size_reason: str | None = None,
    previous_term: Mapping[str, int] | None = None,
) -> list[dict]:
    """P7–P12 — checks on a village's candidate list (or result) as a whole:
    ``[{"code", "met", "reason"}]``; ``met`` is None where the data does not allow a check.

    * P7/P8/P9 for each ``candidate_counts`` entry ``{stage, seats, candidates}`` with stage
      ``initial`` (P7), ``preliminary`` (P8 seats + 1, and R54 ``(c-s)*5 >= s``: the law wins) or
      ``township`` (P9, R54/R63);
    * P10 paid posts by population, and the team total;
    * P11 a member of 35 or under with college education; at least one woman on the villagers'
      committee; 30 % women (``women*10 >= total*3``); shares above the previous term;
    * P12 一肩挑: the same person is candidate for 书记 and 主任.
    """
    checks: list[dict] = []
    for j, entry in enumerate(candidate_counts):
        path = f"inputs.candidate_counts[{j}]"
        stage = entry.get("stage")
        seats, cands = entry.get("seats"), entry.get("candidates")
        if not (_is_int(seats) and _is_int(cands) and seats > 0 and cands >= 0):
            raise EngineError("wrong_type", "seats 应为正整数，candidates 应为非负整数", path)
        label = entry.get("list") or ""
        if stage == "initial":
            need = initial_candidates_minimum(seats, policy)
            checks.append(
                {
                    "code": "P7-initial-candidates",
                    "met": cands >= need,
                    "reason": f"{label}初步人选{cands}人，应选{seats}人至少需{need}人",
                }
            )
        elif stage == "preliminary":
            policy_need = seats + policy["preliminary_extra"]
            law_need = seats + (seats + 4) // 5  # R54: smallest c with (c - s)*5 >= s
            need = max(policy_need, law_need)
            reason = f"{label}预备人选{cands}人，应选{seats}人"
            if law_need > policy_need:
                reason += f"；按政策应选人数加{policy['preliminary_extra']}为{policy_need}人，但差额不少于20%（R54）要求至少{law_need}人，以法规为准"
            else:
                reason += f"，至少需{need}人"
            checks.append({"code": "P8-preliminary-candidates", "met": cands >= need, "reason": reason})
        elif stage == "township":
            need = seats + (seats + 4) // 5
            checks.append(
                {
                    "code": "P9-township-margin",
                    "met": (cands - seats) * 5 >= seats,
                    "reason": f"{label}候选人{cands}人，应选{seats}人，差额不少于20%至少需{need}人",
                }
            )
        else:
            raise EngineError("wrong_type", "stage 应为 initial、preliminary 或 township", f"{path}.stage")

    def _range_zh(lo: int | None, hi: int | None) -> str:
        # P10: a band open at one end reads "不超过6人" / "不少于3人", never "应为—至6人".
        if lo is None and hi is None:
            return "不限人数"
        if lo is None:
            return f"应不超过{hi}人"
        if hi is None:
            return f"应不少于{lo}人"
        return f"应为{lo}人" if lo == hi else f"应为{lo}至{hi}人"

    if population is not None and paid_posts is not None:
        for row in policy["team_size_by_population"]:
            lo_pop, hi_pop, lo, hi = row
            if population >= lo_pop and (hi_pop is None or population <= hi_pop):
                ok = (lo is None or paid_posts >= lo) and (hi is None or paid_posts <= hi)
                reason = f"人口{population}人，定工干部职数{paid_posts}人，{_range_zh(lo, hi)}"
                if not ok and hi is not None and paid_posts > hi and team_size_reason:
                    ok = True
                    reason += f"；已说明情况：{team_size_reason}"
                checks.append({"code": "P10-paid-posts", "met": ok, "reason": reason})
                break
    if team_size is not None:
        lo, hi = policy["team_total"]
        checks.append(
            {
                "code": "P10-team-total",
                "met": lo <= team_size <= hi,
                "reason": f"两委班子成员{team_size}人，一般为{lo}至{hi}人",
            }
        )

    profile = get_profile("national")
    people = []
    for c in candidates:
        birth, id_gender, _code, _why = resolve_birth_date(c.id, c.birth_date, cutoff_date, profile)
        people.append(
            (
                c,
                c.gender or id_gender,
                policy_age(birth, cutoff_date) if birth else None,
                _body_of(c.post, c.body),
            )
        )
    if candidates:
        young_max, edu = policy["young_member_age_max"], policy["young_member_education"]
        young = [
            c.name
            for c, _g, age, body in people
            if body in ("party", "villagers_committee")
            and age is not None
            and age <= young_max
            and (edu is None or _level_at_least(education_level(c.education), edu))
        ]
        checks.append(
            {
                "code": "P11-young-college",
                "met": bool(young),
                "reason": (
                    f"{young_max}周岁以下且具有{_LEVEL_ZH.get(edu or '', '')}以上文化程度的：{'、'.join(young)}"
                    if young
                    else f"没有{young_max}周岁以下且具有{_LEVEL_ZH.get(edu or '', '')}以上文化程度的人选，须形成专项说明"
                ),
            }
        )
    vc = [(c, g) for c, g, _a, body in people if body == "villagers_committee"]
    if vc:
        women = sum(1 for _c, g in vc if g == "F")
        need = policy["min_women_villagers_committee"]
        checks.append(
            {
                "code": "P11-woman-on-committee",
                "met": women >= need,
                "reason": f"村民委员会人选中女性{women}人，至少需{need}人"
                + ("" if women >= need else "，须形成专项说明"),
            }
        )
        num, den = policy["women_share_target"]
        checks.append(
            {
                "code": "P11-women-share",
                "met": women * den >= len(vc) * num,
                "reason": f"女性{women}人，共{len(vc)}人；目标比例{num}/{den}（{women}×{den} 对比 {len(vc)}×{num}）",
            }
        )
        if previous_term:
            pw, pm = previous_term.get("women"), previous_term.get("members")
            if _is_int(pw) and _is_int(pm) and pm > 0:
                checks.append(
                    {
                        "code": "P11-women-share-up",
                        "met": women * pm > pw * len(vc),
                        "reason": f"本届女性{women}/{len(vc)}，上届{pw}/{pm}，须高于上届",
                    }
                )
            heads = [(c, g) for c, g in vc if post_rank(c.post) == 1]
            pwh, ph = previous_term.get("women_heads"), previous_term.get("heads")
            if heads and _is_int(pwh) and _is_int(ph) and ph > 0:
                wh = sum(1 for _c, g in heads if g == "F")
                checks.append(
                    {
                        "code": "P11-women-heads-up",
                        "met": wh * ph > pwh * len(heads),
                        "reason": f"本届女性主任{wh}/{len(heads)}，上届{pwh}/{ph}，须高于上届",
                    }
                )
    secretaries = {c.name for c, _g, _a, body in people if body == "party" and post_rank(c.post) == 1}
    chairs = {
        c.name for c, _g, _a, body in people if body == "villagers_committee" and post_rank(c.post) == 1
    }
    if secretaries and chairs:
        both = sorted(secretaries & chairs)
        checks.append(
            {
                "code": "P12-one-shoulder",
                "met": bool(both),
                "reason": (
                    f"{'、'.join(both)}同为书记和主任人选（一肩挑），村民委员会选举由选举委员会副主任主持"
                    if both
                    else "书记人选未同时作为主任人选，须说明未实行“一肩挑”的原因"
                ),
            }
        )
    return checks


def campaign_targets(
    secretaries: Sequence[Mapping[str, Any]],
    previous: Mapping[str, Any] | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> list[dict]:
    """P13 — campaign-level targets ("两升一降") computed from the data.

    ``secretaries``: ``[{"age": int, "education": code|label, "rich_leader": bool}]``;
    ``previous``: ``{"rich_leader": int, "count": int, "average_age_x100": int}`` (optional).
    Shares are compared by cross-multiplication; the average age as a sum.
    """
    n = len(secretaries)
    checks: list[dict] = []
    if n == 0:
        return checks
    college = sum(1 for s in secretaries if _level_at_least(education_level(s.get("education")), "college"))
    num, den = policy["secretary_college_share_target"]
    checks.append(
        {
            "code": "P13-secretary-college",
            "met": college * den >= n * num,
            "reason": f"大专以上书记{college}/{n}，目标{num}/{den}",
        }
    )
    if previous:
        rich = sum(1 for s in secretaries if s.get("rich_leader"))
        pr, pc = previous.get("rich_leader"), previous.get("count")
        if _is_int(pr) and _is_int(pc) and pc > 0:
            points = policy["rich_leader_share_increase_points"]
            # rich/n - pr/pc >= points/100  ⇔  100*rich*pc - 100*pr*n >= points*n*pc
            checks.append(
                {
                    "code": "P13-rich-leader-up",
                    "met": 100 * rich * pc - 100 * pr * n >= points * n * pc,
                    "reason": f"致富能手书记{rich}/{n}，上届{pr}/{pc}，目标提高{points}个百分点",
                }
            )
        pa = previous.get("average_age_x100")
        ages = [s.get("age") for s in secretaries]
        if _is_int(pa) and all(_is_int(a) for a in ages):
            drop = policy["secretary_average_age_decrease"]
            # mean <= previous_mean - drop  ⇔  100*sum(ages) <= (pa - 100*drop)*n
            checks.append(
                {
                    "code": "P13-average-age-down",
                    "met": 100 * sum(ages) <= (pa - 100 * drop) * n,  # type: ignore[arg-type]
                    "reason": f"书记平均年龄须比上届降低{drop}岁",
                }
            )
    return checks
