"""The campaign's policy values (policy.md P1–P18) as a form and as a readable Chinese table.

Each value of :data:`huanjie.rules.policy.DEFAULT_POLICY` has a :class:`Spec` here: its P-number,
what the policy says (the source a county office checks the value against), the kind of input and
the allowed range. The rules engine stays the judge of a value's shape (:func:`get_policy`); the
ranges here are the sensible bounds of an input form (an age limit of 200 is a typing error).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from huanjie.rules.errors import EngineError
from huanjie.rules.people import relation_zh
from huanjie.rules.policy import DEFAULT_POLICY, get_policy
from huanjie.rules.profiles import RELATIONS

SEVERITY_ZH = {"refusal": "不予通过（拒绝）", "warning": "提醒（可继续）"}
EDUCATION_ZH = {"primary": "小学", "junior_high": "初中", "senior_high": "高中（中专）", "college": "大专及以上"}
ROUNDING_ZH = {"half_up": "四舍五入", "up": "向上取整", "down": "向下取整"}


@dataclass(frozen=True)
class Spec:
    key: str
    rule: str  # the P-number of policy.md
    label: str
    source: str  # what policy.md (and the seed it cites) says
    kind: str  # int, mf, pair, ratio, severity, education, rounding, words, codelist, relations, table, rows, departments
    lo: int | None = None
    hi: int | None = None
    # P17's departments are chosen on the accounts' department page (one place writes them).
    editable: bool = True


SPECS: tuple[Spec, ...] = (
    Spec("head_posts", "P2", "书记、主任职务名称", "年龄限制适用于书记、主任（主职）。", "words"),
    Spec("head_age_limit", "P2", "书记、主任初步候选人年龄上限",
         "男60周岁、女55周岁以上的不再提名为书记、主任初步候选人（004号文件 三(四)2，按P1截止日计算）。", "mf", 30, 75),
    Spec("head_age_severity", "P2", "书记、主任年龄上限的处理", "超龄者一般不予提名；优秀现任书记经县级备案可保留。", "severity"),
    Spec("new_head_age_max", "P2", "新提名书记、主任年龄上限",
         "新提名的书记、主任原则上不超过45周岁，特别优秀的可适当放宽（记录批准）。", "int", 25, 70),
    Spec("new_head_age_severity", "P2", "新提名书记、主任年龄的处理", "超过时拒绝或提醒。", "severity"),
    Spec("deputy_age_max", "P2", "两委副职年龄上限", "两委副职：男不超过55周岁、女不超过50周岁。", "mf", 25, 75),
    Spec("deputy_age_severity", "P2", "两委副职年龄的处理", "超过时拒绝或提醒。", "severity"),
    Spec("newcomer_age_max", "P2", "新进班子成员年龄", "新进两委班子成员一般在45周岁以下。", "int", 18, 70),
    Spec("newcomer_min_education", "P2", "新进班子成员最低文化程度", "新进两委班子成员一般应具有高中（中专）以上文化程度。", "education"),
    Spec("newcomer_severity", "P2", "新进班子成员条件的处理", "默认为提醒，不拒绝。", "severity"),
    Spec("negative_list", "P3", "负面清单（十不选）",
         "有下列情形之一的不得提名为候选人（004号文件 三(一)）；每行一项：代码 空格 内容。", "codelist"),
    Spec("sanction_higher_post_severity", "P4", "处分影响期内高于原职务提名",
         "受处分且在影响期内的现任干部，不得提名高于原任职务的人选。", "severity"),
    Spec("avoidance_relations", "P5", "候选人之间回避的亲属关系",
         "候选人之间有夫妻、父母子女、兄弟姐妹、祖孙关系的，不得同时提名（民法典规定的近亲属）。", "relations"),
    Spec("avoidance_severity", "P5", "亲属回避的处理", "违反时拒绝或提醒。", "severity"),
    Spec("incompatible_posts_severity", "P6", "不得兼任的职务",
         "村民委员会成员及其近亲属、会计（报账员）、文书等不得担任村务监督委员会成员。", "severity"),
    Spec("initial_candidates_ratio", "P7", "党组织委员初步人选倍数", "初步人选不少于应选人数的1.5倍（3名应选不少于5名）。", "ratio", 1, 10),
    Spec("initial_candidates_rounding", "P7", "初步人选人数的取整", "1.5倍不是整数时的取整方式。", "rounding"),
    Spec("initial_candidates_table", "P7", "初步人选最少人数表（可选）",
         "按应选人数直接规定最少人数，填写后代替倍数；每行：应选人数 最少人数。", "table", 0, 50),
    Spec("preliminary_extra", "P8", "预备人选差额", "委员预备人选比应选人数多1人（法律规定的差额比例仍然适用）。", "int", 0, 10),
    Spec("team_size_by_population", "P10", "按人口确定职数",
         "1000人以下3—4职，1000—2000人4—5职，2000人以上最多6职；每行：人口下限 上限 最少职数 最多职数（不限填 -）。", "rows", 0, 100000),
    Spec("team_total", "P10", "两委班子成员总数", "两委班子成员一般3—7人。", "pair", 1, 15),
    Spec("young_member_age_max", "P11", "年轻成员年龄", "两委班子中至少有1名35周岁以下、大专以上文化程度的成员。", "int", 18, 45),
    Spec("young_member_education", "P11", "年轻成员文化程度", "该成员应具有大专以上文化程度。", "education"),
    Spec("min_women_villagers_committee", "P11", "村民委员会女性成员最少人数", "村民委员会中至少有1名女性成员。", "int", 0, 7),
    Spec("women_share_target", "P11", "女性成员比例目标", "女性成员比例力争达到30%。", "ratio", 0, 100),
    Spec("notice_days", "P18", "公示天数", "预备人选公示期一般为5天，公示期内的异议在批复前必须答复。", "int", 1, 30),
    Spec("secretary_college_share_target", "P13", "书记大专以上比例目标", "“两升一降”：书记大专以上学历比例提高到30%。", "ratio", 0, 100),
    Spec("rich_leader_share_increase_points", "P13", "致富能手比例提高（百分点）", "“两升一降”：致富能手比例提高10个百分点。", "int", 0, 100),
    Spec("secretary_average_age_decrease", "P13", "书记平均年龄降低（岁）", "“两升一降”：书记平均年龄有所下降。", "int", 0, 30),
    Spec("complaint_answer_days", "P21", "举报、信访答复期限", "举报、信访自受理之日起在此天数内办结并答复。", "int", 1, 90),
    Spec("late_withdrawal_days", "P22", "临近选举日退出的风险期",
         "候选人在选举日前此天数内退出的，列为选情风险。", "int", 0, 30),
    Spec("representatives_party_share_min", "P23", "村民（居民）代表中党员比例",
         "村民代表中党员应当占一定比例（004号文件未定具体数值，本系统默认五分之一）；低于时提醒。", "ratio", 0, 100),
    Spec("induction_county_sessions", "P24", "岗前培训：县级以上集中培训次数",
         "书记、主任、村务监督委员会主任应参加县级以上岗前集中培训的次数。", "int", 0, 10),
    Spec("review_departments", "P17", "县级联审部门", "村级预审、镇级初审、县级联审；未指定时全部联审部门参加。在“账号 › 联审部门”页面选择。",
         "departments", editable=False),
)
SPEC_BY_KEY = {s.key: s for s in SPECS}
# P1 is the campaign's own cut-off date field, edited with the campaign, not here.
FORM_KEYS = tuple(s.key for s in SPECS)


def effective(campaign_policy: Mapping[str, Any] | None) -> dict[str, Any]:
    values = DEFAULT_POLICY.as_dict()
    values.update(campaign_policy or {})
    return values


# ---------------------------------------------------------------- reading the value as text


def _num(v) -> str:
    return "不限" if v is None else str(v)


def _ratio(v) -> str:
    a, b = v
    if b == 10 or b == 100:
        return f"{a * 100 // b}%" if (a * 100) % b == 0 else f"{a}/{b}"
    return f"{a}/{b}（{a / b:g} 倍）" if b else f"{a}/{b}"


def describe(key: str, value: Any, departments: Mapping[str, str] | None = None) -> str:
    """The value as a clerk reads it: "男 60 周岁、女 55 周岁", "提醒（可继续）", "30%"."""
    spec = SPEC_BY_KEY[key]
    kind = spec.kind
    if kind == "mf":
        return f"男 {value['M']} 周岁、女 {value['F']} 周岁"
    if kind == "severity":
        return SEVERITY_ZH.get(value, str(value))
    if kind == "education":
        return EDUCATION_ZH.get(value, "不限") if value else "不限"
    if kind == "rounding":
        return ROUNDING_ZH.get(value, str(value))
    if kind == "ratio":
        return _ratio(value)
    if kind == "pair":
        return f"{value[0]}—{value[1]} 人"
    if kind == "words":
        return "、".join(value)
    if kind == "codelist":
        return f"{len(value)} 项：" + "；".join(f"{i['code']} {i['text']}" for i in value)
    if kind == "relations":
        return "、".join(relation_zh(r) for r in value) or "不回避"
    if kind == "table":
        return "；".join(f"应选 {k} 人不少于 {v} 人" for k, v in sorted(value.items(), key=lambda kv: int(kv[0]))) \
            or "未设置（按倍数计算）"
    if kind == "rows":
        return "；".join(f"{r[0]}—{_num(r[1])} 人：{_num(r[2])}—{_num(r[3])} 职" for r in value)
    if kind == "departments":
        if value is None:
            return "全部联审部门"
        names = departments or {}
        return "、".join(names.get(c, c) for c in value)
    unit = {"notice_days": " 天", "rich_leader_share_increase_points": " 个百分点",
            "min_women_villagers_committee": " 人", "preliminary_extra": " 人",
            "complaint_answer_days": " 天", "late_withdrawal_days": " 天"}.get(key, "")
    if key.endswith("age_max") or key.endswith("age_decrease"):
        unit = " 周岁" if key.endswith("age_max") else " 岁"
    return f"{value}{unit}"


def table_rows(campaign_policy: Mapping[str, Any] | None, departments: Mapping[str, str] | None = None) -> list[dict]:
    """One row per policy value: P-number, label, this campaign's value, the default, changed or not."""
    values = effective(campaign_policy)
    defaults = DEFAULT_POLICY.as_dict()
    return [
        {
            "spec": s,
            "value": describe(s.key, values[s.key], departments),
            "default": describe(s.key, defaults[s.key], departments),
            "changed": values[s.key] != defaults[s.key],
        }
        for s in SPECS
    ]


# ---------------------------------------------------------------- form


def form_fields(values: Mapping[str, Any], departments: list[tuple[str, str]]) -> list[dict]:
    """What the template needs for each input: current value(s) in the form's own text shape."""
    defaults = DEFAULT_POLICY.as_dict()
    dept_names = dict(departments)
    out = []
    for s in SPECS:
        v = values[s.key]
        item = {"spec": s, "name": f"p_{s.key}", "default": describe(s.key, defaults[s.key], dept_names),
                "changed": v != defaults[s.key]}
        if s.kind == "mf":
            item["M"], item["F"] = v["M"], v["F"]
        elif s.kind in ("pair", "ratio"):
            item["a"], item["b"] = v
        elif s.kind == "words":
            item["text"] = "、".join(v)
        elif s.kind == "codelist":
            item["text"] = "\n".join(f"{i['code']} {i['text']}" for i in v)
        elif s.kind == "table":
            item["text"] = "\n".join(f"{k} {n}" for k, n in sorted(v.items(), key=lambda kv: int(kv[0])))
        elif s.kind == "rows":
            item["text"] = "\n".join(" ".join("-" if x is None else str(x) for x in r) for r in v)
        elif s.kind == "relations":
            item["options"] = [(r, relation_zh(r), r in v) for r in RELATIONS]
        elif s.kind == "departments":
            item["text"] = describe(s.key, v, dept_names)
        elif s.kind in ("severity", "education", "rounding"):
            choices = {"severity": SEVERITY_ZH, "rounding": ROUNDING_ZH,
                       "education": {"": "不限", **EDUCATION_ZH}}[s.kind]
            item["options"] = [(c, label, (v or "") == c) for c, label in choices.items()]
        else:
            item["value"] = v
        out.append(item)
    return out


class PolicyInvalid(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(f"{SPEC_BY_KEY[k].label}：{m}" for k, m in errors.items()))
        self.errors = errors


def _int(text: str, spec: Spec, errors: dict, key: str) -> int | None:
    text = (text or "").strip()
    if not text.lstrip("-").isdigit():
        errors[key] = f"应为整数，收到“{text or '（空）'}”。"
        return None
    n = int(text)
    if spec.lo is not None and n < spec.lo or spec.hi is not None and n > spec.hi:
        errors[key] = f"应在 {spec.lo}—{spec.hi} 之间，收到 {n}。"
        return None
    return n


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in (text or "").replace("\r", "").split("\n") if ln.strip()]


def parse(post, known_departments: list[str] | None = None) -> dict[str, Any]:
    """Every policy value from the submitted form; raises :class:`PolicyInvalid` naming each bad field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for s in SPECS:
        name = f"p_{s.key}"
        k = s.key
        if not s.editable:
            continue
        if s.kind == "int":
            out[k] = _int(post.get(name), s, errors, k)
        elif s.kind == "mf":
            m, f = _int(post.get(name + "_M"), s, errors, k), _int(post.get(name + "_F"), s, errors, k)
            out[k] = {"M": m, "F": f}
        elif s.kind in ("pair", "ratio"):
            a, b = _int(post.get(name + "_a"), s, errors, k), _int(post.get(name + "_b"), s, errors, k)
            if k not in errors and s.kind == "pair" and a > b:
                errors[k] = f"最少人数 {a} 大于最多人数 {b}。"
            if k not in errors and s.kind == "ratio" and b == 0:
                errors[k] = "分母不能为 0。"
            out[k] = [a, b]
        elif s.kind in ("severity", "education", "rounding"):
            choices = {"severity": SEVERITY_ZH, "rounding": ROUNDING_ZH, "education": {"": "", **EDUCATION_ZH}}[s.kind]
            v = post.get(name, "")
            if v not in choices:
                errors[k] = "请从列表中选择。"
            out[k] = (v or None) if s.kind == "education" else v
        elif s.kind == "words":
            words = [w.strip() for w in (post.get(name) or "").replace(",", "、").replace("，", "、").split("、")]
            out[k] = [w for w in words if w]
            if not out[k]:
                errors[k] = "至少填写一个职务名称。"
        elif s.kind == "codelist":
            items = []
            for n, line in enumerate(_lines(post.get(name)), start=1):
                code, _, text = line.partition(" ")
                if not text.strip():
                    errors[k] = f"第 {n} 行应为“代码 空格 内容”，收到“{line}”。"
                    break
                items.append({"code": code, "text": text.strip()})
            out[k] = items
        elif s.kind == "relations":
            chosen = set(post.getlist(name))
            out[k] = [r for r in RELATIONS if r in chosen]
        elif s.kind == "table":
            table = {}
            for line in _lines(post.get(name)):
                parts = line.split()
                if len(parts) != 2 or not all(p.isdigit() for p in parts):
                    errors[k] = f"每行应为“应选人数 最少人数”，收到“{line}”。"
                    break
                table[str(int(parts[0]))] = int(parts[1])
            out[k] = table
        elif s.kind == "rows":
            rows = []
            for line in _lines(post.get(name)):
                parts = line.split()
                if len(parts) != 4 or not parts[0].isdigit() or not all(p == "-" or p.isdigit() for p in parts[1:]):
                    errors[k] = f"每行应为“人口下限 上限 最少职数 最多职数”（不限填 -），收到“{line}”。"
                    break
                rows.append([int(parts[0]), *(None if p == "-" else int(p) for p in parts[1:])])
            out[k] = rows
            if not rows and k not in errors:
                errors[k] = "至少填写一行。"
    if not errors:
        # The engine is the judge of each value's shape: what it refuses is never stored.
        for k, v in out.items():
            try:
                get_policy({k: v})
            except EngineError as exc:
                errors[k] = exc.message
    if errors:
        raise PolicyInvalid(errors)
    return out


def overrides(values: Mapping[str, Any], keep: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Only the values that differ from policy.md's defaults are stored with the campaign.

    ``keep``: stored keys this form does not edit (``cutoff_date``) stay as they are.
    """
    defaults = DEFAULT_POLICY.as_dict()
    out = {k: v for k, v in (keep or {}).items() if k not in SPEC_BY_KEY or not SPEC_BY_KEY[k].editable}
    out.update({k: v for k, v in values.items() if v != defaults[k] and SPEC_BY_KEY[k].editable})
    return out



def keep_input(fields: list[dict], post) -> None:
    """After a refused submission, the form shows what was typed, not the stored values."""
    for item in fields:
        name, kind = item["name"], item["spec"].kind
        if kind == "mf":
            item["M"], item["F"] = post.get(name + "_M", ""), post.get(name + "_F", "")
        elif kind in ("pair", "ratio"):
            item["a"], item["b"] = post.get(name + "_a", ""), post.get(name + "_b", "")
        elif kind in ("words", "codelist", "table", "rows"):
            item["text"] = post.get(name, "")
        elif kind == "relations":
            chosen = set(post.getlist(name))
            item["options"] = [(c, label, c in chosen) for c, label, _ in item["options"]]
        elif kind in ("severity", "education", "rounding"):
            item["options"] = [(c, label, post.get(name, "") == c) for c, label, _ in item["options"]]
        else:
            item["value"] = post.get(name, "")
