"""Uploaded tables, shared by every import: cells as text, header words, and problems per row.

The file itself is read by :mod:`huanjie.core.uploads` (the one reader, in a child process with
limits). Every import (voter roster, regions, …) answers bad input the same way: a list of
:class:`Problem`, each naming the row number the spreadsheet shows, the field, a stable code and
the Chinese reason. By default nothing is saved while any row has a problem; the user may choose
to keep only the good rows ("skip bad rows").
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass


class TableError(ValueError):
    """The table was read but is not the expected kind of table (no recognisable header row)."""


@dataclass(slots=True)
class Problem:
    row: int
    field: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "code": self.code, "message": self.message}


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


def locate_columns(table: list[list], columns: dict[str, tuple[str, ...]], required: set[str],
                   within: int = 10) -> tuple[int, dict[str, int]]:
    """The header row among the first ``within`` rows and each field's column: ``columns`` maps a
    field to the header words it may have (the first is the one named in a refusal). A table
    without the ``required`` fields in one row is refused with a :class:`TableError` naming them."""
    wanted = {k: {header_key(n) for n in names} for k, names in columns.items()}
    for r, row in enumerate(table[:within]):
        keys = [header_key(v) for v in row]
        found = {}
        for key, names in wanted.items():
            for i, k in enumerate(keys):
                if k in names:
                    found[key] = i
                    break
        if required <= set(found):
            return r, found
    need = "、".join(f"“{columns[k][0]}”" for k in sorted(required, key=list(columns).index))
    raise TableError(f"找不到表头：表格前 {within} 行中应有{need}这几列。")


def data_rows(table: list[list], head: int, cols: dict[str, int]):
    """(the row number the spreadsheet shows, a ``cell(field)`` reader) for each non-empty row below
    the header."""
    for r in range(head + 1, len(table)):
        row = table[r]

        def cell(key, row=row):
            i = cols.get(key)
            return cell_text(row[i]) if i is not None and i < len(row) else ""

        if any(cell(k) for k in cols):
            yield r + 1, cell
