"""Weekly snapshots stay as reported, the upward Excel, the previous term's import with row errors,
and the summary documents (text, tables, chart)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from huanjie.documents.render import SheetSpec, workbook_bytes
from huanjie.oversight import services as ov
from huanjie.reports import services, structure, summary
from huanjie.reports.models import PreviousCadre, WeeklySnapshot
from huanjie.rules.idnumber import make_id

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def complaint(world, village, received_on=TODAY):
    return ov.register_complaint(world.users["county"], world.campaign, village=village, channel="phone",
                                 received_on=received_on, matter="other", content="x", complainant_name="甲")


def test_snapshot_is_kept_as_reported_and_the_week_only_once(world):
    county = world.users["county"]
    complaint(world, world.village_a1, TODAY - dt.timedelta(days=10))
    complaint(world, world.village_a2, TODAY)  # not yet received as of last week
    last = services.take_snapshot(county, world.campaign, world.county, TODAY - dt.timedelta(days=7))
    assert last.totals["complaints"] == 1 and last.week_start == services.week_start(TODAY - dt.timedelta(days=7))
    complaint(world, world.village_b1)
    complaint(world, world.village_b1)
    last.refresh_from_db()
    assert last.totals["complaints"] == 1  # what went upward last week does not change
    with pytest.raises(services.ReportError, match="已经上报"):
        services.take_snapshot(county, world.campaign, world.county, TODAY - dt.timedelta(days=7))
    now = services.take_snapshot(county, world.campaign, world.county, TODAY)
    assert now.totals["complaints"] == 4
    assert [r["village"] for r in now.rows] == ["东山村", "柳塘村", "石桥村"]
    with pytest.raises(services.ReportError, match="不在您的管辖范围内"):
        services.take_snapshot(world.users["township_b"], world.campaign, world.township_a)
    with pytest.raises(services.ReportError, match="只有乡镇和县换届办"):
        services.take_snapshot(world.users["village_a1"], world.campaign, world.village_a1)

    book = openpyxl.load_workbook(io.BytesIO(services.snapshot_xlsx(now)))
    week, compare = book.worksheets
    rows = [list(r) for r in week.iter_rows(values_only=True)]
    header = rows[2]
    assert header[:3] == ["乡镇", "村（社区）", "换届阶段"] and "受理举报信访" in header
    total = rows[-1]
    assert total[0] == "合计" and total[header.index("受理举报信访")] == 4
    change = {r[0]: r[1:] for r in compare.iter_rows(min_row=3, values_only=True)}
    assert change["受理举报信访"] == (1, 4, "+3")


def _cadre_file(rows):
    return workbook_bytes([SheetSpec(name="上届", title="上届村干部名单",
                                     columns=["村（社区）代码", "姓名", "公民身份号码", "党组织职务", "村委会职务",
                                              "政治面貌", "文化程度"], rows=rows)])


def test_previous_cadres_import_reports_every_bad_row_and_saves_nothing(world):
    a1 = world.village_a1.code
    good = make_id("130731", dt.date(1975, 3, 3), 31)
    bad_check = good[:-1] + ("1" if good[-1] != "1" else "2")
    data = _cadre_file([
        [a1, "张书记", good, "书记", "主任", "中共党员", "大专"],
        ["130731999999", "李某", make_id("130731", dt.date(1980, 1, 1), 32), "", "委员", "群众", "高中"],
        [a1, "王某", bad_check, "委员", "", "中共党员", "初中"],
        [a1, "", make_id("130731", dt.date(1981, 1, 1), 33), "", "", "群众", ""],
        [a1, "赵某", good, "", "村长", "群众", ""],
    ])
    result = structure.import_previous_cadres(world.users["county"], world.campaign, data, "上届.xlsx")
    assert not PreviousCadre.objects.exists() and result.saved == 0
    text = "\n".join(result.errors)
    # spreadsheet rows: 1 title, 2 header, 3–7 the five rows above
    assert "第 4 行，村（社区）代码：130731999999 不是本次换届范围内的村（社区）。" in text
    assert "第 5 行，公民身份号码：身份证号码校验位不符" in text and "。。" not in text
    assert "第 6 行，姓名：必须填写。" in text and "第 6 行，职务：党组织职务和村委会职务至少填写一项。" in text
    assert "第 7 行，公民身份号码：与第 3 行重复。" in text and "第 7 行，村委会职务：“村长”应为主任" in text
    with pytest.raises(structure.ImportError_, match="只有县换届办"):
        structure.import_previous_cadres(world.users["township_a"], world.campaign, data, "上届.xlsx")
    with pytest.raises(structure.ImportError_, match="只能导入"):
        structure.import_previous_cadres(world.users["county"], world.campaign, b"x", "上届.doc")

    ok = structure.import_previous_cadres(world.users["county"], world.campaign, _cadre_file([
        [a1, "张书记", good, "书记", "主任", "中共党员", "大专"]]), "上届.xlsx")
    assert ok.saved == 1
    p = PreviousCadre.objects.get()
    assert (p.secretary, p.director, p.party_member, p.gender, p.birth_date) == (True, True, True, "M",
                                                                              dt.date(1975, 3, 3))


def test_summary_documents_carry_the_figures_and_the_chart(world):
    complaint(world, world.village_a1)
    summary.save_text(world.users["county"], world.campaign, world.county,
                      {"overview": "全县换届工作有序推进。", "practice": "先审计后换届。", "problems": ""})
    s = summary.build_summary(world.campaign, world.county)
    assert ("受理举报信访", "1 件") in s.work and ("换届村（社区）", "3 个") in s.work
    pdf = PdfReader(io.BytesIO(summary.summary_pdf(s)))
    text = "".join(page.extract_text() for page in pdf.pages)
    for needle in ("安平县村（社区）“两委”换届选举工作总结", "全县换届工作有序推进", "表1", "受理举报信访",
                   "各乡镇新当选村干部结构", "清溪镇", "主要做法：先审计后换届"):
        assert needle in text
    # the county's checkpoint over all its chains as the document was made (issue 9 §5, issue 17):
    # how many chains and records the county has, and the keyed check code
    from huanjie.accounts import audit
    from huanjie.accounts.models import AuditRecord

    county_records = AuditRecord.objects.filter(region_code__startswith=world.county.code[:6])
    chains = county_records.values("chain").distinct().count()
    head = audit.region_checkpoint(world.county.code)
    flat = text.replace("\n", "")
    assert chains >= 2 and f"{chains} 条审计链共 {county_records.count()} 条记录" in flat and head.code in flat
    doc = Document(io.BytesIO(summary.summary_docx(s)))
    assert len(doc.inline_shapes) == 1  # the chart
    assert any(head.code in p.text for p in doc.paragraphs)
    assert any("受理举报信访" in cell.text for t in doc.tables for row in t.rows for cell in row.cells)
    book = openpyxl.load_workbook(io.BytesIO(summary.summary_xlsx(s)))
    assert book.sheetnames[0] == "换届选举工作情况"
    with pytest.raises(summary.SummaryError):
        summary.save_text(world.users["township_b"], world.campaign, world.county, {"overview": "x"})


def test_snapshot_rows_are_json_and_weeks_listed(world, client_for):
    services.take_snapshot(world.users["township_a"], world.campaign, world.township_a)
    snap = WeeklySnapshot.objects.get()
    assert [r["village"] for r in snap.rows] == ["东山村", "柳塘村"]
    page = client_for("township_a").get("/reports/").content.decode()
    assert "本周已上报" in page


def test_a_week_reported_before_a_figure_existed_shows_no_figure_for_it():
    # last week's stored totals predate the party members' figures: "—" (None), not a zero that
    # would read as "+11" this week
    rows = {c["key"]: c for c in services.comparison({"villages": 2, "party_expected": 11}, {"villages": 2})}
    assert rows["villages"]["before"] == 2 and rows["villages"]["change"] == 0
    assert rows["party_expected"]["before"] is None and rows["party_expected"]["change"] is None
