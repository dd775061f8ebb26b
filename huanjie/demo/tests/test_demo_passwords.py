"""Every demo account can be logged into with the password the demo prints (issue 10: only 7 of 24 could)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from huanjie.accounts.models import User

pytestmark = pytest.mark.django_db


def printed(out: str) -> dict[str, str]:
    return dict(re.findall(r"^  ([a-z][\w.-]+)\s+([A-Za-z0-9]{12})\s", out, re.M))


def test_demo_prints_a_working_password_for_every_account_and_regenerates_them():
    out = io.StringIO()
    call_command("demo", size="small", stdout=out)
    accounts = printed(out.getvalue())
    users = list(User.objects.all())
    assert len(users) > 7 and set(accounts) == {u.username for u in users}
    for user in users:
        assert user.check_password(accounts[user.username]), user.username
        assert not user.must_change_password  # demo accounts are not held at the change page
    assert {"village", "department"} <= {u.role for u in users if u.username.startswith(("village_", "review_"))}

    again = io.StringIO()
    call_command("demo_passwords", stdout=again)
    renewed = printed(again.getvalue())
    assert set(renewed) == set(accounts)
    dept = User.objects.filter(role="department").exclude(username="dept_police").first()
    assert dept.check_password(renewed[dept.username]) and not dept.check_password(accounts[dept.username])

    # a department account other than 公安 logs in and reaches its queue, no forced change
    client = Client()
    r = client.post("/login/", {"username": dept.username, "password": renewed[dept.username]})
    assert r.status_code == 302 and client.get("/review/queue/").status_code == 200

    # the login page shows nothing secret, in development too
    login_page = Client().get("/login/").content.decode()
    assert not any(pw in login_page for pw in renewed.values())
    assert "county_office" not in login_page and "demo_passwords" not in login_page


def test_demo_passwords_refuses_a_database_that_is_not_the_demo(world):
    with pytest.raises(CommandError, match="不是演示数据库"):
        call_command("demo_passwords")
    assert User.objects.get(username="county").check_password("Persona-Test-2026")
