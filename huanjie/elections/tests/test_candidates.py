"""Formal candidates: decision (R14, R15, R70, R36), policy (P1–P6), team checks (P10–P11),
publication (R15), withdrawal and disqualification with fills."""

from __future__ import annotations

import datetime as dt

import pytest

from huanjie.accounts.models import AuditRecord
from huanjie.elections import services
from huanjie.elections.models import CommitteeMember, Election, StepRecord
from huanjie.elections.nomination import services as cs
from huanjie.elections.nomination.models import Candidate, CandidateListPublication, Nomination
from huanjie.review.models import ReviewCase

from .candidate_helpers import fail_review, nominate_basic, pass_review, setup_village

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 3, 1)


def names(election, code):
    return [
        c.person.name
        for c in Candidate.objects.filter(
            election=election, post__code=code, status=Candidate.ACTIVE
        ).order_by("list_order")
    ]


def ready_to_publish(v):
    """Decide, pass every review, explain the 30 % women target (2 of 8 candidates: 2×10 < 8×3)."""
    cs.decide_candidates(v.actor, v.election, on=ON)
    for c in Candidate.objects.filter(election=v.election):
        pass_review(v.world, c)
    cs.explain_team_check(
        v.world.users["township_a"], v.election, "P11-women-share", "本村女性被提名人少，已尽力动员。"
    )


# ---------------------------------------------------------------- decision


def test_decide_by_votes_margin_and_order(world):
    v = setup_village(world)
    nominate_basic(v)
    decision = cs.decide_candidates(v.actor, v.election, on=ON)
    # national margin: more than seats → 主任 1+1 = 2, 副主任 2, 委员 3+1 = 4, by votes descending
    assert names(v.election, "director") == ["王建国", "周明"]
    assert names(v.election, "deputy") == ["刘芳", "陈刚"]
    assert names(v.election, "member") == ["张伟", "杨洋", "黄磊", "吴静"]
    assert len(decision.candidates) == 8
    # the rest stay nominees (the reserve for fills), the chosen ones are candidates
    assert (
        Nomination.objects.get(election=v.election, person=v.p["xu"], post__code="member").status == "nominee"
    )
    assert Nomination.objects.get(election=v.election, person=v.p["zhang"]).status == "candidate"
    v.election.refresh_from_db()
    assert v.election.stage == Election.CANDIDATES
    # every candidate's qualification review is open at the village pre-check
    assert ReviewCase.objects.filter(candidate__election=v.election, stage="village").count() == 8
    assert AuditRecord.objects.filter(action="candidates.decide").exists()
    with pytest.raises(cs.CandidateError):
        cs.decide_candidates(v.actor, v.election, on=ON)


def test_committee_member_who_becomes_candidate_leaves(world):
    v = setup_village(world)
    nominate_basic(v)
    t = world.users["township_a"]
    for i, key in enumerate(["zhou", "v0", "v1", "v2", "v3"], 1):
        services.add_committee_member(t, v.election, v.p[key], chosen_by="villagers_meeting", vote_order=i)
    services.add_committee_member(
        t, v.election, v.p["v4"], chosen_by="villagers_meeting", vote_order=6, is_reserve=True
    )
    decision = cs.decide_candidates(v.actor, v.election, on=ON)
    zhou = CommitteeMember.objects.get(election=v.election, person=v.p["zhou"])
    assert zhou.status == CommitteeMember.LEFT_CANDIDATE
    assert CommitteeMember.objects.get(election=v.election, person=v.p["v4"]).is_reserve is False
    assert any("周明退出村民选举委员会" in n for n in decision.committee_notes)


def test_tie_at_cut_off_by_strokes_is_noted(world):
    v = setup_village(world)
    p = v.p
    cs.record_nomination_count(
        v.actor,
        v.election,
        held_on=ON,
        participated=28,
        aggregated={
            # 周明 and 陈刚 tie at 7 for the second 主任 place: 陈 (7 strokes) before 周 (8 strokes)
            "director": {p["wang"]: 12, p["zhou"]: 7, p["chen"]: 7},
            "deputy": {p["liu"]: 11, p["xu"]: 8},
            "member": {p["zhang"]: 15, p["yang"]: 14, p["huang"]: 12, p["wu"]: 11},
        },
    )
    cs.update_nominee(v.actor, Nomination.objects.get(person=p["wang"]), current_post="主任")
    pv = cs.preview(v.election)
    director = pv.posts[0]
    assert [e.person.name for e in director.entries] == ["王建国", "陈刚"]
    assert "姓氏笔画" in director.ties[0] and "周明" in director.ties[0]
    cs.decide_candidates(v.actor, v.election, on=ON)
    chen = Candidate.objects.get(election=v.election, person=p["chen"])
    assert "R70" in chen.selection_note or "姓氏笔画" in chen.selection_note


def test_women_rule_adds_woman_with_most_nomination_votes(world):
    v = setup_village(world)
    p = v.p
    cs.record_nomination_count(
        v.actor,
        v.election,
        held_on=ON,
        participated=28,
        aggregated={
            "director": {p["wang"]: 12, p["zhou"]: 7},
            "deputy": {p["chen"]: 11, p["xu"]: 8, p["liu"]: 3},
            "member": {p["zhang"]: 15, p["yang"]: 14, p["huang"]: 12, p["v5"]: 11, p["wu"]: 2},
        },
    )
    cs.update_nominee(v.actor, Nomination.objects.get(person=p["wang"]), current_post="主任")
    cs.decide_candidates(v.actor, v.election, on=ON)
    # no woman among the 8 → 刘芳 (3 votes for 副主任) beats 吴静 (2 for 委员) and is added on 委员
    liu = Candidate.objects.get(election=v.election, person=p["liu"])
    assert liu.post.code == "member" and liu.women_rule
    assert names(v.election, "member") == ["张伟", "杨洋", "黄磊", "村民05", "刘芳"]
    # the extra woman does not count against the margin: 4 regular 委员 candidates for 3 seats
    snap = cs.snapshot(v.election)
    member = next(b for b in snap if b["post"] == "member")
    assert member["candidates"][-1]["note"] == "按规定增列的妇女候选人"


# ---------------------------------------------------------------- policy (P1–P6)


def test_new_head_over_45_is_refused_until_exception_recorded(world):
    v = setup_village(world)
    nominate_basic(v)
    wang = Nomination.objects.get(person=v.p["wang"])
    cs.update_nominee(v.actor, wang, current_post="")
    # P2: cut-off 2026-01-01, age on 2025-12-31: born 1970-03-05 → 55 > 45, new to the 主任 post
    blockers = cs.preview(v.election).blockers
    assert any("王建国（主任）" in b and "新提名书记、主任年龄不超过45周岁（55周岁）" in b for b in blockers)
    with pytest.raises(cs.CandidateError):
        cs.decide_candidates(v.actor, v.election, on=ON)
    with pytest.raises(cs.CandidateError):
        cs.update_nominee(v.actor, wang, exception_body="县委组织部", exception_reason="")
    cs.update_nominee(v.actor, wang, exception_body="县委组织部", exception_reason="致富带头能力突出")
    pv = cs.preview(v.election)
    assert pv.blockers == []
    warning = {w["code"]: w for w in pv.decisions[v.p["wang"].pk]["warnings"]}
    # the exception turns the refusal into a warning naming the approving body; as a newcomer to
    # the team he is also over 45 and has no recorded education (P2 newcomer warnings)
    assert set(warning) == {"P2-new-head-age-exception", "P2-newcomer-age", "P2-newcomer-education"}
    assert "县委组织部" in warning["P2-new-head-age-exception"]["reason"]
    cs.decide_candidates(v.actor, v.election, on=ON)
    c = Candidate.objects.get(person=v.p["wang"])
    assert c.exception_body == "县委组织部"
    # the warning must be acknowledged before publication
    for cand in Candidate.objects.filter(election=v.election):
        pass_review(world, cand)
    cs.explain_team_check(world.users["township_a"], v.election, "P11-women-share", "说明")
    blockers = cs.publication_blockers(v.election, dt.date(2026, 3, 10))
    assert any("王建国（主任）的政策提示尚未说明理由" in b for b in blockers)
    with pytest.raises(cs.CandidateError):
        cs.acknowledge_warning(v.actor, c, "P2-new-head-age-exception", "  ")
    for code in warning:
        cs.acknowledge_warning(v.actor, c, code, "经县委组织部批准放宽")
    assert cs.publication_blockers(v.election, dt.date(2026, 3, 10)) == []


def test_avoidance_between_near_relatives_then_exclusion_fills(world):
    v = setup_village(world)
    p = v.p
    cs.record_nomination_count(
        v.actor,
        v.election,
        held_on=ON,
        participated=28,
        aggregated={
            "director": {p["wang"]: 12, p["zhou"]: 7},
            "deputy": {p["liu"]: 11, p["chen"]: 8},
            # 李秀英 is 王建国's wife (stored relation): both may not stand (P5)
            "member": {p["li"]: 16, p["zhang"]: 15, p["yang"]: 14, p["huang"]: 12, p["wu"]: 11},
        },
    )
    cs.update_nominee(v.actor, Nomination.objects.get(person=p["wang"]), current_post="主任")
    blockers = cs.preview(v.election).blockers
    assert any("王建国（主任）" in b and "与候选人李秀英系夫妻关系" in b for b in blockers)
    assert any("李秀英（委员）" in b and "与候选人王建国系夫妻关系" in b for b in blockers)
    with pytest.raises(cs.CandidateError):
        cs.exclude_nominee(v.actor, Nomination.objects.get(person=p["li"]), "")
    cs.exclude_nominee(v.actor, Nomination.objects.get(person=p["li"]), "与主任候选人王建国系夫妻，本人让出")
    pv = cs.preview(v.election)
    assert pv.blockers == []
    member = next(pp for pp in pv.posts if pp.post.code == "member")
    assert [e.person.name for e in member.entries] == ["张伟", "杨洋", "黄磊", "吴静"]


def test_newcomer_warnings_are_acknowledged(world):
    v = setup_village(world)
    nominate_basic(v)
    # 黄磊 without senior high school: newcomers preferably 高中 or more (P2, a warning)
    v.p["huang"].education = "71"
    v.p["huang"].save()
    cs.decide_candidates(v.actor, v.election, on=ON)
    huang = Candidate.objects.get(person=v.p["huang"])
    checks = cs.candidate_checks(v.election)[huang.pk]
    assert [w["code"] for w in checks["warnings"]] == ["P2-newcomer-education"]
    assert "（初中毕业）" in checks["warnings"][0]["reason"]  # the GB/T 4658 label, not the code 71
    with pytest.raises(cs.CandidateError):
        cs.acknowledge_warning(v.actor, huang, "P2-head-age", "无此提示")
    cs.acknowledge_warning(v.actor, huang, "P2-newcomer-education", "群众威望高")
    huang.refresh_from_db()
    assert huang.acknowledged_warnings["P2-newcomer-education"]["reason"] == "群众威望高"
    assert cs.candidate_checks(v.election)[huang.pk]["warnings"][0]["ack"]["reason"] == "群众威望高"


# ---------------------------------------------------------------- team checks (P10–P11)


def test_team_explanation_by_township_only(world):
    v = setup_village(world)
    nominate_basic(v)
    cs.decide_candidates(v.actor, v.election, on=ON)
    results = {c["code"]: c for c in cs.team_check_results(v.election)}
    # 2 women of 8 candidates: 2×10 = 20 < 8×3 = 24 → the 30 % target is not met
    assert results["P11-women-share"]["met"] is False
    assert results["P11-woman-on-committee"]["met"] is True
    # population 1200 → 4–5 paid posts; 1 + 1 + 3 = 5 seats
    assert results["P10-paid-posts"]["met"] is True
    with pytest.raises(cs.CandidateError):
        cs.explain_team_check(v.actor, v.election, "P11-women-share", "村里写的")
    with pytest.raises(services.ElectionError):
        cs.explain_team_check(world.users["township_b"], v.election, "P11-women-share", "外乡镇")
    with pytest.raises(cs.CandidateError):
        cs.explain_team_check(world.users["township_a"], v.election, "P11-woman-on-committee", "已达到")
    cs.explain_team_check(
        world.users["township_a"], v.election, "P11-women-share", "专项说明：女性外出务工多"
    )
    results = {c["code"]: c for c in cs.team_check_results(v.election)}
    assert results["P11-women-share"]["explanation"].text == "专项说明：女性外出务工多"


# ---------------------------------------------------------------- publication (R15)


def test_publication_needs_every_review_passed(world):
    v = setup_village(world)
    nominate_basic(v)
    cs.decide_candidates(v.actor, v.election, on=ON)
    blockers = cs.publication_blockers(v.election, dt.date(2026, 3, 10))
    assert any("资格审查" in b for b in blockers)
    assert any("须乡镇形成专项说明" in b for b in blockers)
    with pytest.raises(cs.CandidateError):
        cs.publish_candidate_list(v.actor, v.election, dt.date(2026, 3, 10))
    assert not CandidateListPublication.objects.exists()


def test_publish_snapshot_in_list_order_with_age_on_election_day(world):
    v = setup_village(world)
    nominate_basic(v)
    ready_to_publish(v)
    pub = cs.publish_candidate_list(v.actor, v.election, dt.date(2026, 3, 10))
    assert pub.version == 1
    director = pub.snapshot[0]
    assert director["post_name"] == "主任" and director["seats"] == 1
    wang = director["candidates"][0]
    # 王建国 born 1970-03-05: on the election day 2026-03-20 he is 56 (R5)
    assert (wang["order"], wang["name"], wang["gender"], wang["age"], wang["political_status"]) == (
        1,
        "王建国",
        "男",
        56,
        "中共党员",
    )
    assert [r["name"] for r in pub.snapshot[2]["candidates"]] == ["张伟", "杨洋", "黄磊", "吴静"]
    with pytest.raises(cs.CandidateError) as exc:
        cs.publish_candidate_list(v.actor, v.election, dt.date(2026, 3, 11))
    assert "无须重新公布" in str(exc.value)


def zj_village(world):
    """Zhejiang: 主任 1, 副主任 1, 妇女委员 1, 委员 2; list 5 days before (latest 2026-03-15),
    withdrawal 3 days before (latest 2026-03-17)."""
    v = setup_village(world, "zhejiang")
    p = v.p
    cs.record_nomination_count(
        v.actor,
        v.election,
        held_on=ON,
        participated=28,
        aggregated={
            "director": {p["wang"]: 12, p["zhou"]: 7},
            "deputy": {p["chen"]: 11, p["xu"]: 8},
            "women_member": {p["liu"]: 11, p["wu"]: 9, p["zhang"]: 5},
            "member": {p["yang"]: 14, p["huang"]: 12, p["zhang"]: 11, p["wang_son"]: 3},
        },
    )
    cs.update_nominee(v.actor, Nomination.objects.get(person=p["wang"]), current_post="主任")
    return v


def test_zhejiang_deadline_and_women_post(world):
    v = zj_village(world)
    pv = cs.preview(v.election)
    women = next(pp for pp in pv.posts if pp.post.code == "women_member")
    # 张伟 (a man) nominated for the women's post is not counted there
    assert [e.person.name for e in women.entries] == ["刘芳", "吴静"]
    cs.decide_candidates(v.actor, v.election, on=ON)
    for c in Candidate.objects.filter(election=v.election):
        pass_review(world, c)
    for t in cs.team_check_results(v.election):
        if t["met"] is False:
            cs.explain_team_check(world.users["township_a"], v.election, t["code"], "说明")
    # 2026-03-20 − 5 days = 2026-03-15 at the latest (R4: election − publish ≥ 5)
    late = cs.publication_blockers(v.election, dt.date(2026, 3, 16))
    assert any("最迟 2026-03-15" in b for b in late)
    pub = cs.publish_candidate_list(v.actor, v.election, dt.date(2026, 3, 15))
    assert StepRecord.objects.get(election=v.election, key="candidate_list").done_on == dt.date(2026, 3, 15)
    assert pub.version == 1
    # withdrawal: 2026-03-20 − 3 = 2026-03-17 at the latest
    yang = Candidate.objects.get(person=v.p["yang"])
    with pytest.raises(cs.CandidateError) as exc:
        cs.withdraw(v.actor, yang, dt.date(2026, 3, 18))
    assert "最迟 2026-03-17" in str(exc.value)


def test_withdrawal_fills_from_nominees_and_republishes(world):
    v = setup_village(world)
    nominate_basic(v)
    ready_to_publish(v)
    cs.publish_candidate_list(v.actor, v.election, dt.date(2026, 3, 10))
    yang = Candidate.objects.get(person=v.p["yang"])
    change = cs.withdraw(v.actor, yang, dt.date(2026, 3, 12), "外出务工")
    # next 委员 nominee by votes: 徐亮 (5) before 王小明 (2)
    assert change.replacement.person == v.p["xu"]
    assert change.replacement.replaces == yang
    assert names(v.election, "member") == ["张伟", "黄磊", "吴静", "徐亮"]
    assert Nomination.objects.get(person=v.p["yang"]).status == Nomination.WITHDRAWN
    # 徐亮's review has only just opened: the list cannot be re-published yet
    assert change.publication is None
    assert any("徐亮" in b for b in change.republish_blockers)
    assert cs.list_changed_since_publication(v.election)
    pass_review(world, change.replacement)
    pub = cs.publish_candidate_list(v.actor, v.election, dt.date(2026, 3, 13))
    assert pub.version == 2
    assert [r["name"] for r in pub.snapshot[2]["candidates"]] == ["张伟", "黄磊", "吴静", "徐亮"]
    with pytest.raises(cs.CandidateError):
        cs.withdraw(v.actor, yang, dt.date(2026, 3, 12))


def test_failed_review_disqualifies_and_fills(world):
    v = setup_village(world)
    nominate_basic(v)
    cs.decide_candidates(v.actor, v.election, on=ON)
    huang = Candidate.objects.get(person=v.p["huang"])
    zhang = Candidate.objects.get(person=v.p["zhang"])
    with pytest.raises(cs.CandidateError):
        cs.disqualify(v.actor, zhang)  # no failed verdict
    fail_review(world, huang)
    huang.refresh_from_db()
    # the review marks him disqualified; his place waits to be filled and blocks publication
    assert huang.status == Candidate.DISQUALIFIED
    assert cs.unfilled_disqualified(v.election) == [huang]
    assert any(
        "黄磊（委员）资格审查未通过" in b for b in cs.publication_blockers(v.election, dt.date(2026, 3, 10))
    )
    change = cs.disqualify(v.actor, huang, dt.date(2026, 3, 5))
    assert cs.unfilled_disqualified(v.election) == []
    assert change.replacement.person == v.p["xu"]
    assert names(v.election, "member") == ["张伟", "杨洋", "吴静", "徐亮"]
    assert ReviewCase.objects.filter(candidate=change.replacement).exists()
    with pytest.raises(cs.CandidateError):
        cs.disqualify(v.actor, huang)
