"""The demo county's command center, played through the oversight and report services: the survey of
every village, 一村一策 plans (one review overdue), complaints (anonymous, answered, overdue, one
against a candidate), incidents (one escalated and closed, one open), last week's report, the
previous term's cadres imported from an Excel file, and the summary's words.

Dates are fixed days of the campaign (before the demo's earliest "today"), except last week's
report, which is last week's by definition.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from huanjie.accounts.models import User
from huanjie.campaigns.models import Campaign
from huanjie.documents.render import SheetSpec, workbook_bytes
from huanjie.people.models import Person, Region

D = dt.date

SURVEY_NOTES = [
    "班子团结，运行正常，书记有连任意愿",
    "主任年龄偏大，班子需要补充年轻力量",
    "宗族势力较强，两大姓氏矛盾突出",
    "班子运行正常，后备力量充足",
    "党支部软弱涣散，正在集中整顿",
    "社区居民流动性大，居民参与意识较弱",
]
COMPLICATED = {2: "两大姓氏争夺主任职位，存在拉票迹象", 8: "征地拆迁遗留问题多，群众意见大"}


PLACEMENTS = ["村股份经济合作社理事长", "乡镇公益性岗位", "村务监督委员会委员"]


def _check(call, *args, **kwargs):
    from huanjie.oversight.services import OversightError
    from huanjie.reports.outgoing import OutgoingError
    from huanjie.reports.services import ReportError
    from huanjie.reports.structure import ImportError_
    from huanjie.reports.summary import SummaryError

    try:
        return call(*args, **kwargs)
    except (OversightError, ReportError, ImportError_, SummaryError, OutgoingError) as exc:
        raise RuntimeError(f"演示数据（督导）：{exc}") from exc


def play_oversight(campaign: Campaign, villages: list[Region]) -> None:
    from huanjie.elections.models import Candidate
    from huanjie.oversight import services as ov
    from huanjie.reports import services as reports
    from huanjie.reports import structure, summary

    users = {u.username: u for u in User.objects.filter(
        username__in=["county_office", "township_a", "township_b", "village_a1"])}
    county, ta, tb = users["county_office"], users["township_a"], users["township_b"]

    def office(village):
        return ta if village.code.startswith(ta.region.code[:9]) else tb

    # 调查摸底: every village, two flagged complicated with their reason
    for i, v in enumerate(villages):
        _check(ov.save_survey, office(v), campaign, v, {
            "surveyed_on": D(2026, 11, 3) + dt.timedelta(days=i % 4), "team_situation": SURVEY_NOTES[i % 6],
            "reserve_total": 3 + i % 4, "reserve_women": 1 + i % 2, "reserve_young": 1 + i % 3,
            "reserve_college": i % 3, "risks_found": "征地补偿分配意见不一" if i % 4 == 0 else "",
            "complicated": i in COMPLICATED, "complicated_reason": COMPLICATED.get(i, "")})
    # 一村一策: the two complicated villages and one flagged later by the township
    _check(ov.save_plan, ta, campaign, villages[2], {
        "reason": COMPLICATED[2], "risks": ["head_not_elected", "petition", "disruption"],
        "risk_detail": "两姓候选人得票可能接近，落选一方可能组织上访",
        "measures": "镇党委副书记包村；选前分别约谈两姓代表人物；选举日派出所民警到场",
        "responsible": "清溪镇 刘建华", "review_on": D(2026, 11, 25), "status": "open"})
    _check(ov.save_plan, tb, campaign, villages[8], {
        "reason": COMPLICATED[8], "risks": ["low_turnout", "petition"],
        "measures": "选前召开村民代表会议通报征地补偿分配方案；入户动员外出务工人员返乡参选",
        "responsible": "石桥乡 黄志明", "review_on": D(2026, 12, 10), "status": "controlled"})
    _check(ov.save_plan, ta, campaign, villages[3], {
        "reason": "委员职位一个名额未选出，另行选举前需稳定选民情绪", "risks": ["unfilled"],
        "measures": "镇联村干部逐户走访，说明另行选举的时间和规则", "responsible": "清溪镇 陈丽",
        "review_on": D(2026, 12, 5), "status": "open"})

    # complaints
    liutang = villages[1]
    cand = Candidate.objects.filter(election__organization=liutang, status=Candidate.ACTIVE).select_related(
        "election", "person").order_by("post__rank", "list_order").first()
    c1 = _check(ov.register_complaint, county, campaign, village=liutang, channel="phone",
                received_on=D(2026, 11, 24), matter="vote_buying",
                content="反映该候选人在村民小组长会议上许诺当选后发放分红，拉拢选票。", anonymous=True,
                complainant_name="周某某", complainant_contact="13905551234",
                election=cand.election if cand else None, candidate=cand)
    _check(ov.assign_complaint, county, c1, ta, D(2026, 11, 24))
    _check(ov.add_complaint_note, ta, c1, "已约谈被举报人，并走访第二村民小组 5 户村民核实。")
    c2 = _check(ov.register_complaint, ta, campaign, village=villages[0], channel="visit",
                received_on=D(2026, 11, 12), matter="process",
                content="反映选民名单漏登了外出务工返乡人员。", complainant_name="王大山",
                complainant_contact="13700002222")
    _check(ov.assign_complaint, ta, c2, ta, D(2026, 11, 12))
    _check(ov.answer_complaint, ta, c2, finding="partly",
           finding_text="经核查，1 人户籍已迁出不应登记，1 人漏登已在异议处理中补登。",
           answer="您反映的问题部分属实，漏登人员已补登，另 1 人依法不予登记。", on=D(2026, 11, 18))
    c3 = _check(ov.register_complaint, tb, campaign, village=villages[7], channel="letter",
                received_on=D(2026, 11, 6), matter="clan_gang",
                content="反映有人以家族名义威胁村民不得参加提名。", anonymous=True, complainant_name="",
                complainant_contact="")
    _check(ov.assign_complaint, tb, c3, tb, D(2026, 11, 9))  # still open, past its deadline

    # incidents
    now = timezone.now()
    i1 = _check(ov.report_incident, users["village_a1"], campaign, village=villages[0], category="venue_disorder",
                place=f"{villages[0].name}村委会选举大会会场", description="唱票时有人起哄，要求重新计票，会场秩序一度混乱。",
                occurred_at=timezone.make_aware(dt.datetime(2026, 11, 21, 10, 40)))
    _check(ov.respond_incident, ta, i1, "镇驻村干部和派出所民警到场维持秩序，向选民说明计票规则。")
    _check(ov.escalate_incident, ta, i1, "起哄人员聚集到二十余人，镇里难以单独平息。")
    _check(ov.close_incident, county, i1, "县公安局和县换届办到场处置，秩序恢复，唱票继续，结果当场公布。")
    _check(ov.report_incident, ta, campaign, village=villages[5], category="destruction", place="社区公告栏",
           description="选民名单公告被人撕毁一张。", occurred_at=min(now, timezone.make_aware(
               dt.datetime(2026, 11, 27, 7, 30))))

    # the previous term's cadres, imported from an Excel file as the office would
    from huanjie.elections.models import ElectedMember

    rows = []
    posts = [("书记", "主任"), ("委员", ""), ("", "副主任"), ("", "委员"), ("委员", "委员")]
    for v in villages:
        # two of the new team served before (where a new team exists), the others are people of the
        # village of working age: the comparison shows who stayed, who left and who is new
        # the villagers' committee's new team (the party election elects some of them again)
        staying = [m.person for m in ElectedMember.objects.filter(election__organization=v, person__isnull=False,
                                                                  election__kind__in=["village_committee", "residents_committee"])
                   .select_related("person").order_by("post__rank", "-votes")[:2]]
        party = [p for p in Person.objects.filter(hukou_village=v, political_status="cpc",
                                                  birth_date__range=(D(1965, 1, 1), D(1992, 12, 31)))
                 .exclude(pk__in=[p.pk for p in staying]).order_by("-birth_date")[:2]]
        chosen = staying + party
        chosen += [p for p in Person.objects.filter(hukou_village=v, birth_date__range=(D(1962, 1, 1), D(1990, 12, 31)))
                   .exclude(pk__in=[p.pk for p in chosen]).order_by("birth_date", "id_number")[:5 - len(chosen)]]
        for p, (party_post, committee_post) in zip(chosen, posts, strict=False):
            rows.append([v.code, p.name, p.id_number, party_post, committee_post,
                         "中共党员" if p.political_status == "cpc" else "群众", p.education])
    data = workbook_bytes([SheetSpec(name="上届村干部", title="上届村（社区）“两委”成员名单",
                                     columns=["村（社区）代码", "姓名", "公民身份号码", "党组织职务", "村委会职务",
                                              "政治面貌", "文化程度"], rows=rows)])
    result = _check(structure.import_previous_cadres, county, campaign, data, "上届村干部.xlsx")
    if result.errors:
        raise RuntimeError("演示数据（上届村干部）：" + "；".join(result.errors[:3]))

    # after the vote: of the cadres who left office, the first two placed elsewhere; talks with the
    # people of 东山村 who left or lost; two reserve cadres from the elections and one from the survey
    from huanjie.reports import outgoing
    from huanjie.reports.models import ReserveCadre

    people = outgoing.outgoing_rows(campaign, county.region.scope_prefix)
    for k, r in enumerate(r for r in people if r.left):
        _check(outgoing.record_placement, office(r.village), campaign, r.village, r.key, placed=k < 2,
               where=PLACEMENTS[k % len(PLACEMENTS)], on=D(2026, 11, 25))
    for r in people:
        if r.village == villages[0]:
            _check(outgoing.record_talk, ta, campaign, r.village, r.key, talked_on=D(2026, 11, 24),
                   talked_by="清溪镇党委副书记 孙立", content="本人能正确对待选举结果，表示继续支持新一届班子的工作。")
    adults = {p.id_number for p in Person.objects.filter(id_number__in=[r.key for r in people],
                                                           birth_date__lte=D(1990, 12, 31))}
    for r in [r for r in people if r.stood and r.key in adults][:2]:
        _check(outgoing.add_reserve, office(r.village), campaign, r.village, r.key, source=ReserveCadre.ELECTION,
               note="村务监督、集体经济", added_on=D(2026, 11, 26))
    young = (Person.objects.filter(hukou_village=villages[2], birth_date__range=(D(1994, 1, 1), D(2000, 12, 31)))
             .order_by("id_number").first())
    if young is not None:
        _check(outgoing.add_reserve, ta, campaign, villages[2], young.id_number, source=ReserveCadre.SURVEY,
               note="返乡创业青年", added_on=D(2026, 11, 26))

    # 三个100%: most of township A has signed; one candidate of 柳塘村 and township B have not yet
    from huanjie.oversight import commitments

    _check(commitments.record_township_letter, county, campaign, ta.region, "孙立华", D(2026, 10, 28))
    _check(commitments.record_township_letter, county, campaign, tb.region, "钱志远", None)  # named, not yet signed
    per = commitments.needs(campaign, villages[:6])
    for i, v in enumerate(villages[:6]):
        for k, need in enumerate(per[v.pk]):
            if i == 1 and need.kind == "pledge" and k % 2:
                continue
            _check(commitments.record_signed, ta, campaign, v, need.kind, need.person.pk, D(2026, 11, 16))

    # last week's report, as it was sent
    last_week = timezone.localdate() - dt.timedelta(days=7)
    _check(reports.take_snapshot, county, campaign, county.region, last_week)
    _check(reports.take_snapshot, ta, campaign, ta.region, last_week)
    _check(summary.save_text, county, campaign, county.region, {
        "overview": "全县换届工作在县委统一领导下有序推进，各乡镇按照时间节点完成调查摸底、离任审计和业务培训。",
        "practice": "坚持先审计后换届、先培训再换届，对选情复杂村逐村制定一村一策。\n资格联审实行谁审核、谁负责。",
        "problems": "个别村外出务工人员多，参选率有待提高；下一步抓好另行选举村和暂缓换届村的工作。"})

