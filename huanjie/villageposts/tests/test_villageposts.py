"""村民代表 and group posts through the services and the pages, as each persona sees them."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import xlsxwriter

from huanjie.accounts.models import AuditRecord
from huanjie.campaigns.models import CampaignVillage
from huanjie.elections.tests.aftervote_helpers import counted_election
from huanjie.elections.tests.workflow_helpers import make_person
from huanjie.villageposts import services
from huanjie.villageposts.models import GroupPost, PostsSetup, Representative

ON = dt.date(2026, 11, 20)


@pytest.fixture
def entry(world):
    return CampaignVillage.objects.select_related("village", "campaign").get(
        campaign=world.campaign, village=world.village_a1)


def villagers(world, n, *, women, party, group="第一村民小组", start=0):
    """n people of 东山村 in ``group``: the first ``women`` women, the first ``party`` party members."""
    out = []
    for i in range(n):
        p = make_person(f"代表{start + i:02d}", "F" if i < women else "M", dt.date(1975, 1, 1) + dt.timedelta(days=start + i),
                        world.village_a1, 500 + 2 * (start + i) + (0 if i < women else 1), group=group)
        if i < party:
            p.political_status = "cpc"
            p.save()
        out.append(p)
    return out


def setup(world, entry, committee=3, basis="group"):
    return services.save_setup(world.users["village_a1"], entry, basis=basis, decided_by="村民代表会议",
                               decided_on=ON, committee_members=committee)


def xlsx(rows: list[list]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf)
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write_string(r, c, str(v))
    wb.close()
    return buf.getvalue()


def test_add_checks_the_register_scope_and_the_date_and_audits(world, entry):
    clerk = world.users["village_a1"]
    setup(world, entry)
    rep = services.add_representative(clerk, entry, id_number=world.people["li"].id_number,
                                      group_name="第一村民小组", households=None, chosen_on=ON)
    assert AuditRecord.objects.filter(action="villageposts.representative.add", object_id=str(rep.pk)).exists()
    with pytest.raises(services.PostsRefused, match="李秀英已是村民代表"):
        services.add_representative(clerk, entry, id_number=world.people["li"].id_number,
                                    group_name="第一村民小组", households=None, chosen_on=ON)
    with pytest.raises(services.PostsRefused, match="不在东山村的人员名册中"):
        services.add_representative(clerk, entry, id_number=world.people["zhao"].id_number,
                                    group_name="第一村民小组", households=None, chosen_on=ON)
    with pytest.raises(services.PostsRefused, match="不能晚于今天"):
        services.add_representative(clerk, entry, id_number=world.people["wang"].id_number,
                                    group_name="第一村民小组", households=None, chosen_on=dt.date(2099, 1, 1))
    with pytest.raises(services.PostsRefused, match="早于本次换届开始日期"):
        services.add_representative(clerk, entry, id_number=world.people["wang"].id_number,
                                    group_name="第一村民小组", households=None, chosen_on=dt.date(2020, 1, 1))
    for persona in ("township_b", "observer", "department"):
        with pytest.raises(services.PostsRefused):
            services.add_representative(world.users[persona], entry, id_number=world.people["wang"].id_number,
                                        group_name="第一村民小组", households=None, chosen_on=ON)
    assert Representative.objects.filter(entry=entry).count() == 1


def test_publish_is_refused_until_the_shares_are_met_then_the_list_is_locked(world, entry):
    clerk, township = world.users["village_a1"], world.users["township_a"]
    setup(world, entry, committee=3)  # 3 members: at least 12 representatives (12*5 >= 15*4)
    people = villagers(world, 11, women=5, party=3)
    for p in people:
        services.add_representative(clerk, entry, id_number=p.id_number, group_name=p.group_name,
                                    households=None, chosen_on=ON)
    with pytest.raises(services.PostsRefused) as exc:
        services.publish(clerk, entry, ON)
    text = str(exc.value)
    assert "至少需要12名村民代表" in text  # 11 of 14 = 78.57 %
    # the other group of the register (柳塘村's people are not ours; 东山村 has only 第一村民小组)
    extra = villagers(world, 1, women=0, party=0, start=50)[0]
    services.add_representative(clerk, entry, id_number=extra.id_number, group_name=extra.group_name,
                                households=None, chosen_on=ON)
    check = services.check(entry)
    assert check["representatives_share"].with_counts == "80.00%（12/15）"
    assert check["women_share"].with_counts == "33.33%（5/15）" and check["women_ok"]
    services.publish(clerk, entry, ON)
    with pytest.raises(services.PostsRefused, match="已于 2026-11-20 公告"):
        services.remove_representative(clerk, Representative.objects.filter(entry=entry).first())
    with pytest.raises(services.PostsRefused, match="只有乡镇换届办可以撤回"):
        services.withdraw(clerk, entry, "发现错误需要更正")
    with pytest.raises(services.PostsRefused, match="原因"):
        services.withdraw(township, entry, "")
    services.withdraw(township, entry, "第一组推选程序有误")
    assert PostsSetup.objects.get(entry=entry).published_on is None
    rec = AuditRecord.objects.filter(action="villageposts.withdraw").get()
    assert rec.changes["reason"] == [None, "第一组推选程序有误"]


def test_import_is_all_or_nothing_with_row_and_column_reasons(world, entry):
    clerk = world.users["village_a1"]
    setup(world, entry)
    services.add_representative(clerk, entry, id_number=world.people["wang"].id_number,
                                group_name="第一村民小组", households=None, chosen_on=ON)
    li, son = world.people["li"], world.people["wang_son"]
    bad = xlsx([["村民代表名单"], ["村民小组", "姓名", "公民身份号码", "推选日期"],
                ["第一村民小组", "李秀英", li.id_number, "2026-11-20"],
                ["第一村民小组", "王大明", son.id_number, "2026-11-20"],
                ["第一村民小组", "某人", "11010519491231002X", "2026-11-20"],
                ["", "李秀英", li.id_number, "2026/13/01"]])
    result = services.import_representatives(clerk, entry, bad, "代表.xlsx")
    assert result.saved == 0
    errors = "\n".join(result.errors)
    assert "第 4 行，姓名：表中为“王大明”，人员名册中该身份证号码为“王小明”" in errors
    assert "第 5 行，公民身份号码：11010519491231002X 不在东山村的人员名册中" in errors
    assert "第 6 行，村民小组：必须填写" in errors
    assert "第 6 行，推选日期：“2026/13/01”不是日期" in errors
    assert "第 6 行，公民身份号码：与第 3 行重复" in errors
    # nothing changed
    assert list(Representative.objects.filter(entry=entry).values_list("person__name", flat=True)) == ["王建国"]
    good = xlsx([["村民小组", "姓名", "公民身份号码", "推选日期"],
                 ["第一村民小组", "李秀英", li.id_number, "2026-11-20"],
                 ["第一村民小组", "王小明", son.id_number, "2026年11月21日"]])
    result = services.import_representatives(clerk, entry, good, "代表.xlsx")
    assert result.saved == 2 and not result.errors
    assert sorted(Representative.objects.filter(entry=entry).values_list("person__name", flat=True)) == ["李秀英", "王小明"]
    with pytest.raises(services.PostsRefused, match="找不到表头"):
        services.import_representatives(clerk, entry, xlsx([["a", "b"], ["1", "2"]]), "x.xlsx")


def test_households_basis_needs_five_to_fifteen_households(world, entry):
    clerk = world.users["village_a1"]
    setup(world, entry, committee=0, basis="households")
    with pytest.raises(services.PostsRefused, match="按户推选时必须填写"):
        services.add_representative(clerk, entry, id_number=world.people["li"].id_number,
                                    group_name="第一村民小组", households=None, chosen_on=ON)
    services.add_representative(clerk, entry, id_number=world.people["li"].id_number,
                                group_name="第一村民小组", households=16, chosen_on=ON)
    check = services.check(entry)
    assert any("由16户推选，应为每5户至15户推选一人" in f["text"] for f in check["findings"])
    assert not check["publishable"]


def test_group_posts_one_leader_per_group_women_leader_a_woman_and_four_in_one(world, entry):
    clerk = world.users["village_a1"]
    wang, li, son = world.people["wang"], world.people["li"], world.people["wang_son"]
    services.add_group_post(clerk, entry, id_number=wang.id_number, group_name="第一村民小组", post="leader",
                            chosen_on=ON, party_group_leader=True, grid_leader=True)
    with pytest.raises(services.PostsRefused, match="第一村民小组已有村民小组长"):
        services.add_group_post(clerk, entry, id_number=son.id_number, group_name="第一村民小组", post="leader",
                                chosen_on=ON)
    with pytest.raises(services.PostsRefused, match="王小明是男性，不能担任妇女小组长"):
        services.add_group_post(clerk, entry, id_number=son.id_number, group_name="第一村民小组",
                                post="women_leader", chosen_on=ON)
    services.add_group_post(clerk, entry, id_number=li.id_number, group_name="第一村民小组", post="women_leader",
                            chosen_on=ON)
    assert services.group_stats(entry)["four_in_one"] == 0
    services.add_group_post(clerk, entry, id_number=wang.id_number, group_name="第一村民小组", post="council_head",
                            chosen_on=ON)
    stats = services.group_stats(entry)
    assert stats["four_in_one_share"].with_counts == "100.00%（1/1）"
    assert stats["party_share"].with_counts == "100.00%（1/1）"


def test_group_post_import_names_rows_and_saves_nothing_on_error(world, entry):
    clerk = world.users["village_a1"]
    wang, li, son = world.people["wang"], world.people["li"], world.people["wang_son"]
    rows = [["村民小组", "职务", "姓名", "公民身份号码", "推选日期", "兼任党小组长"],
            ["第一村民小组", "村民小组长", "王建国", wang.id_number, "2026-11-20", "是"],
            ["第一村民小组", "村民小组长", "王小明", son.id_number, "2026-11-20", "否"],
            ["第一村民小组", "妇女小组长", "王小明", son.id_number, "2026-11-20", "也许"],
            ["第一村民小组", "组长", "李秀英", li.id_number, "2026-11-20", ""]]
    result = services.import_group_posts(clerk, entry, xlsx(rows), "小组长.xlsx")
    errors = "\n".join(result.errors)
    assert "第 3 行，职务：第一村民小组的村民小组长与第 2 行重复（每组一人）" in errors
    assert "第 4 行，兼任党小组长：“也许”应填“是”或“否”" in errors
    assert "第 4 行，职务：王小明是男性，不能担任妇女小组长" in errors
    assert "第 5 行，职务：应为村民小组长、妇女小组长、村民理事会理事长、村民理事会成员之一" in errors
    assert not GroupPost.objects.filter(entry=entry).exists()
    result = services.import_group_posts(clerk, entry, xlsx(rows[:2] + [rows[4][:1] + ["妇女小组长"] + rows[4][2:]]),
                                         "小组长.xlsx")
    assert result.saved == 2
    assert GroupPost.objects.get(entry=entry, post="leader").party_group_leader is True


# ---------------------------------------------------------------- pages, per persona


@pytest.fixture
def listed(world, entry):
    setup(world, entry)
    services.add_representative(world.users["village_a1"], entry, id_number=world.people["li"].id_number,
                                group_name="第一村民小组", households=None, chosen_on=ON)
    return entry


def test_overview_per_persona(world, client_for, listed):
    url = f"/villageposts/{world.campaign.slug}/"
    county = client_for("county").get(url)
    assert county.status_code == 200 and "东山村" in county.content.decode() and "石桥村" in county.content.decode()
    tb = client_for("township_b").get(url).content.decode()
    assert "石桥村" in tb and "东山村" not in tb
    assert client_for("village_a1").get(url)["Location"].endswith(f"/{world.village_a1.code}/")
    assert client_for("department").get(url).status_code == 403
    assert client_for("outsider").get(url).status_code == 404
    x = client_for("county").get(url + "?format=xlsx")
    assert x["Content-Type"].startswith("application/vnd.openxmlformats")


def test_village_page_per_persona_with_export_and_notice(world, client_for, listed):
    url = f"/villageposts/{world.campaign.slug}/{world.village_a1.code}/"
    li = world.people["li"]
    for persona in ("county", "township_a", "village_a1"):
        body = client_for(persona).get(url).content.decode()
        assert "李秀英" in body and li.masked_id in body
    obs = client_for("observer").get(url).content.decode()
    assert "李秀英" in obs and li.masked_id not in obs and "登记村民代表" not in obs
    assert client_for("township_b").get(url).status_code == 404
    assert client_for("department").get(url).status_code == 403
    x = client_for("village_a1").get(url + "?format=xlsx")
    assert x["Content-Type"].startswith("application/vnd.openxmlformats")
    pdf = client_for("observer").get(url + "notice.pdf")
    assert pdf.content.startswith(b"%PDF")
    # the observer cannot write; township B cannot reach A1
    assert client_for("observer").post(url + "representatives/add/", {}).status_code == 403
    assert client_for("township_b").post(url + "representatives/add/", {}).status_code == 404


def test_bad_form_input_is_answered_in_chinese_and_saves_nothing(world, client_for, listed):
    url = f"/villageposts/{world.campaign.slug}/{world.village_a1.code}/representatives/add/"
    r = client_for("village_a1").post(url, {"id_number": "12345", "group_name": "", "chosen_on": "明天"})
    assert r.status_code == 400
    body = r.content.decode()
    assert "公民身份号码：12345 无效" in body and "村民小组：必须填写" in body and "请填写推选日期" in body
    assert Representative.objects.filter(entry=listed).count() == 1


def test_groups_page_and_export(world, client_for, entry):
    services.add_group_post(world.users["township_a"], entry, id_number=world.people["wang"].id_number,
                            group_name="第一村民小组", post="leader", chosen_on=ON, party_group_leader=True)
    url = f"/villageposts/{world.campaign.slug}/{world.village_a1.code}/groups/"
    assert "王建国" in client_for("county").get(url).content.decode()
    assert client_for("township_b").get(url).status_code == 404
    assert client_for("village_a1").get(url + "?format=xlsx")["Content-Type"].startswith("application/vnd")
    counted_election(world)  # the election's result gives the committee's size
    assert services.committee_members(entry) == (3, "选举结果")


def test_a_community_speaks_of_residents_and_applies_the_shares_by_analogy(world, client_for):
    from huanjie.people.models import Region

    community = Region.objects.create(code="130731100201", name="城关社区", level="village", kind="community",
                                      parent=world.township_a)
    entry = CampaignVillage.objects.create(campaign=world.campaign, village=community)
    resident = make_person("居民甲", "F", dt.date(1980, 5, 5), community, 901, group="第一居民小组")
    services.save_setup(world.users["township_a"], entry, basis="group", decided_by="居民代表会议", decided_on=ON,
                        committee_members=5)
    services.add_representative(world.users["township_a"], entry, id_number=resident.id_number,
                                group_name="第一居民小组", households=None, chosen_on=ON)
    texts = [f["text"] for f in services.check(entry)["findings"]]
    assert any(t.startswith("居民代表1人") and "（R38，参照村民委员会的规定）" in t for t in texts)
    body = client_for("township_a").get(f"/villageposts/{world.campaign.slug}/{community.code}/").content.decode()
    assert "城关社区：居民代表" in body and "居民代表会议组成人员" in body
    groups = client_for("township_a").get(f"/villageposts/{world.campaign.slug}/{community.code}/groups/")
    assert "居民小组长" in groups.content.decode()


def test_the_notice_cannot_predate_the_last_representative(world, entry):
    clerk = world.users["village_a1"]
    setup(world, entry, committee=0)
    services.add_representative(clerk, entry, id_number=world.people["li"].id_number, group_name="第一村民小组",
                                households=None, chosen_on=dt.date(2026, 11, 22))
    with pytest.raises(services.PostsRefused, match="公告日期早于.*（2026-11-22）"):
        services.publish(clerk, entry, dt.date(2026, 11, 21))


def test_the_import_templates_are_read_back_by_the_import(world, client_for, entry):
    """A template downloaded, filled in and uploaded imports (its title rows do not hide the header)."""
    from python_calamine import CalamineWorkbook

    base = f"/villageposts/{world.campaign.slug}/{world.village_a1.code}/"
    setup(world, entry)
    for url, importer, row in (
            (base, services.import_representatives,
             ["第一村民小组", "李秀英", world.people["li"].id_number, "", "2026-11-20"]),
            (base + "groups/", services.import_group_posts,
             ["第一村民小组", "村民小组长", "王建国", world.people["wang"].id_number, "2026-11-20", "是", "否"])):
        r = client_for("village_a1").get(url + "?format=template")
        assert r["Content-Type"].startswith("application/vnd.openxmlformats")
        rows = CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_index(0).to_python()
        result = importer(world.users["village_a1"], entry, xlsx([[str(c) for c in x] for x in rows if any(x)] + [row]),
                          "模板.xlsx")
        assert result.errors == [] and result.saved == 1


def test_the_api_gives_the_same_shares_in_scope(world, client_for, listed):
    url = f"/api/campaigns/{world.campaign.slug}/villageposts"
    rows = {r["village_code"]: r for r in client_for("county").get(url).json()}
    a1 = rows[world.village_a1.code]
    check = services.check(listed)
    assert a1["representatives"] == 1 and a1["women_share"]["percent"] == check["women_share"].text
    assert a1["representatives_share"] == {"numerator": 1, "denominator": 4, "percent": "25.00%"}
    assert world.village_a1.code not in {r["village_code"] for r in client_for("township_b").get(url).json()}
    assert client_for("department").get(url).status_code == 403
