"""The demo county's command center and its summary report, checked figure by figure against a table
worked out by hand from the demo's script (demo/oversight.py, demo/scenarios.py) and, for the
figures that depend on the random people, recounted here the plain way (Decimal, ROUND_HALF_UP)
from the rows themselves."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.elections.models import ElectedMember, Election, VoterRegistration
from huanjie.elections.voting.models import CountingForm
from huanjie.oversight import services as ov
from huanjie.oversight.models import Complaint, Incident, RiskPlan, Survey
from huanjie.reports import summary
from huanjie.reports.models import PreviousCadre, WeeklySnapshot
from huanjie.review.models import ReviewCase

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(demo_county):
    campaign = Campaign.objects.get()
    return campaign, summary.build_summary(campaign, campaign.county)


def pct(n: int, d: int) -> str:
    """The hand rule: n/d as a percentage, half up, two decimals, with its counts."""
    if d == 0:
        return f"—（{n}/{d}）"
    value = (Decimal(n) * 100 / Decimal(d)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value}%（{n}/{d}）"


def test_demo_has_each_part(demo):
    campaign, _ = demo
    assert Survey.objects.filter(campaign=campaign).count() == 12
    assert RiskPlan.objects.filter(campaign=campaign).count() == 3
    assert Complaint.objects.filter(campaign=campaign).count() == 3
    assert Incident.objects.filter(campaign=campaign).count() == 2
    assert WeeklySnapshot.objects.filter(campaign=campaign).count() == 2
    assert PreviousCadre.objects.filter(campaign=campaign).count() == 60  # 5 per village
    from huanjie.oversight import commitments

    rows = {r["village"].name: r for r in commitments.village_rows(campaign, campaign.county.scope_prefix)}
    assert rows["东山村"]["required"] > 0 and not rows["东山村"]["missing"]
    assert rows["柳塘村"]["missing"] and rows["石桥村"]["signed"] == 0
    anonymous = Complaint.objects.get(channel="phone")
    assert anonymous.candidate is not None and anonymous.anonymous
    signals = ov.detect_signals(campaign, campaign.county.scope_prefix)
    assert any(s.kind == "petition" and s.village.name == "柳塘村" for s in signals)
    rows = ov.risk_rows(campaign, campaign.county.scope_prefix, dt.date(2026, 11, 30))
    assert rows[0]["village"].name == "杨家庄村" and rows[0]["overdue"]  # review of 25 Nov overdue first


def test_summary_work_table_matches_the_hand_table(demo):
    campaign, s = demo
    # by hand from the scenario: 12 villages; 东山村 and 河西村 counted, 东山村 submitted; complaints:
    # 3 received, 1 answered (the 东山村 one); incidents: 2, 1 closed; complicated: 杨家庄村 and
    # 马家湾村 (survey), 河西村 (demo flag and plan) → 3.
    # voters' turnout: the villagers' committees (the party assemblies count members, not voters)
    counted = [e for e in Election.objects.filter(campaign=campaign, kind__in=["village_committee", "residents_committee"])
               if e.rounds.filter(result__isnull=False).exists()]
    registered = sum(VoterRegistration.objects.filter(election=e, status="registered").count() for e in counted)
    returned = 0
    for e in counted:
        per_station = {}
        for f in CountingForm.objects.filter(round__election=e, round__number=1).exclude(status="draft").order_by(
                "entry"):
            per_station.setdefault(f.station_id, f.ballots_returned)
        returned += sum(per_station.values())
    cases = ReviewCase.objects.filter(candidate__election__campaign=campaign, stage__in=["passed", "failed"])
    hand = {
        "换届村（社区）": "12 个",
        "已完成投票计票": "16.67%（2/12）",
        "已报送结果": "8.33%（1/12）",
        "选民参选率（已计票村）": pct(returned, registered),
        "完成资格审查的候选人": f"{cases.count()} 人",
        "资格审查未通过": pct(cases.filter(stage="failed").count(), cases.count()),
        "受理举报信访": "3 件",
        "举报信访已办结": "33.33%（1/3）",
        "突发事件": "2 起",
        "突发事件已处置完毕": "50.00%（1/2）",
        "选情复杂村": "3 个",
    }
    got = dict(s.work)
    for label, value in hand.items():
        assert got[label] == value, label
    assert len(counted) == 2 and registered > 0


def test_summary_structure_matches_the_hand_table(demo):
    campaign, s = demo
    cutoff = campaign.cutoff_date
    people = {}
    # The two committees (两委) only: the supervision committee and delegates are not 两委 cadres.
    team = [Election.VILLAGE_COMMITTEE, Election.RESIDENTS_COMMITTEE, Election.PARTY_BRANCH, Election.PARTY_PLENARY]
    for m in ElectedMember.objects.filter(election__campaign=campaign, election__kind__in=team,
                                          status="elected").select_related("person"):
        people[(m.election.organization_id, m.person_id)] = m.person
    n = len(people)
    ages = []
    for p in people.values():
        age = cutoff.year - p.birth_date.year - ((cutoff.month, cutoff.day) < (p.birth_date.month, p.birth_date.day))
        ages.append(age)
    women = sum(1 for p in people.values() if p.gender == "F")
    young = sum(1 for a in ages if a <= 35)
    # GB/T 4658 codes of the demo: 21 本科, 31 大专 (college or more); 41 中专, 61 高中 (senior high)
    college = sum(1 for p in people.values() if p.education in ("11", "21", "31"))
    senior = college + sum(1 for p in people.values() if p.education in ("41", "61"))
    avg = (Decimal(sum(ages)) / Decimal(n)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    lines = {line.label: line.now_text for line in s.structures[0]["lines"]}
    assert lines["当选人数"] == str(n)
    assert lines["女性"] == pct(women, n)
    assert lines["35岁及以下"] == pct(young, n)
    assert lines["平均年龄（岁）"] == str(avg)
    assert lines["高中（中专）及以上"] == pct(senior, n)
    assert lines["大专及以上"] == pct(college, n)
    # the previous term, like for like (the villages that have elected), with the staying members
    done = {v for v, _ in people}
    previous = PreviousCadre.objects.filter(campaign=campaign, village_id__in=done)
    before = {line.label: line.before_text for line in s.structures[0]["lines"]}
    assert before["女性"] == pct(previous.filter(gender="F").count(), previous.count())
    new_ids = {p.id_number for p in people.values()} - set(previous.values_list("id_number", flat=True))
    assert lines["新进班子"] == pct(len(new_ids), n)
    assert 0 < len(new_ids) < n  # two of each new team served before (the demo's previous term)


def test_demo_postponed_and_consolidated_villages_listed(demo):
    campaign, _ = demo
    rows = ov.risk_rows(campaign, campaign.county.scope_prefix, dt.date(2026, 11, 30))
    states = {r["village"].name: r["entry"].state for r in rows}
    assert CampaignVillage.POSTPONED in states.values() and CampaignVillage.CONSOLIDATION in states.values()
