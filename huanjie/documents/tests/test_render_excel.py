"""Excel workbooks: read back with python-calamine (values) and openpyxl (layout)."""

from __future__ import annotations

import io

import openpyxl
from python_calamine import CalamineWorkbook

from huanjie.documents.render import SheetSpec, workbook_bytes
from huanjie.documents.render.excel import CONSTANT_MEMORY_ROWS, display_width

ID_X = "11010519491231002X"
ID_18 = "110105194912310021"  # 18 digits: as a double it would read back as 110105194912310000


def read(data: bytes, sheet: str) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet).to_python()


def spec(**kw) -> SheetSpec:
    base = dict(
        name="资格审查",
        title="候选人资格审查结果",
        columns=["姓名", "身份证号", "得票"],
        rows=[["亓建国", ID_X, 12], ["禤丽娟", ID_18, 3.5]],
    )
    base.update(kw)
    return SheetSpec(**base)


def test_ids_stay_exact_and_numbers_stay_numbers():
    rows = read(workbook_bytes([spec(extra_columns=["原因"])]), "资格审查")
    assert rows[0][0] == "候选人资格审查结果"
    assert rows[1] == ["姓名", "身份证号", "得票", "原因"]
    assert rows[2] == ["亓建国", ID_X, 12.0, ""]
    assert rows[3] == ["禤丽娟", ID_18, 3.5, ""]


def test_id_given_as_int_is_still_text():
    # The 身份证号 header makes the column text even when the caller passes an int.
    rows = read(workbook_bytes([spec(rows=[["张三", 110105194912310021, 1]])]), "资格审查")
    assert rows[2][1] == ID_18


def test_explicit_text_column_and_long_int_elsewhere():
    s = spec(columns=["姓名", "编组", "大数"], rows=[["张三", 7, 12345678901234567]], text_columns=["编组"])
    rows = read(workbook_bytes([s]), "资格审查")
    assert rows[2] == ["张三", "7", "12345678901234567"]


def test_layout_title_merged_header_frozen():
    data = workbook_bytes([spec(subtitle="填报单位：某某镇")])
    ws = openpyxl.load_workbook(io.BytesIO(data))["资格审查"]
    assert "A1:C1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "填报单位：某某镇"
    assert ws["A3"].value == "姓名" and ws["A3"].font.b and ws["A3"].border.bottom.style == "thin"
    assert ws.freeze_panes == "A4"  # rows 1-3 (title, subtitle, header) stay visible
    assert ws["B4"].number_format == "@"
    # 身份证号 column: 18 characters + 2 padding
    assert ws.column_dimensions["B"].width >= 20


def test_big_sheet_streams_and_keeps_ids():
    n = CONSTANT_MEMORY_ROWS + 1000
    rows = [[f"村民{i}", f"1101051949123{i:05d}", i] for i in range(n)]
    data = workbook_bytes([spec(rows=rows)])
    back = read(data, "资格审查")
    assert len(back) == n + 2
    assert back[2] == ["村民0", "110105194912300000", 0.0]
    assert back[-1] == [f"村民{n - 1}", f"1101051949123{n - 1:05d}", float(n - 1)]


def test_sheet_names_are_made_valid_and_unique():
    data = workbook_bytes([spec(name="a/b"), spec(name="a/b"), spec(name="x" * 40)])
    names = CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names
    assert names == ["a_b", "a_b(2)", "x" * 31]


def test_display_width_counts_cjk_double():
    assert display_width("ab") == 2
    assert display_width("张三") == 4
