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
    assert {r[1] for r in index if r[2] == "—"} == {"东山村正式候选人名单公告", "东山村委托投票公告", "东山村工作移交清单"}
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


def test_archive_closes_with_the_handover_list_and_dates_the_cards_by_the_list(world):
    """Walking a village to the archive (issue 11): the file ends with the 工作移交清单 once the
    handover is recorded (its names, dates and signature lines), and the voter cards carry the
    day the list was published, not the day the archive was made."""
    import datetime as dt

    from huanjie.elections.aftervote import services as aftervote
    from huanjie.elections.models import StepRecord

    from .workflow_helpers import past_campaign

    past_campaign(world)
    counted = counted_election(world)
    election = counted.election
    StepRecord.objects.create(election=election, key="voter_list_published", done_on=dt.date(2026, 2, 27))
    clerk = world.users["village_a1"]
    for kind, day in (("seals", dt.date(2026, 3, 24)), ("files", dt.date(2026, 3, 26)), ("assets", dt.date(2026, 3, 28))):
        aftervote.save_handover(clerk, election, kind, {
            "handed_over_on": day, "handed_by": "王老主任", "received_by": "张国强", "supervised_by": "镇包村干部",
            "signed": True, "description": "清单一份",
        })
    zf = zipfile.ZipFile(io.BytesIO(archive.archive_zip(election)))
    index = _index(zf)
    last = index[-1] if index[-1][2] != "—" else next(r for r in index if "工作移交清单" in str(r[1]))
    assert last[1] == "东山村工作移交清单" and last[2].endswith("_工作移交清单.pdf") and last[3] == "2026-03-28"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(zf.read(last[2]))).pages).replace(" ", "")
    for want in ("工作移交清单", "公章", "文书档案", "三资", "王老主任", "张国强", "镇包村干部", "2026年3月28日", "监交人"):
        assert want in text, want
    cards = next(n for n in zf.namelist() if n.endswith("_选民证.pdf"))
    cards_text = PdfReader(io.BytesIO(zf.read(cards))).pages[0].extract_text().replace(" ", "")
    assert "2026年2月27日" in cards_text


def test_handover_list_pdf_through_its_page(world, client_for):
    import datetime as dt

    from huanjie.elections.aftervote import services as aftervote

    from .workflow_helpers import past_campaign

    past_campaign(world)
    election = counted_election(world).election
    c = client_for("village_a1")
    page = c.get(f"/elections/{election.pk}/results/handover/").content.decode()
    assert 'id="handover-pdf"' not in page  # nothing recorded: nothing to print
    aftervote.save_handover(world.users["village_a1"], election, "seals", {
        "handed_over_on": dt.date(2026, 3, 24), "handed_by": "王老主任", "received_by": "张国强",
        "supervised_by": "镇包村干部", "signed": True, "description": "村委会公章一枚",
    })
    page = c.get(f"/elections/{election.pk}/results/handover/").content.decode()
    assert 'id="handover-pdf"' in page
    r = c.get(f"/elections/{election.pk}/results/handover.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content)).pages)
    assert "村委会公章一枚" in text.replace(" ", "") and "尚未完成签字移交" in text.replace(" ", "")
    # The 清单说明 column keeps at least four characters a line beside the columns kept whole (it
    # was squeezed to one character a line).
    data = b"".join(r.streaming_content) if r.streaming else r.content
    lines = PdfReader(io.BytesIO(data)).pages[0].extract_text(extraction_mode="layout").splitlines()
    assert any("村委会公章" in ln.replace(" ", "") for ln in lines), lines


def test_archive_holds_a_sample_ballot_of_every_round_voted_on(world):
    """A 另行选举 has its own ballot (only the posts still open): the archive holds both."""
    import datetime as dt

    from huanjie.elections.models import Post, Round

    from .aftervote_helpers import FIRST_ROUND, count_round
    from .workflow_helpers import past_campaign

    past_campaign(world)
    election = make_election(world)
    first_scenario = {
        **FIRST_ROUND,
        "votes": {**FIRST_ROUND["votes"], Post.DIRECTOR: [("张国强", "M", 18), ("刘德明", "M", 13)]},
    }
    first = count_round(election, world.users["village_a1"], first_scenario)
    runoff = {"issued": 38, "returned": 30, "blank": 0, "invalid": 0,
              "votes": {Post.DIRECTOR: [("张国强", "M", 20), ("刘德明", "M", 10)]}, "write_ins": {}}
    count_round(election, world.users["village_a1"], runoff, number=2, kind=Round.RUNOFF,
                created_from=first.round, held_on=dt.date(2026, 3, 27))
    zf = zipfile.ZipFile(io.BytesIO(archive.archive_zip(election)))
    by_title = {r[1]: r for r in _index(zf)}
    assert by_title["东山村选票样张（第1轮）"][3] == "2026-03-20"
    second = by_title["东山村选票样张（第2轮）"]
    # This scenario's 另行选举 has no candidate rows of its own (the helper counts names only): the
    # index still lists its ballot, dated on its day, and says why it is not in the file.
    assert second[3] == "2026-03-27"
    assert second[2].endswith("_选票样张_第2轮.pdf") or str(second[5]).startswith("未归档：")
    numbers = [r[0] for r in _index(zf)]
    assert numbers == list(range(1, len(numbers) + 1))
