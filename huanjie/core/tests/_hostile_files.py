"""Crafted spreadsheets an attacker (or a broken exporter) would send, built byte by byte here so
that the tests do not depend on a library refusing to write them."""

from __future__ import annotations

import io
import zipfile

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    b'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    b'<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
# A roster header so that the sheet would be a roster if it could be read.
_HEADER = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>\xe5\xa7\x93\xe5\x90\x8d</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>\xe8\xba\xab\xe4\xbb\xbd\xe8\xaf\x81\xe5\x8f\xb7</t></is></c></row>'
)


def xlsx(sheet_xml: bytes, padding: int = 0) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if padding:  # incompressible bytes, to reach the size of the file that was reported
            import random

            z.writestr("docProps/padding.bin", random.Random(1).randbytes(padding), zipfile.ZIP_STORED)
    return buf.getvalue()


def far_cell_xlsx(declared: bool = True) -> bytes:
    """One cell at XFD1048576; with ``declared`` the sheet says ``<dimension ref="A1:XFD1048576"/>``
    (the reported 4.7 KB file: a reader that trusts it allocates ~512 GB)."""
    dimension = b'<dimension ref="A1:XFD1048576"/>' if declared else b""
    body = (
        _SHEET_OPEN + dimension + b"<sheetData>" + _HEADER
        + b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        + b"</sheetData></worksheet>"
    )
    data = xlsx(body)
    return xlsx(body, padding=max(0, 4700 - len(data) - 120))


def zip_bomb_xlsx(megabytes: int = 181) -> bytes:
    """A sheet of identical rows that deflate squeezes several hundred-fold (the reported file:
    707 KB expanding to 181 MB)."""
    row = b'<row><c t="inlineStr"><is><t>aaaaaaaaaaaaaaaaaaaa</t></is></c></row>'
    body = _SHEET_OPEN + b"<sheetData>" + _HEADER + row * (megabytes * 1024 * 1024 // len(row)) + b"</sheetData>"
    return xlsx(body + b"</worksheet>")


def tall_xlsx(rows: int) -> bytes:
    """An honest-looking sheet with many numbered rows (ratio ~10×), to reach the child's limits."""
    body = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d"><v>%d</v></c></row>' % (i, i, i, i, i * 7)
                    for i in range(2, rows + 2))
    return xlsx(_SHEET_OPEN + b"<sheetData>" + _HEADER + body + b"</sheetData></worksheet>")


def big_csv(megabytes: int = 50) -> bytes:
    line = "张三,110105194912310021,第一组,东山村一号\n".encode()
    return "姓名,身份证号,村民小组,家庭住址\n".encode() + line * (megabytes * 1024 * 1024 // len(line) + 1)
