"""Delegate structure targets (seed 003 (二)(2)): each candidate's category is recorded when added,
corrected by the township until the list is approved, and counted on the unit's page (its
candidates) and the congress page (candidates and elected delegates) with the figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from huanjie.accounts.models import AuditRecord
from huanjie.congress import services
from huanjie.congress.models import CandidateCategory
from huanjie.elections.models import Candidate

from .test_delegates import approved  # noqa: F401  (fixture)
from .test_planning import town  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _unit_election(world, approved):  # noqa: F811
    t = world.users["township_a"]
    unit = approved.units.get(number=2)  # 30 members, 3 seats
    de = services.create_delegate_election(t, unit, timezone.localdate() - dt.timedelta(days=10))
    return t, de, services.members_with_vote(unit, de.election.election_date)


def test_category_is_required_and_checked_nothing_saved(world, approved):  # noqa: F811
    t, de, members = _unit_election(world, approved)
    name = members[0].person.name
    with pytest.raises(services.CongressInvalid) as exc:
        services.add_candidate(t, de, members[0].person, category="")
    assert exc.value.errors == {"category": f"{name}：请选择代表候选人类别"}
    with pytest.raises(services.CongressInvalid, match="不在可选范围内"):
        services.add_candidate(t, de, members[0].person, category="boss")
    assert not Candidate.objects.filter(election=de.election).exists()
    cand = services.add_candidate(t, de, members[0].person, category="cadre")
    assert cand.delegate_category.category == "cadre"


def test_township_edits_the_category_until_the_list_is_approved(world, approved):  # noqa: F811
    t, de, members = _unit_election(world, approved)
    cands = [services.add_candidate(t, de, m.person, category="cadre") for m in members[:4]]
    with pytest.raises(services.CongressError, match="由乡镇党委修改"):
        services.set_candidate_category(world.users["county"], de, cands[0], "front_line")
    with pytest.raises(services.CongressError, match="不能"):
        services.set_candidate_category(world.users["observer"], de, cands[0], "front_line")
    with pytest.raises(services.CongressInvalid, match="请选择"):
        services.set_candidate_category(t, de, cands[0], "")
    services.set_candidate_category(t, de, cands[0], "front_line")
    assert CandidateCategory.objects.get(candidate=cands[0]).category == "front_line"
    entry = AuditRecord.objects.filter(action="congress.delegate_candidate_category").latest("id")
    assert entry.changes == {"category": ["cadre", "front_line"]}
    services.approve_candidates(t, de, "清委〔2027〕5号", timezone.localdate() - dt.timedelta(days=12))
    with pytest.raises(services.CongressError, match="已审批"):
        services.set_candidate_category(t, de, cands[1], "front_line")
    assert CandidateCategory.objects.get(candidate=cands[1]).category == "cadre"


def test_unit_and_congress_pages_show_the_cadre_and_front_line_figures(world, approved, client_for):  # noqa: F811
    t, de, members = _unit_election(world, approved)
    for m, cat in zip(members[:4], ("cadre", "cadre", "cadre", "front_line"), strict=True):
        services.add_candidate(t, de, m.person, category=cat)
    rows = {r.key: r for r in services.unit_structure(de)["rows"]}
    # 3 of 4 cadres (75 % > 50 %), 1 of 4 front line (25 % < 30 %)
    assert (rows["cadre"].share.with_counts, rows["cadre"].ok) == ("75.00%（3/4）", False)
    assert (rows["front_line"].share.with_counts, rows["front_line"].ok) == ("25.00%（1/4）", False)
    page = client_for("township_a").get(reverse("congress:unit", args=[de.unit.pk])).content.decode()
    assert 'id="unit-structure"' in page and "75.00%（3/4）" in page and "25.00%（1/4）" in page
    assert "不超过50%" in page and "不少于30%" in page
    # the township corrects one through the page: 2/4 cadres (50 %, allowed), 2/4 front line
    c = client_for("township_a")
    second = Candidate.objects.filter(election=de.election).order_by("list_order")[1]
    post = reverse("congress:unit_post", args=[de.unit.pk])
    r = c.post(post, {"action": "category", "de": de.pk, "candidate": second.pk, "category": "nobody"}, follow=True)
    assert "不在可选范围内" in r.content.decode()
    c.post(post, {"action": "category", "de": de.pk, "candidate": second.pk, "category": "front_line"})
    rows = {r.key: r for r in services.unit_structure(de)["rows"]}
    assert (rows["cadre"].ok, rows["front_line"].share.with_counts, rows["front_line"].ok) == (True, "50.00%（2/4）", True)
    # the congress page counts the same candidates
    congress_page = client_for("county").get(reverse("congress:detail", args=[approved.pk])).content.decode()
    assert 'data-key="cadre"' in congress_page and "50.00%（2/4）" in congress_page
    # an observer sees the figures but no edit form
    observer = client_for("observer").get(reverse("congress:unit", args=[de.unit.pk])).content.decode()
    assert "50.00%（2/4）" in observer and "category-form" not in observer


def test_the_county_sets_its_own_guiding_shares_and_the_checks_follow(world, approved, client_for):  # noqa: F811
    """A county's 实施方案 may set other shares than the seeds' (cadres at most 40 %, say): the
    congress page saves them, every check reads them, an empty field keeps the seeds' figure and a
    bad one is refused with its name, nothing saved."""
    t, de, members = _unit_election(world, approved)
    for m, cat in zip(members[:4], ("cadre", "cadre", "front_line", "front_line"), strict=True):
        services.add_candidate(t, de, m.person, category=cat)
    assert {r.key: r.ok for r in services.unit_structure(de)["rows"]}["cadre"] is True  # 50 % ≤ 50 %
    c = client_for("county")
    post = reverse("congress:post", args=[approved.pk])
    r = c.post(post, {"action": "structure_targets", "cadre_max_percent": "40", "young_age": "１２",
                      "front_line_min_percent": "101"}, follow=True)
    body = r.content.decode()
    assert "「年轻代表的年龄上限（岁）」应为 30 至 50 的整数，收到“１２”" in body
    assert "「生产和工作第一线党员不少于（%）」应为 0 至 100 的整数，收到“101”" in body
    approved.refresh_from_db()
    assert approved.structure_targets == {}
    c.post(post, {"action": "structure_targets", "cadre_max_percent": "40", "young_age": ""})
    approved.refresh_from_db()
    assert approved.structure_targets == {"cadre_max_percent": 40}
    rows = {r.key: r for r in services.unit_structure(de)["rows"]}
    assert (rows["cadre"].target, rows["cadre"].ok) == ("不超过40%", False)
    assert rows["young"].target == "不少于60%" and rows["young"].label == "40岁以下"  # the seeds' figures stay
    page = c.get(reverse("congress:detail", args=[approved.pk])).content.decode()
    assert "不超过40%" in page and 'name="cadre_max_percent" value="40"' in page
    assert AuditRecord.objects.filter(action="congress.structure_targets").count() == 1
    with pytest.raises(services.CongressError, match="调整代表结构指导性比例"):
        services.set_structure_targets(world.users["village_a1"], approved, {"cadre_max_percent": "30"})


def _sheet(rows) -> bytes:
    import io

    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out)
    ws = wb.add_worksheet()
    for r, row in enumerate([["姓名", "公民身份号码", "类别"], *rows]):
        for c, value in enumerate(row):
            ws.write_string(r, c, value)
    wb.close()
    return out.getvalue()


def test_a_unit_imports_its_candidates_from_a_sheet_all_or_nothing(world, approved, client_for):  # noqa: F811
    t, de, members = _unit_election(world, approved)
    a, b, c = (m.person for m in members[:3])
    bad = _sheet([[a.name, a.id_number, "领导干部"], ["别人", b.id_number, "一线党员"],
                  [c.name, "123", "其他"], [a.name, a.id_number.lower(), "领导干部"],
                  [world.people["sun"].name, world.people["sun"].id_number, "神仙"]])
    result = services.import_candidates(t, de, bad, "候选人.xlsx")
    assert result["saved"] == 0 and Candidate.objects.filter(election=de.election).count() == 0
    errors = "\n".join(result["errors"])
    assert f"第 3 行，姓名：表中为“别人”，党员名册中该公民身份号码为“{b.name}”" in errors
    assert "第 4 行，公民身份号码：“123”不是有效的公民身份号码" in errors
    assert "第 5 行，公民身份号码：与第 2 行重复" in errors
    assert "第 6 行，公民身份号码：130731…不在选举单位" in errors and "第 6 行，类别：“神仙”不是可选的类别" in errors
    page = client_for("township_a").get(reverse("congress:unit", args=[de.unit.pk])).content.decode()
    form = page.split('id="candidate-import-form"')[1].split("</form>")[0]
    assert 'enctype="multipart/form-data"' in form and 'name="file"' in form and 'value="import_candidates"' in form
    good = _sheet([[a.name, a.id_number, "领导干部"], [b.name, b.id_number, "生产和工作第一线党员（工人、农民等）"],
                   [c.name, c.id_number, "其他"]])
    r = client_for("township_a").post(reverse("congress:unit_post", args=[de.unit.pk]),
                                      {"action": "import_candidates", "file": _upload(good)}, follow=True)
    assert "已导入 3 名代表候选人" in r.content.decode()
    cats = dict(CandidateCategory.objects.filter(candidate__election=de.election)
                .values_list("candidate__person__name", "category"))
    assert cats == {a.name: "cadre", b.name: "front_line", c.name: "other"}
    # the same file again: each row is already a candidate, named by its row; nothing more saved
    again = services.import_candidates(t, de, good, "候选人.xlsx")
    assert again["saved"] == 0 and f"第 2 行，{a.name}已是代表候选人" in again["errors"][0]
    assert Candidate.objects.filter(election=de.election).count() == 3
    assert AuditRecord.objects.filter(action="congress.delegate_candidates_import").count() == 1
    # not a table of candidates, and no file at all
    r = client_for("township_a").post(reverse("congress:unit_post", args=[de.unit.pk]),
                                      {"action": "import_candidates"}, follow=True)
    assert "请选择要导入的 Excel 文件" in r.content.decode()
    with pytest.raises(services.CongressInvalid, match="找不到表头"):
        services.import_candidates(t, de, b"a,b\n1,2\n", "x.csv")


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("候选人.xlsx", data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@pytest.mark.parametrize("kind", ["far_cell_xlsx", "zip_bomb_xlsx", "big_csv", "garbage"])
def test_the_candidate_import_refuses_crafted_files_and_keeps_serving(world, approved, client_for, kind):  # noqa: F811
    """The unit page's import, sent a crafted or broken file: one Chinese line naming the file and
    the reason, nothing saved, the page still answers (the file is read in the limited child)."""
    from huanjie.core.tests import _hostile_files

    t, de, members = _unit_election(world, approved)
    data = b"PK\x03\x04 not a workbook" if kind == "garbage" else getattr(_hostile_files, kind)()
    name = "候选人.csv" if kind == "big_csv" else "候选人.xlsx"
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for("township_a")
    url = reverse("congress:unit_post", args=[de.unit.pk])
    r = c.post(url, {"action": "import_candidates", "file": SimpleUploadedFile(name, data)}, follow=True)
    assert r.status_code == 200
    text = r.content.decode()
    assert f"文件“{name}”" in text and "Traceback" not in text
    assert Candidate.objects.filter(election=de.election).count() == 0
