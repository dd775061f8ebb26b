"""After the vote: who left office (computed from the previous term and the new results), their
placement and the talks with those not elected, the reserve cadres, and the county-wide handover
overview; each page by persona, with its Excel."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from huanjie.accounts.models import AuditRecord
from huanjie.elections.aftervote import services as aftervote
from huanjie.elections.tests.aftervote_helpers import counted_election
from huanjie.oversight import handover
from huanjie.reports import outgoing, structure, summary
from huanjie.reports.models import PreviousCadre, ReserveCadre
from huanjie.testing.world import person

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def after(world):
    """东山村 has its new villagers' committee (张国强 主任, 陈秀兰 副主任, 杨光 委员; 刘德明, 周海,
    黄志 stood and lost). Its previous term: 张国强 (re-elected), 王建国 (委员, not in the new team:
    left), 赵党员 (party committee only: the party election has no result yet, so not left)."""
    counted = counted_election(world)
    # the helper derives birth dates from primary keys, which PostgreSQL does not reset between
    # tests: fix them, so nobody here is a minor by accident of the sequence
    for i, p in enumerate(counted.people.values()):
        p.birth_date = dt.date(1975 + i, 5, 5)
        p.save(update_fields=["birth_date"])
    zhao = person("赵党员", "M", dt.date(1965, 1, 1), world.village_a1, 41, political_status="cpc")
    for p, party, committee in ((counted.people["张国强"], True, True), (world.people["wang"], False, True),
                                (zhao, True, False)):
        PreviousCadre.objects.create(campaign=world.campaign, village=world.village_a1, name=p.name,
                                     id_number=p.id_number, gender=p.gender, birth_date=p.birth_date,
                                     posts="村委会委员", party_committee=party, villagers_committee=committee)
    return counted


def test_who_left_and_who_was_not_elected_is_computed(world, after):
    rows = {r.name: r for r in outgoing.outgoing_rows(world.campaign, world.county.scope_prefix)}
    assert set(rows) == {"王建国", "刘德明", "周海", "黄志"}
    assert rows["王建国"].left and not rows["王建国"].stood and rows["王建国"].situation == "上届班子成员，未参选（离任）"
    assert rows["刘德明"].stood == ["主任候选人"] and not rows["刘德明"].left
    c = outgoing.outgoing_counts(list(rows.values()))
    assert c == {"left": 1, "placed": 0, "not_elected": 3, "people": 4, "talked": 0}
    # a township outside sees none of them
    assert outgoing.outgoing_rows(world.campaign, world.township_b.scope_prefix) == []


def test_placement_and_talk_are_recorded_by_the_township_with_field_errors(world, after):
    ta, tb = world.users["township_a"], world.users["township_b"]
    wang = world.people["wang"].id_number
    liu = after.people["刘德明"].id_number
    with pytest.raises(outgoing.OutgoingError, match="安排去向：必须填写"):
        outgoing.record_placement(ta, world.campaign, world.village_a1, wang, placed=True, where=" ", on=TODAY)
    with pytest.raises(outgoing.OutgoingError, match="安排日期：.*晚于今天"):
        outgoing.record_placement(ta, world.campaign, world.village_a1, wang, placed=True, where="合作社",
                                  on=TODAY + dt.timedelta(days=1))
    with pytest.raises(outgoing.OutgoingError, match="管辖范围"):
        outgoing.record_placement(tb, world.campaign, world.village_a1, wang, placed=True, where="合作社", on=TODAY)
    with pytest.raises(outgoing.OutgoingError, match="无权"):
        outgoing.record_placement(world.users["village_a1"], world.campaign, world.village_a1, wang, placed=False)
    with pytest.raises(outgoing.OutgoingError, match="不是上届村干部"):
        outgoing.record_placement(ta, world.campaign, world.village_a1, liu, placed=True, where="x", on=TODAY)
    with pytest.raises(outgoing.OutgoingError, match="公民身份号码：.*不是东山村离任或未当选的人员"):
        outgoing.record_placement(ta, world.campaign, world.village_a1, after.people["张国强"].id_number,
                                  placed=False)
    assert not AuditRecord.objects.filter(action="reports.placement").exists()
    outgoing.record_placement(ta, world.campaign, world.village_a1, wang, placed=True, where="村股份经济合作社理事长",
                              on=TODAY)
    with pytest.raises(outgoing.OutgoingError, match="谈话情况：必须填写"):
        outgoing.record_talk(ta, world.campaign, world.village_a1, liu, talked_on=TODAY, talked_by="镇党委副书记",
                             content="")
    outgoing.record_talk(ta, world.campaign, world.village_a1, liu, talked_on=TODAY, talked_by="镇党委副书记",
                         content="本人正确对待选举结果，愿意继续为村里出力。")
    rows = outgoing.outgoing_rows(world.campaign, world.county.scope_prefix)
    assert outgoing.outgoing_counts(rows) == {"left": 1, "placed": 1, "not_elected": 3, "people": 4, "talked": 1}
    entry = AuditRecord.objects.get(action="reports.placement")
    assert entry.actor_id == ta.pk and entry.changes["placed_where"] == [None, "村股份经济合作社理事长"]
    # the structure table and the summary print the same figures: 1 of the 3 previous cadres left,
    # and that one was placed
    lines = {ln.label: ln.now_text for ln in structure.structure_table(world.campaign, "130731")["lines"]}
    assert lines["上届离任"] == "33.33%（1/3）" and lines["离任后另行安排"] == "100.00%（1/1）"
    after_lines = dict(summary.build_summary(world.campaign, world.county).after)
    assert after_lines["上届村干部离任"] == "1 人" and after_lines["离任村干部另行安排"] == "100.00%（1/1）"
    assert after_lines["离任和未当选人员谈心谈话"] == "25.00%（1/4）"


def test_reserve_cadres_from_the_elections_and_the_register(world, after):
    ta = world.users["township_a"]
    liu = after.people["刘德明"]
    outgoing.add_reserve(ta, world.campaign, world.village_a1, liu.id_number, source=ReserveCadre.ELECTION,
                         note="村务监督")
    with pytest.raises(outgoing.OutgoingError, match="已列入后备干部"):
        outgoing.add_reserve(ta, world.campaign, world.village_a1, liu.id_number, source=ReserveCadre.SURVEY)
    with pytest.raises(outgoing.OutgoingError, match="来源：王建国不是本次选举中未当选的候选人"):
        outgoing.add_reserve(ta, world.campaign, world.village_a1, world.people["wang"].id_number,
                             source=ReserveCadre.ELECTION)
    other = person("外村人", "F", dt.date(1995, 1, 1), world.village_b1, 51)
    with pytest.raises(outgoing.OutgoingError, match="公民身份号码：.*不是东山村户籍或居住的人员"):
        outgoing.add_reserve(ta, world.campaign, world.village_a1, other.id_number, source=ReserveCadre.SURVEY)
    with pytest.raises(outgoing.OutgoingError, match="管辖范围"):
        outgoing.add_reserve(world.users["township_b"], world.campaign, world.village_a1, liu.id_number,
                             source=ReserveCadre.SURVEY)
    li = world.people["li"]  # 李秀英, woman born 1972: not young
    outgoing.add_reserve(ta, world.campaign, world.village_a1, li.id_number, source=ReserveCadre.SURVEY)
    row = next(r for r in outgoing.reserve_rows(world.campaign, "130731") if r["village"] == world.village_a1)
    assert (row["count"], row["women"], row["from_election"]) == (2, 1, 1)
    cut = world.campaign.cutoff_date
    young = sum(1 for p in (liu, li)
                if cut.year - p.birth_date.year - ((cut.month, cut.day) < (p.birth_date.month, p.birth_date.day)) <= 35)
    assert row["young"] == young
    outgoing.remove_reserve(ta, ReserveCadre.objects.get(person=li))
    assert outgoing.reserve_totals(outgoing.reserve_rows(world.campaign, "130731"))["count"] == 1


def test_handover_overview_puts_overdue_first(world, after):
    # 东山村's committee took office on 2026-03-20 (the counted election); 10 days later it was due
    rows = handover.rows(world.campaign, "130731", dt.date(2026, 4, 10))
    assert [r["village"].name for r in rows][0] == "东山村"
    first = rows[0]
    assert first["status"] == "overdue" and first["deadline"] is not None
    assert first["days_over"] == (dt.date(2026, 4, 10) - first["deadline"]).days > 0
    assert {r["village"].name: r["status"] for r in rows[1:]} == {"柳塘村": "none", "石桥村": "none"}
    for kind in ("seals", "files", "assets"):
        aftervote.save_handover(world.users["village_a1"], after.election, kind, {
            "handed_over_on": first["took_office"], "handed_by": "原主任", "received_by": "张国强", "signed": True})
    done = handover.rows(world.campaign, "130731", dt.date(2026, 4, 10))
    assert done[0]["status"] == "done" or done[-1]["status"] == "done"
    assert handover.counts(done)["done"] == 1 and handover.counts(done)["overdue"] == 0


P = {"county": 200, "township_a": 200, "township_b": 200, "village_a1": 403, "department": 403, "observer": 403,
     "admin": 403, "outsider": 404}


@pytest.mark.parametrize("url", ["/oversight/handover/", "/oversight/handover/?format=xlsx", "/reports/outgoing/",
                                 "/reports/outgoing/?format=xlsx", "/reports/reserve/",
                                 "/reports/reserve/?format=xlsx"])
def test_persona_access_lists(world, after, client_for, url):
    for name, code in P.items():
        assert client_for(name).get(url).status_code == code, (name, url)


def test_persona_access_village_pages(world, after, client_for):
    wang = world.people["wang"].id_number
    a1 = world.village_a1.code
    for url in (f"/reports/outgoing/{a1}/{wang}/", f"/reports/reserve/{a1}/"):
        codes = dict(P, township_b=404)
        for name, code in codes.items():
            assert client_for(name).get(url).status_code == code, (name, url)


def test_pages_show_and_export_the_rows(world, after, client_for):
    ta = client_for("township_a")
    page = ta.get("/reports/outgoing/").content.decode()
    assert "王建国" in page and "刘德明" in page and "未谈话" in page
    assert "刘德明" not in ta.get("/reports/outgoing/?show=left").content.decode()
    book = openpyxl.load_workbook(io.BytesIO(ta.get("/reports/outgoing/?format=xlsx").content))
    names = [r[2] for r in book.active.iter_rows(min_row=4, values_only=True)]
    assert sorted(names) == sorted(["王建国", "刘德明", "周海", "黄志"])
    wang = world.people["wang"].id_number
    # a bad form keeps the input, names the field and saves nothing
    bad = ta.post(f"/reports/outgoing/{world.village_a1.code}/{wang}/",
                  {"action": "placement", "placed": "1", "placed_where": "", "placed_on": TODAY.isoformat()})
    assert bad.status_code == 400 and "安排去向：必须填写" in bad.content.decode()
    ok = ta.post(f"/reports/outgoing/{world.village_a1.code}/{wang}/",
                 {"action": "placement", "placed": "1", "placed_where": "乡镇公益性岗位", "placed_on": TODAY.isoformat()})
    assert ok.status_code == 302
    assert "乡镇公益性岗位" in ta.get("/reports/outgoing/").content.decode()
    html = client_for("county").get("/oversight/handover/").content.decode()
    assert 'class="overdue" data-village="130731100002"' in html and "已逾期" in html
    sheet = openpyxl.load_workbook(io.BytesIO(client_for("county").get("/oversight/handover/?format=xlsx").content))
    rows = list(sheet.active.iter_rows(min_row=4, values_only=True))
    assert rows[0][1] == "东山村" and rows[0][2] == "已逾期"
    # the township_b sees only its own village
    assert "东山村" not in client_for("township_b").get("/oversight/handover/").content.decode()
    reserve = ta.post(f"/reports/reserve/{world.village_a1.code}/", {
        "id_number": after.people["周海"].id_number, "source": "election", "note": "", "added_on": TODAY.isoformat()})
    assert reserve.status_code == 302 and ReserveCadre.objects.filter(person=after.people["周海"]).exists()


def _elect(world, village, kind, post_code, people):
    from huanjie.elections.models import ElectedMember, Election, Post, Round

    e = Election.objects.get_or_create(campaign=world.campaign, organization=village, kind=kind, defaults={
        "title": f"{village.name}{kind}", "election_date": dt.date(2026, 3, 20), "stage": Election.COUNTED})[0]
    post = Post.objects.create(election=e, code=post_code, name=post_code, seats=len(people), rank=1)
    rnd = Round.objects.get_or_create(election=e, number=1)[0]
    for p in people:
        ElectedMember.objects.create(election=e, round=rnd, post=post, person=p, name=p.name, votes=10)
    return e


def test_supervision_chairs_on_the_party_committee_and_only_the_two_committees_count(world, after):
    """Two villages chose their supervision committee: 东山村's chair 王建国 sits on the new party
    committee, 石桥村's chair does not → 1 of 2 = 50.00 %. The supervision members are no 两委
    cadres: 王建国 (who left the villagers' committee) stays "left" and the cadre count is the six
    of the villagers' and party committees."""
    wang = world.people["wang"]
    yang = after.people["杨光"]
    b_chair = person("石桥主任", "M", dt.date(1970, 1, 1), world.village_b1, 61)
    _elect(world, world.village_a1, "party_branch", "committee_member", [wang, yang])
    before = structure.structure_table(world.campaign, "130731")
    assert "村务监督委员会主任由村党组织委员担任" in {ln.label for ln in before["lines"]}
    assert {ln.label: ln.now_text for ln in before["lines"]}["村务监督委员会主任由村党组织委员担任"] == "—（0/0）"
    _elect(world, world.village_a1, "village_supervision", "supervision_director", [wang])
    _elect(world, world.village_a1, "village_supervision", "supervision_member", [world.people["li"]])
    _elect(world, world.village_b1, "village_supervision", "supervision_director", [b_chair])
    table = structure.structure_table(world.campaign, "130731")
    lines = {ln.label: ln.now_text for ln in table["lines"]}
    assert lines["村务监督委员会主任由村党组织委员担任"] == "50.00%（1/2）"
    # 张国强, 陈秀兰, 杨光 (villagers' committee) and 王建国 (party committee): four people, not six
    assert lines["当选人数"] == "4"
    township_b = {ln.label: ln.now_text for ln in structure.structure_table(world.campaign, "130731201")["lines"]}
    assert township_b["村务监督委员会主任由村党组织委员担任"] == "0.00%（0/1）" and township_b["当选人数"] == "0"


def test_a_child_is_no_reserve_cadre(world, after):
    child = person("小明", "M", dt.date(TODAY.year - 10, 1, 1), world.village_a1, 71)
    with pytest.raises(outgoing.OutgoingError, match="公民身份号码：小明未满 18 周岁"):
        outgoing.add_reserve(world.users["township_a"], world.campaign, world.village_a1, child.id_number,
                             source=ReserveCadre.SURVEY)
    assert not ReserveCadre.objects.exists()


def test_command_page_marks_an_overdue_handover_red(world, after, client_for):
    from huanjie.elections.aftervote import services as aftervote

    aftervote.submit_result(world.users["village_a1"], after.election)  # the timeline stops counting
    html = client_for("county").get("/oversight/").content.decode()
    cell = html.split('data-village="130731100002"')[1].split("</div>")[0]
    assert "工作移交逾期" in cell
