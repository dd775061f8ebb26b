"""Excel workbooks (.xlsx) with xlsxwriter: title row, bold bordered header, frozen panes.

Identity-card numbers, phone numbers and serials are stored as text: Excel keeps 15 significant
digits, so 110105194912310021 stored as a number comes back as 110105194912310000.
"""

from __future__ import annotations

import io
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import xlsxwriter

# Above this many rows in a workbook, rows are streamed to a temporary file instead of held in memory.
CONSTANT_MEMORY_ROWS = 5000
# A column whose header mentions one of these is text even if the values look like numbers.
TEXT_HEADER_HINTS = (
    "身份证",
    "证件号",
    "证号",
    "号码",
    "电话",
    "手机",
    "编号",
    "代码",
    "账号",
    "卡号",
    "邮编",
)
MAX_WIDTH = 60


@dataclass
class SheetSpec:
    """One worksheet.

    ``text_columns``: column indexes or header names always written as text (besides columns whose
    header contains a hint such as 身份证/电话/编号). ``extra_columns``: headers appended after
    ``columns`` (e.g. "原因" or "签字"), left blank where a row has no value for them.
    ``subtitle``: an optional line under the title (e.g. 填报单位、日期).
    """

    name: str
    title: str
    columns: list[str]
    rows: list[list[object]]
    text_columns: Sequence[int | str] = ()
    extra_columns: list[str] = field(default_factory=list)
    subtitle: str | None = None


def display_width(text: str) -> int:
    """Width in Excel character units: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _safe_sheet_name(name: str, used: set[str]) -> str:
    bad = "[]:*?/\\"
    base = "".join("_" if ch in bad else ch for ch in (name or "Sheet")).strip("'")[:31] or "Sheet"
    out, n = base, 2
    while out.lower() in used:
        suffix = f"({n})"
        out = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(out.lower())
    return out


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def workbook_bytes(sheets: Sequence[SheetSpec]) -> bytes:
    """An .xlsx file with one worksheet per spec."""
    big = sum(len(s.rows) for s in sheets) > CONSTANT_MEMORY_ROWS
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="hj-xlsx-") as tmp:
        options = {"constant_memory": True, "tmpdir": tmp} if big else {"in_memory": True}
        wb = xlsxwriter.Workbook(buf, options)
        title_fmt = wb.add_format(
            {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter", "font_name": "宋体"}
        )
        sub_fmt = wb.add_format({"font_size": 11, "align": "left", "valign": "vcenter", "font_name": "宋体"})
        head_fmt = wb.add_format(
            {
                "bold": True,
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "bg_color": "#F2F2F2",
                "font_name": "宋体",
            }
        )
        cell_fmt = wb.add_format({"border": 1, "valign": "vcenter", "font_name": "宋体"})
        text_fmt = wb.add_format({"border": 1, "valign": "vcenter", "num_format": "@", "font_name": "宋体"})
        used: set[str] = set()
        for spec in sheets:
            _write_sheet(wb, spec, used, title_fmt, sub_fmt, head_fmt, cell_fmt, text_fmt)
        wb.close()
    return buf.getvalue()


def _write_sheet(wb, spec: SheetSpec, used, title_fmt, sub_fmt, head_fmt, cell_fmt, text_fmt) -> None:
    ws = wb.add_worksheet(_safe_sheet_name(spec.name, used))
    headers = list(spec.columns) + list(spec.extra_columns)
    ncol = max(len(headers), 1)
    forced = {c for c in spec.text_columns if isinstance(c, int)}
    forced |= {i for i, h in enumerate(headers) if h in spec.text_columns}
    forced |= {i for i, h in enumerate(headers) if any(hint in h for hint in TEXT_HEADER_HINTS)}

    widths = [display_width(h) for h in headers]
    for r in spec.rows:
        for i, v in enumerate(list(r)[:ncol]):
            widths[i] = max(widths[i], display_width(_cell_text(v)))
    # constant_memory writes row by row, so formats and widths are set before the first cell.
    for i, w in enumerate(widths):
        ws.set_column(i, i, min(max(w + 2, 6), MAX_WIDTH), text_fmt if i in forced else None)

    row = 0
    if ncol > 1:
        ws.merge_range(row, 0, row, ncol - 1, spec.title, title_fmt)
    else:
        ws.write_string(row, 0, spec.title, title_fmt)
    ws.set_row(row, 30)
    row += 1
    if spec.subtitle:
        if ncol > 1:
            ws.merge_range(row, 0, row, ncol - 1, spec.subtitle, sub_fmt)
        else:
            ws.write_string(row, 0, spec.subtitle, sub_fmt)
        row += 1
    header_row = row
    ws.set_row(header_row, 22)
    for i, h in enumerate(headers):
        ws.write_string(header_row, i, h, head_fmt)
    ws.freeze_panes(header_row + 1, 0)
    ws.repeat_rows(header_row)
    ws.set_paper(9)  # A4
    if ncol > 6:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)

    for r in spec.rows:
        row += 1
        values = list(r)[:ncol]
        values += [None] * (ncol - len(values))
        for i, v in enumerate(values):
            if i in forced or isinstance(v, str) or v is None:
                # Strings are never converted to numbers: "0012" and ID numbers stay exact.
                ws.write_string(row, i, _cell_text(v), text_fmt if i in forced else cell_fmt)
            elif isinstance(v, bool):
                ws.write_string(row, i, "是" if v else "否", cell_fmt)
            elif isinstance(v, int) and abs(v) >= 10**15:
                ws.write_string(row, i, str(v), text_fmt)  # more digits than a double holds exactly
            elif isinstance(v, (int, float, Decimal)):
                ws.write_number(row, i, float(v), cell_fmt)
            else:
                ws.write_string(row, i, _cell_text(v), cell_fmt)
    ws.autofilter(header_row, 0, max(row, header_row), ncol - 1)
