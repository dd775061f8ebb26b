"""Accounts made, reset, unlocked and deactivated by the office above (issue 9 §2, issue 10)."""

from __future__ import annotations

import base64
import io
import re
import subprocess

import pypdf
import pytest
from python_calamine import CalamineWorkbook

from huanjie.accounts import services
from huanjie.accounts.models import AuditRecord, Department, User
from huanjie.accounts.services import AccountError, AccountSpec, LoginRefused, attempt_login
from huanjie.documents.render import SheetSpec, workbook_bytes
from huanjie.testing.world import PASSWORD

pytestmark = pytest.mark.django_db


def issued_from(response) -> dict[str, str]:
    """username → one-time password, as the issued page shows them."""
    body = response.content.decode()
    return dict(re.findall(r'<td class="mono">([\w.-]+)</td><td class="mono"><strong>(\w+)</strong>', body))


def notice_pdf_from(response) -> bytes:
    m = re.search(r'href="data:application/pdf;base64,([A-Za-z0-9+/=]+)"', response.content.decode())
    return base64.b64decode(m[1])


# ---- who manages whom


def test_each_office_manages_only_the_level_below_in_its_scope(world):
    county, ta, admin = world.users["county"], world.users["township_a"], world.users["admin"]
    assert set(services.managed_accounts(county).values_list("username", flat=True)) == {
        "township_a", "township_b", "village_a1", "department", "observer"}
    assert set(services.managed_accounts(ta).values_list("username", flat=True)) == {"village_a1"}
    assert set(services.managed_accounts(world.users["township_b"])) == set()
    assert set(services.managed_accounts(world.users["outsider"])) == set()  # another county's office
    assert "county" in set(services.managed_accounts(admin).values_list("username", flat=True))
    assert services.managed_accounts(world.users["village_a1"]).count() == 0
    with pytest.raises(AccountError, match="不归您的单位管理"):
        services.reset_password(world.users["township_b"], world.users["village_a1"])


@pytest.mark.parametrize("actor,role,region,problem", [
    ("township_a", "township", "township_a", "不能开设“乡镇换届办”账号"),
    ("township_a", "village", "village_b1", "不在您的管辖范围内"),
    ("county", "village", "township_a", "区域应为现行的村（社区）"),
    ("county", "county", "county", "不能开设“县换届办”账号"),
    ("outsider", "township", "township_a", "不在您的管辖范围内"),
])
def test_refused_creations_say_why(world, actor, role, region, problem):
    with pytest.raises(AccountError) as info:
        services.create_account(world.users[actor], username="new_one", display_name="新账号", role=role,
                                region=getattr(world, region))
    assert any(problem in m for m in info.value.messages)
    assert not User.objects.filter(username="new_one").exists()


def test_department_accounts_need_a_department_and_usernames_are_unique(world):
    county = world.users["county"]
    with pytest.raises(AccountError, match="必须指定部门"):
        services.create_account(county, username="review_x", display_name="审查员", role="department",
                                region=world.county)
    with pytest.raises(AccountError, match="已被使用"):
        services.create_account(county, username="Township_A", display_name="重名", role="township",
                                region=world.township_a)


# ---- the pages, as the county and a township use them


def test_county_creates_a_township_account_which_must_change_its_password(world, client_for, client):
    r = client_for("county").post("/accounts/users/new/", {
        "role": "township", "region": world.township_a.code, "username": "qingxi2",
        "display_name": "清溪镇换届办 李明"})
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    password = issued_from(r)["qingxi2"]
    user = User.objects.get(username="qingxi2")
    assert user.must_change_password and user.check_password(password)
    assert AuditRecord.objects.filter(action="account.create", object_repr="qingxi2", actor=world.users["county"]).exists()

    # first login: every page leads to the change page, logging out still works
    r = client.post("/login/", {"username": "qingxi2", "password": password})
    assert r.status_code == 302
    assert client.get("/").url == "/accounts/password/"
    assert client.get("/people/").url == "/accounts/password/"
    api = client.get("/api/regions")
    assert api.status_code == 403 and "修改初始密码" in api.json()["detail"]
    assert client.get("/accounts/password/").status_code == 200
    r = client.post("/accounts/password/", {"old_password": password, "new_password": "qingxi2-abc-2026",
                                            "new_password2": "qingxi2-abc-2026"})
    assert r.status_code == 400 and "不能包含用户名" in r.content.decode()
    r = client.post("/accounts/password/", {"old_password": password, "new_password": "Chun-Feng-2026",
                                            "new_password2": "Chun-Feng-2026"})
    assert r.status_code == 302 and r.url == "/"
    assert client.get("/").status_code == 200  # still logged in, no longer held
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("Chun-Feng-2026")
    assert AuditRecord.objects.filter(action="account.password_change", object_repr="qingxi2").exists()


def test_password_change_needs_the_current_password(world, client_for):
    r = client_for("observer").post("/accounts/password/", {
        "old_password": "not-mine-123", "new_password": "Chun-Feng-2026", "new_password2": "Chun-Feng-2026"})
    assert r.status_code == 400 and "当前密码不正确" in r.content.decode()
    assert world.users["observer"].__class__.objects.get(username="observer").check_password(PASSWORD)


def test_reset_gives_a_new_one_time_password_and_lifts_the_lock(world, client_for, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        with pytest.raises(LoginRefused):
            attempt_login(None, "village_a1", "wrong-password-9")
    r = client_for("township_a").post(f"/accounts/users/{world.users['village_a1'].pk}/reset/")
    password = issued_from(r)["village_a1"]
    assert password != PASSWORD
    user = attempt_login(None, "village_a1", password)  # the lock is gone with the reset
    assert user.must_change_password and not user.check_password(PASSWORD)
    assert AuditRecord.objects.filter(action="account.password_reset", object_repr="village_a1",
                                      actor=world.users["township_a"]).exists()


def test_unlock_and_deactivate_by_the_managing_office(world, client_for, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        with pytest.raises(LoginRefused):
            attempt_login(None, "observer", "wrong-password-9")
    listing = client_for("county").get("/accounts/users/?q=observer").content.decode()
    assert "已锁定" in listing and "解锁" in listing
    client_for("county").post(f"/accounts/users/{world.users['observer'].pk}/unlock/")
    assert attempt_login(None, "observer", PASSWORD).username == "observer"
    client_for("county").post(f"/accounts/users/{world.users['observer'].pk}/deactivate/")
    with pytest.raises(LoginRefused, match="用户名或密码不正确"):
        attempt_login(None, "observer", PASSWORD)
    observer_client = client_for("observer")
    assert observer_client.get("/").status_code == 302  # an open session ends too
    client_for("county").post(f"/accounts/users/{world.users['observer'].pk}/activate/")
    assert attempt_login(None, "observer", PASSWORD).username == "observer"
    actions = list(AuditRecord.objects.filter(object_repr="observer").order_by("seq").values_list("action", flat=True))
    assert actions == ["account.locked", "account.unlock", "account.deactivate", "account.activate"]


def test_list_search_pagination_and_export(world, client_for):
    county = world.users["county"]
    services.create_accounts(county, [
        AccountSpec(f"extra{n:03d}", f"观察员{n}", "observer", world.county) for n in range(60)])
    c = client_for("county")
    first = c.get("/accounts/users/").content.decode()
    assert "共 65 条" in first and "第 1/2 页" in first
    found = c.get("/accounts/users/?q=township").content.decode()
    assert "township_a" in found and "township_b" in found and "village_a1" not in found
    assert "extra0" not in c.get("/accounts/users/?role=township").content.decode()
    r = c.get("/accounts/users/?q=extra&export=xlsx")
    rows = CamelineRows(r.content)
    assert len([row for row in rows if str(row[0]).startswith("extra")]) == 60
    assert any("待修改初始密码" in row for row in rows)
    # the township office sees only its villages' committees
    township = client_for("township_a").get("/accounts/users/").content.decode()
    assert "village_a1" in township and "township_b" not in township and "extra001" not in township


def CamelineRows(data: bytes) -> list[list]:  # noqa: N802 — reads like a constructor in the test
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


# ---- bulk creation


def test_one_account_per_village_of_a_township(world, client_for):
    r = client_for("township_a").post("/accounts/users/bulk/", {"kind": "villages",
                                                                "source": f"township:{world.township_a.code}"})
    issued = issued_from(r)
    assert list(issued) == [f"village_{world.village_a2.code}"]  # 东山村 already has its committee's account
    assert "东山村（已有账号）" in r.content.decode()
    user = User.objects.get(username=f"village_{world.village_a2.code}")
    assert user.region == world.village_a2 and user.role == "village" and user.must_change_password
    # once more: nothing left to create, nothing created
    r = client_for("township_a").post("/accounts/users/bulk/", {"kind": "villages",
                                                                "source": f"township:{world.township_a.code}"})
    assert r.status_code == 400 and "没有需要新开的账号" in r.content.decode()
    # a township cannot reach the other township's villages
    r = client_for("township_a").post("/accounts/users/bulk/", {"kind": "villages",
                                                                "source": f"township:{world.township_b.code}"})
    assert r.status_code == 400 and not User.objects.filter(region=world.village_b1, role="village").exists()


def test_county_creates_accounts_for_every_village_of_the_campaign_and_every_department(world, client_for):
    r = client_for("county").post("/accounts/users/bulk/", {"kind": "villages",
                                                            "source": f"campaign:{world.campaign.slug}"})
    assert set(issued_from(r)) == {f"village_{world.village_a2.code}", f"village_{world.village_b1.code}"}
    Department.objects.create(code="fayuan", name="县人民法院", sort_order=2)
    r = client_for("county").post("/accounts/users/bulk/", {"kind": "departments", "campaign": world.campaign.slug})
    assert set(issued_from(r)) == {"review_fayuan"}  # 公安 already has its reviewer
    assert User.objects.get(username="review_fayuan").department.code == "fayuan"


def xlsx(rows, columns=("用户名", "姓名/单位", "角色", "区域代码", "所属部门")) -> bytes:
    return workbook_bytes([SheetSpec(name="账号", title="清溪镇账号名单", columns=list(columns), rows=rows,
                                     text_columns=["区域代码"])])


def upload(client, data: bytes, name="账号.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/accounts/users/bulk/", {"kind": "file", "file": SimpleUploadedFile(name, data)})


def test_import_from_excel_all_or_nothing_with_row_field_reason(world, client_for):
    bad = xlsx([
        ["liutang_vc", "柳塘村村民选举委员会", "村民选举委员会", world.village_a2.code, ""],
        ["shiqiao_vc", "石桥村村民选举委员会", "村", world.village_b1.code, ""],
        ["x", "短名", "村", world.village_a2.code, ""],
        ["police2", "县公安局审查员", "联审部门", world.county.code, "公安"],
        ["boss", "某人", "县长", "123", ""],
    ])
    r = upload(client_for("township_a"), bad)
    body = r.content.decode()
    assert r.status_code == 400 and "没有开设任何账号" in body
    for expected in ("第 4 行 管辖区域：石桥村不在您的管辖范围内", "第 5 行 用户名", "第 6 行 所属部门：没有“公安”这个部门",
                     "第 7 行 角色：无法识别“县长”", "第 7 行 区域代码：“123”不是现有区域"):
        assert expected in body, expected
    assert not User.objects.filter(username="liutang_vc").exists()

    good = xlsx([["liutang_vc", "柳塘村村民选举委员会", "村民选举委员会", world.village_a2.code, ""]])
    r = upload(client_for("township_a"), good)
    assert list(issued_from(r)) == ["liutang_vc"]
    assert User.objects.get(username="liutang_vc").region == world.village_a2


def test_import_refuses_a_file_that_is_no_table(world, client_for):
    r = upload(client_for("county"), b"PK\x03\x04 not really a workbook")
    assert r.status_code == 400 and "账号.xlsx" in r.content.decode()
    r = upload(client_for("county"), xlsx([["a", "b"]], columns=("甲", "乙")))
    assert r.status_code == 400 and "找不到表头" in r.content.decode()


def test_import_refuses_a_hostile_spreadsheet_through_the_safe_reader(world, client_for):
    from huanjie.core.tests._hostile_files import far_cell_xlsx

    r = upload(client_for("county"), far_cell_xlsx(), name="名单.xlsx")
    body = r.content.decode()
    assert r.status_code == 400 and "名单.xlsx" in body and "表格声明的范围异常" in body
    assert User.objects.count() == len(world.users)


def test_import_template_is_read_back_by_the_import(world, client_for):
    template = client_for("county").get("/accounts/users/template.xlsx").content
    r = upload(client_for("county"), template)
    # the example row is read and refused for its placeholder code: the columns match
    assert "区域代码：“（12位统计代码）”不是现有区域" in r.content.decode()


# ---- the account notice


def test_account_notice_one_page_per_account_with_the_password(world, client_for, tmp_path):
    r = client_for("county").post("/accounts/users/bulk/", {"kind": "villages",
                                                            "source": f"campaign:{world.campaign.slug}"})
    issued = issued_from(r)
    pdf = notice_pdf_from(r)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(issued) == 2
    for page, (username, password) in zip(reader.pages, issued.items(), strict=True):
        text = page.extract_text().replace(" ", "")
        assert "换届通账号通知单" in text and username in text and password in text
        assert "http://testserver/login/" in text and "安平县换届办" in text
    # poppler renders it (a real PDF, fonts embedded)
    (tmp_path / "n.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(tmp_path / "n.pdf"), str(tmp_path / "p")], check=True)
    assert len(list(tmp_path.glob("p*.png"))) == 2


def test_generated_passwords_avoid_look_alike_characters_and_pass_the_rules(world):
    for _ in range(200):
        pw = services.generate_password()
        assert not set(pw) & set("0O1lI")
        assert services.password_problems(pw, world.users["county"]) == []


# ---- departments (P17)


def test_departments_default_list_and_campaign_choice(world, client_for):
    c = client_for("county")
    c.post("/accounts/users/departments/", {"action": "defaults"})
    names = set(Department.objects.values_list("name", flat=True))
    assert {"县委组织部", "县民政局", "县公安局", "县城市管理局"} <= names and len(names) == 17
    r = c.post("/accounts/users/departments/", {"action": "create", "code": "shuiwu", "name": "县税务局"})
    assert r.status_code == 302 and Department.objects.filter(code="shuiwu").exists()
    r = c.post("/accounts/users/departments/", {"action": "create", "code": "Bad Code", "name": "县税务局"})
    assert r.status_code == 400 and "代码：" in r.content.decode() and "名称：县税务局 已存在" in r.content.decode()
    c.post("/accounts/users/departments/", {"action": "campaign", "campaign": world.campaign.slug,
                                      "codes": ["gongan", "fayuan"]})
    world.campaign.refresh_from_db()
    assert world.campaign.policy["review_departments"] == ["fayuan", "gongan"]
    r = c.post("/accounts/users/departments/", {"action": "campaign", "campaign": world.campaign.slug})
    assert r.status_code == 400 and "至少需要一个部门" in r.content.decode()
    assert AuditRecord.objects.filter(action="campaign.policy").count() == 1


def test_audit_log_names_every_account_action_in_chinese(world, client_for, settings):
    from huanjie.accounts.audit_display import ACTION_LABELS

    settings.LOGIN_MAX_FAILURES = 1
    county = world.users["county"]
    with pytest.raises(LoginRefused):
        attempt_login(None, "observer", "wrong-password-9")
    services.unlock(county, world.users["observer"])
    services.set_active(county, world.users["observer"], False)
    services.set_active(county, world.users["observer"], True)
    services.reset_password(county, world.users["observer"])
    services.change_password(world.users["county"], PASSWORD, "Chun-Feng-2026", "Chun-Feng-2026")
    services.add_default_departments(county)
    services.set_review_departments(county, world.campaign, ["gongan"])
    used = set(AuditRecord.objects.values_list("action", flat=True))
    assert used - set(ACTION_LABELS) == set()
    page = client_for("county").get("/accounts/audit/").content.decode()
    assert "解锁账号" in page and "停用账号" in page and "新增联审部门" in page


def test_audit_log_names_the_chain_by_its_region_and_lists_newest_first(world, client_for):
    """Each region has its own chain, numbered from 1: the log orders by when a record was written
    (a village's 600th record is not newer than another's 3rd) and names the chain by its village."""
    from huanjie.accounts import audit

    for _ in range(3):
        audit.record(world.users["village_a1"], "person.update", world.people["wang"], region_code=world.village_a1.code)
    audit.record(world.users["township_b"], "person.update", world.people["sun"], region_code=world.village_b1.code)
    page = client_for("county").get("/accounts/audit/?action=person.update").content.decode()
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert "石桥村 #1" in rows[0]  # the newest, though its number is the lowest
    assert "东山村 #3" in rows[1]
    assert f"审计链 {world.village_a1.code}，第 3 条" in rows[1]
