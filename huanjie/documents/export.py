"""One Excel export for every list an office works from.

A list view answers ``?format=xlsx`` (the same filters as the page, every row, not one page) by
handing its columns and rows to :func:`xlsx_response`; the page shows the link with
``templates/core/_export_link.html``. The workbook is :func:`render.excel.workbook_bytes`: title
row, bold header, frozen panes, ID numbers and codes kept as text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

from .render.excel import SheetSpec, workbook_bytes

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def wants_xlsx(request) -> bool:
    return request.GET.get("format") == "xlsx"


def xlsx_response(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    subtitle: str | None = None,
    text_columns: Sequence[int | str] = (),
    sheet: str = "",
    extra_sheets: Sequence[SheetSpec] = (),
) -> HttpResponse:
    """The list as a workbook named after its title and today's date: one sheet, then
    ``extra_sheets`` (a page showing two lists, as the dashboards' committees and party elections)."""
    today = timezone.localdate()
    spec = SheetSpec(
        name=(sheet or title)[:31],
        title=title,
        columns=list(columns),
        rows=[list(r) for r in rows],
        text_columns=text_columns,
        subtitle=subtitle or f"导出日期：{today:%Y年%m月%d日}",
    )
    response = HttpResponse(workbook_bytes([spec, *extra_sheets]), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{title}-{today:%Y%m%d}.xlsx')}"
    return response
