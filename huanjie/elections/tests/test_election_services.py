"""Setting up elections (single and from a plan), preconditions P14–P16, the voting stage."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from huanjie.accounts.models import AuditRecord
from huanjie.campaigns.models import CampaignVillage
from huanjie.elections import services
from huanjie.elections.models import Election, Post, Round

from .workflow_helpers import ELECTION_DAY, make_person, make_ready, past_campaign, register

pytestmark = pytest.mark.django_db


def posts_of(election):
    return {p.code: p.seats for p in election.posts.all()}


# ---------------------------------------------------------------- create_election


def test_township_creates_an_election_with_default_posts_and_a_first_round(world):
    campaign = past_campaign(world)
    e = services.create_election(world.users["township_a"], campaign, world.village_a1, ELECTION_DAY)
    # national profile: no separate women's post, 主任 1 + 副主任 1 + 委员 3 = 5 (VCL Art. 6: 3–7)
    assert posts_of(e) == {"director": 1, "deputy": 1, "member": 3}
    assert e.title == "东山村第十二届村民委员会选举"  # term_number 12
    assert e.kind == Election.VILLAGE_COMMITTEE and e.stage == Election.SETUP
    rounds = list(e.rounds.all())
    assert [(r.number, r.kind, r.held_on) for r in rounds] == [(1, Round.FIRST, ELECTION_DAY)]
    rec = AuditRecord.objects.get(action="election.create")
    assert rec.region_code == world.village_a1.code and rec.changes["election_date"] == [None, "2026-03-20"]


def test_zhejiang_profile_adds_the_separate_women_member_post(world):
    campaign = past_campaign(world, "zhejiang")
    e = services.create_election(world.users["county"], campaign, world.village_a1, ELECTION_DAY)
    # ZJ Art. 21 ¶3: "选票应当单列妇女委员职位" → 主任 1, 副主任 1, 妇女委员 1, 委员 2
    assert posts_of(e) == {"director": 1, "deputy": 1, "women_member": 1, "member": 2}
    women = e.posts.get(code=Post.WOMEN_MEMBER)
    assert women.women_only and women.name == "妇女委员"
    assert [p.code for p in e.posts.all()] == ["director", "deputy", "women_member", "member"]


def test_zhejiang_refuses_a_plan_without_the_women_post(world):
    campaign = past_campaign(world, "zhejiang")
    with pytest.raises(services.ElectionError, match="妇女委员名额至少 1 名"):
        services.create_election(
            world.users["county"], campaign, world.village_a1, ELECTION_DAY, [("director", 1), ("member", 4)]
        )


def test_national_profile_refuses_a_women_post_and_too_many_seats(world):
    campaign = past_campaign(world)
    actor = world.users["township_a"]
    with pytest.raises(services.ElectionError, match="未单列妇女委员"):
        services.create_election(
            actor,
            campaign,
            world.village_a1,
            ELECTION_DAY,
            [("director", 1), ("women_member", 1), ("member", 3)],
        )
    # VCL Art. 6: 3–7 members; 1 + 2 + 5 = 8 is one too many
    with pytest.raises(services.ElectionError, match="成员总数 8 名不符合规定：应为 3—7 名"):
        services.create_election(
            actor, campaign, world.village_a1, ELECTION_DAY, [("director", 1), ("deputy", 2), ("member", 5)]
        )
    with pytest.raises(services.ElectionError, match="主任名额应为 1 名"):
        services.create_election(
            actor, campaign, world.village_a1, ELECTION_DAY, [("director", 2), ("member", 3)]
        )
    assert not Election.objects.exists()


def test_who_may_create_and_where(world):
    campaign = past_campaign(world)
    with pytest.raises(services.ElectionError, match="无权"):
        services.create_election(world.users["village_a1"], campaign, world.village_a1, ELECTION_DAY)
    with pytest.raises(services.ElectionError, match="不在您的管辖范围"):
        services.create_election(world.users["township_b"], campaign, world.village_a1, ELECTION_DAY)
    with pytest.raises(services.ElectionError, match="不在换届工作期间"):
        services.create_election(world.users["township_a"], campaign, world.village_a1, dt.date(2026, 5, 1))
    services.create_election(world.users["township_a"], campaign, world.village_a1, ELECTION_DAY)
    with pytest.raises(services.ElectionError, match="已经建立了村民委员会选举"):
        services.create_election(world.users["county"], campaign, world.village_a1, ELECTION_DAY)


# ---------------------------------------------------------------- bulk plan


def plan_xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["安平县2026年村民委员会换届选举计划"])
    ws.append(["填报单位：安平县换届办", None, "日期：2025年11月5日"])
    ws.append(["序号", "村代码", "村名称", "选举日", "主任", "副主任", "委员", "妇女委员"])
    for r in rows:
        ws.append(r)
    ws.append(["合计", None, None, None, None, None, None, None])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_plan_creates_every_village_with_its_own_date_and_posts(world):
    campaign = past_campaign(world)
    content = plan_xlsx(
        [
            [1, world.village_a1.code, "东山村", dt.datetime(2026, 3, 20), 1, 1, 3, None],
            [2, None, "柳塘村", "2026年3月22日", 1, 0, 2, None],
            [3, "１３０７３１２０１００２", None, "2026.03.25", 1, 1, 4, None],  # full-width digits
        ]
    )
    created = services.create_elections_from_plan(world.users["county"], campaign, content, "计划.xlsx")
    got = {e.organization.name: (e.election_date, posts_of(e)) for e in created}
    assert got == {
        "东山村": (dt.date(2026, 3, 20), {"director": 1, "deputy": 1, "member": 3}),
        "柳塘村": (dt.date(2026, 3, 22), {"director": 1, "member": 2}),
        "石桥村": (dt.date(2026, 3, 25), {"director": 1, "deputy": 1, "member": 4}),
    }
    assert AuditRecord.objects.filter(action="election.create").count() == 3
    assert AuditRecord.objects.filter(action="election.plan_import").count() == 1


def test_plan_with_one_bad_row_creates_nothing_and_names_every_row(world):
    campaign = past_campaign(world)
    content = plan_xlsx(
        [
            [1, world.village_a1.code, "东山村", "2026-03-20", 1, 1, 3, None],
            [2, "130731100099", None, "2026-03-20", 1, 1, 3, None],  # not in the campaign
            [3, None, "柳塘村", "2026-02-30", 1, 1, 3, None],  # no such day
            [4, world.village_b1.code, None, "2026-03-21", 1, "两", 3, None],
            [5, world.village_a1.code, None, "2026-03-21", 1, 1, 3, None],  # repeats row 4 of the sheet
        ]
    )
    with pytest.raises(services.PlanError) as info:
        services.create_elections_from_plan(world.users["county"], campaign, content, "plan.xlsx")
    errors = info.value.errors
    # the header is on sheet row 3, so data rows are 4..8
    assert any(e.startswith("第 5 行“村代码”：130731100099") for e in errors)
    assert any(e.startswith("第 6 行“选举日”：2026-02-30") for e in errors)
    assert any(e.startswith("第 7 行“副主任”") for e in errors)
    assert any(e.startswith("第 8 行：东山村与第 4 行重复") for e in errors)
    assert len(errors) == 4
    assert not Election.objects.exists()


def test_plan_from_csv_uses_default_posts_when_the_columns_are_absent(world):
    campaign = past_campaign(world, "zhejiang")
    content = "村名称,选举日\n东山村,2026-03-20\n柳塘村,2026/3/21\n".encode("gb18030")
    created = services.create_elections_from_plan(world.users["county"], campaign, content, "plan.csv")
    assert [posts_of(e) for e in created] == [
        {"director": 1, "deputy": 1, "women_member": 1, "member": 2}
    ] * 2


def test_only_the_county_uploads_a_plan(world):
    campaign = past_campaign(world)
    with pytest.raises(services.ElectionError, match="县换届办"):
        services.create_elections_from_plan(world.users["township_a"], campaign, b"x", "plan.csv")


# ---------------------------------------------------------------- preconditions P14–P16


def test_voting_blockers_name_what_is_missing_and_open_voting_refuses(world):
    campaign = past_campaign(world)
    e = services.create_election(world.users["township_a"], campaign, world.village_a1, ELECTION_DAY)
    blockers = services.voting_blockers(e)
    assert len(blockers) == 2
    assert "离任审计尚未完成" in blockers[0] and "P14" in blockers[0]
    assert "业务培训尚未完成" in blockers[1] and "P15" in blockers[1]
    with pytest.raises(services.VotingBlocked) as info:
        services.open_voting(world.users["village_a1"], e)
    assert info.value.blockers == blockers
    e.refresh_from_db()
    assert e.stage == Election.SETUP

    entry = make_ready(world, world.village_a1)
    assert services.voting_blockers(e) == []
    entry.state, entry.state_reason = CampaignVillage.POSTPONED, "班子矛盾突出"
    entry.save()
    assert services.voting_blockers(e) == ["该村已暂缓换届，县换届办解除前不能选举（P16）：班子矛盾突出"]
    entry.state = CampaignVillage.CONSOLIDATION
    entry.save()
    assert "集中整顿" in services.voting_blockers(e)[0]
    with pytest.raises(services.VotingBlocked):
        services.open_voting(world.users["village_a1"], e)

    entry.state = CampaignVillage.IN_SCOPE
    entry.save()
    services.open_voting(world.users["village_a1"], e)
    e.refresh_from_db()
    assert e.stage == Election.VOTING
    assert AuditRecord.objects.filter(action="election.open_voting").count() == 1
    with pytest.raises(services.ElectionError, match="已处于“投票”阶段"):
        services.open_voting(world.users["village_a1"], e)


def test_open_voting_respects_scope_and_role(world):
    campaign = past_campaign(world)
    e = services.create_election(world.users["township_a"], campaign, world.village_a1, ELECTION_DAY)
    make_ready(world, world.village_a1)
    with pytest.raises(services.ElectionError, match="管辖范围"):
        services.open_voting(world.users["township_b"], e)
    with pytest.raises(services.ElectionError, match="无权"):
        services.open_voting(world.users["observer"], e)


# ---------------------------------------------------------------- counts


def test_voter_counts_by_category_group_gender_and_age_on_election_day(world):
    campaign = past_campaign(world)
    e = services.create_election(world.users["township_a"], campaign, world.village_a1, ELECTION_DAY)
    a1 = world.village_a1
    # ages on 2026-03-20 (R5: on the day itself): 18 exactly; 35 the day before 36; 36; 60; 61
    people = [
        make_person("甲一", "F", dt.date(2008, 3, 20), a1, 101, "第一村民小组"),  # 18 on the day → 18—35
        make_person("甲二", "M", dt.date(1990, 3, 21), a1, 102, "第一村民小组"),  # 35 (36 tomorrow) → 18—35
        make_person("甲三", "M", dt.date(1990, 3, 20), a1, 103, "第二村民小组"),  # 36 → 36—45
        make_person("甲四", "F", dt.date(1965, 3, 20), a1, 104, "第十村民小组"),  # 61 → 61+
        make_person("甲五", "M", dt.date(1965, 3, 21), a1, 105, ""),  # 60 → 46—60
    ]
    for p in people[:4]:
        register(e, p)
    register(e, people[4], category="resident_approved")
    counts = services.voter_counts(e)
    assert counts["total"] == 5
    assert dict(counts["by_gender"]) == {"男": 3, "女": 2}
    assert dict(counts["by_age"]) == {"18—35岁": 2, "36—45岁": 1, "46—60岁": 1, "61岁以上": 1}
    # groups in their natural order: 一, 二, 十, then the ungrouped
    assert counts["by_group"] == [
        ("第一村民小组", 2),
        ("第二村民小组", 1),
        ("第十村民小组", 1),
        ("未分组", 1),
    ]
    cats = dict(counts["by_category"])
    assert cats["户籍在本村并在本村居住"] == 4 and len(cats) == 2
    totals = services.voter_totals([e])
    assert totals[e.pk]["total"] == 5 and totals[e.pk]["F"] == 2 and totals[e.pk]["M"] == 3
