"""Oversight services: survey and plans set the 选情复杂村 flag, complaints from registration to the
decision they cause, incidents from report to closing, and the signals read from election data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from huanjie.accounts.models import AuditRecord
from huanjie.campaigns.models import CampaignVillage
from huanjie.elections.models import Candidate, ElectedMember, Post, Round, RoundResult
from huanjie.elections.tests.voting_helpers import NATIONAL_CANDIDATES, election_day, form_data
from huanjie.elections.voting import counting, results
from huanjie.oversight import services
from huanjie.oversight.models import Complaint, Incident, RiskPlan
from huanjie.review.tests.review_helpers import candidate, election_in

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def survey_data(**kw):
    data = {"surveyed_on": TODAY, "team_situation": "班子团结，书记年龄偏大", "reserve_total": 4,
            "reserve_women": 1, "reserve_young": 2, "reserve_college": 1, "risks_found": "征地矛盾",
            "complicated": False, "complicated_reason": ""}
    data.update(kw)
    return data


def plan_data(**kw):
    data = {"reason": "征地拆迁遗留问题", "risks": ["petition", "low_turnout"], "measures": "书记包村，选前召开党员大会",
            "responsible": "李包村", "review_on": TODAY + dt.timedelta(days=7), "status": RiskPlan.OPEN}
    data.update(kw)
    return data


def entry(world, village):
    return CampaignVillage.objects.get(campaign=world.campaign, village=village)


def test_survey_flags_complicated_village_with_reason(world):
    ta = world.users["township_a"]
    with pytest.raises(services.OversightError, match="必须写明原因"):
        services.save_survey(ta, world.campaign, world.village_a1, survey_data(complicated=True))
    with pytest.raises(services.OversightError, match="其中女性：5 人多于合适人选总数 4 人"):
        services.save_survey(ta, world.campaign, world.village_a1, survey_data(reserve_women=5))
    assert not entry(world, world.village_a1).complicated
    services.save_survey(ta, world.campaign, world.village_a1,
                         survey_data(complicated=True, complicated_reason="宗族矛盾突出"))
    assert entry(world, world.village_a1).complicated
    # corrected later: no longer complicated
    services.save_survey(ta, world.campaign, world.village_a1, survey_data())
    assert not entry(world, world.village_a1).complicated
    assert AuditRecord.objects.filter(action="oversight.survey").count() == 2


def test_survey_scope_and_roles(world):
    with pytest.raises(services.OversightError, match="不在您的管辖范围内"):
        services.save_survey(world.users["township_b"], world.campaign, world.village_a1, survey_data())
    for persona in ("village_a1", "department", "observer"):
        with pytest.raises(services.OversightError, match="无权"):
            services.save_survey(world.users[persona], world.campaign, world.village_a1, survey_data())


def test_plan_flags_village_and_overdue_reviews_come_first(world):
    ta = world.users["township_a"]
    services.save_plan(ta, world.campaign, world.village_a2, plan_data())
    services.save_plan(ta, world.campaign, world.village_a1, plan_data(review_on=TODAY - dt.timedelta(days=1)))
    assert entry(world, world.village_a1).complicated and entry(world, world.village_a2).complicated
    rows = services.risk_rows(world.campaign, world.county.scope_prefix)
    assert [r["village"].name for r in rows] == ["东山村", "柳塘村"]
    assert rows[0]["overdue"] and not rows[1]["overdue"]
    services.save_plan(ta, world.campaign, world.village_a2, plan_data(status=RiskPlan.RESOLVED))
    assert not entry(world, world.village_a2).complicated
    with pytest.raises(services.OversightError, match="至少选择一项风险"):
        services.save_plan(ta, world.campaign, world.village_a2, plan_data(risks=[]))
    with pytest.raises(services.OversightError, match="未知的风险类型"):
        services.save_plan(ta, world.campaign, world.village_a2, plan_data(risks=["nonsense"]))


def test_postponed_village_listed_with_reason(world):
    e = entry(world, world.village_b1)
    e.state, e.state_reason = CampaignVillage.POSTPONED, "村集体账目未审清"
    e.save()
    rows = services.risk_rows(world.campaign, world.county.scope_prefix)
    assert [(r["village"].name, r["entry"].state_reason) for r in rows] == [("石桥村", "村集体账目未审清")]
    assert services.risk_rows(world.campaign, world.township_a.scope_prefix) == []


def register(world, user="township_a", **kw):
    args = {"village": world.village_a1, "channel": "phone", "received_on": TODAY, "matter": "vote_buying",
            "content": "候选人给村民送购物卡拉票", "anonymous": True, "complainant_name": "张举报",
            "complainant_contact": "13800000000"}
    args.update(kw)
    return services.register_complaint(world.users[user], world.campaign, **args)


def test_complaint_deadline_is_the_policy_value(world):
    c = register(world)
    assert c.deadline == TODAY + dt.timedelta(days=15)
    world.campaign.policy = {"complaint_answer_days": 5}
    world.campaign.save()
    assert register(world).deadline == TODAY + dt.timedelta(days=5)
    assert c.number.startswith(f"JB{TODAY.year}-")


def test_anonymous_identity_only_for_county(world):
    c = register(world)
    assert services.identity_visible(world.users["county"], c)
    assert not services.identity_visible(world.users["township_a"], c)
    rec = AuditRecord.objects.get(action="oversight.complaint.register")
    assert "张举报" not in str(rec.changes)
    named = register(world, anonymous=False)
    assert services.identity_visible(world.users["township_a"], named)


def test_complaint_refusals(world):
    with pytest.raises(services.OversightError, match="实名举报请填写姓名"):
        register(world, anonymous=False, complainant_name="")
    with pytest.raises(services.OversightError, match="来源渠道"):
        register(world, channel="pigeon")
    with pytest.raises(services.OversightError, match="不在您的管辖范围内"):
        register(world, user="township_b")
    with pytest.raises(services.OversightError, match="无权"):
        register(world, user="village_a1")
    with pytest.raises(services.OversightError, match="晚于今天"):
        register(world, received_on=TODAY + dt.timedelta(days=1))
    assert not Complaint.objects.exists()


def test_complaint_lifecycle_and_overdue(world):
    c = register(world, received_on=TODAY - dt.timedelta(days=20))
    assert c.is_overdue(TODAY)
    county, ta = world.users["county"], world.users["township_a"]
    with pytest.raises(services.OversightError, match="尚未交办"):
        services.answer_complaint(ta, c, finding="unfounded", finding_text="x", answer="y", on=TODAY)
    with pytest.raises(services.OversightError, match="承办人"):
        services.assign_complaint(county, c, world.users["township_b"], TODAY)
    services.assign_complaint(county, c, ta, TODAY)
    services.add_complaint_note(ta, c, "已约谈被举报人")
    c = services.answer_complaint(ta, c, finding="unfounded", finding_text="经走访核实，购物卡为超市促销",
                                  answer="经核查，反映问题不属实。", on=TODAY)
    assert c.status == Complaint.ANSWERED and not c.is_overdue(TODAY)
    assert [n.text for n in c.notes.all()] == ["已约谈被举报人"]
    with pytest.raises(services.OversightError, match="没有涉及候选人"):
        services.apply_consequence(ta, c)


def test_substantiated_complaint_before_vote_ends_candidacy(world):
    e = election_in(world, world.village_a1)
    cand = candidate(e, "钱贿选")
    c = register(world, election=e, candidate=cand)
    assert c.concerned == "钱贿选"
    signals = services.detect_signals(world.campaign, world.county.scope_prefix)
    assert [(s.kind, s.village.name) for s in signals] == [("petition", "东山村")]
    ta = world.users["township_a"]
    services.assign_complaint(ta, c, ta, TODAY)
    services.answer_complaint(ta, c, finding="substantiated", finding_text="查实送购物卡20张",
                              answer="反映属实，已取消其候选人资格。", on=TODAY)
    c = services.apply_consequence(ta, c)
    cand.refresh_from_db()
    assert cand.status == Candidate.WITHDRAWN
    assert c.consequence == "withdrawn" and "钱贿选" in c.consequence_note
    assert services.detect_signals(world.campaign, world.county.scope_prefix) == []


def test_substantiated_complaint_after_vote_declares_election_void(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    user, ta = world.users["village_a1"], world.users["township_a"]
    M = Post.MEMBER
    counting.save_form(user, day.round, day.stations[0], form_data(day, day.round, (16, 15, 14, 0, 1), {
        Post.DIRECTOR: {"张明": 9, "李华": 5}, Post.DEPUTY: {"王强": 10, "赵敏": 4},
        M: {"孙立": 12, "周芳": 11, "吴刚": 10, "郑丽": 9, "冯伟": 0}}), ())
    results.compute_result(user, day.round)
    c = register(world, election=day.election, candidate=day.candidates["孙立"])
    services.assign_complaint(ta, c, ta, TODAY)
    services.answer_complaint(ta, c, finding="substantiated", finding_text="查实以现金拉票",
                              answer="属实，已确认其当选无效。", on=TODAY)
    with pytest.raises(services.OversightError, match="文号"):
        services.apply_consequence(ta, c, document_number="")
    c = services.apply_consequence(ta, c, document_number="清政〔2027〕9号")
    member = ElectedMember.objects.get(name="孙立")
    assert member.status == ElectedMember.VOID and member.void_document == "清政〔2027〕9号"
    assert "JB" in member.void_reason  # the decision names the complaint that caused it
    assert c.consequence == "void" and c.elected_member == member


def test_signals_from_election_data(world):
    e = election_in(world, world.village_a1)
    cand = candidate(e, "刘中途")
    Candidate.objects.filter(pk=cand.pk).update(status=Candidate.WITHDRAWN,
                                                withdrawn_on=e.election_date - dt.timedelta(days=2))
    early = candidate(e, "赵早退")
    Candidate.objects.filter(pk=early.pk).update(status=Candidate.WITHDRAWN,
                                                 withdrawn_on=e.election_date - dt.timedelta(days=30))
    rnd = Round.objects.create(election=e, number=1)
    RoundResult.objects.create(round=rnd, output={"election_valid": False})
    e2 = election_in(world, world.village_a2)
    r1 = Round.objects.create(election=e2, number=1)
    RoundResult.objects.create(round=r1, output={"election_valid": True})
    r2 = Round.objects.create(election=e2, number=2, kind=Round.RUNOFF, created_from=r1)
    RoundResult.objects.create(round=r2, output={"election_valid": True})
    candidate(e2, "陈候选", post_code="director")
    ElectedMember.objects.create(election=e2, round=r1, post=e2.posts.get(code="director"), name="陈候选", votes=50)
    ElectedMember.objects.create(election=e2, round=r1, post=e2.posts.get(code="member"), name="周跳出", votes=40)
    got = {(s.village.name, s.kind) for s in services.detect_signals(world.campaign, world.county.scope_prefix)}
    assert got == {("东山村", "low_turnout"), ("东山村", "late_withdrawal"), ("柳塘村", "write_in"),
                   ("柳塘村", "unfilled")}
    # the township of B sees none of township A's signals
    assert services.detect_signals(world.campaign, world.township_b.scope_prefix) == []


def test_incident_report_respond_escalate_close(world):
    occurred = timezone.now() - dt.timedelta(hours=1)
    i = services.report_incident(world.users["village_a1"], world.campaign, village=world.village_a1,
                                 category="venue_disorder", place="村委会会场", occurred_at=occurred,
                                 description="有人冲击会场")
    assert i.level == "township" and i.status == Incident.REPORTED
    ta, county = world.users["township_a"], world.users["county"]
    with pytest.raises(services.OversightError, match="先登记先期处置"):
        services.escalate_incident(ta, i, "控制不住")
    with pytest.raises(services.OversightError, match="无权"):
        services.respond_incident(world.users["village_a1"], i, "x")
    services.respond_incident(ta, i, "镇派出所到场维持秩序")
    services.escalate_incident(ta, i, "人员聚集增多")
    i.refresh_from_db()
    assert i.level == "county" and i.status == Incident.ESCALATED and i.escalated_at is not None
    with pytest.raises(services.OversightError, match="由县换届办办结"):
        services.close_incident(ta, i, "平息")
    services.close_incident(county, i, "县公安局处置，秩序恢复，选举继续进行")
    i.refresh_from_db()
    assert i.status == Incident.CLOSED
    assert [s.kind for s in i.steps.all()] == ["report", "respond", "escalate", "close"]
    times = [s.at for s in i.steps.all()]
    assert times == sorted(times)
    with pytest.raises(services.OversightError, match="已处置完毕"):
        services.respond_incident(county, i, "again")


def test_incident_refusals(world):
    with pytest.raises(services.OversightError, match="晚于现在"):
        services.report_incident(world.users["township_a"], world.campaign, village=world.village_a1,
                                 category="other", place="x", occurred_at=timezone.now() + dt.timedelta(hours=2),
                                 description="x")
    with pytest.raises(services.OversightError, match="无权"):
        services.report_incident(world.users["observer"], world.campaign, village=world.village_a1,
                                 category="other", place="x", occurred_at=timezone.now(), description="x")
    with pytest.raises(services.OversightError, match="不在您的管辖范围内"):
        services.report_incident(world.users["village_a1"], world.campaign, village=world.village_a2,
                                 category="other", place="x", occurred_at=timezone.now(), description="x")
