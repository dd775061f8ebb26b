"""Official printable PDF documents (公告/公示, long tables, 选民证, 当选证书, 选票) on reportlab.

Layout follows the national standard for Party and government documents (GB/T 9704, 公文格式)
where it applies: A4, margins top 37 mm / left 28 mm / right 26 mm / bottom 35 mm, title 22 pt
bold (二号小标宋), body 16 pt (三号仿宋) on a 28.95 pt line (22 lines a page). Tables, cards and
ballots use narrower margins: they are forms, not 公文, and paper matters when printing thousands.

Every text goes through ``fonts.GlyphGuard`` so a name with a character the font lacks is
reported instead of printed as a blank. Lines are black and at least 0.8 pt so a cheap village
printer does not lose them.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib import textsplit as rl_textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.pagesizes import landscape as landscape_of
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    HRFlowable,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as rl_paragraph

from . import fonts
from .charts import BarChart, chart_drawing
from .fonts import BOLD, REGULAR, GlyphGuard, fit_size, string_width

PAGE_W, PAGE_H = A4  # 595.28 x 841.89 pt
BLACK = colors.black
RED = colors.HexColor("#D00000")  # 公文 red: plain red prints as a visible dark grey in black and white
LINE = 0.8  # thinnest line drawn: thinner lines vanish on cheap laser printers
CREATOR = "换届通"

# reportlab's CJK wrap keeps these off the start of a line, but its list lacks most full-width
# Chinese punctuation, so a "，" could open a line. "·" keeps 阿依古丽·买买提 together at its dot.
# Both copies of the list: a paragraph of several fragments wraps in platypus.paragraph, a
# paragraph of one fragment (a certificate's text) in lib.textsplit.
_CANNOT_START = "，；：！？》〉”’…·）】"
for _module in (rl_paragraph, rl_textsplit):
    if not all(ch in _module.ALL_CANNOT_START for ch in _CANNOT_START):
        _module.ALL_CANNOT_START += "".join(ch for ch in _CANNOT_START if ch not in _module.ALL_CANNOT_START)


@dataclass(frozen=True)
class Margins:
    top: float
    right: float
    bottom: float
    left: float


GONGWEN_MARGINS = Margins(top=37 * mm, right=26 * mm, bottom=35 * mm, left=28 * mm)
TABLE_MARGINS = Margins(top=18 * mm, right=15 * mm, bottom=20 * mm, left=15 * mm)
BALLOT_MARGINS = Margins(top=18 * mm, right=18 * mm, bottom=16 * mm, left=18 * mm)

TITLE_SIZE = 22.0  # 二号
BODY_SIZE = 16.0  # 三号
BODY_LEADING = 28.95  # 公文: 22 lines in the 225 mm text area
TABLE_SIZE = 12.0  # 小四
TABLE_SIZE_SMALL = 10.5  # 五号


@dataclass
class TableSpec:
    """A table inside a notice (PDF and Word).

    ``repeat`` > 1 prints several records side by side per printed row (a 3,000-voter list of
    name+gender on 5 records a row takes a fifth of the paper). ``repeat=0`` picks as many as fit.
    ``widths`` are relative weights per column (of one record); None = from content.
    """

    columns: list[str]
    rows: list[list[str]]
    caption: str | None = None
    repeat: int = 1
    widths: list[float] | None = None
    font_size: float = TABLE_SIZE


# ---------------------------------------------------------------- shared helpers


def layout_repeat(columns: Sequence[str], rows: Sequence[Sequence[object]], repeat: int):
    """Put ``repeat`` records side by side per printed row; the last row is padded with blanks."""
    ncol = len(columns)
    norm = [[("" if v is None else str(v)) for v in list(r)[:ncol]] + [""] * (ncol - len(r)) for r in rows]
    if repeat <= 1:
        return list(columns), norm
    out = []
    for i in range(0, len(norm), repeat):
        chunk = norm[i : i + repeat]
        line: list[str] = []
        for r in chunk:
            line.extend(r)
        line.extend([""] * (ncol * (repeat - len(chunk))))
        out.append(line)
    return list(columns) * repeat, out


def _esc(text: object) -> str:
    return escape("" if text is None else str(text)).replace("\n", "<br/>")


def _style(name: str, font: str = REGULAR, size: float = BODY_SIZE, leading: float | None = None, **kw):
    # wordWrap="CJK": Chinese text has no spaces, so break between any two characters.
    return ParagraphStyle(
        name, fontName=font, fontSize=size, leading=leading or size * 1.35, wordWrap="CJK", **kw
    )


def _balanced_lines(text: str, font: str, size: float, avail: float) -> str:
    """Paragraph markup for a title, broken into lines of about equal length.

    Titles of 公文 are broken evenly ("梯形"), never leaving one character alone on the last line.
    A newline in ``text`` is kept as a forced break.
    """
    out: list[str] = []
    for part in text.split("\n"):
        total = string_width(part, font, size)
        n = math.ceil(total / avail) if total > avail else 1
        while True:
            lines, cur, cur_w = [], "", 0.0
            target = total / n
            for ch in part:
                cw = string_width(ch, font, size)
                if cur and cur_w + cw / 2 > target and len(lines) < n - 1 and ch not in _CANNOT_START:
                    lines.append(cur)
                    cur, cur_w = "", 0.0
                cur += ch
                cur_w += cw
            lines.append(cur)
            if n > len(part) or all(string_width(x, font, size) <= avail for x in lines):
                break
            n += 1
        out.extend(_esc(x) for x in lines)
    return "<br/>".join(out)


def _natural_widths(columns, rows, font_size, pad, header_size=None) -> list[float]:
    header_size = header_size or font_size
    out = []
    for i, col in enumerate(columns):
        # A header wraps to two lines rather than widening a column of short values.
        head = string_width(col, BOLD, header_size)
        if len(col) >= 4:
            head = head / 2 + header_size
        cells = max((string_width(r[i], REGULAR, font_size) for r in rows if r[i]), default=0.0)
        out.append(max(head, cells, font_size * 2) + 2 * pad)
    return out


def _line_width(value: str, font_size: float) -> float:
    """The width of a cell's longest line (a value may carry its own line breaks, "不通过\nN02")."""
    return max(string_width(line, REGULAR, font_size) for line in value.split("\n"))


def _whole_needs(whole: Sequence[int], grid, font_size: float, pad: float) -> dict[int, float]:
    return {
        i: max((_line_width(r[i], font_size) for r in grid if r[i]), default=0.0) + 2 * pad + 1 for i in whole
    }


def _rest_min(font_size: float, pad: float) -> float:
    """The least a column that may wrap keeps beside the whole ones: four characters a line."""
    return 4 * font_size + 2 * pad


def _whole_fits(ncol: int, whole: Sequence[int], grid, avail: float, font_size: float, pad: float) -> bool:
    """Whether the ``whole`` columns fit on one line each, leaving the others four characters."""
    rest = ncol - len(set(whole))
    return sum(_whole_needs(whole, grid, font_size, pad).values()) + rest * _rest_min(font_size, pad) <= avail


def _keep_whole(widths: list[float], whole: Sequence[int], grid, avail: float, font_size: float, pad: float):
    """Columns whose values must not break (an 18-digit ID number, a name, a file name, a verdict)
    get the width of their longest line; the other columns share what is left in their proportions.
    When every column is whole, the spare width goes to the columns by their weights (``widths``),
    none getting less than it needs."""
    need = _whole_needs(whole, grid, font_size, pad)
    rest = [i for i in range(len(widths)) if i not in need]
    if sum(need.values()) >= avail:
        return [need.get(i, 0.0) for i in range(len(widths))]
    if not rest:
        def spread(t: float) -> list[float]:
            return [max(need[i], t * w) for i, w in enumerate(widths)]

        lo, hi = 0.0, avail / (min((w for w in widths if w > 0), default=1.0))
        for _ in range(50):
            mid = (lo + hi) / 2
            if sum(spread(mid)) > avail:
                hi = mid
            else:
                lo = mid
        return spread(lo)
    generous = {i: max(w, widths[i]) for i, w in need.items()}
    # A whole column given more than it needs keeps it, as long as the columns that may wrap (a
    # 清单说明, a 备注) keep four characters a line.
    if sum(generous.values()) + len(rest) * _rest_min(font_size, pad) <= avail:
        need = generous
    left = avail - sum(need.values())
    base = sum(widths[i] for i in rest) or 1.0
    out = list(widths)
    for i, w in need.items():
        out[i] = w
    for i in rest:
        out[i] = max(widths[i] * left / base, 0.0)
    return out


def _fit_widths(natural: list[float], avail: float, min_w: float) -> list[float]:
    total = sum(natural)
    if total <= avail:
        return [w * avail / total for w in natural]
    # Cap the widest columns (they wrap) and leave narrow ones alone.
    lo, hi = 0.0, max(natural)
    for _ in range(40):
        mid = (lo + hi) / 2
        if sum(min(w, mid) for w in natural) > avail:
            hi = mid
        else:
            lo = mid
    if lo < min_w:
        return [w * avail / total for w in natural]
    widths = [min(w, lo) for w in natural]
    spare = avail - sum(widths)
    capped = [i for i, w in enumerate(natural) if w > lo]
    for i in capped:
        widths[i] += spare / len(capped)
    return widths


def _grid_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    avail: float,
    guard: GlyphGuard,
    where: str,
    font_size: float = TABLE_SIZE,
    repeat: int = 1,
    weights: Sequence[float] | None = None,
    whole: Sequence[int] = (),
    col_widths: Sequence[float] | None = None,
    vpad: tuple[float, float] = (3, 4),
) -> Flowable:
    ncol = len(columns)
    for h in columns:
        guard.check(h, f"{where}表头")
    cols, grid = layout_repeat(columns, rows, repeat)
    for r in grid:
        for v in r:
            guard.check(v, where)
    pad = 4.0
    if weights:
        w = list(weights) * max(repeat, 1)
        widths = [x * avail / sum(w) for x in w]
    else:
        widths = _fit_widths(_natural_widths(cols, grid, font_size, pad), avail, font_size * 2 + 2 * pad)
    if whole and repeat <= 1:
        widths = _keep_whole(widths, whole, grid, avail, font_size, pad)
    if col_widths is not None:  # a part of a table, aligned with the whole's columns
        widths = list(col_widths)
    head_style = _style("th", BOLD, font_size, alignment=TA_CENTER)
    cell_style = _style("td", REGULAR, font_size, alignment=TA_LEFT)
    data: list[list[object]] = [[Paragraph(_esc(h), head_style) for h in cols]]
    for r in grid:
        line: list[object] = []
        for i, v in enumerate(r):
            # Plain strings are much faster in a long table; only text that does not fit wraps.
            if "\n" in v or string_width(v, REGULAR, font_size) > widths[i] - 2 * pad:
                line.append(Paragraph(_esc(v), cell_style))
            else:
                line.append(v)
        data.append(line)
    cmds = [
        ("FONT", (0, 0), (-1, -1), REGULAR, font_size, font_size * 1.3),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), LINE, BLACK),
        ("BOX", (0, 0), (-1, -1), 1.2, BLACK),
        ("LINEBELOW", (0, 0), (-1, 0), 1.2, BLACK),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), vpad[0]),
        ("BOTTOMPADDING", (0, 0), (-1, -1), vpad[1]),
    ]
    for k in range(1, max(repeat, 1)):
        cmds.append(("LINEBEFORE", (k * ncol, 0), (k * ncol, -1), 1.6, BLACK))
    return _PagedTable(data[0], data[1:], widths, TableStyle(cmds))


class _PagedTable(Flowable):
    """A long table with its header row repeated on each page, split in linear time.

    reportlab's Table re-measures every remaining row at each page break, so a 5,000-row table
    takes seconds; here all row heights are measured once and each page gets a small Table.
    """

    def __init__(self, header, rows, widths, style, heights=None, header_h=None):
        super().__init__()
        self.header, self.rows, self.widths, self.style = header, rows, widths, style
        self.heights, self.header_h = heights, header_h
        self.hAlign = "CENTER"
        self.width = sum(widths)

    def _table(self, rows) -> Table:
        t = Table([self.header, *rows], colWidths=self.widths, repeatRows=1, hAlign="CENTER")
        t.setStyle(self.style)
        return t

    def _measure(self) -> None:
        if self.heights is None:
            t = self._table(self.rows)
            t.wrap(self.width, 1e9)
            self.header_h, self.heights = t._rowHeights[0], list(t._rowHeights[1:])

    def wrap(self, aw, ah):
        self._measure()
        self.height = self.header_h + sum(self.heights)
        return self.width, self.height

    def split(self, aw, ah):
        self._measure()
        room, k = ah - self.header_h, 0
        while k < len(self.rows) and self.heights[k] <= room:
            room -= self.heights[k]
            k += 1
        if k == 0:
            return []  # not even one row fits: let the frame move on to the next page
        rest = _PagedTable(
            self.header, self.rows[k:], self.widths, self.style, self.heights[k:], self.header_h
        )
        return [self._table(self.rows[:k]), rest] if k < len(self.rows) else [self._table(self.rows)]

    def draw(self):
        t = self._table(self.rows)
        t.wrap(self.width, 1e9)
        t.drawOn(self.canv, 0, 0)


def _auto_repeat(columns, rows_lists, avail, font_size) -> int:
    n = max((len(r) for r in rows_lists), default=0)
    sample = [[("" if v is None else str(v)) for v in r] for rows in rows_lists for r in rows]
    sample = [r + [""] * (len(columns) - len(r)) for r in sample]
    group = sum(_natural_widths(columns, sample, font_size, 4.0)) + 6
    return max(1, min(int(avail // group), max(n, 1), 8))


def _numbered_canvas(page_number_y: float, size: float = 10.5):
    """A canvas that writes "第 X 页 共 Y 页" once the page count is known (two-pass via saved states)."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._page_states: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab API)
            self._page_states.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._page_states)
            for i, state in enumerate(self._page_states, 1):
                self.__dict__.update(state)
                self.setFont(REGULAR, size)
                self.setFillColor(BLACK)
                self.drawCentredString(self._pagesize[0] / 2, page_number_y, f"第 {i} 页 共 {total} 页")
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


class _Doc(BaseDocTemplate):
    """One frame with no inner padding, so the margins are exactly the 公文 margins."""

    def __init__(self, buf, *, pagesize, margins: Margins, title: str, author: str = ""):
        fonts.register_fonts()
        super().__init__(
            buf,
            pagesize=pagesize,
            topMargin=margins.top,
            bottomMargin=margins.bottom,
            leftMargin=margins.left,
            rightMargin=margins.right,
            title=title,
            author=author,
            creator=CREATOR,
            invariant=1,  # same input, same bytes: lets callers cache and compare
            initialFontName=REGULAR,  # else every page references a non-embedded Helvetica
        )
        frame = Frame(
            self.leftMargin,
            self.bottomMargin,
            self.width,
            self.height,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="body",
        )
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], pagesize=pagesize)])


def _build(doc: _Doc, story: list, *, page_numbers: bool = True) -> None:
    if page_numbers:
        doc.build(story, canvasmaker=_numbered_canvas(max(doc.bottomMargin * 0.45, 8 * mm)))
    else:
        doc.build(story)


def _red_header(text: str | None, red_line: bool, guard: GlyphGuard) -> list:
    out: list = []
    if text:
        guard.check(text, "版头")
        out.append(Paragraph(_esc(text), _style("redhead", BOLD, 30, 40, alignment=TA_CENTER, textColor=RED)))
        out.append(Spacer(1, 4 * mm))
    if text or red_line:
        out.append(HRFlowable(width="100%", thickness=2, color=RED, spaceBefore=2, spaceAfter=8 * mm))
    return out


def _signature_block(issuer: str | None, date_text: str | None, stamp: bool, guard: GlyphGuard) -> list:
    style = _style("sign", REGULAR, BODY_SIZE, BODY_LEADING, alignment=TA_RIGHT, rightIndent=2 * BODY_SIZE)
    lines = []
    if issuer:
        lines.append(Paragraph(_esc(guard.check(issuer, "落款")), style))
    if stamp:
        lines.append(Paragraph("（盖章）", style))
    if date_text:
        lines.append(Paragraph(_esc(guard.check(date_text, "日期")), style))
    if not lines:
        return []
    return [KeepTogether([Spacer(1, BODY_LEADING * 1.5), *lines])]


# ---------------------------------------------------------------- 公告 / 公示


@dataclass
class Notice:
    """One 公告/公示/通知 (see :func:`notice_pdf` for the fields)."""

    title: str
    paragraphs: Sequence[str]
    issuer: str
    date_text: str
    tables: Sequence[TableSpec] | None = None
    sections: Sequence[tuple[str, Sequence[Sequence[object]]]] | None = None
    section_columns: Sequence[str] = ("姓名", "性别")
    section_repeat: int = 0
    section_font_size: float = TABLE_SIZE
    closing_paragraphs: Sequence[str] = ()
    stamp: bool = False
    red_header: str | None = None
    red_line: bool = False
    charts: Sequence[BarChart] = ()


def notice_pdf(
    title: str,
    paragraphs: Sequence[str],
    *,
    issuer: str,
    date_text: str,
    tables: Sequence[TableSpec] | None = None,
    sections: Sequence[tuple[str, Sequence[Sequence[object]]]] | None = None,
    section_columns: Sequence[str] = ("姓名", "性别"),
    section_repeat: int = 0,
    section_font_size: float = TABLE_SIZE,
    closing_paragraphs: Sequence[str] = (),
    stamp: bool = False,
    red_header: str | None = None,
    red_line: bool = False,
    on_missing: str | None = None,
    charts: Sequence[BarChart] = (),
) -> bytes:
    """A 公告/公示 on A4 portrait with 公文 margins.

    ``sections`` is a list of (heading, rows), e.g. one per 村民小组 with rows [name, gender];
    each is laid out ``section_repeat`` records per printed row (0 = as many as fit, the same
    for every section). ``tables`` come after the sections; ``closing_paragraphs`` after both
    (e.g. "如有异议，请于……前向村民选举委员会反映。"). ``stamp`` adds a "（盖章）" line.
    """
    notice = Notice(
        title, paragraphs, issuer, date_text, tables=tables, sections=sections,
        section_columns=section_columns, section_repeat=section_repeat,
        section_font_size=section_font_size, closing_paragraphs=closing_paragraphs, stamp=stamp,
        red_header=red_header, red_line=red_line, charts=charts,
    )
    return notices_pdf([notice], on_missing=on_missing)


def notices_pdf(notices: Sequence[Notice], *, on_missing: str | None = None, page_numbers: bool = True) -> bytes:
    """Several notices in one file, each starting on a new page (e.g. one 账号通知单 per account,
    printed in one go and handed out sheet by sheet: ``page_numbers=False`` then, since the
    sheets do not belong together)."""
    if not notices:
        raise ValueError("notices_pdf needs at least one notice")
    guard = GlyphGuard(on_missing)
    buf = io.BytesIO()
    doc = _Doc(buf, pagesize=A4, margins=GONGWEN_MARGINS, title=notices[0].title, author=notices[0].issuer)
    story: list = []
    for n, notice in enumerate(notices):
        if n:
            story.append(PageBreak())
        story.extend(_notice_story(notice, doc.width, guard))
    guard.finish()
    _build(doc, story, page_numbers=page_numbers)
    return buf.getvalue()


def _notice_story(notice: Notice, avail: float, guard: GlyphGuard) -> list:
    title_style = _style(
        "title", BOLD, TITLE_SIZE, TITLE_SIZE * 1.5, alignment=TA_CENTER, spaceAfter=BODY_SIZE
    )
    body = _style(
        "body", REGULAR, BODY_SIZE, BODY_LEADING, alignment=TA_JUSTIFY, firstLineIndent=2 * BODY_SIZE
    )
    heading = _style("h", BOLD, BODY_SIZE, BODY_LEADING, spaceBefore=6, spaceAfter=4)
    caption = _style("cap", BOLD, BODY_SIZE, BODY_LEADING, alignment=TA_CENTER, spaceBefore=6, spaceAfter=4)

    story: list = _red_header(notice.red_header, notice.red_line, guard)
    guard.check(notice.title, "标题")
    story.append(Paragraph(_balanced_lines(notice.title, BOLD, TITLE_SIZE, avail), title_style))
    for p in notice.paragraphs:
        story.append(Paragraph(_esc(guard.check(p, "正文")), body))

    if notice.sections:
        repeat = notice.section_repeat or _auto_repeat(
            notice.section_columns, [rows for _, rows in notice.sections], avail, notice.section_font_size
        )
        # One set of column widths for every group, so the groups line up down the page.
        all_rows = [r for _, rows in notice.sections for r in layout_repeat(notice.section_columns, rows, 1)[1]]
        section_weights = _natural_widths(list(notice.section_columns), all_rows, notice.section_font_size, 4.0)
        for head, rows in notice.sections:
            story.append(CondPageBreak(BODY_LEADING * 4))  # never a group heading alone at a page foot
            story.append(Paragraph(_esc(guard.check(head, "分组标题")), heading))
            if rows:
                story.append(
                    _grid_table(
                        notice.section_columns,
                        rows,
                        avail=avail,
                        guard=guard,
                        where=f"{head}：",
                        font_size=notice.section_font_size,
                        repeat=repeat,
                        weights=section_weights,
                    )
                )
            story.append(Spacer(1, 6))

    for spec in notice.tables or ():
        if spec.caption:
            story.append(CondPageBreak(BODY_LEADING * 3))
            story.append(Paragraph(_esc(guard.check(spec.caption, "表题")), caption))
        repeat = (
            spec.repeat
            if spec.repeat >= 1
            else _auto_repeat(spec.columns, [spec.rows], avail, spec.font_size)
        )
        story.append(
            _grid_table(
                spec.columns,
                spec.rows,
                avail=avail,
                guard=guard,
                where=f"{spec.caption or '表格'}：",
                font_size=spec.font_size,
                repeat=repeat,
                weights=spec.widths,
            )
        )
        story.append(Spacer(1, 8))

    for chart in notice.charts:  # after the tables they illustrate, drawn as vectors
        guard.check(chart.title + "".join(chart.categories) + "".join(n for n, _ in chart.series), "图表")
        story.append(CondPageBreak(240))
        story.append(chart_drawing(chart, avail))
        story.append(Spacer(1, 8))

    for p in notice.closing_paragraphs:
        story.append(Paragraph(_esc(guard.check(p, "正文")), body))
    story.extend(_signature_block(notice.issuer, notice.date_text, notice.stamp, guard))
    return story


# ---------------------------------------------------------------- long tables


def _signature_table(labels: Sequence[str], avail: float, guard: GlyphGuard) -> Table:
    size = TABLE_SIZE
    label_w = max(string_width(guard.check(s, "签字栏") + "：", REGULAR, size) for s in labels) + 12
    date = "年　　月　　日"
    date_w = string_width(date, REGULAR, size) + 16
    label_w = min(label_w, avail * 0.45)
    blank_w = max(avail - label_w - date_w, 60)
    style = _style("siglabel", REGULAR, size, alignment=TA_RIGHT)
    data = [[Paragraph(_esc(s) + "：", style), "", date] for s in labels]
    t = Table(data, colWidths=[label_w, blank_w, date_w], rowHeights=[30] * len(data), hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, size),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("ALIGN", (2, 0), (2, -1), "RIGHT"),
                ("LINEBELOW", (1, 0), (1, -1), LINE, BLACK),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return t


def table_pdf(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    landscape: bool = False,
    subtitle: str | None = None,
    footer_lines: Sequence[str] | None = None,
    signature_lines: Sequence[str] | None = None,
    widths: Sequence[float] | None = None,
    font_size: float | None = None,
    on_missing: str | None = None,
    whole: Sequence[int] = (),
    fit_page: bool = False,
) -> bytes:
    """A long table whose header row repeats on every page (资格联审表, 计票单, 汇总表).

    ``whole``: indexes of columns whose values never break inside (ID numbers, names, file names);
    when they cannot all fit, the font shrinks (down to 7.5 pt) until they do.

    ``subtitle`` is a line under the title (e.g. "填报单位：某某镇　　填报日期：2021年1月5日").
    ``footer_lines`` are notes after the table; ``signature_lines`` are labels (e.g. one per
    department: "县委组织部审查人") each followed by a line to sign on and "年 月 日".
    ``font_size`` None = 12 pt if the columns fit, else 10.5 pt.

    ``fit_page``: a one-page form (the archive's 卷内目录) shrinks its table, down to
    :data:`FIT_MIN_SIZE`, to stay on one A4 page with its notes and signatures; when it cannot,
    the signatures go onto the last page together with the table's last rows (a page of nothing
    but signature lines reads as a form detached from its content).
    """
    if font_size is None:
        avail = (landscape_of(A4) if landscape else A4)[0] - TABLE_MARGINS.left - TABLE_MARGINS.right
        norm = [
            [("" if v is None else str(v)) for v in r] + [""] * (len(columns) - len(r)) for r in rows[:2000]
        ]
        natural = sum(_natural_widths(columns, norm, TABLE_SIZE, 4.0))
        font_size = TABLE_SIZE if natural <= avail * 1.15 else TABLE_SIZE_SMALL
    args = dict(landscape=landscape, subtitle=subtitle, footer_lines=footer_lines,
                signature_lines=signature_lines, widths=widths, on_missing=on_missing, whole=whole)
    data, pages = _table_pdf(title, columns, rows, font_size=font_size, **args)
    if not fit_page or pages == 1:
        return data
    # Smaller type first, then closer rows: the first that fits one page.
    sizes = [font_size - 0.5 * k for k in range(1, int((font_size - FIT_MIN_SIZE) / 0.5) + 1)]
    for size, vpad in [(x, (3, 4)) for x in sizes] + [(x, TIGHT_VPAD) for x in [font_size, *sizes]]:
        smaller, n = _table_pdf(title, columns, rows, font_size=size, vpad=vpad, **args)
        if n == 1:
            return smaller
    if signature_lines and len(rows) > KEEP_WITH_SIGNATURES:
        # Only when the signatures would start a page of their own: on the table's last page they
        # already stand under its last rows, and a second header there would read as a new table.
        _bare, table_pages = _table_pdf(title, columns, rows, font_size=font_size,
                                        **{**args, "signature_lines": None, "footer_lines": None})
        if pages > table_pages:
            data, _ = _table_pdf(title, columns, rows, font_size=font_size, keep_last=KEEP_WITH_SIGNATURES, **args)
    return data


FIT_MIN_SIZE = 9.0  # below this a printed form is hard to read and to fill in by hand
TIGHT_VPAD = (1.5, 2.0)  # a fitted form's row padding (top, bottom), from (3, 4)
KEEP_WITH_SIGNATURES = 2  # rows carried onto the signatures' page when the table does not fit one


def _table_pdf(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    landscape: bool,
    subtitle: str | None,
    footer_lines: Sequence[str] | None,
    signature_lines: Sequence[str] | None,
    widths: Sequence[float] | None,
    font_size: float,
    on_missing: str | None,
    whole: Sequence[int],
    keep_last: int = 0,
    vpad: tuple[float, float] = (3, 4),
) -> tuple[bytes, int]:
    """The table document and its number of pages; ``keep_last`` rows are set as a table of their
    own (with the header) kept together with the notes and signatures."""
    guard = GlyphGuard(on_missing)
    buf = io.BytesIO()
    pagesize = landscape_of(A4) if landscape else A4
    doc = _Doc(buf, pagesize=pagesize, margins=TABLE_MARGINS, title=title)
    avail = doc.width
    if whole:
        # Columns that must not break inside get their width by a smaller font, never by a break
        # (thirteen departments' "不通过" beside an 18-digit ID number), down to 7.5 pt.
        grid = [[("" if v is None else str(v)) for v in r] + [""] * (len(columns) - len(r)) for r in rows[:2000]]
        while font_size > 7.5 and not _whole_fits(len(columns), whole, grid, avail, font_size, 4.0):
            font_size -= 0.5
    guard.check(title, "标题")
    story: list = [
        Paragraph(
            _balanced_lines(title, BOLD, 20, avail),
            _style("title", BOLD, 20, 30, alignment=TA_CENTER, spaceAfter=6),
        )
    ]
    if subtitle:
        story.append(
            Paragraph(
                _esc(guard.check(subtitle, "副标题")),
                _style("sub", REGULAR, TABLE_SIZE, alignment=TA_CENTER, spaceAfter=6),
            )
        )

    def grid_of(part):
        # Both parts are laid out from all the rows, so their columns line up.
        table = _grid_table(columns, rows, avail=avail, guard=guard, where="", font_size=font_size,
                            weights=widths, whole=whole, vpad=vpad)
        return _grid_table(columns, part, avail=avail, guard=guard, where="", font_size=font_size,
                           weights=widths, whole=whole, col_widths=table.widths, vpad=vpad)

    tail: list = []
    if keep_last:
        story.append(grid_of(rows[:-keep_last]))
        tail.append(grid_of(rows[-keep_last:]))
    else:
        story.append(
            _grid_table(
                columns, rows, avail=avail, guard=guard, where="", font_size=font_size, weights=widths, whole=whole,
                vpad=vpad,
            )
        )
    note = _style("note", REGULAR, TABLE_SIZE, TABLE_SIZE * 1.6, spaceBefore=2)
    if footer_lines:
        tail.append(Spacer(1, 6))
        tail.extend(Paragraph(_esc(guard.check(s, "表注")), note) for s in footer_lines)
    if signature_lines:
        tail.append(Spacer(1, 10))
        tail.append(KeepTogether([_signature_table(signature_lines, avail, guard)]))
    story.extend([KeepTogether(tail)] if keep_last else tail)
    guard.finish()
    _build(doc, story)
    return buf.getvalue(), doc.page


# ---------------------------------------------------------------- cards (选民证)

VOTER_CARD_FIELDS: tuple[tuple[str, str], ...] = (
    ("村（社区）", "village"),
    ("姓名", "name"),
    ("性别", "gender"),
    ("村民小组", "group"),
    ("选民证号", "number"),
)


def _draw_cut_lines(c: Canvas, x0, y0, cell_w, cell_h, ncols, nrows) -> None:
    c.saveState()
    c.setDash(5, 3)
    c.setLineWidth(0.6)
    c.setStrokeColor(BLACK)
    for i in range(ncols + 1):
        x = x0 + i * cell_w
        c.line(x, y0, x, y0 + nrows * cell_h)
    for j in range(nrows + 1):
        y = y0 + j * cell_h
        c.line(x0, y, x0 + ncols * cell_w, y)
    c.restoreState()


def cards_pdf(
    cards: Sequence[dict],
    *,
    title_text: str = "选民证",
    fields: Sequence[tuple[str, str]] = VOTER_CARD_FIELDS,
    per_page: int = 8,
    columns: int = 2,
    issuer: str | None = None,
    date_text: str | None = None,
    marker_text: str | None = "委托投票已交回",
    page_numbers: bool = True,
    on_missing: str | None = None,
) -> bytes:
    """Cards (选民证) ``per_page`` to an A4 page in ``columns`` columns, with dashed cut lines.

    Each card has the title, one line per (label, key) of ``fields`` read from the card dict,
    an optional tick box ``marker_text`` (e.g. 委托投票已交回), and the issuer and date at the
    bottom right (a card's own "issuer"/"date_text" keys win over the arguments).
    Drawn straight on the canvas with cached widths: 5,000 cards take a few seconds.
    """
    fonts.register_fonts()
    guard = GlyphGuard(on_missing)
    nrows = math.ceil(per_page / columns)
    margin = 8 * mm
    cell_w = (PAGE_W - 2 * margin) / columns
    cell_h = (PAGE_H - 2 * margin) / nrows
    inset = 3.5 * mm  # the printed border sits inside the cut line so a crooked cut keeps it whole
    pad = 4 * mm
    card_w = cell_w - 2 * inset
    card_h = cell_h - 2 * inset
    inner_w = card_w - 2 * pad

    title_size = min(20.0, card_h * 0.1)
    foot_size = min(11.0, card_h * 0.06)
    has_foot = bool(issuer or date_text or any(("issuer" in c or "date_text" in c) for c in cards))
    # The tick box shares the bottom line with the date, so the fields get the height.
    n_foot = 2 if has_foot else (1 if marker_text else 0)
    field_top = card_h - pad - title_size * 1.45
    field_bottom = pad + n_foot * foot_size * 1.4
    line_h = (field_top - field_bottom) / max(len(fields), 1)
    size = min(13.0, line_h * 0.62)
    labels = [guard.check(lab, "证件栏目") for lab, _ in fields]
    label_w = max((string_width(lab, REGULAR, size) for lab in labels), default=0)
    # Labels are spread to one width (姓　　名 / 村民小组), as on printed forms.
    label_space = [
        (label_w - string_width(lab, REGULAR, size)) / (len(lab) - 1) if len(lab) > 1 else 0 for lab in labels
    ]
    colon_w = string_width("：", REGULAR, size)
    value_w = inner_w - label_w - colon_w
    title_w = string_width(guard.check(title_text, "证件标题"), BOLD, title_size)
    title_space = title_size * 0.5
    title_w += title_space * (len(title_text) - 1)
    if marker_text:
        guard.check(marker_text, "证件栏目")

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=REGULAR)
    c.setTitle(title_text)
    c.setCreator(CREATOR)
    total_pages = max(1, math.ceil(len(cards) / per_page))
    y_top = PAGE_H - margin
    for page in range(total_pages):
        batch = cards[page * per_page : (page + 1) * per_page]
        used_rows = math.ceil(len(batch) / columns) if batch else nrows
        _draw_cut_lines(c, margin, PAGE_H - margin - used_rows * cell_h, cell_w, cell_h, columns, used_rows)
        c.setLineWidth(1.0)
        for k, card in enumerate(batch):
            col, row = k % columns, k // columns
            x = margin + col * cell_w + inset
            y = y_top - (row + 1) * cell_h + inset  # card's bottom-left corner
            c.rect(x, y, card_w, card_h)
            c.setFont(BOLD, title_size)
            c.drawString(
                x + (card_w - title_w) / 2, y + card_h - pad - title_size, title_text, charSpace=title_space
            )
            ty = y + field_top - line_h * 0.75
            lx = x + pad
            vx = lx + label_w + colon_w
            right = x + card_w - pad
            for (_, key), lab, sp in zip(fields, labels, label_space, strict=True):
                value = guard.check(card.get(key, ""), f"第 {page * per_page + k + 1} 张证件“{lab}”：")
                c.setFont(REGULAR, size)
                c.drawString(lx, ty, lab, charSpace=sp)
                c.drawString(lx + label_w, ty, "：")
                if value:
                    c.setFont(BOLD, fit_size(value, BOLD, size, value_w - 4))
                    c.drawString(vx + 2, ty, value)
                c.line(vx, ty - 3, right, ty - 3)
                ty -= line_h
            c.setFont(REGULAR, foot_size)
            iss = card.get("issuer", issuer)
            dt = card.get("date_text", date_text)
            if marker_text:
                room = inner_w - (string_width(str(dt), REGULAR, foot_size) + 8 if dt else 0) - foot_size - 4
                ms = fit_size(marker_text + "：", REGULAR, foot_size, room)
                c.setFont(REGULAR, ms)
                c.drawString(lx, y + pad, marker_text + "：")
                bx = lx + string_width(marker_text + "：", REGULAR, ms) + 1
                c.rect(bx, y + pad - 2, foot_size + 2, foot_size + 2)
                c.setFont(REGULAR, foot_size)
            if iss:
                c.drawRightString(
                    right, y + pad + (foot_size * 1.4 if dt else 0), guard.check(iss, "发证单位")
                )
            if dt:
                c.drawRightString(right, y + pad, guard.check(dt, "发证日期"))
        if page_numbers and total_pages > 1:
            c.setFont(REGULAR, 8)
            c.drawCentredString(PAGE_W / 2, 3 * mm, f"第 {page + 1} 页 共 {total_pages} 页")
        c.showPage()
    guard.finish()
    c.save()
    return buf.getvalue()


# ---------------------------------------------------------------- certificates (当选证书)

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..99 as written in ordinals: 12 -> 十二, 20 -> 二十, 10 -> 十."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def _term_text(term: object) -> str:
    if isinstance(term, int):
        return f"第{chinese_number(term)}届"
    s = str(term or "").strip()
    if not s:
        return ""
    if s.isdecimal():
        s = chinese_number(int(s))
    if not s.startswith("第"):
        s = "第" + s
    return s if s.endswith("届") else s + "届"


def certificate_text(item: dict) -> str:
    """The certificate body after "XXX同志：" (``item['text']`` overrides it)."""
    if item.get("text"):
        return str(item["text"])
    committee = item.get("committee", "村民委员会")
    post = str(item.get("post", ""))
    post_full = post if post.startswith(committee) else committee + post
    # 选举, or 推选 where a meeting chooses (the 村务监督委员会, R38)
    vote = item.get("vote") or "选举"
    if item.get("elected_by"):  # the meeting that elects (a party assembly), then the post in its term
        return (
            f"经{item['elected_by']}{vote}，当选为{item.get('village', '')}{_term_text(item.get('term'))}"
            f"{post_full}。\n特发此证。"
        )
    return (
        f"经{item.get('village', '')}{_term_text(item.get('term'))}{committee}{vote}，"
        f"当选为{post_full}。\n特发此证。"
    )


def certificate_pdf(
    items: Sequence[dict],
    *,
    title_text: str = "当选证书",
    issuer: str | None = None,
    date_text: str | None = None,
    on_missing: str | None = None,
) -> bytes:
    """当选证书, one per A4 landscape page.

    Item keys: ``name``; ``village``, ``term`` (int or "十二"), ``post`` (e.g. "主任"),
    ``committee`` (default 村民委员会), ``elected_by`` (the electing meeting, when it is not the
    body itself), ``vote`` (选举, or 推选 where a meeting chooses), or ``text`` for the whole body; ``issuer`` and
    ``date_text`` (per item, else the arguments).
    """
    fonts.register_fonts()
    guard = GlyphGuard(on_missing)
    size = landscape_of(A4)
    w, h = size
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=size, invariant=1, pageCompression=1, initialFontName=REGULAR)
    c.setTitle(title_text)
    c.setCreator(CREATOR)
    body_size = 26.0
    body_style = _style("cert", REGULAR, body_size, body_size * 1.9, firstLineIndent=2 * body_size)
    name_style = _style("certname", BOLD, body_size, body_size * 1.9)
    sign_size = 20.0
    guard.check(title_text, "证书标题")
    for n, item in enumerate(items or [{}], 1):
        where = f"第 {n} 张证书："
        name = guard.check(item.get("name", ""), where)
        text = guard.check(certificate_text(item), where)
        c.setStrokeColor(RED)
        c.setLineWidth(4)
        c.rect(12 * mm, 12 * mm, w - 24 * mm, h - 24 * mm)
        c.setLineWidth(1.2)
        c.rect(15 * mm, 15 * mm, w - 30 * mm, h - 30 * mm)
        c.setFillColor(RED)
        c.setFont(BOLD, 44)
        c.drawCentredString(w / 2, h - 52 * mm, title_text, charSpace=14)
        c.setFillColor(BLACK)
        left, right = 45 * mm, w - 45 * mm
        y = h - 80 * mm
        p = Paragraph(_esc(name) + "同志：", name_style)
        _, ph = p.wrap(right - left, 100 * mm)
        p.drawOn(c, left, y - ph)
        y -= ph + 4
        for part in text.split("\n"):
            p = Paragraph(_esc(part), body_style)
            _, ph = p.wrap(right - left, 100 * mm)
            p.drawOn(c, left, y - ph)
            y -= ph
        iss = item.get("issuer", issuer)
        dt = item.get("date_text", date_text)
        c.setFont(REGULAR, sign_size)
        base = 36 * mm
        if dt:
            c.drawRightString(right, base, guard.check(dt, where))
        if iss:
            c.drawRightString(right, base + sign_size * 1.8, guard.check(iss, where))
        c.showPage()
    guard.finish()
    c.save()
    return buf.getvalue()


# ---------------------------------------------------------------- ballots (选票)


@dataclass
class BallotPost:
    """One post on a ballot: candidates in the order given (e.g. 姓氏笔画), blank write-in slots."""

    name: str
    candidates: list[str]
    seats: int = 1
    write_ins: int = 1
    note: str | None = None  # replaces "应选 N 名" in the heading

    write_in_label: str = "另选他人"


CIRCLE = "circle"
APPROVE = "approve"

_CIRCLE_INSTRUCTIONS = (
    "同意候选人的，在其姓名下方的空格内画“○”；不同意的，不画任何符号。",
    "另选他人的，在“另选他人”栏内写上其姓名，并在下方空格内画“○”。",
    "每一职务所选人数不得多于应选人数，多于应选人数的，该职务选票无效。",
    "用黑色或蓝色笔填写，字迹清楚，不得使用规定以外的符号。",
)
_APPROVE_INSTRUCTIONS = (
    "对候选人，在其姓名下方“赞成”“反对”“弃权”三栏中选一栏画“○”，只能画一个。",
    "另选他人的，在“另选他人”栏内写上其姓名，并在其下方“赞成”栏内画“○”。",
    "每一职务赞成和另选的人数之和不得多于应选人数，多于应选人数的，该职务选票无效。",
    "用黑色或蓝色笔填写，字迹清楚，不得使用规定以外的符号。",
)
_NUMERALS = "一二三四五六七八九十"


class _Band(Flowable):
    """Full-width coloured band with a label (备用票), drawn inside the frame above the title."""

    def __init__(self, text: str, color, height: float = 10 * mm):
        super().__init__()
        self.text, self.color, self.height = text, color, height

    def wrap(self, aw, ah):
        self.width = aw
        return aw, self.height + 6

    def draw(self):
        c = self.canv
        c.setFillColor(self.color)
        c.setStrokeColor(BLACK)
        c.setLineWidth(1)
        c.rect(0, 6, self.width, self.height, stroke=1, fill=1)
        c.setFillColor(colors.white)
        c.setFont(BOLD, 16)
        label = "　　".join([self.text] * 3)
        c.drawCentredString(self.width / 2, 6 + self.height / 2 - 6, label)


def _ballot_band(post: BallotPost, mode: str, avail: float, scale: float) -> list[Table]:
    """One post as one or more table bands: a 姓名 row, then the marking row(s) under each name."""
    name_size = 16.0 * scale
    label_size = 12.0 * scale
    label_w = string_width("画票处", BOLD, label_size) + 8
    # A slot takes a name of up to 4 characters on one line; longer names wrap to two lines.
    slot_w = max(
        [60.0 * scale] + [min(string_width(n, BOLD, name_size), 4 * name_size) + 10 for n in post.candidates]
    )
    per_line = max(1, int((avail - label_w) // slot_w))
    slots = [(str(n), False) for n in post.candidates] + [("", True)] * post.write_ins
    n_bands = max(1, math.ceil(len(slots) / per_line))
    per_band = math.ceil(len(slots) / n_bands)  # balanced bands: 4+4 rather than 7+1
    mark_rows = ["赞成", "反对", "弃权"] if mode == APPROVE else ["画票处"]
    long_name = _style("bn", BOLD, name_size * 0.8, name_size * 0.95, alignment=TA_CENTER)
    tables = []
    for start in range(0, len(slots), per_band):
        band = slots[start : start + per_band]
        n = len(band)
        cand = [i for i, (_, w) in enumerate(band) if not w]
        wins = [i for i, (_, w) in enumerate(band) if w]
        head = [""] * (n + 1)
        if cand:
            head[1 + cand[0]] = "候选人"
        if wins:
            head[1 + wins[0]] = post.write_in_label
        names: list[object] = ["姓名"]
        wrapped = False
        for nm, _ in band:
            if nm and string_width(nm, BOLD, name_size) > slot_w - 8:
                names.append(Paragraph(_esc(nm), long_name))
                wrapped = True
            else:
                names.append(nm)
        data = [head, names]
        for m in mark_rows:
            # A write-in is only ever approved: its 反对/弃权 cells are struck out.
            data.append([m] + ["—" if (w and m != "赞成" and mode == APPROVE) else "" for _, w in band])
        heights = [20 * scale, None if wrapped else 32 * scale]
        heights += [24 * scale] * 3 if mode == APPROVE else [36 * scale]
        t = Table(data, colWidths=[label_w] + [slot_w] * n, rowHeights=heights, hAlign="LEFT")
        cmds = [
            ("FONT", (0, 0), (-1, -1), REGULAR, 13 * scale),
            ("FONT", (0, 0), (0, -1), BOLD, label_size),
            ("FONT", (1, 0), (-1, 0), BOLD, label_size),
            ("FONT", (1, 1), (-1, 1), BOLD, name_size),
            ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("GRID", (0, 0), (-1, -1), 1.0, BLACK),
            ("BOX", (0, 0), (-1, -1), 1.6, BLACK),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ]
        if cand:
            cmds.append(("SPAN", (1 + cand[0], 0), (1 + cand[-1], 0)))
        if wins:
            cmds.append(("SPAN", (1 + wins[0], 0), (1 + wins[-1], 0)))
            cmds.append(("LINEBEFORE", (1 + wins[0], 0), (1 + wins[0], -1), 1.6, BLACK))
        t.setStyle(TableStyle(cmds))
        tables.append(t)
    return tables


def ballot_pdf(
    title: str,
    posts: Sequence[BallotPost],
    *,
    subtitle: str | None = None,
    mode: str = CIRCLE,
    instructions: Sequence[str] | None = None,
    spare_label: str | None = None,
    spare_color=colors.HexColor("#C00000"),
    footer_note: str | None = None,
    copies: int = 1,
    on_missing: str | None = None,
    serial_start: int | None = 1,
    seal_label: str | None = "选举委员会盖章",
) -> bytes:
    """A 选票 on A4 portrait: title, 填票说明, one block per post, large type, heavy black lines.

    Each copy carries its serial number (``serial_start``, ``serial_start + 1`` …; None for none)
    at the top left and a box for the committee's seal (``seal_label``) at the top right: a ballot
    without the seal is not a ballot.

    ``mode`` CIRCLE: one box under each name to draw "○"; APPROVE: 赞成/反对/弃权 rows.
    Candidates are printed in the order given; each post gets ``write_ins`` blank 另选他人 slots.
    ``spare_label`` (e.g. "备用票") prints a coloured band with that text above the title.
    ``copies`` repeats the ballot on that many pages.
    """
    if mode not in (CIRCLE, APPROVE):
        raise ValueError(f"mode must be {CIRCLE!r} or {APPROVE!r}")
    guard = GlyphGuard(on_missing)
    buf = io.BytesIO()
    doc = _Doc(buf, pagesize=A4, margins=BALLOT_MARGINS, title=title)
    avail = doc.width
    if instructions is None:
        instructions = _APPROVE_INSTRUCTIONS if mode == APPROVE else _CIRCLE_INSTRUCTIONS
    guard.check(title, "标题")
    for s in (subtitle, footer_note, *instructions):
        guard.check(s, "选票文字")
    if spare_label:
        guard.check(spare_label, "备用票标记")
    for post in posts:
        guard.check(post.name, "职务")
        guard.check(post.note, "职务说明")
        for n in post.candidates:
            guard.check(n, f"{post.name}候选人：")
    guard.finish()

    def serial_and_seal(serial: int | None, scale: float) -> Table:
        small = _style("sn", REGULAR, 11 * scale, 14 * scale)
        seal = _style("seal", REGULAR, 10 * scale, 13 * scale, alignment=TA_CENTER)
        seal_w = 34 * mm
        left = Paragraph(f"编号：No. {serial:06d}" if serial is not None else "", small)
        right = Paragraph(_esc(seal_label or ""), seal)
        t = Table([[left, right]], colWidths=[avail - seal_w, seal_w], rowHeights=[22 * mm * scale])
        cmds = [
            ("VALIGN", (0, 0), (0, 0), "TOP"),
            ("VALIGN", (1, 0), (1, 0), "BOTTOM"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ]
        if seal_label:
            cmds.append(("BOX", (1, 0), (1, 0), 1.0, BLACK))
        t.setStyle(TableStyle(cmds))
        return t

    def one_ballot(scale: float, serial: int | None = None) -> list:
        # Built afresh per copy: flowables keep layout state once drawn.
        ins_style = _style("ins", REGULAR, 12.5 * scale, 19 * scale)
        head_style = _style("ph", BOLD, 16 * scale, 22 * scale, spaceBefore=10 * scale, spaceAfter=4 * scale)
        out: list = []
        if spare_label:
            out.append(_Band(spare_label, spare_color))
        if serial is not None or seal_label:
            out.append(serial_and_seal(serial, scale))
        out.append(
            Paragraph(
                _balanced_lines(title, BOLD, 24 * scale, avail),
                _style("t", BOLD, 24 * scale, 34 * scale, alignment=TA_CENTER),
            )
        )
        if subtitle:
            out.append(
                Paragraph(_esc(subtitle), _style("st", REGULAR, 14 * scale, 22 * scale, alignment=TA_CENTER))
            )
        out.append(Spacer(1, 6 * scale))
        if instructions:
            cells = [[Paragraph("<b>填票说明：</b>", ins_style)]]
            cells += [[Paragraph(f"{i}．{_esc(s)}", ins_style)] for i, s in enumerate(instructions, 1)]
            box = Table(cells, colWidths=[avail])
            box.setStyle(
                TableStyle(
                    [
                        ("BOX", (0, 0), (-1, -1), 1.2, BLACK),
                        ("LEFTPADDING", (0, 0), (-1, -1), 8),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                        ("TOPPADDING", (0, 0), (-1, -1), 1),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                        ("TOPPADDING", (0, 0), (-1, 0), 5),
                        ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
                    ]
                )
            )
            out.append(box)
        for i, post in enumerate(posts):
            num = _NUMERALS[i] if i < len(_NUMERALS) else str(i + 1)
            note = post.note if post.note is not None else f"应选 {post.seats} 名"
            small = 13 * scale
            block: list = [
                Paragraph(
                    f"{num}、{_esc(post.name)}<font size={small:.1f}>（{_esc(note)}）</font>", head_style
                )
            ]
            for t in _ballot_band(post, mode, avail, scale):
                block.extend([t, Spacer(1, 4 * scale)])
            out.append(KeepTogether(block))
        if footer_note:
            out.extend(
                [
                    Spacer(1, 10 * scale),
                    Paragraph(_esc(footer_note), _style("fn", REGULAR, 12, alignment=TA_RIGHT)),
                ]
            )
        return out

    # A ballot should be one sheet: shrink type and boxes a little (never below 72 %) until it fits.
    chosen = 0.72
    for scale in (1.0, 0.95, 0.9, 0.85, 0.8, 0.76, 0.72):
        trial = _Doc(io.BytesIO(), pagesize=A4, margins=BALLOT_MARGINS, title=title)
        trial.build(one_ballot(scale, serial_start))
        if trial.page == 1:
            chosen = scale
            break
    story: list = []
    for k in range(max(copies, 1)):
        if k:
            story.append(PageBreak())
        story.extend(one_ballot(chosen, None if serial_start is None else serial_start + k))
    _build(doc, story, page_numbers=False)
    return buf.getvalue()
