"""Printable documents as bytes: PDF (reportlab), Word (python-docx), Excel (xlsxwriter).

Pure Python, no Django: usable from scripts, views and tests alike. The fonts (~0.7 s) load on
the first PDF built in a process.
"""

from .charts import BarChart
from .excel import SheetSpec, workbook_bytes
from .fonts import MissingGlyphError, missing_glyphs
from .pdf import (
    APPROVE,
    CIRCLE,
    VOTER_CARD_FIELDS,
    BallotPost,
    Notice,
    TableSpec,
    ballot_pdf,
    cards_pdf,
    certificate_pdf,
    notice_pdf,
    notices_pdf,
    table_pdf,
)
from .word import notice_docx

__all__ = [
    "APPROVE",
    "CIRCLE",
    "VOTER_CARD_FIELDS",
    "BallotPost",
    "BarChart",
    "MissingGlyphError",
    "Notice",
    "SheetSpec",
    "TableSpec",
    "ballot_pdf",
    "cards_pdf",
    "certificate_pdf",
    "missing_glyphs",
    "notice_docx",
    "notice_pdf",
    "notices_pdf",
    "table_pdf",
    "workbook_bytes",
]
