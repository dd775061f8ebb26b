"""Word notices: read the .docx back with python-docx and check text, layout and East Asian fonts."""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn

from huanjie.documents.render import TableSpec, notice_docx

RARE = ["亓建国", "禤丽娟", "隗志强", "昝海燕", "訾明", "逄春花", "阿依古丽·买买提"]


def build(**kw) -> docx.document.Document:
    data = notice_docx(
        "某某村选民名单公告",
        ["经村民选举委员会登记审核，现将选民名单公告如下：", "如有异议，请于5日内提出。"],
        "某某村村民选举委员会",
        "2021年3月1日",
        **kw,
    )
    assert data[:2] == b"PK"  # a .docx is a zip file
    return docx.Document(io.BytesIO(data))


def east_asia_font(run) -> str | None:
    rfonts = run._element.rPr.find(qn("w:rFonts"))
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


def test_text_and_order():
    d = build()
    texts = [p.text for p in d.paragraphs if p.text]
    assert texts == [
        "某某村选民名单公告",
        "经村民选举委员会登记审核，现将选民名单公告如下：",
        "如有异议，请于5日内提出。",
        "某某村村民选举委员会",
        "2021年3月1日",
    ]


def test_a4_with_gongwen_margins():
    s = build().sections[0]
    # python-docx stores lengths in EMU; compare in whole millimetres.
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [
        37,
        35,
        28,
        26,
    ]


def test_east_asian_fonts_are_set():
    d = build()
    title = d.paragraphs[0]
    assert east_asia_font(title.runs[0]) == "宋体"
    assert title.runs[0].font.bold and title.runs[0].font.size.pt == 22
    body = d.paragraphs[1]
    assert east_asia_font(body.runs[0]) == "仿宋" and body.runs[0].font.size.pt == 16
    normal = d.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋"


def test_table_with_records_side_by_side():
    # 7 records, 2 per printed row: ceil(7 / 2) = 4 data rows + 1 header row; 2 x 2 = 4 columns.
    rows = [[n, "男" if i % 2 else "女"] for i, n in enumerate(RARE)]
    d = build(tables=[TableSpec(["姓名", "性别"], rows, caption="第一村民小组", repeat=2)])
    assert "第一村民小组" in [p.text for p in d.paragraphs]
    t = d.tables[0]
    cells = [[c.text for c in r.cells] for r in t.rows]
    assert len(cells) == 5 and all(len(r) == 4 for r in cells)
    assert cells[0] == ["姓名", "性别", "姓名", "性别"]
    assert cells[1] == ["亓建国", "女", "禤丽娟", "男"]
    assert cells[4] == ["阿依古丽·买买提", "女", "", ""]
    # header row repeats on each printed page
    assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert east_asia_font(t.rows[1].cells[0].paragraphs[0].runs[0]) == "宋体"


def test_footer_has_page_number_fields():
    xml = build().sections[0].footer._element.xml
    assert "PAGE" in xml and "NUMPAGES" in xml and "第 " in xml
