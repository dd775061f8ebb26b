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
