"""First run: a new installation creates its county and the county office's first account.

Both ``huanjie setup`` and the first-run page (``/setup/``) call :func:`set_up_county`. It only
works on a database with no region and no account, so once a county exists the page is gone
(404) and the command refuses; no demo data is made.
"""

from __future__ import annotations

from django.db import transaction

from huanjie.accounts import audit
from huanjie.accounts.models import User
from huanjie.accounts.services import USERNAME_RE, AccountError, create_account
from huanjie.core.access import COUNTY
from huanjie.people.models import Region


class SetupRefused(Exception):
    """``errors`` maps a field (county_code, county_name, username, display_name) to its Chinese reason."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()))
        self.errors = errors


def is_fresh() -> bool:
    """True on a database with no region and no account: the only time the first run is offered."""
    return not Region.objects.exists() and not User.objects.exists()


def page_open() -> bool:
    """The first-run page is offered: not in production (there `huanjie setup` does it), and only fresh."""
    from django.conf import settings

    return settings.FIRST_RUN_PAGE and is_fresh()


def county_kind(name: str) -> str:
    if name.endswith("区"):
        return "district"
    return "city" if name.endswith("市") else "county"


def check(county_code: str, county_name: str, username: str, display_name: str) -> dict[str, str]:
    errors = {}
    if not (len(county_code) == 12 and county_code.isascii() and county_code.isdigit()):
        errors["county_code"] = f"统计用区划代码应为 12 位数字，收到“{county_code or '（空）'}”。"
    elif county_code[4:6] == "00" or county_code[6:] != "000000":
        errors["county_code"] = f"{county_code} 不是县级代码（第 5—6 位不为 00，后 6 位为 000000，例如 130731000000）。"
    if not county_name:
        errors["county_name"] = "请填写县（市、区）名称。"
    elif len(county_name) > 60:
        errors["county_name"] = "名称超过 60 个字。"
    if not USERNAME_RE.match(username):
        errors["username"] = "用户名须以英文字母开头，由 3—40 个英文字母、数字、下划线、点或连字符组成。"
    if len(display_name) > 40:
        errors["display_name"] = "姓名超过 40 个字。"
    return errors


@transaction.atomic
def set_up_county(county_code: str, county_name: str, username: str, display_name: str = "") -> tuple[User, str]:
    """Create the county region and its first county-office account; returns (account, one-time password)."""
    county_code, county_name = (county_code or "").strip(), (county_name or "").strip()
    username, display_name = (username or "").strip(), (display_name or "").strip()
    errors = check(county_code, county_name, username, display_name)
    if errors:
        raise SetupRefused(errors)
    # Checked inside the transaction: two first-run forms sent at once cannot both succeed.
    if not is_fresh():
        raise SetupRefused({"county_code": "系统已经建立过县（市、区）和账号，首次设置只能做一次。"})
    county = Region.objects.create(code=county_code, name=county_name, level=Region.COUNTY,
                                   kind=county_kind(county_name))
    audit.record(None, "region.setup", county, changes={"code": [None, county_code], "name": [None, county_name]})
    try:
        # The one-time password must be replaced at the first login, like every issued password.
        return create_account(None, username=username, display_name=display_name or f"{county_name}换届办",
                              role=COUNTY, region=county)
    except AccountError as exc:
        raise SetupRefused({"username": str(exc)}) from None
