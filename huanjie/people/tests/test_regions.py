"""Regions: the county office imports its code list, adds by hand, renames and merges between terms."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import xlsxwriter

from huanjie.accounts.models import AuditRecord
from huanjie.people import regions
from huanjie.people.models import Person, Region

pytestmark = pytest.mark.django_db

HEADER = ["统计用区划代码", "名称", "城乡分类代码", "户籍人口", "户数"]


def xlsx(rows: list[list], header=HEADER, title="安平县统计用区划代码") -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, [title])
    ws.write_row(1, 0, header)
    for i, r in enumerate(rows, start=2):
        for j, v in enumerate(r):
            ws.write_string(i, j, v) if isinstance(v, str) else ws.write(i, j, v)
    wb.close()
    return buf.getvalue()


GOOD = [
    ["130731000000", "安平县", "", "", ""],
    ["130731102000", "两洼乡", "", "", ""],
    ["130731102201", "前两洼村委会", "220", "1530", "402"],
    ["130731102002", "两洼社区居委会", "121", "", ""],
    ["130731400000", "安平镇街道办事处", "", "", ""],
]


def test_import_creates_townships_and_villages_with_kind_parent_and_class(world):
    result = regions.import_regions(world.users["county"], world.county, xlsx(GOOD), "代码.xlsx")
    assert (result.townships, result.villages) == (2, 2)
    v = Region.objects.get(code="130731102201")
    assert (v.level, v.kind, v.parent.name, v.urban_rural_code, v.population, v.households) == (
        "village", "village", "两洼乡", "220", 1530, 402)
    assert v.name == "前两洼村"  # the code list names the committee; offices name the place
    assert [Region.objects.get(code=c).name for c in ("130731102002", "130731400000")] == ["两洼社区", "安平镇街道"]
    assert Region.objects.get(code="130731102002").kind == "community"
    assert Region.objects.get(code="130731400000").kind == "subdistrict"
    assert Region.objects.get(code="130731102000").kind == "xiang"
    rec = AuditRecord.objects.get(action="region.import")
    assert rec.changes["created"] == [None, 4]


@pytest.mark.parametrize("given,short", [("东山村村民委员会", "东山村"), ("东山村委会", "东山村"), ("东山村民委员会", "东山村"),
                                         ("城关社区居委会", "城关社区"), ("城关居民委员会", "城关社区"),
                                         ("城关街道办事处", "城关街道"), ("两洼乡", "两洼乡"), ("村委会", "村委会")])
def test_short_names(given, short):
    assert regions.short_name(given) == short


def test_every_bad_row_is_named_with_field_and_reason_and_nothing_is_saved(world):
    rows = GOOD[1:] + [
        ["13073110220", "短码村", "220", "", ""],  # row 8: 11 digits
        ["130732100009", "邻县村", "220", "", ""],  # other county
        ["130731555001", "无乡村", "220", "", ""],  # parent missing
        ["130731102201", "重复村", "220", "", ""],  # duplicate of row 4
        ["130731102203", "", "999", "abc", ""],  # no name, bad class, bad population
        ["130731102205", "缺分类村", "", "", ""],
        ["130731100002", "东山村新名", "220", "", ""],  # code already used by 东山村
    ]
    before = Region.objects.count()
    with pytest.raises(regions.RegionRefused) as exc:
        regions.import_regions(world.users["county"], world.county, xlsx(rows), "代码.xlsx")
    got = {(p.row, p.field, p.code) for p in exc.value.problems}
    assert got == {
        (7, "code", "code_format"), (8, "code", "other_county"), (9, "code", "parent_missing"),
        (10, "code", "duplicate_in_file"), (11, "name", "missing_name"), (11, "class_code", "class_code_unknown"),
        (11, "population", "not_a_count"), (12, "class_code", "class_code_missing"), (13, "code", "code_taken"),
    }
    text = str(exc.value)
    assert "第 8 行“统计用区划代码”：130732100009 不属于安平县" in text
    assert "与第 4 行的代码重复" in text
    assert Region.objects.count() == before
    assert not AuditRecord.objects.filter(action="region.import").exists()


def test_skip_bad_rows_keeps_the_good_ones_and_reports_the_rest(world):
    rows = [["130731102000", "两洼乡", "", "", ""], ["130731102201", "前两洼村", "220", "", ""],
            ["130731102203", "后两洼村", "777", "", ""]]
    result = regions.import_regions(world.users["county"], world.county, xlsx(rows), "a.xlsx", skip_bad_rows=True)
    assert [r.code for r in result.created] == ["130731102000", "130731102201"]
    assert [(p.row, p.field) for p in result.rejected] == [(5, "class_code")]


def test_a_village_whose_township_row_is_bad_is_rejected_with_that_reason(world):
    rows = [["130731102000", "", "", "", ""], ["130731102201", "前两洼村", "220", "", ""]]
    with pytest.raises(regions.RegionRefused) as exc:
        regions.import_regions(world.users["county"], world.county, xlsx(rows), "a.xlsx")
    assert any(p.code == "parent_rejected" and p.row == 4 for p in exc.value.problems)


def test_identical_rows_already_present_are_notes_not_errors(world):
    rows = [["130731100002", "东山村", "220", "", ""], ["130731100006", "新村", "220", "", ""]]
    result = regions.import_regions(world.users["county"], world.county, xlsx(rows), "a.csv".replace("csv", "xlsx"))
    assert [r.code for r in result.created] == ["130731100006"]
    assert [n.code for n in result.notes] == ["already_present"]


def test_csv_and_unreadable_files(world):
    csv = "统计用区划代码,名称,城乡分类代码\n130731102000,两洼乡,\n130731102201,前两洼村,220\n".encode("gb18030")
    result = regions.import_regions(world.users["county"], world.county, csv, "list.csv")
    assert result.villages == 1
    with pytest.raises(regions.RegionRefused) as exc:
        regions.import_regions(world.users["county"], world.county, b"PK\x03\x04garbage", "list.xlsx")
    assert exc.value.problems[0].field == "file" and "不是有效的表格文件" in exc.value.problems[0].message
    with pytest.raises(regions.RegionRefused) as exc:
        regions.import_regions(world.users["county"], world.county, xlsx([], header=["甲", "乙"]), "x.xlsx")
    assert "找不到表头" in str(exc.value)


def test_only_the_county_office_imports(world):
    for persona in ("township_a", "admin", "observer"):
        with pytest.raises(Exception):  # noqa: B017 — 404 for out of scope, refusal for other roles
            regions.import_regions(world.users[persona], world.county, xlsx(GOOD), "a.xlsx")
    assert not Region.objects.filter(code="130731102000").exists()


def test_add_by_hand_uses_the_same_checks(world):
    county = world.users["county"]
    with pytest.raises(regions.RegionRefused) as exc:
        regions.add_region(county, world.county, code="130731100009", name="新村", class_code="")
    assert exc.value.problems[0].field == "class_code"
    with pytest.raises(regions.RegionRefused) as exc:
        regions.add_region(county, world.county, code="130731300001", name="新村", class_code="220")
    assert exc.value.problems[0].code == "parent_missing"
    v = regions.add_region(county, world.county, code="130731100009", name="新村", class_code="220", population=900)
    assert v.parent == world.township_a and v.population == 900


def test_rename_keeps_history_and_moves_people_and_accounts(world):
    world.campaign.ends_on = dt.date(2020, 1, 1)
    world.campaign.save()
    old = world.village_a1
    new = regions.rename_region(world.users["county"], old, "东山社区", dt.date(2026, 12, 1))
    old.refresh_from_db()
    assert (old.valid_until, old.successor, old.name) == (dt.date(2026, 11, 30), new, "东山村")
    assert (new.code, new.name, new.kind, new.valid_from) == (old.code, "东山社区", "community", dt.date(2026, 12, 1))
    assert Person.objects.get(pk=world.people["wang"].pk).hukou_village == new
    world.users["village_a1"].refresh_from_db()
    assert world.users["village_a1"].region == new
    assert world.campaign.villages.filter(village=old).exists()  # the past campaign keeps the old row
    assert regions.history_of(new) == [old]


def test_no_rename_or_merge_during_a_running_campaign(world):
    with pytest.raises(regions.RegionRefused) as exc:
        regions.rename_region(world.users["county"], world.village_a1, "东山社区", dt.date(2026, 12, 1))
    assert "换届期间不能更名或合并" in str(exc.value)


def test_merge_moves_people_and_deactivates_the_merged_villages_accounts(world):
    world.campaign.ends_on = dt.date(2020, 1, 1)
    world.campaign.save()
    regions.merge_region(world.users["county"], world.village_a1, world.village_a2, dt.date(2027, 6, 1))
    world.village_a1.refresh_from_db()
    assert world.village_a1.successor == world.village_a2 and world.village_a1.valid_until == dt.date(2027, 5, 31)
    assert Person.objects.get(pk=world.people["li"].pk).hukou_village == world.village_a2
    world.users["village_a1"].refresh_from_db()
    assert world.users["village_a1"].is_active is False
    with pytest.raises(regions.RegionRefused):
        regions.merge_region(world.users["county"], world.village_a2, world.township_b, dt.date(2027, 6, 1))
