"""First run from an empty database: the command and the page create the county and its first account."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from huanjie.accounts.models import AuditRecord, User
from huanjie.people.models import Region

pytestmark = pytest.mark.django_db


def test_setup_command_on_an_empty_database():
    out = io.StringIO()
    call_command("setup", county_code="130731000000", county_name="安平县", admin_username="anping_hjb", stdout=out)
    text = out.getvalue()
    password = text.split("一次性密码：")[1].split()[0]
    county = Region.objects.get()
    assert (county.code, county.name, county.level, county.kind) == ("130731000000", "安平县", "county", "county")
    user = authenticate(username="anping_hjb", password=password)
    assert user is not None and user.role == "county" and user.region == county
    assert not Region.objects.filter(level="village").exists()  # no demo data
    assert AuditRecord.objects.filter(action="account.create").count() == 1
    with pytest.raises(CommandError, match="首次设置只能做一次"):
        call_command("setup", county_code="130732000000", county_name="邻县", admin_username="x_hjb")


@pytest.mark.parametrize("code,reason", [("13073100000", "12 位数字"), ("130700000000", "不是县级代码"),
                                         ("130731100000", "不是县级代码")])
def test_setup_refuses_non_county_codes(code, reason):
    with pytest.raises(CommandError, match=reason):
        call_command("setup", county_code=code, county_name="安平县", admin_username="anping_hjb")
    assert not Region.objects.exists() and not User.objects.exists()


def test_first_run_page_only_on_an_empty_database(client):
    assert client.get("/")["Location"] == "/setup/"
    assert client.get("/login/")["Location"] == "/setup/"
    r = client.post("/setup/", {"county_code": "abc", "county_name": "", "username": "a"})
    body = r.content.decode()
    assert "统计用区划代码应为 12 位数字" in body and "请填写县（市、区）名称" in body
    assert not Region.objects.exists()
    r = client.post("/setup/", {"county_code": "130731000000", "county_name": "安平县", "username": "anping_hjb"})
    body = r.content.decode()
    password = body.split('id="new-password">')[1].split("<")[0]
    assert authenticate(username="anping_hjb", password=password).region.name == "安平县"
    assert client.get("/setup/").status_code == 404
    assert client.post("/setup/", {"county_code": "130732000000", "county_name": "邻县",
                                   "username": "other"}).status_code == 404
    assert client.get("/login/").status_code == 200


def test_first_run_page_is_gone_once_any_account_exists(world, client):
    assert client.get("/setup/").status_code == 404
    assert client.get("/")["Location"].startswith("/login/")



def test_a_new_county_is_shown_its_first_steps(client):
    from huanjie.core.firstrun import set_up_county

    user, _ = set_up_county("130731000000", "安平县", "anping_hjb")
    assert user.must_change_password  # the one-time password is replaced first …
    user.must_change_password = False  # … as the browser test does; here only the home page matters
    user.save()
    client.force_login(user)
    steps = client.get("/").content.decode().split('id="first-steps"')[1].split("</section>")[0]
    assert "导入本县的乡镇（街道）和村（社区）" in steps and "建立换届工作" in steps


def test_no_first_run_page_in_production(client, settings):
    settings.FIRST_RUN_PAGE = False  # what HUANJIE_PRODUCTION=1 sets unless HUANJIE_FIRST_RUN_PAGE=1
    assert client.get("/setup/").status_code == 404
    assert client.get("/login/").status_code == 200
    assert client.post("/setup/", {"county_code": "130731000000", "county_name": "安平县",
                                   "username": "anping_hjb"}).status_code == 404
    assert not Region.objects.exists()
