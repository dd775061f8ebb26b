"""The archive package (立卷归档): one zip with every document, the data workbook and the index."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from pypdf import PdfReader

from huanjie.elections.aftervote import archive

from .aftervote_helpers import counted_election, make_election

pytestmark = pytest.mark.django_db


def _index(zf: zipfile.ZipFile) -> list[tuple]:
    ws = openpyxl.load_workbook(io.BytesIO(zf.read("index.xlsx"))).active
    rows = [tuple(c.value for c in r) for r in ws.iter_rows()]
    header = rows.index(tuple(archive.INDEX_COLUMNS))
    return rows[header + 1 :]


def test_archive_zip_holds_every_document_the_data_and_an_index(world):
    counted = counted_election(world)
    zf = zipfile.ZipFile(io.BytesIO(archive.archive_zip(counted.election)))
    names = set(zf.namelist())
    expected = {
        "00_卷内目录.pdf",
        "index.xlsx",
        "01_选民名单公告.pdf",
        "02_选民证.pdf",
        "03_资格联审表.pdf",
        "04_投票选举事项公告.pdf",
        "05_选举工作人员名单公告.pdf",
        "06_选票样张.pdf",
        "07_计票单_01_第1轮_中心会场.pdf",
        "08_选举结果公告.pdf",
        "09_选举结果报告单.pdf",
        "10_当选证书.pdf",
        "11_选举数据.xlsx",
    }
    assert expected == names
    for name in names:
        if name.endswith(".pdf"):
            assert zf.read(name).startswith(b"%PDF"), name

    index = _index(zf)
    by_file = {r[2]: r for r in index}
    # every archived file except the index itself is listed, numbered from 1 without gaps (the
    # issue: 03 was skipped); the index number is the file's number; what is missing comes last.
    assert {r[2] for r in index if r[2] != "—"} == names - {"00_卷内目录.pdf", "index.xlsx"}
    assert [r[0] for r in index] == list(range(1, len(index) + 1))
    assert all(r[2].startswith(f"{r[0]:02d}_") for r in index if r[2] != "—")
    assert {r[1] for r in index if r[2] == "—"} == {"东山村正式候选人名单公告", "东山村委托投票公告"}
    # pages as counted in the file: 3 certificates (主任, 副主任, 委员) on 3 pages
    assert by_file["10_当选证书.pdf"][4] == 3
    assert by_file["10_当选证书.pdf"][3] == "2026-03-20"
    assert by_file["09_选举结果报告单.pdf"][1] == "东山村选举结果报告单"
    # 40 voters, 8 cards to a page → 5 pages
    assert by_file["02_选民证.pdf"][4] == 5

    toc = " ".join(
        " ".join(p.extract_text(extraction_mode="layout").split())
        for p in PdfReader(io.BytesIO(zf.read("00_卷内目录.pdf"))).pages
    )
    assert "卷内目录" in toc and "东山村当选证书" in toc and "10_当选证书.pdf" in toc

    data = openpyxl.load_workbook(io.BytesIO(zf.read("11_选举数据.xlsx")))
    assert data.sheetnames == ["选民", "候选人", "计票单", "计票单明细", "计票结果", "当选人员", "工作移交"]
    voters = [r for r in data["选民"].iter_rows(values_only=True) if r[1] and str(r[1]).startswith("选民")]
    assert len(voters) == 40
    elected = [r for r in data["当选人员"].iter_rows(values_only=True) if r[0] in ("主任", "副主任", "委员")]
    assert sorted((r[0], r[1], int(r[3])) for r in elected) == [
        ("主任", "张国强", 24),
        ("副主任", "陈秀兰", 21),
        ("委员", "杨光", 20),
    ]


def test_archive_of_an_uncounted_election_lists_what_is_missing(world):
    election = make_election(world, voters=3)
    zf = zipfile.ZipFile(io.BytesIO(archive.archive_zip(election)))
    assert not any("选举结果公告" in n for n in zf.namelist())
    index = _index(zf)
    missing = [r for r in index if r[2] == "—"]
    assert {"东山村选举结果公告", "东山村选举结果报告单", "东山村当选证书"} <= {r[1] for r in missing}
    assert all(str(r[5]).startswith("未归档：") for r in missing)
    assert "01_选民名单公告.pdf" in zf.namelist()
