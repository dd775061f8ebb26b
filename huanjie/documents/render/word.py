"""Word (.docx) notices with python-docx, in 公文 layout, editable by the village clerk.

python-docx sets only the Latin font name; Word then shows Chinese in its default East Asian
font. The w:eastAsia attribute of w:rFonts is set explicitly on every style and run.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .charts import BarChart, chart_png
from .pdf import TableSpec, layout_repeat

TITLE_FONT = "宋体"  # stands in for 方正小标宋简体, which few village PCs have
BODY_FONT = "仿宋"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"


def _set_run_font(run, east_asia: str, size: float | None = None, bold: bool | None = None) -> None:
    run.font.name = LATIN_FONT
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:ascii"), LATIN_FONT)
    rfonts.set(qn("w:hAnsi"), LATIN_FONT)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold


def _set_style_font(style, east_asia: str, size: float) -> None:
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _add_field(run, instr: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays out the page."""
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instr} "
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    txt = OxmlElement("w:t")
    txt.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, code, sep, txt, end):
        run._element.append(el)


def _page_number_footer(section) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in (("t", "第 "), ("f", "PAGE"), ("t", " 页 共 "), ("f", "NUMPAGES"), ("t", " 页")):
        run = p.add_run("" if kind == "f" else text)
        _set_run_font(run, TABLE_FONT, 10.5)
        if kind == "f":
            _add_field(run, text)


def _set_cell_borders(table) -> None:
    # The built-in "Table Grid" style is missing from some templates; set borders directly.
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "6")  # eighths of a point: 0.75 pt
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tbl_pr.append(borders)


def _mark_header_row(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _add_table(doc, spec: TableSpec, text_width_mm: float) -> None:
    if spec.caption:
        cap = doc.add_paragraph()
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_run_font(cap.add_run(spec.caption), TITLE_FONT, 16, bold=True)
    repeat = (
        spec.repeat if spec.repeat >= 1 else max(1, min(5, int(text_width_mm // (22 * len(spec.columns)))))
    )
    cols, rows = layout_repeat(spec.columns, spec.rows, repeat)
    table = doc.add_table(rows=1 + len(rows), cols=len(cols))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _set_cell_borders(table)
    _mark_header_row(table.rows[0])
    size = spec.font_size
    for i, h in enumerate(cols):
        cell = table.rows[0].cells[i]
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_run_font(cell.paragraphs[0].add_run(h), TABLE_FONT, size, bold=True)
    for r, values in enumerate(rows, 1):
        cells = table.rows[r].cells
        for i, v in enumerate(values):
            para = cells[i].paragraphs[0]
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if v:
                _set_run_font(para.add_run(v), TABLE_FONT, size)
    doc.add_paragraph()


def notice_docx(
    title: str,
    paragraphs: Sequence[str],
    issuer: str,
    date_text: str,
    tables: Sequence[TableSpec] | None = None,
    *,
    closing_paragraphs: Sequence[str] = (),
    landscape: bool = False,
    charts: Sequence[BarChart] = (),
) -> bytes:
    """A 公告/公示 as .docx: A4, 公文 margins, 22 pt bold title, 16 pt 仿宋 body, issuer and date bottom right."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _set_style_font(doc.styles["Normal"], BODY_FONT, 16)
    _page_number_footer(section)
    text_width_mm = (297 if landscape else 210) - 28 - 26

    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(16)
    _set_run_font(p.add_run(title), TITLE_FONT, 22, bold=True)

    def body(text: str) -> None:
        para = doc.add_paragraph()
        fmt = para.paragraph_format
        fmt.first_line_indent = Pt(32)  # two characters of 16 pt
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(28.95)
        fmt.space_after = Pt(0)
        para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _set_run_font(para.add_run(text), BODY_FONT, 16)

    for text in paragraphs:
        body(text)
    for spec in tables or ():
        _add_table(doc, spec, text_width_mm)
    for chart in charts:  # Word takes an image, not a drawing
        doc.add_picture(io.BytesIO(chart_png(chart)), width=Mm(text_width_mm))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in closing_paragraphs:
        body(text)

    doc.add_paragraph()
    for text in (issuer, date_text):
        if not text:
            continue
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        para.paragraph_format.right_indent = Pt(32)
        _set_run_font(para.add_run(text), BODY_FONT, 16)

    doc.core_properties.title = title
    doc.core_properties.author = issuer or ""
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
