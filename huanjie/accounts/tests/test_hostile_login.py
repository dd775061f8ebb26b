"""Issue 9 §2, as an attacker tries it: parallel guesses, user-name enumeration, weak passwords,
and the English pages Django shows by default."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from huanjie.accounts.models import AuditRecord, LoginThrottle, User
from huanjie.accounts.services import LoginRefused, attempt_login, locked_until, set_active
from huanjie.testing.world import PASSWORD


def _guess(username: str, tries: int, start: threading.Barrier, answers: list, errors: list) -> None:
    try:
        start.wait()
        for _ in range(tries):
            try:
                attempt_login(None, username, "wrong-guess-123")
            except LoginRefused as exc:
                answers.append(str(exc))
    except Exception as exc:  # noqa: BLE001 — reported by the test
        errors.append(repr(exc))
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_forty_parallel_guesses_lock_the_account(world, settings):
    """Found: 40 wrong passwords from 10 threads never locked the account (the count was kept in
    Python and concurrent failures overwrote each other). The limit is set to exactly the number of
    guesses, so a single lost count leaves the account open. The real (slow) hasher widens the race."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    settings.LOGIN_MAX_FAILURES = 40
    target = User.objects.get(username="township_a")
    target.set_password(PASSWORD)
    target.save()
    start, answers, errors = threading.Barrier(10), [], []
    threads = [threading.Thread(target=_guess, args=("township_a", 4, start, answers, errors)) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(answers) == 40
    assert sum("已锁定" in a for a in answers) == 1  # the 40th failure locks, whichever thread sends it
    assert locked_until("township_a") is not None
    with pytest.raises(LoginRefused, match="已锁定"):
        attempt_login(None, "township_a", PASSWORD)  # the right password does not get through a lock
    # exactly one of the concurrent failures locked the name, and it is audited once
    assert AuditRecord.objects.filter(action="account.locked", object_repr="township_a").count() == 1


def _answers(client, username, password, times):
    out = []
    for _ in range(times):
        r = client.post("/login/", {"username": username, "password": password})
        out.append((r.status_code, r.content.decode().split('role="alert">')[1].split("<")[0]))
    return out


@pytest.mark.django_db
def test_unknown_and_real_names_get_the_same_answers(world, client, settings):
    """Found: a real name showed "locked" after 5 failures, an unknown name never did."""
    settings.LOGIN_MAX_FAILURES = 3
    real = _answers(client, "township_a", "wrong-password-1", 4) + _answers(client, "township_a", PASSWORD, 1)
    unknown = _answers(client, "no_such_user", "wrong-password-1", 4) + _answers(client, "no_such_user", PASSWORD, 1)
    assert real == unknown
    assert real[0] == (400, "用户名或密码不正确。")
    assert "已锁定" in real[2][1] and "已锁定" in real[4][1]  # the right password is refused while locked


@pytest.mark.django_db
def test_deactivated_account_answers_like_an_unknown_name(world, client):
    set_active(world.users["county"], world.users["township_a"], False)
    deactivated = _answers(client, "township_a", PASSWORD, 1)
    assert deactivated == _answers(client, "no_such_user", PASSWORD, 1) == [(400, "用户名或密码不正确。")]


@pytest.mark.django_db
def test_failures_outside_the_window_do_not_add_up(world, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(2):
        with pytest.raises(LoginRefused):
            attempt_login(None, "village_a1", "wrong-password-1")
    # the window has passed: the next failure starts a new count instead of locking
    LoginThrottle.objects.filter(username="village_a1").update(
        window_start=LoginThrottle.objects.get(username="village_a1").window_start.replace(year=2000))
    with pytest.raises(LoginRefused, match="不正确"):
        attempt_login(None, "village_a1", "wrong-password-1")
    assert LoginThrottle.objects.get(username="village_a1").failures == 1
    assert attempt_login(None, "village_a1", PASSWORD).username == "village_a1"
    assert not LoginThrottle.objects.filter(username="village_a1").exists()  # success forgets the failures


@pytest.mark.django_db
@pytest.mark.parametrize("password,message", [
    ("township_a", "不能与用户名相同"),  # found: a password equal to the user name was accepted
    ("xx-Township_A-2026", "不能与用户名相同，也不能包含用户名"),
    ("Ab3xY", "密码太短：至少需要 10 个字符"),  # found: the message was English
    ("2026011520", "不能全是数字"),
    ("iloveyou", "太常见"),
])
def test_password_rules_in_chinese(world, password, message):
    with pytest.raises(ValidationError) as info:
        validate_password(password, world.users["township_a"])
    assert any(message in m for m in info.value.messages)
    assert all(not any("a" <= c <= "z" for c in m.replace(password, "")) for m in info.value.messages)


@pytest.mark.django_db
def test_password_rules_stay_chinese_for_an_english_browser(world, client_for):
    client = client_for("township_a")
    r = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password": "short",
                                            "new_password2": "short"}, HTTP_ACCEPT_LANGUAGE="en")
    body = r.content.decode()
    assert r.status_code == 400 and "密码太短" in body and "too short" not in body


@pytest.mark.django_db
def test_a_good_password_passes(world):
    validate_password("Qingxi-Huanjie-7", world.users["township_a"])


@pytest.mark.django_db
def test_csrf_failure_page_is_chinese(world):
    """Found: the CSRF failure page was Django's English page."""
    r = Client(enforce_csrf_checks=True).post("/login/", {"username": "county", "password": PASSWORD},
                                               HTTP_ACCEPT_LANGUAGE="en")
    body = r.content.decode()
    assert r.status_code == 403 and "页面已过期" in body and "CSRF verification failed" not in body


@pytest.mark.django_db
def test_403_and_404_pages_are_chinese(world, client_for):
    r = client_for("village_a1").get("/accounts/users/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 403 and "无权访问" in r.content.decode()
    r = client_for("village_a1").get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 404 and "未找到" in r.content.decode() and "Not Found" not in r.content.decode()


@pytest.mark.django_db
def test_500_page_is_chinese_and_needs_no_database(world, client, settings, django_assert_num_queries):
    from django.urls import path

    def broken(request):
        raise RuntimeError("boom")

    urls = type("urls", (), {"urlpatterns": [path("broken/", broken)]})
    settings.ROOT_URLCONF = urls
    client.raise_request_exception = False
    with django_assert_num_queries(0):
        r = client.get("/broken/")
    body = r.content.decode()
    assert r.status_code == 500 and "系统出错" in body and "boom" not in body and "Traceback" not in body


@pytest.mark.django_db
def test_made_up_names_do_not_pile_up(world):
    import datetime as dt

    from django.utils import timezone

    old = timezone.now() - dt.timedelta(days=1)
    LoginThrottle.objects.create(username="sprayed-1", failures=1, window_start=old)
    LoginThrottle.objects.create(username="locked-still", failures=0, window_start=old,
                                 locked_until=timezone.now() + dt.timedelta(minutes=5))
    with pytest.raises(LoginRefused):
        attempt_login(None, "sprayed-2", "wrong-password-1")
    assert set(LoginThrottle.objects.values_list("username", flat=True)) == {"locked-still", "sprayed-2"}
