"""Who sees which oversight and report page: a department sees no complaints, an observer nothing of
this (none of it is public), a township only its villages, outside scope answers 404."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from huanjie.oversight import services
from huanjie.reports import services as reports

pytestmark = pytest.mark.django_db

P = ["county", "township_a", "township_b", "village_a1", "department", "observer", "admin", "outsider"]
TODAY = timezone.localdate()


def expect(**codes):
    default = codes.pop("default")
    return {p: codes.get(p, default) for p in P}


OFFICES = expect(default=403, county=200, township_a=200, township_b=200, outsider=404)
OFFICES_A1 = expect(default=403, county=200, township_a=200, township_b=404, outsider=404)
INCIDENTS = expect(default=403, county=200, township_a=200, township_b=200, village_a1=200, outsider=404)
INCIDENT_A1 = expect(default=403, county=200, township_a=200, village_a1=200, township_b=404, outsider=404)


@pytest.fixture
def things(world):
    ta = world.users["township_a"]
    complaint = services.register_complaint(
        ta, world.campaign, village=world.village_a1, channel="letter", received_on=TODAY, matter="threats",
        content="有人威胁村民不许投票", anonymous=True, complainant_name="匿名者王某", complainant_contact="139")
    incident = services.report_incident(
        world.users["village_a1"], world.campaign, village=world.village_a1, category="destruction",
        place="村公告栏", occurred_at=timezone.now(), description="选民名单公告被撕毁")
    snap = reports.take_snapshot(ta, world.campaign, world.township_a)
    return {"complaint": complaint, "incident": incident, "snap": snap}


VIEWS = [
    ("command", lambda w, t: "/oversight/", OFFICES),
    ("command_live", lambda w, t: "/oversight/live/", OFFICES),
    ("surveys", lambda w, t: "/oversight/surveys/", OFFICES),
    ("surveys_xlsx", lambda w, t: "/oversight/surveys/?format=xlsx", OFFICES),
    ("survey_a1", lambda w, t: f"/oversight/surveys/{w.village_a1.code}/", OFFICES_A1),
    ("risks", lambda w, t: "/oversight/risks/", OFFICES),
    ("risks_xlsx", lambda w, t: "/oversight/risks/?format=xlsx", OFFICES),
    ("plan_a1", lambda w, t: f"/oversight/risks/{w.village_a1.code}/", OFFICES_A1),
    ("complaints", lambda w, t: "/oversight/complaints/", OFFICES),
    ("complaints_xlsx", lambda w, t: "/oversight/complaints/?format=xlsx", OFFICES),
    ("complaint_new", lambda w, t: "/oversight/complaints/new/", OFFICES),
    ("complaint_candidates", lambda w, t: f"/oversight/complaints/new/candidates/?village={w.village_a1.code}",
     OFFICES),
    ("complaint_a1", lambda w, t: f"/oversight/complaints/{t['complaint'].pk}/", OFFICES_A1),
    ("incidents", lambda w, t: "/oversight/incidents/", INCIDENTS),
    ("incidents_xlsx", lambda w, t: "/oversight/incidents/?format=xlsx", INCIDENTS),
    ("incident_new", lambda w, t: "/oversight/incidents/new/", INCIDENTS),
    ("incident_a1", lambda w, t: f"/oversight/incidents/{t['incident'].pk}/", INCIDENT_A1),
    ("reports", lambda w, t: "/reports/", OFFICES),
    ("reports_xlsx", lambda w, t: "/reports/?format=xlsx", OFFICES),
    ("weekly_a", lambda w, t: f"/reports/weekly/{t['snap'].pk}/", OFFICES_A1),
    ("weekly_a_xlsx", lambda w, t: f"/reports/weekly/{t['snap'].pk}/table.xlsx", OFFICES_A1),
    ("structure", lambda w, t: "/reports/structure/", OFFICES),
    ("structure_xlsx", lambda w, t: "/reports/structure/?format=xlsx", OFFICES),
    ("structure_a1", lambda w, t: f"/reports/structure/?region={w.village_a1.code}", OFFICES_A1),
    ("previous", lambda w, t: "/reports/previous/", OFFICES),
    ("previous_xlsx", lambda w, t: "/reports/previous/?format=xlsx", OFFICES),
    ("summary", lambda w, t: "/reports/summary/", OFFICES),
    ("summary_pdf", lambda w, t: "/reports/summary/report.pdf", OFFICES),
    ("summary_docx", lambda w, t: "/reports/summary/report.docx", OFFICES),
    ("summary_xlsx", lambda w, t: "/reports/summary/report.xlsx", OFFICES),
]


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize("persona", P)
@pytest.mark.parametrize("name,url,codes", VIEWS, ids=[v[0] for v in VIEWS])
def test_persona_access(world, things, persona, name, url, codes):
    response = login(world.users[persona]).get(url(world, things))
    assert response.status_code == codes[persona], f"{persona} GET {url(world, things)}"


def test_actions_refused_to_village_and_other_township(world, things):
    c, i = things["complaint"], things["incident"]
    assert login(world.users["village_a1"]).post(f"/oversight/complaints/{c.pk}/note/", {"text": "x"}).status_code == 403
    assert login(world.users["township_b"]).post(f"/oversight/complaints/{c.pk}/note/", {"text": "x"}).status_code == 404
    assert login(world.users["village_a1"]).post(f"/oversight/incidents/{i.pk}/respond/", {"text": "x"}).status_code == 403
    assert login(world.users["department"]).post(f"/oversight/incidents/{i.pk}/respond/", {"text": "x"}).status_code == 403
    assert not c.notes.exists() and not i.steps.filter(kind="respond").exists()


def test_anonymous_complainant_hidden_from_township_in_page_and_excel(world, things):
    c = things["complaint"]
    county_page = login(world.users["county"]).get(f"/oversight/complaints/{c.pk}/").content.decode()
    township_page = login(world.users["township_a"]).get(f"/oversight/complaints/{c.pk}/").content.decode()
    assert "匿名者王某" in county_page
    assert "匿名者王某" not in township_page and "身份仅县换届办可见" in township_page

    def sheet(persona):
        data = login(world.users[persona]).get("/oversight/complaints/?format=xlsx").content
        ws = openpyxl.load_workbook(io.BytesIO(data)).active
        return [[cell for cell in row] for row in ws.iter_rows(values_only=True)]

    assert any("匿名者王某" in row for row in sheet("county"))
    rows = sheet("township_a")
    assert not any("匿名者王某" in row for row in rows) and any("（保密）" in row for row in rows)


def test_complaint_list_search_and_overdue_filter(world, things):
    ta = world.users["township_a"]
    services.register_complaint(ta, world.campaign, village=world.village_a2, channel="phone",
                                received_on=TODAY - timezone.timedelta(days=40), matter="process",
                                content="选民登记漏登", complainant_name="实名人")
    page = login(ta).get("/oversight/complaints/?status=overdue").content.decode()
    assert "柳塘村" in page and "东山村" not in page and "逾期" in page
    page = login(ta).get("/oversight/complaints/", {"q": "威胁"}).content.decode()
    assert "东山村" in page and "柳塘村" not in page


def test_complaint_form_error_keeps_input_and_saves_nothing(world):
    r = login(world.users["township_a"]).post("/oversight/complaints/new/", {
        "channel": "phone", "received_on": TODAY.isoformat(), "village": world.village_a1.code,
        "matter": "vote_buying", "content": "某候选人请客吃饭", "complainant_name": ""})
    page = r.content.decode()
    assert r.status_code == 200 and "实名举报请填写姓名" in page and "某候选人请客吃饭" in page
    from huanjie.oversight.models import Complaint

    assert not Complaint.objects.exists()


def test_command_page_marks_village_red_and_lists_open_items(world, things):
    page = login(world.users["county"]).get("/oversight/").content.decode()
    assert 'hx-trigger="every 30s"' in page
    assert things["complaint"].number in page and things["incident"].number in page
    assert 'class="vcell red" data-village="130731100002"' in page  # 东山村: incident not closed
    assert 'class="vcell" data-village="130731201002"' in page  # 石桥村: nothing open
    live = login(world.users["township_b"]).get("/oversight/live/").content.decode()
    assert things["complaint"].number not in live and "东山村" not in live


def test_previous_import_only_by_county(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile("上届.csv", "村（社区）代码,姓名,公民身份号码,党组织职务\n".encode())
    r = client_for("township_a").post("/reports/previous/", {"file": f})
    assert "只有县换届办" in r.content.decode()
    page = client_for("township_a").get("/reports/previous/").content.decode()
    assert 'id="import-form"' not in page
