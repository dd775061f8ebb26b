"""Login with lockout, and account administration; each write is audited."""

from __future__ import annotations

import datetime as dt
import secrets
import string

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from . import audit
from .models import User


class LoginRefused(Exception):
    pass


def attempt_login(request, username: str, password: str) -> User:
    """Authenticate; count failures and lock the account after too many (settings.LOGIN_MAX_FAILURES)."""
    username = (username or "").strip()
    if not username or not password:
        raise LoginRefused("请输入用户名和密码。")
    account = User.objects.filter(username=username).first()
    now = timezone.now()
    if account is not None and account.locked_until and account.locked_until > now:
        minutes = int((account.locked_until - now).total_seconds() // 60) + 1
        raise LoginRefused(f"登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试或联系系统管理员。")
    user = authenticate(request, username=username, password=password)
    if user is None:
        if account is not None:
            with transaction.atomic():
                account.failed_logins += 1
                fields = ["failed_logins"]
                if account.failed_logins >= settings.LOGIN_MAX_FAILURES:
                    account.locked_until = now + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
                    account.failed_logins = 0
                    fields.append("locked_until")
                    audit.record(None, "account.locked", account, object_repr=account.username,
                                 changes={"locked_until": [None, account.locked_until]})
                account.save(update_fields=fields)
            if "locked_until" in fields:
                raise LoginRefused(
                    f"连续 {settings.LOGIN_MAX_FAILURES} 次密码错误，账号已锁定 {settings.LOGIN_LOCKOUT_MINUTES} 分钟。"
                )
        raise LoginRefused("用户名或密码不正确。")
    if user.failed_logins or user.locked_until:
        user.failed_logins = 0
        user.locked_until = None
        user.save(update_fields=["failed_logins", "locked_until"])
    return user


def generate_password(length: int = 14) -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in pw) and any(c.isupper() for c in pw) and any(c.islower() for c in pw):
            return pw


@transaction.atomic
def create_account(actor, *, username: str, display_name: str, role: str, region, department=None,
                   password: str | None = None) -> tuple[User, str]:
    """Create an account with a generated password (never a default or shared one)."""
    if User.objects.filter(username=username).exists():
        raise ValueError(f"用户名 {username} 已存在")
    if role == "department" and department is None:
        raise ValueError("联审部门账号必须指定所属部门")
    password = password or generate_password()
    user = User(username=username, display_name=display_name, role=role, region=region, department=department)
    user.set_password(password)
    user.save()
    audit.record(actor, "account.create", user, object_repr=username,
                 region_code=region.code if region else "",
                 changes={"role": [None, role], "region": [None, region.code if region else None],
                          "department": [None, department.code if department else None]})
    return user, password
