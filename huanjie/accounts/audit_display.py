"""The audit log in words a clerk reads: who did what to which thing, before and after.

Records are never rewritten (they are chained by hash); this module only renders them: a Chinese
label per action, the thing named by its kind and its name, and each change as "栏目：前 → 后"
with field names, choices, lists and nested values spelled out."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

ACTION_LABELS = {
    "account.activate": "启用账号",
    "account.create": "建立账号",
    "account.deactivate": "停用账号",
    "account.locked": "账号被锁定",
    "account.password_change": "修改本人密码",
    "account.password_reset": "重置密码",
    "account.unlock": "解锁账号",
    "campaign.policy": "修改换届政策",
    "campaign_village.complicated": "标记选情复杂村",
    "campaign_village.state": "变更村的换届状态",
    "candidate.disqualified": "取消候选人资格",
    "candidates.acknowledge": "说明候选人政策提示",
    "candidates.decide": "确定正式候选人",
    "candidates.decline": "登记被提名人放弃",
    "candidates.disqualify": "取消候选人资格并递补",
    "candidates.exclude": "排除被提名人",
    "candidates.nominate": "登记提名",
    "candidates.nomination_count": "录入提名票",
    "candidates.nominee_update": "修改被提名人信息",
    "candidates.publish": "公布正式候选人名单",
    "candidates.restore": "恢复被提名人",
    "candidates.team_explanation": "填写班子结构专项说明",
    "candidates.withdraw": "登记候选人书面退出",
    "candidates.written_choice": "登记书面选择职位",
    "campaign.create": "建立换届工作",
    "congress.approve": "登记县委对代表名额及分配的批复",
    "congress.body_candidate_add": "提出党委、纪委委员候选人初步人选",
    "congress.body_candidates_approve": "登记县委对委员候选人预备人选的批复",
    "congress.county_delegate_seats": "设定出席县党代会代表名额",
    "congress.county_delegates_create": "建立出席县党代会代表选举",
    "congress.create": "建立乡镇党代会",
    "congress.credentials": "代表资格审查",
    "congress.delegate_by_election_create": "建立补选代表的选举",
    "congress.delegate_candidate_add": "提出代表候选人",
    "congress.delegate_candidate_category": "修改代表候选人类别",
    "congress.delegate_candidates_approve": "批准选举单位的代表候选人名单",
    "congress.delegate_candidates_import": "导入代表候选人",
    "congress.delegate_election_create": "建立选举单位的代表选举",
    "congress.delegation": "编组代表团",
    "congress.elections_create": "建立党代会选举党委、纪委",
    "congress.headcount": "登记清点人数",
    "congress.plenary_create": "提出全体会议候选人",
    "congress.plenary_present": "登记全体会议到会人数",
    "congress.preparatory": "登记预备会议",
    "congress.previous_margin": "登记上届代表差额情况",
    "congress.request": "登记召开党代会的请示",
    "congress.result_approve": "登记县委对选举结果的批复",
    "congress.scrutineer_add": "确定监票人",
    "congress.sign_in": "登记代表签到",
    "congress.size": "设定代表名额",
    "congress.size_approve": "登记县委批准的代表名额",
    "congress.step": "登记党代会工作进度",
    "congress.unit_add": "设立选举单位",
    "congress.structure_targets": "调整代表结构指导性比例",
    "congress.unit_exclusion": "登记选举单位不计入应到会人数的党员",
    "congress.unit_meeting": "登记选举单位会议到会情况",
    "congress.unit_re_elect": "选举单位另行召开会议",
    "congress.unit_remove": "撤销选举单位",
    "congress.unit_reserved": "设定预留名额",
    "congress.unit_seats": "调整选举单位代表名额",
    "oversight.commitment": "登记承诺书签订",
    "oversight.complaint.answer": "办结信访举报",
    "oversight.complaint.assign": "交办信访举报",
    "oversight.complaint.consequence": "落实查实的举报处理",
    "oversight.complaint.note": "记录信访举报办理情况",
    "oversight.complaint.register": "登记信访举报",
    "oversight.incident.close": "突发事件处置完毕",
    "oversight.incident.escalate": "突发事件提级处置",
    "oversight.incident.report": "报告突发事件",
    "oversight.incident.respond": "突发事件先期处置",
    "oversight.township_letter": "登记乡镇党委书记责任书",
    "party.age_exception": "登记书记人选年龄例外",
    "party.approval": "登记候选人初步人选的请示和批复",
    "party.body": "确定党员大会或党员代表大会",
    "party.branch_create": "建立村党组织",
    "party.branch_update": "修改村党组织信息",
    "party.delegate_remove": "移出党员代表",
    "party.delegates_add": "确定党员代表",
    "party.election_create": "建立村党组织选举",
    "party.exclusion": "不计入应到会人数",
    "party.expected_approval": "批准应到会人数",
    "party.inspection": "登记考察情况",
    "party.member_add": "登记党员",
    "party.members_import": "导入党员名册",
    "party.nominee_add": "提出候选人初步人选",
    "party.objection": "登记公示期间的反映",
    "party.objection_answer": "核查公示期间的反映",
    "party.plenary_candidates": "提出全体会议候选人",
    "party.plenary_present": "登记全体会议到会人数",
    "party.preliminary": "确定候选人预备人选",
    "party.recommendation": "登记推荐情况",
    "party.result_approval": "登记选举结果的批复",
    "party.secretary_filed": "书记报县委组织部备案",
    "party.sign_in": "党员签到",
    "preparation.audit": "登记离任审计",
    "preparation.induction": "登记岗前培训",
    "preparation.training": "登记业务培训",
    "region.create": "新增区域",
    "region.import": "导入区划代码",
    "region.merge": "合并区域",
    "region.rename": "区域更名",
    "region.setup": "初次设置本县",
    "reports.placement": "登记离任干部另行安排",
    "reports.previous_cadres.import": "导入上届班子成员",
    "reports.reserve.add": "列入村级后备力量",
    "reports.reserve.remove": "移出村级后备力量",
    "reports.summary_text": "填写总结报告文字",
    "reports.talk": "登记谈心谈话",
    "supervision.candidate_add": "提出村务监督委员会成员候选人",
    "supervision.candidate_refused": "提出的监委会候选人不得担任",
    "supervision.candidate_withdraw": "监委会候选人退出",
    "supervision.check_list": "监委会候选人名单资格把关",
    "supervision.create": "建立村务监督委员会推选",
    "supervision.meeting": "登记推选会议到会人数",
    "villageposts.group_post.add": "登记村民小组职务",
    "villageposts.group_post.import": "导入村民小组职务",
    "villageposts.group_post.remove": "移除村民小组职务",
    "villageposts.publish": "公告村民代表名单",
    "villageposts.representative.add": "登记村民代表",
    "villageposts.representative.import": "导入村民代表",
    "villageposts.representative.remove": "移除村民代表",
    "villageposts.setup": "确定村民代表推选方式",
    "villageposts.withdraw": "撤回村民代表名单",
    "voters.objection.decide": "处理选民名单异议",
    "voters.objection.file": "登记选民名单异议",
    "counting.ballot_add": "逐票录入一张选票",
    "counting.ballot_remove": "删除一张逐票录入的选票",
    "counting.ballots_finish": "完成逐票录入",
    "counting.ballots_start": "开始逐票录入",
    "counting.double_entry_resolve": "处理双人录入不一致",
    "counting.form_save": "保存计票单",
    "demo.load": "装入演示数据",
    "department.create": "新增联审部门",
    "election.committee_add": "增加村民选举委员会成员",
    "election.committee_leave": "村民选举委员会成员退出",
    "election.create": "建立选举",
    "election.move_date": "调整选举日",
    "election.open_voting": "进入投票阶段",
    "election.plan_import": "按计划批量建立选举",
    "election.step": "登记工作进度",
    "election.voter_cards": "编制选民证号",
    "handover.save": "登记工作移交",
    "oversight.risk_plan": "制定一村一策",
    "oversight.survey": "登记调查摸底",
    "person.create": "新增人员",
    "person.update": "修改人员信息",
    "proxies.register": "登记委托投票",
    "proxies.revoke": "撤销委托投票",
    "relation.create": "登记亲属关系",
    "relation.delete": "删除亲属关系",
    "reports.weekly_snapshot": "保存每周进度统计",
    "result.add_after_unlock": "解锁后新增数据",
    "result.assign_post": "登记委员会分工",
    "result.change_after_unlock": "解锁后修改数据",
    "result.compute": "计算选举结果",
    "result.delete_after_unlock": "解锁后删除数据",
    "result.follow_up_round": "安排再次投票或另行选举",
    "result.resubmit": "重新报送选举结果",
    "result.submit": "报送选举结果",
    "result.unlock": "解锁选举结果",
    "system.restore": "从备份恢复数据库",
    "result.void_election": "宣布当选无效",
    "review.bulk_pass": "批量审查通过",
    "review.open": "提交资格审查",
    "review.remind": "催办资格审查",
    "review.stage": "资格审查进入下一层级",
    "review.verdict": "记录审查结论",
    "voters.import": "导入选民名单",
    "voters.register": "登记选民",
    "voters.remove": "选民除名",
    "voters.restore": "恢复选民登记",
    "voting.arrangements_publish": "公布投票选举事项",
    "voting.ballots_issued": "登记发出选票数",
    "voting.double_entry": "设置双人录入",
    "voting.mobile_approve": "批准流动票箱",
    "voting.mobile_lists": "公布流动票箱名单",
    "voting.staff_add": "安排选举工作人员",
    "voting.staff_remove": "移除选举工作人员",
    "voting.station_add": "设立投票站",
    "voting.station_delete": "撤销投票站",
}
AREA_LABELS = {
    "account": "账号", "campaign": "换届工作", "campaign_village": "换届范围", "department": "联审部门", "candidate": "候选人", "candidates": "候选人",
    "counting": "计票", "election": "选举", "handover": "移交", "oversight": "监督", "person": "人员",
    "proxies": "委托投票", "relation": "亲属关系", "reports": "统计", "result": "选举结果",
    "review": "资格审查", "voters": "选民登记", "voting": "投票", "congress": "乡镇党代会", "party": "村党组织换届",
    "supervision": "村务监督委员会", "villageposts": "村民代表和小组长", "preparation": "换届准备", "region": "区域",
    "demo": "演示数据", "system": "系统",
}
# Keys of ``changes`` that are not model fields.
KEY_LABELS = {
    "seal": "结果封印", "parts": "各部分封印", "registered": "登记选民数", "rounds": "投票轮次及计票结果",
    "forms": "计票单", "registrations": "选民登记", "engine": "数据库",
    "stage": "阶段", "locked": "锁定", "election_date": "选举日", "no_longer_met": "不再符合期限的步骤",
    "late_reason": "逾期原因", "unlock_reason": "解锁原因", "submitted_at": "报送时间", "valid": "选举有效",
    "threshold": "当选票数", "elected": "当选", "status": "状态", "chosen": "选择的职位", "on": "日期",
    "published_on": "公布日期", "card_numbers": "编号的选民证", "ballots_issued": "发出选票数",
    "villages": "村数", "seed": "随机种子", "size": "规模", "reason": "原因", "removed_reason": "除名原因",
    "posts": "职位和名额", "title": "名称", "assigned_post": "分工", "is_party_secretary": "一肩挑",
    "verdict": "结论", "comment": "意见", "negative_item": "负面清单事项", "document_number": "文号",
    "issued": "发出选票", "returned": "收回选票", "blank": "空白票", "invalid": "废票", "lines": "得票",
    "imported": "导入人数", "rows": "行数", "file": "文件", "count": "人数", "version": "版次",
    "locked_until": "锁定至", "failures": "失败次数", "review_departments": "联审部门",
    "acknowledged": "已核对的警告", "approval": "批复", "branches": "所含党组织", "candidates": "候选人",
    "category": "类别", "committee_seats": "委员名额", "complainant": "信访举报人", "decided_by": "决定的会议",
    "decided_on": "决定日期", "department": "部门", "expected": "应到人数", "group": "村民小组",
    "late": "逾期", "level": "层级", "member": "成员", "method": "方式", "nominees": "被提名人数",
    "note": "备注", "participated": "参加提名人数", "people": "人员", "person": "人员", "post": "职务",
    "preliminary": "预备人选", "relations": "亲属关系", "representatives": "村民代表人数",
    "representatives_share": "村民代表占会议组成人员的比例", "women_share": "妇女代表占会议组成人员的比例",
    "result_approval": "选举结果批复", "seats": "名额", "tallies": "推荐得票", "tier": "审查层级",
    "trained": "参加培训的村", "verdict_ids": "审查结论编号", "passed": "通过审查的人员", "village": "村（社区）",
    "void": "无效提名票", "vote_order": "得票排序", "handling": "核查结论和处理意见",
    "added": "新增人数", "updated": "更新人数", "rejected": "未导入行数", "created": "新建人数",
    "rejected_rows": "未导入行数", "already_registered": "已登记人数", "elections": "选举",
    "file_sha256": "文件摘要", "persons_created": "新建人员数", "persons_updated": "更新人员数",
    "skip_bad_rows": "只导入没有问题的行", "approved": "批准", "cases": "审查对象", "delegates": "代表",
    "elder": "长辈（或一方）", "younger": "晚辈（或另一方）", "excepted": "例外", "exception": "例外情形",
    "group_posts": "村民小组职务", "left": "离开原因", "replaced_by": "接替人", "replacement": "递补人选",
    "refused": "不得担任的人员", "signatures": "联名人", "young_age": "年轻代表的年龄上限",
    "young_percent": "年轻代表比例", "education_percent": "初中以上文化程度比例", "cadre_max_percent": "领导干部比例上限",
    "front_line_min_percent": "一线党员比例下限", "signed_in": "签到", "signed_out": "撤销签到",
    # the credentials' decisions, by their code (R65)
    "confirmed": "资格有效", "unit_must_re_elect": "责令选举单位重新选举", "unit_must_replace": "责令选举单位撤换",
}
# A policy finding's code (P11-women-share): the explanation written for it.
_POLICY_CODE = re.compile(r"^[PR]\d+(-[\w-]+)?$")
BOOL = {True: "是", False: "否"}
_DEFAULT_REPR = re.compile(r"^(\w+) object \((\d+)\)$")
_ISO_DT = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})")


@dataclass
class Change:
    label: str
    before: str
    after: str
    full: str = ""  # the values with their hashes in full (the cell's hover text), when shortened


@dataclass
class Described:
    action: str
    thing: str
    changes: list[Change]


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    area = AREA_LABELS.get(action.split(".")[0])
    return f"{area}：其他操作" if area else "其他操作"


def _model(object_type: str):
    try:
        return apps.get_model(object_type) if object_type else None
    except (LookupError, ValueError):
        return None


def _kind(model) -> str:
    name = str(model._meta.verbose_name) if model is not None else ""
    return name if re.search(r"[\u4e00-\u9fff]", name) else ""


def thing(record) -> str:
    """Which thing: its kind (选举, 投票站…) and its name as recorded."""
    model = _model(record.object_type)
    kind = _kind(model)
    text = record.object_repr or ""
    m = _DEFAULT_REPR.match(text)
    if m:
        text = f"编号 {m[2]}"
    if kind and not text.startswith(kind):
        return f"{kind}：{text}" if text else kind
    return text or kind or "—"


def _field(model, key: str):
    if model is None:
        return None
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    return field if hasattr(field, "verbose_name") else None  # a reverse relation is no column


# A hash (SHA-256 of a seal, a file's digest) is read by its first characters; in full it would
# widen the log's changes column until the time, action and object columns wrap at 1366 px.
_HASH = re.compile(r"\b[0-9a-fA-F]{20,}\b")


def shorten_hashes(text: str) -> str:
    return _HASH.sub(lambda m: m.group(0)[:10] + "…", text)


def value_text(value, field=None, short: bool = True) -> str:
    if short:
        return shorten_hashes(value_text(value, field, short=False))
    if value is None or value == "" or value == [] or value == {}:
        return "（空）"
    if isinstance(value, bool):
        return BOOL[value]
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.choices).get(value, value))
    if isinstance(value, list):
        return "、".join(value_text(v, short=False) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{key_label(k)}：{value_text(v, short=False)}" for k, v in value.items())
    text = str(value)
    if _ISO_DT.match(text):
        # Times are stored in UTC (ISO 8601); the clerk reads them in local time, like the log's own.
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return f"{moment:%Y-%m-%d %H:%M}"
    return text


def key_label(key: str, model=None) -> str:
    field = _field(model, key)
    if field is not None and re.search(r"[\u4e00-\u9fff]", str(field.verbose_name)):
        return str(field.verbose_name)
    if key not in KEY_LABELS and _POLICY_CODE.match(key):
        return f"专项说明（{key}）"
    return KEY_LABELS.get(key, key)


def describe(record) -> Described:
    model = _model(record.object_type)
    changes = []
    for key, pair in (record.changes or {}).items():
        field = _field(model, key)
        if key == "stage" and field is None:
            field = _field(apps.get_model("elections.Election"), "stage")
        if isinstance(pair, list | tuple) and len(pair) == 2:
            before, after = pair
        else:
            before, after = None, pair
        shown = Change(key_label(key, model), value_text(before, field), value_text(after, field))
        full = f"{value_text(before, field, short=False)} → {value_text(after, field, short=False)}"
        if full != f"{shown.before} → {shown.after}":
            shown.full = full
        if shown.before != shown.after:  # an empty field saved empty is no change to read
            changes.append(shown)
    return Described(action_label(record.action), thing(record), changes)
