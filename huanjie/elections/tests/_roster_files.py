"""Messy roster files the tests build themselves (xlsxwriter, xlwt, csv)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import xlsxwriter

from huanjie.rules.idnumber import make_id

HEADER = [
    "序号",
    "姓名",
    "性别",
    "民族",
    "出生年月",
    "公民身份号码",
    "文化程度",
    "村民小组",
    "家庭住址",
    "联系电话",
    "备注",
]


def person_row(seq, name, gender, birth: dt.date, region6="130731", serial=None, **over):
    serial = serial if serial is not None else (21 + 2 * seq if gender == "男" else 22 + 2 * seq)
    row = {
        "序号": seq,
        "姓名": name,
        "性别": gender,
        "民族": "汉族",
        "出生年月": f"{birth.year}.{birth.month:02d}",
        "公民身份号码": make_id(region6, birth, serial),
        "文化程度": "初中",
        "村民小组": "第一组",
        "家庭住址": "东山村1号",
        "联系电话": "13800000000",
        "备注": "",
    }
    row.update(over)
    return row


def xlsx_bytes(
    rows: list[dict],
    *,
    title=True,
    merged_header=False,
    numeric_id_rows=(),
    serial_birth_rows=(),
    footer=True,
    blank_rows=True,
) -> bytes:
    """An office-style workbook: title, 填报单位 row, header (optionally two-level), data, footer."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("名册")
    r = 0
    if title:
        ws.merge_range(0, 0, 0, len(HEADER) - 1, "东山村第十二届村民委员会选举选民登记名册")
        ws.write(1, 0, "填报单位（盖章）：东山村村民选举委员会        填报日期：2026年11月20日")
        r = 2
    if merged_header:
        ws.merge_range(r, 0, r, 4, "基本情况")
        ws.merge_range(r, 5, r + 1, 5, "公民身份号码")
        for j, h in enumerate(HEADER):
            if j != 5:
                ws.write(r + 1, j, h)
        r += 2
    else:
        for j, h in enumerate(HEADER):
            ws.write(r, j, h)
        r += 1
    for i, row in enumerate(rows):
        if blank_rows and i == 1:
            r += 1  # an empty row in the middle
        for j, h in enumerate(HEADER):
            v = row.get(h, "")
            if h == "公民身份号码" and i in numeric_id_rows:
                ws.write_number(r, j, float(v))
            elif h == "出生年月" and i in serial_birth_rows:
                ws.write_number(r, j, (v - dt.date(1899, 12, 30)).days)
            elif h == "序号":
                ws.write_number(r, j, v)
            else:
                ws.write_string(r, j, str(v))
        r += 1
    if footer:
        ws.write(r, 0, "合计")
        ws.write(r, 1, f"{len(rows)}人")
        ws.write(r + 2, 0, "制表人：张三        审核人：李四")
    wb.close()
    return buf.getvalue()


def xls_bytes(rows: list[dict]) -> bytes:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("名册")
    ws.write(0, 0, "选民登记名册")
    for j, h in enumerate(HEADER):
        ws.write(1, j, h)
    for i, row in enumerate(rows, start=2):
        for j, h in enumerate(HEADER):
            ws.write(i, j, row.get(h, ""))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: list[dict], encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["东山村选民名册"])
    w.writerow(HEADER)
    for row in rows:
        w.writerow([row.get(h, "") for h in HEADER])
    w.writerow(["合计", f"{len(rows)}人"])
    return out.getvalue().encode(encoding)
