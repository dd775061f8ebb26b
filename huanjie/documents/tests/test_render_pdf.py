"""PDF builders: generate each document, read it back with pypdf and check what a person would see."""

from __future__ import annotations

import io
import logging
import re
import struct

import pypdf
import pytest

from huanjie.documents.render import (
    APPROVE,
    BallotPost,
    MissingGlyphError,
    TableSpec,
    ballot_pdf,
    cards_pdf,
    certificate_pdf,
    missing_glyphs,
    notice_pdf,
    table_pdf,
)
from huanjie.documents.render.fonts import BOLD, FONT_FILES, REGULAR
from huanjie.documents.render.pdf import certificate_text, chinese_number

RARE_SURNAMES = list("亓禤隗昝訾逄厍郗佘冼邝鄢蒯晁彧翟犇淼")
MINORITY_NAME = "阿依古丽·买买提"
EXT_B = "\U00020000"  # 𠀀, CJK Extension B: not in Noto Serif SC
A4_W, A4_H = 595.28, 841.89  # 210 mm and 297 mm at 72 pt per 25.4 mm


def rare_names() -> list[str]:
    # One name per rare surname, each with a distinct given name so every row can be found.
    given = "一二三四五六七八九十甲乙丙丁戊己庚辛"
    return [s + "建" + g for s, g in zip(RARE_SURNAMES, given, strict=True)]


def reader(data: bytes) -> pypdf.PdfReader:
    assert data.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(data))


def page_texts(data: bytes) -> list[str]:
    return [p.extract_text() for p in reader(data).pages]


def flat(text: str) -> str:
    """Text with all whitespace removed: line breaks fall anywhere in wrapped Chinese text."""
    return re.sub(r"\s+", "", text)


def embedded_fonts(data: bytes) -> set[str]:
    """Base names of the fonts on the pages, each checked to carry its TrueType program (/FontFile2)."""
    out: set[str] = set()
    for page in reader(data).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            parts = [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]
            descriptors = [p["/FontDescriptor"].get_object() for p in parts if "/FontDescriptor" in p]
            assert any("/FontFile2" in d for d in descriptors), f"{font['/BaseFont']} is not embedded"
            out.add(str(font["/BaseFont"]).split("+")[-1])
    return out


def page_size(page) -> tuple[float, float]:
    box = page.mediabox
    return round(float(box.width), 2), round(float(box.height), 2)


def ttf_cmap_codepoints(path) -> set[int]:
    """Code points of a TrueType file read straight from its format-12 cmap (independent of reportlab)."""
    data = path.read_bytes()
    num_tables = struct.unpack(">H", data[4:6])[0]
    for i in range(num_tables):
        tag, _, offset, _ = struct.unpack(">4sIII", data[12 + 16 * i : 28 + 16 * i])
        if tag == b"cmap":
            cmap = offset
            break
    n_sub = struct.unpack(">H", data[cmap + 2 : cmap + 4])[0]
    for i in range(n_sub):
        plat, enc, sub_off = struct.unpack(">HHI", data[cmap + 4 + 8 * i : cmap + 12 + 8 * i])
        base = cmap + sub_off
        if (plat, enc) == (3, 10) and struct.unpack(">H", data[base : base + 2])[0] == 12:
            n_groups = struct.unpack(">I", data[base + 12 : base + 16])[0]
            points: set[int] = set()
            for g in range(n_groups):
                start, end, _ = struct.unpack(">III", data[base + 16 + 12 * g : base + 28 + 12 * g])
                points.update(range(start, end + 1))
            return points
    raise AssertionError("no format-12 Unicode cmap")


# ---------------------------------------------------------------- glyph coverage


def test_font_really_has_the_rare_surnames_and_lacks_extension_b():
    points = ttf_cmap_codepoints(FONT_FILES[REGULAR])
    for ch in RARE_SURNAMES + list(MINORITY_NAME):
        assert ord(ch) in points, ch
    assert 0x20000 not in points


def test_missing_glyphs_accepts_rare_surnames_in_both_weights():
    text = "".join(RARE_SURNAMES) + MINORITY_NAME
    assert missing_glyphs(text) == []
    assert missing_glyphs(text, BOLD) == []


def test_missing_glyphs_reports_each_missing_character_once_in_order():
    assert missing_glyphs(f"王{EXT_B}明{EXT_B}") == [EXT_B]
    # Line breaks and tabs are layout, not glyphs.
    assert missing_glyphs("张三\n李四\t") == []


def test_notice_refuses_a_name_the_font_cannot_draw():
    with pytest.raises(MissingGlyphError) as err:
        notice_pdf(
            "选民名单公告",
            ["现公告如下："],
            issuer="某村村民选举委员会",
            date_text="2021年3月1日",
            sections=[("第一村民小组", [["张三", "男"], [f"王{EXT_B}", "女"]])],
        )
    message = str(err.value)
    assert f"王{EXT_B}" in message and "U+20000" in message and "第一村民小组" in message


def test_missing_glyph_can_be_logged_instead(caplog):
    with caplog.at_level(logging.WARNING):
        data = notice_pdf(
            "公告",
            [f"王{EXT_B}"],
            issuer="某村",
            date_text="2021年3月1日",
            on_missing="log",
        )
    assert len(reader(data).pages) == 1
    assert "U+20000" in caplog.text


def test_cards_report_all_bad_names_together():
    cards = [{"name": f"王{EXT_B}"}, {"name": "张三"}, {"name": f"李{EXT_B}"}]
    with pytest.raises(MissingGlyphError) as err:
        cards_pdf(cards)
    assert len(err.value.problems) == 2
    assert "第 1 张" in str(err.value) and "第 3 张" in str(err.value)


# ---------------------------------------------------------------- notice


def test_notice_with_grouped_voters():
    names = rare_names()
    group1 = [[n, "男" if i % 2 else "女"] for i, n in enumerate(names[:10])]
    group2 = [[n, "男"] for n in names[10:]] + [[MINORITY_NAME, "女"]]
    data = notice_pdf(
        "某某村第十二届村民委员会选举选民名单公告",
        ["经村民选举委员会登记审核，现将选民名单公告如下："],
        issuer="某某村村民选举委员会",
        date_text="2021年3月1日",
        sections=[("第一村民小组（共 10 人）", group1), ("第二村民小组（共 9 人）", group2)],
        tables=[TableSpec(["姓名", "原因"], [["张三", "已迁出"]], caption="不予登记名单")],
        stamp=True,
        red_header="某某村村民选举委员会",
    )
    r = reader(data)
    texts = [p.extract_text() for p in r.pages]
    all_text = flat("".join(texts))
    assert "某某村第十二届村民委员会选举选民名单公告" in all_text
    for n in names + [MINORITY_NAME]:
        assert n in all_text, n
    for s in (
        "第一村民小组（共10人）",
        "第二村民小组（共9人）",
        "不予登记名单",
        "已迁出",
        "（盖章）",
        "2021年3月1日",
    ):
        assert s in all_text, s
    for i, page in enumerate(r.pages, 1):
        assert page_size(page) == (A4_W, A4_H)
        assert f"第 {i} 页 共 {len(r.pages)} 页" in texts[i - 1]
    assert embedded_fonts(data) == {
        "NotoSerifSC-Regular",
        "NotoSerifSC-Bold",
    }  # regular and bold both embedded (as subsets)


def test_notice_lays_voters_several_to_a_row():
    # 40 voters, name+gender, section_repeat=4: 40 / 4 = 10 printed rows, so one page.
    rows = [[f"张{chinese_number(i + 1)}", "男"] for i in range(40)]
    data = notice_pdf(
        "选民名单",
        [],
        issuer="某村",
        date_text="2021年3月1日",
        sections=[("第一组", rows)],
        section_repeat=4,
    )
    text = page_texts(data)
    assert len(text) == 1
    # the header "姓名 性别" appears once per record column: 4 times
    assert flat(text[0]).count("姓名性别") == 4


def test_long_title_is_broken_into_even_lines():
    # 32 characters at 22 pt = 704 pt; text width 210 - 28 - 26 = 156 mm = 442 pt: two lines of 16.
    title = "某某县某某镇某某村第十二届村民委员会选举选民名单及有关事项的公告"
    assert len(title) == 32
    data = notice_pdf(title, ["正文。"], issuer="某村", date_text="2021年3月1日")
    lines = [ln for ln in page_texts(data)[0].splitlines() if ln.strip()]
    first, second = lines[0].strip(), lines[1].strip()
    assert first + second == title
    assert len(first) == len(second) == 16


# ---------------------------------------------------------------- long table


def test_table_repeats_header_on_every_page():
    columns = ["序号", "姓名", "身份证号", "县委组织部", "县公安局", "县民政局"]
    rows = [
        [str(i + 1), rare_names()[i % 18], f"11010519491231{i:04d}", "通过", "通过", "通过"]
        for i in range(120)
    ]
    rows[7][5] = "不通过：近三年内受过党纪处分，尚在处分影响期内"
    data = table_pdf(
        "候选人资格联审表",
        columns,
        rows,
        landscape=True,
        subtitle="填报单位：某某镇",
        footer_lines=["注：不通过的须注明原因。"],
        signature_lines=["县委组织部审查人", "县公安局审查人"],
    )
    r = reader(data)
    texts = [p.extract_text() for p in r.pages]
    assert len(r.pages) > 1
    for i, (page, text) in enumerate(zip(r.pages, texts, strict=True), 1):
        assert page_size(page) == (A4_H, A4_W)  # landscape
        assert "身份证号" in text, f"page {i} lacks the header"
        assert f"第 {i} 页 共 {len(r.pages)} 页" in text
    all_text = flat("".join(texts))
    for i in range(120):
        assert f"11010519491231{i:04d}" in all_text
    for s in (
        "候选人资格联审表",
        "填报单位：某某镇",
        "尚在处分影响期内",
        "县公安局审查人：",
        "注：不通过的须注明原因。",
    ):
        assert s in all_text, s
    assert embedded_fonts(data) == {"NotoSerifSC-Regular", "NotoSerifSC-Bold"}


def test_portrait_table_is_a4():
    data = table_pdf("计票单", ["候选人", "得票"], [["亓建国", "12"]])
    assert page_size(reader(data).pages[0]) == (A4_W, A4_H)


# ---------------------------------------------------------------- cards


def test_voter_cards_eight_to_a_page():
    names = rare_names() + [MINORITY_NAME, "张三"]  # 20 cards
    cards = [
        {"village": "某某村", "name": n, "gender": "男", "group": "第一村民小组", "number": f"NO{i + 1:04d}"}
        for i, n in enumerate(names)
    ]
    data = cards_pdf(cards, issuer="某某村村民选举委员会", date_text="2021年3月10日")
    r = reader(data)
    assert len(r.pages) == 3  # 20 cards / 8 per page = 2.5 -> 3 pages
    texts = [flat(p.extract_text()) for p in r.pages]
    assert sum(t.count("委托投票已交回") for t in texts) == 20
    assert sum(t.count("某某村村民选举委员会") for t in texts) == 20
    assert texts[0].count("NO0") == 8 and texts[2].count("NO0") == 4
    for i, n in enumerate(names):
        page = texts[i // 8]
        assert n in page and f"NO{i + 1:04d}" in page, n
    assert page_size(r.pages[0]) == (A4_W, A4_H)
    assert embedded_fonts(data) == {"NotoSerifSC-Regular", "NotoSerifSC-Bold"}


# ---------------------------------------------------------------- certificates


def test_chinese_numbers_for_terms():
    assert [chinese_number(n) for n in (1, 10, 12, 20, 21, 99)] == [
        "一",
        "十",
        "十二",
        "二十",
        "二十一",
        "九十九",
    ]


def test_certificate_text_from_parts():
    item = {"name": "亓建国", "village": "某某村", "term": 12, "post": "主任"}
    assert certificate_text(item) == "经某某村第十二届村民委员会选举，当选为村民委员会主任。\n特发此证。"
    assert "当选为村民委员会委员" in certificate_text({**item, "post": "村民委员会委员", "term": "第十二届"})


def test_certificates_one_per_landscape_page():
    items = [
        {"name": "亓建国", "village": "某某村", "term": 12, "post": "主任", "issuer": "某某镇人民政府"},
        {"name": MINORITY_NAME, "village": "某某村", "term": "十二", "post": "委员"},
    ]
    data = certificate_pdf(items, date_text="2021年3月20日")
    r = reader(data)
    assert len(r.pages) == 2
    assert page_size(r.pages[0]) == (A4_H, A4_W)
    first, second = (flat(p.extract_text()) for p in r.pages)
    assert "亓建国同志：经某某村第十二届村民委员会选举，当选为村民委员会主任。特发此证。" in first
    assert "某某镇人民政府" in first and "2021年3月20日" in first
    assert f"{MINORITY_NAME}同志：" in second and "当选为村民委员会委员" in second


# ---------------------------------------------------------------- ballots

POSTS = [
    BallotPost("主任", ["亓建国", "禤丽娟"], seats=1, write_ins=1),
    BallotPost("副主任", ["隗志强", "昝海燕"], seats=1, write_ins=1),
    BallotPost("委员", [MINORITY_NAME, "冼红梅", "邝国庆", "鄢春花", "蒯明"], seats=3, write_ins=3),
]


def test_ballot_fits_one_page_with_candidates_in_given_order():
    data = ballot_pdf(
        "某某村第十二届村民委员会选举选票", POSTS, subtitle="2021年3月20日", spare_label="备用票"
    )
    r = reader(data)
    assert len(r.pages) == 1
    text = flat(r.pages[0].extract_text())
    positions = [text.index(n) for p in POSTS for n in p.candidates]
    assert positions == sorted(positions)
    for s in ("某某村第十二届村民委员会选举选票", "填票说明", "应选3名", "备用票", "另选他人", "画票处"):
        assert s in text, s


def test_ballot_lines_are_black_and_not_thin():
    data = ballot_pdf("选票", POSTS)
    content = reader(data).pages[0].get_contents().get_data().decode("latin-1")
    widths = [float(w) for w in re.findall(r"(?<![\d.])(\d*\.?\d+) w\b", content)]
    assert widths and min(widths) >= 0.8
    # every stroke colour is black (0 0 0 RG); fills may be anything (text is black too)
    strokes = re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) RG", content)
    assert strokes and all(float(x) == 0 for s in strokes for x in s)


def test_approve_ballot_has_three_choice_rows_and_copies():
    data = ballot_pdf("选票", POSTS[:1], mode=APPROVE, copies=3)
    r = reader(data)
    assert len(r.pages) == 3
    text = flat(r.pages[2].extract_text())
    for s in ("赞成", "反对", "弃权", "亓建国", "禤丽娟"):
        assert s in text


def test_ballot_rejects_unknown_mode():
    with pytest.raises(ValueError):
        ballot_pdf("选票", POSTS, mode="tick")


def test_no_line_opens_with_a_full_width_comma_in_a_single_fragment_paragraph():
    """A paragraph of one fragment (a certificate's text) wraps in reportlab's textsplit, whose
    list of characters that cannot start a line lacked "，": the comma hangs on the line before."""
    from reportlab.lib.pagesizes import landscape
    from reportlab.platypus import Paragraph

    from huanjie.documents.render import fonts, pdf

    fonts.register_fonts()
    style = pdf._style("cert", pdf.REGULAR, 26.0, 26 * 1.9, firstLineIndent=52)
    text = "经中共东山村支部委员会第一次全体会议选举，当选为东山村第十二届党支部委员会书记。"
    p = Paragraph(text, style)
    p.wrap(landscape(pdf.A4)[0] - 90 * pdf.mm, 400)
    lines = ["".join(words) for _, words in p.blPara.lines]
    assert len(lines) == 2 and "".join(lines) == text
    assert not any(line[0] in "，；：！？" for line in lines)


def _index_rows(n: int) -> list[list[str]]:
    return [[str(i), f"东山村第{i}号文件", f"{i:02d}_计票单_第1轮_第二投票站.pdf", "2026-11-21", "1", ""]
            for i in range(1, n + 1)]


def _index_pdf(rows, **kw) -> bytes:
    return table_pdf(
        "东山村第十二届村民委员会选举档案卷内目录", ["序号", "文件名称", "文件", "日期", "页数", "备注"], rows,
        subtitle="立卷单位：东山村村民选举委员会", widths=[0.6, 4, 4, 1.4, 0.8, 2], whole=[0, 2, 3],
        landscape=True, signature_lines=["立卷人", "检查人"], **kw,
    )


def test_an_index_of_eighteen_files_fits_one_page_with_its_signatures():
    """A walk found the archive's 卷内目录 of 16–18 entries pushing its 立卷人/检查人 lines onto a page
    of their own: with ``fit_page`` the table shrinks (not below 9 pt) to fit one A4 page."""
    r = reader(_index_pdf(_index_rows(18), fit_page=True))
    assert len(r.pages) == 1
    text = flat(r.pages[0].extract_text())
    assert "18_计票单" in text and "立卷人：" in text and "检查人：" in text


def test_a_long_index_keeps_its_signatures_with_its_last_rows():
    """When the table cannot fit one page, the signatures are never alone on the last page: they
    go there with the table's last rows (under the repeated header)."""
    for n in range(19, 40):
        r = reader(_index_pdf(_index_rows(n), fit_page=True))
        last = flat(r.pages[-1].extract_text())
        assert "检查人：" in last, n
        assert f"{n}_计票单" in last, n  # never a page of signature lines alone
        assert "文件名称" in last, n  # the header repeats above the rows carried over
        assert last.count("文件名称") == 1, n  # one table per page, never a second header under rows
