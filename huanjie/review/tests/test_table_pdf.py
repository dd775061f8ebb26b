"""The printable 资格联审表 per township: PDF (A4 landscape) and Excel."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from huanjie.review import services

from .review_helpers import add_departments, candidate, county_verdict, election_in, to_county

pytestmark = pytest.mark.django_db


@pytest.fixture
def table_world(world):
    add_departments(world)
    e1 = election_in(world, world.village_a1)
    e2 = election_in(world, world.village_a2)
    passed = to_county(world, candidate(e1, "周通过", post_code="director"))
    for code in ("gongan", "zuzhi", "fayuan"):
        services.record_verdict(world.users[f"dept_{code}"], county_verdict(passed, code), True)
    failed = to_county(world, candidate(e2, "吴不过"))
    services.record_verdict(
        world.users["dept_fayuan"],
        county_verdict(failed, "fayuan"),
        False,
        negative_item="N02",
        document_number="安法审〔2027〕2号",
    )
    e3 = election_in(world, world.village_b1)
    to_county(world, candidate(e3, "郑外乡"))
    return world


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(p.extract_text() for p in reader.pages)


def test_pdf_has_a_column_and_signature_line_per_department(table_world):
    world = table_world
    reader, text = pdf_text(services.joint_review_pdf(world.township_a, world.campaign))
    page = reader.pages[0]
    # A4 landscape: 842 × 595 pt.
    assert round(float(page.mediabox.width)) == 842 and round(float(page.mediabox.height)) == 595
    flat = text.replace("\n", "").replace(" ", "").replace("\u3000", "")
    assert "清溪镇" in flat and "资格联审表" in flat
    for name in ("县公安局", "县人民法院", "县委组织部"):
        assert f"{name}（盖章）审查人：" in flat, name
    assert "周通过" in flat and "吴不过" in flat
    assert "郑外乡" not in flat  # 石桥乡's candidate is on its own township's table
    assert "不通过N02" in flat and "安法审〔2027〕2号" in flat
    assert flat.count("年月日") >= 3  # one date after each department's signature line


def test_pdf_and_xlsx_through_the_views(table_world):
    world = table_world
    c = Client()
    c.force_login(world.users["township_a"])
    url = f"/review/township/{world.township_a.code}/table"
    r = c.get(url + ".pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "县人民法院" in pdf_text(r.content)[1].replace("\n", "")
    r = c.get(url + ".xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    cells = [[("" if v is None else str(v)) for v in row] for row in ws.iter_rows(values_only=True)]
    header = next(row for row in cells if "姓名" in row)
    # 8 fixed columns, then one per department in sort order (公安 0, 组织部 1, 法院 2), then the result.
    assert header[8:12] == ["县公安局", "县委组织部", "县人民法院", "审查结论"]
    row = next(row for row in cells if "吴不过" in row)
    assert row[10] == "不通过（N02）" and row[8] == "待审" and row[11] == "审查未通过"
    ids = [row[4] for row in cells if "周通过" in row]
    assert ids and len(ids[0]) == 18  # the ID number is kept as text, all 18 characters
    assert any("县公安局（盖章）审查人" in " ".join(row) for row in cells)


def test_id_numbers_and_names_do_not_wrap_with_thirteen_departments(table_world):
    """The issue: ID numbers wrapped onto a second line and names broke inside; seed 004 lists
    thirteen reviewing departments. Every ID number and every name stays on one line."""
    from huanjie.accounts.models import Department
    from huanjie.elections.nomination.models import Candidate

    world = table_world
    for i, name in enumerate(["县纪委监委", "县委政法委", "县委统战部", "县信访局", "县人民检察院", "县司法局",
                              "县自然资源局", "县生态环境局", "县农业农村局", "县住建局"], start=10):
        Department.objects.create(code=f"d{i}", name=name, sort_order=i)
    data = services.joint_review_pdf(world.township_a, world.campaign)
    reader = PdfReader(io.BytesIO(data))
    lines = [ln for p in reader.pages for ln in p.extract_text(extraction_mode="layout").splitlines()]
    for cand in Candidate.objects.filter(election__organization__code__startswith="130731100"):
        assert any(cand.person.id_number in ln for ln in lines), cand.person.id_number
        assert any(cand.person.name in ln for ln in lines), cand.person.name
    # "不通过" stays on one line (its item code N02 on the next), and so does the 审查结论.
    failed_row = [ln for ln in lines if "吴不过" in ln]
    assert failed_row and "不通过" in failed_row[0].replace(" ", ""), lines
    assert not any(ln.strip() in {"过", "不通"} or ln.rstrip().endswith("不通") for ln in lines), lines
    assert round(float(reader.pages[0].mediabox.width)) == 842  # still one A4 landscape page wide
    out = os.environ.get("HUANJIE_SHOTS")
    if out:  # to be looked at with pdftoppm
        Path(out, "资格联审表-13部门.pdf").write_bytes(data)
