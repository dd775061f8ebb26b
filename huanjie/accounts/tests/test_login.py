import pytest
from django.contrib.auth.hashers import identify_hasher

from huanjie.accounts.services import create_account, locked_until
from huanjie.testing.world import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_and_wrong_password_message(world, client):
    r = client.post("/login/", {"username": "village_a1", "password": "wrong"})
    assert r.status_code == 400 and "用户名或密码不正确" in r.content.decode()
    r = client.post("/login/", {"username": "village_a1", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/"


def test_lockout_after_repeated_failures(world, client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        client.post("/login/", {"username": "township_a", "password": "nope"})
    r = client.post("/login/", {"username": "township_a", "password": PASSWORD})
    assert r.status_code == 400 and "已锁定" in r.content.decode()
    assert locked_until("township_a") is not None


def test_open_redirect_is_refused(world, client):
    r = client.post("/login/", {"username": "county", "password": PASSWORD, "next": "https://evil.example/"})
    assert r["Location"] == "/"


def test_csrf_is_enforced(world):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    r = c.post("/login/", {"username": "county", "password": PASSWORD})
    assert r.status_code == 403


def test_accounts_get_argon2_and_generated_passwords(world, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user, password = create_account(world.users["admin"], username="new_clerk", display_name="新文书",
                                     role="village", region=world.village_a1)
    assert len(password) >= 12 and password != PASSWORD
    assert user.must_change_password  # a one-time password
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password(password)
