"""Uploaded tables, shared by every import: reading the first sheet and reporting problems per row.

Every import (voter roster, regions, …) answers bad input the same way: a list of
:class:`Problem`, each naming the row number the spreadsheet shows, the field, a stable code and
the Chinese reason. By default nothing is saved while any row has a problem; the user may choose
to keep only the good rows ("skip bad rows").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass


class TableError(ValueError):
    """The file cannot be read as a table at all (unknown format, damaged, bad encoding)."""


@dataclass(slots=True)
class Problem:
    row: int
    field: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "code": self.code, "message": self.message}


TABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def read_table(data: bytes, filename: str) -> list[list]:
    """The first worksheet as a list of rows; cells keep calamine's types ('' when empty)."""
    name = filename.lower()
    if name.endswith(".csv") or name.endswith(".txt"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise TableError("CSV 文件编码无法识别，请另存为 UTF-8 或 GBK 编码。")
        return [row for row in csv.reader(io.StringIO(text))]
    if not name.endswith(TABLE_SUFFIXES):
        raise TableError("只能导入 .xlsx、.xls 或 .csv 文件。")
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        return sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001 — calamine raises several kinds for a damaged file
        raise TableError(f"无法读取表格文件：{exc}") from None


def cell_text(value: object) -> str:
    # Exact-type fast paths first: a roster is text cells and the float 序号, 200,000 times over.
    if value.__class__ is str:
        return value.strip()
    if value.__class__ is float:
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


SPACES = re.compile(r"[\s\u3000\u200b\ufeff]+")
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")


def header_key(value: object) -> str:
    """A header cell compared without spaces, line breaks, bracketed notes and a trailing colon."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = SPACES.sub("", text)
    return _BRACKETS.sub("", text).rstrip("：:*")
