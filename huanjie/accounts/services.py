"""Login with lockout, passwords, and account administration by the office above; every write audited.

Who manages whom ("the office above"): the county office manages the township offices, village
election committees, reviewing departments and observers of its county; a township office the
village election committees of its villages; the system administrator every account. The
managing office creates, resets, unlocks and deactivates; nobody manages their own account here
(they change their own password on the password page).

A password an office hands out (new account or reset) is generated, shown once and printed on the
account notice; it is never stored in clear, and the account must replace it at its first login.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils import timezone

from huanjie.core.access import ADMIN, ALL_ROLES, COUNTY, DEPARTMENT, OBSERVER, ROLE_LABELS, TOWNSHIP, VILLAGE

from . import audit
from .models import Department, LoginThrottle, User

# ---------------------------------------------------------------------------------------------
# login


class LoginRefused(Exception):
    pass


WRONG_CREDENTIALS = "用户名或密码不正确。"


def _locked_message(until: dt.datetime, now: dt.datetime) -> str:
    minutes = int((until - now).total_seconds() // 60) + 1
    return (f"登录失败次数过多，该用户名已锁定，请 {minutes} 分钟后再试，"
            "或联系管理账号的换届办解锁。")


def _throttle_key(username: str) -> str:
    return username[:150]


def locked_until(username: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the lock on ``username`` ends, or None when it is not locked."""
    now = now or timezone.now()
    return (LoginThrottle.objects.filter(username=_throttle_key(username), locked_until__gt=now)
            .values_list("locked_until", flat=True).first())


def _count_failure(key: str, now: dt.datetime) -> dt.datetime | None:
    """Count one failed login of ``key``; the end of the lock when this failure locked it.

    Two UPDATEs whose arithmetic runs in the database: concurrent failures queue on the row and
    each adds one (a read-modify-write in Python loses them: 40 guesses from 10 threads never
    reached 5). Exactly one of the concurrent failures finds the count at the limit and locks.
    """
    window_start = now - dt.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    _, created = LoginThrottle.objects.get_or_create(username=key, defaults={"window_start": now})
    if created:
        _prune_throttles(now)  # one row per name tried: a guesser's made-up names do not pile up
    in_window = Q(window_start__gt=window_start)
    LoginThrottle.objects.filter(username=key).exclude(locked_until__gt=now).update(
        failures=Case(When(in_window, then=F("failures") + 1), default=Value(1)),
        window_start=Case(When(in_window, then=F("window_start")), default=Value(now)),
    )
    until = now + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    locked = (LoginThrottle.objects.filter(username=key, failures__gte=settings.LOGIN_MAX_FAILURES)
              .exclude(locked_until__gt=now).update(locked_until=until, failures=0, window_start=now))
    return until if locked else None


def _prune_throttles(now: dt.datetime) -> None:
    """Forget names whose window has passed and which are not locked (a guesser's made-up names)."""
    window_start = now - dt.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    (LoginThrottle.objects.filter(window_start__lt=window_start)
     .exclude(locked_until__gt=now).delete())


def attempt_login(request, username: str, password: str) -> User:
    """Authenticate, counting failures per user name; too many within the window lock the name.

    An unknown name, a deactivated account and a wrong password get the same answer, and a name
    that is no account is locked after the same number of failures as a real one: nothing on the
    login page tells whether an account exists.
    """
    username = (username or "").strip()
    if not username or not password:
        raise LoginRefused("请输入用户名和密码。")
    key = _throttle_key(username)
    now = timezone.now()
    until = locked_until(key, now)
    if until is not None:
        raise LoginRefused(_locked_message(until, now))
    user = authenticate(request, username=username, password=password)
    if user is None:
        with transaction.atomic():
            until = _count_failure(key, now)
            if until is not None:
                account = User.objects.filter(username=username).first()
                audit.record(None, "account.locked", account, object_type="accounts.User",
                             object_repr=username[:200], region_code=_region_code(account) if account else "",
                             changes={"locked_until": [None, until],
                                      "failures": [None, settings.LOGIN_MAX_FAILURES]})
        if until is not None:
            raise LoginRefused(_locked_message(until, now))
        raise LoginRefused(WRONG_CREDENTIALS)
    LoginThrottle.objects.filter(username=key).delete()
    return user


# ---------------------------------------------------------------------------------------------
# passwords


# No 0/O, 1/l/I: the password is read off a paper notice and typed by hand.
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def generate_password(length: int = 12) -> str:
    while True:
        pw = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in pw) and any(c.isupper() for c in pw) and any(c.islower() for c in pw):
            return pw


class AccountError(Exception):
    """A refused account action; ``messages`` are the Chinese reasons shown to the user."""

    def __init__(self, *messages: str):
        self.messages = list(messages)
        super().__init__("；".join(messages))


def password_problems(password: str, user: User) -> list[str]:
    """The Chinese reasons AUTH_PASSWORD_VALIDATORS refuse ``password`` for ``user`` (empty: fine)."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


@transaction.atomic
def change_password(user: User, old: str, new: str, repeat: str) -> None:
    """The account holder replaces their password; this also ends a forced change."""
    if not user.check_password(old or ""):
        raise AccountError("当前密码不正确。")
    if new != repeat:
        raise AccountError("两次输入的新密码不一致。")
    if new == old:
        raise AccountError("新密码不能与当前密码相同。")
    problems = password_problems(new, user)
    if problems:
        raise AccountError(*problems)
    was_forced = user.must_change_password
    user.set_password(new)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(user, "account.password_change", user, object_repr=user.username,
                 region_code=user.region.code if user.region_id else "",
                 changes={"must_change_password": [was_forced, False]} if was_forced else {})


# ---------------------------------------------------------------------------------------------
# who manages whom


MANAGED_ROLES: dict[str, frozenset[str]] = {
    ADMIN: frozenset(ALL_ROLES),
    COUNTY: frozenset({TOWNSHIP, VILLAGE, DEPARTMENT, OBSERVER}),
    TOWNSHIP: frozenset({VILLAGE}),
}
# The region level an account of each role is attached to.
ROLE_LEVELS: dict[str, frozenset[str]] = {
    COUNTY: frozenset({"county"}),
    TOWNSHIP: frozenset({"township"}),
    VILLAGE: frozenset({"village"}),
    DEPARTMENT: frozenset({"county"}),
    OBSERVER: frozenset({"county", "township"}),
    ADMIN: frozenset({"county"}),
}
# The order roles are offered in forms and lists.
ROLE_ORDER = [TOWNSHIP, VILLAGE, DEPARTMENT, OBSERVER, COUNTY, ADMIN]


def manageable_roles(actor) -> list[str]:
    roles = MANAGED_ROLES.get(getattr(actor, "role", ""), frozenset())
    return [r for r in ROLE_ORDER if r in roles]


def managed_accounts(actor) -> QuerySet[User]:
    """The accounts ``actor``'s office manages (never its own)."""
    roles = manageable_roles(actor)
    if not roles:
        return User.objects.none()
    accounts = User.objects.filter(role__in=roles).exclude(pk=actor.pk)
    if actor.role != ADMIN:
        accounts = accounts.filter(region__code__startswith=actor.scope_prefix or "-")
    return accounts


def regions_for(actor, role: str):
    """The current regions ``actor`` may attach an account of ``role`` to."""
    from huanjie.people.models import Region

    if role not in manageable_roles(actor):
        return Region.objects.none()
    regions = Region.objects.current().filter(level__in=ROLE_LEVELS[role])
    if actor.role != ADMIN:
        regions = regions.filter(code__startswith=actor.scope_prefix or "-")
    return regions.order_by("code")


def _require_manages(actor, target: User) -> None:
    if actor is None:
        return  # the command line and the demo act as the system
    if not managed_accounts(actor).filter(pk=target.pk).exists():
        raise AccountError("该账号不归您的单位管理。")


def _region_code(user: User) -> str:
    return user.region.code if user.region_id else ""


# ---------------------------------------------------------------------------------------------
# creating accounts


USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{2,39}$")


@dataclass(frozen=True)
class IssuedPassword:
    """A one-time password handed out with a new or reset account (for the page and the notice)."""

    user: User
    password: str
    action: str  # "create" or "reset"

    @property
    def action_label(self) -> str:
        return "新开账号" if self.action == "create" else "重置密码"


@dataclass(frozen=True)
class AccountSpec:
    """One account to create, as a form or a spreadsheet row gives it (``row`` for messages)."""

    username: str
    display_name: str
    role: str
    region: object
    department: Department | None = None
    row: int | None = None


def check_spec(actor, spec: AccountSpec, taken: set[str] | None = None) -> list[str]:
    """Why ``spec`` cannot be created by ``actor`` (field: reason), empty when it can."""
    problems = []
    if not USERNAME_RE.match(spec.username or ""):
        problems.append("用户名：须以英文字母开头，由 3–40 个英文字母、数字、下划线、点或连字符组成")
    elif User.objects.filter(username__iexact=spec.username).exists() or spec.username.lower() in (taken or set()):
        problems.append(f"用户名：{spec.username} 已被使用")
    if not (spec.display_name or "").strip():
        problems.append("姓名/单位：不能为空")
    elif len(spec.display_name) > 40:
        problems.append("姓名/单位：不能超过 40 个字")
    if spec.role not in ALL_ROLES:
        problems.append("角色：无效")
        return problems
    if actor is not None and spec.role not in manageable_roles(actor):
        problems.append(f"角色：您的单位不能开设“{ROLE_LABELS[spec.role]}”账号")
        return problems
    region = spec.region
    if region is None:
        problems.append("管辖区域：不能为空")
    elif region.level not in ROLE_LEVELS[spec.role] or region.valid_until is not None:
        levels = "、".join(dict(region.LEVEL_CHOICES)[lv] for lv in sorted(ROLE_LEVELS[spec.role]))
        problems.append(f"管辖区域：{ROLE_LABELS[spec.role]}账号的区域应为现行的{levels}，{region.name}不是")
    elif actor is not None and not regions_for(actor, spec.role).filter(pk=region.pk).exists():
        problems.append(f"管辖区域：{region.name}不在您的管辖范围内")
    if spec.role == DEPARTMENT and spec.department is None:
        problems.append("所属部门：联审部门账号必须指定部门")
    if spec.role != DEPARTMENT and spec.department is not None:
        problems.append("所属部门：只有联审部门账号才指定部门")
    return problems


def _create(actor, spec: AccountSpec, *, password: str | None, must_change: bool) -> IssuedPassword:
    password = password or generate_password()
    user = User(username=spec.username, display_name=spec.display_name.strip(), role=spec.role,
                region=spec.region, department=spec.department, must_change_password=must_change)
    user.set_password(password)
    user.save()
    audit.record(actor, "account.create", user, object_repr=user.username, region_code=_region_code(user),
                 changes={"role": [None, spec.role], "region": [None, _region_code(user) or None],
                          "department": [None, spec.department.code if spec.department else None],
                          "must_change_password": [None, must_change]})
    return IssuedPassword(user, password, "create")


@transaction.atomic
def create_account(actor, *, username: str, display_name: str, role: str, region, department=None,
                   password: str | None = None, must_change: bool = True) -> tuple[User, str]:
    """Create one account with a generated one-time password (never a default or shared one)."""
    spec = AccountSpec(username=(username or "").strip(), display_name=display_name, role=role,
                       region=region, department=department)
    problems = check_spec(actor, spec)
    if problems:
        raise AccountError(*problems)
    issued = _create(actor, spec, password=password, must_change=must_change)
    return issued.user, issued.password


@transaction.atomic
def create_accounts(actor, specs: Sequence[AccountSpec]) -> list[IssuedPassword]:
    """Create every account or none: the problems of all rows are reported together."""
    problems, taken = [], set()
    for n, spec in enumerate(specs, 1):
        where = f"第 {spec.row} 行" if spec.row else f"第 {n} 个账号"
        problems += [f"{where} {p}" for p in check_spec(actor, spec, taken)]
        taken.add((spec.username or "").lower())
    if not specs:
        problems.append("没有要创建的账号。")
    if problems:
        raise AccountError(*problems)
    return [_create(actor, spec, password=None, must_change=True) for spec in specs]


def village_account_specs(actor, villages: Iterable) -> tuple[list[AccountSpec], list[str]]:
    """One election-committee account per village that has none yet; the villages skipped, named."""
    villages = list(villages)
    existing = set(User.objects.filter(role=VILLAGE, region__in=villages, is_active=True)
                   .values_list("region_id", flat=True))
    specs, skipped = [], []
    for village in villages:
        if village.pk in existing:
            skipped.append(f"{village.name}（已有账号）")
            continue
        specs.append(AccountSpec(username=f"village_{village.code}", display_name=f"{village.name}村民选举委员会",
                                 role=VILLAGE, region=village))
    return specs, skipped


def department_account_specs(actor, county, departments: Iterable[Department]) -> tuple[list[AccountSpec], list[str]]:
    """One reviewing account per department that has no active account in the county yet."""
    departments = list(departments)
    existing = set(User.objects.filter(role=DEPARTMENT, department__in=departments, is_active=True,
                                       region__code__startswith=county.scope_prefix)
                   .values_list("department_id", flat=True))
    specs, skipped = [], []
    for dept in departments:
        if dept.pk in existing:
            skipped.append(f"{dept.name}（已有账号）")
            continue
        specs.append(AccountSpec(username=f"review_{dept.code}", display_name=f"{dept.name}审查员",
                                 role=DEPARTMENT, region=county, department=dept))
    return specs, skipped


# ---------------------------------------------------------------------------------------------
# reset, unlock, deactivate


@transaction.atomic
def reset_password(actor, target: User, *, password: str | None = None, must_change: bool = True) -> IssuedPassword:
    """A new one-time password from the managing office; the lock on the name is lifted too."""
    _require_manages(actor, target)
    password = password or generate_password()
    target.set_password(password)
    target.must_change_password = must_change
    target.save(update_fields=["password", "must_change_password"])
    LoginThrottle.objects.filter(username=_throttle_key(target.username)).delete()
    audit.record(actor, "account.password_reset", target, object_repr=target.username,
                 region_code=_region_code(target), changes={"must_change_password": [None, must_change]})
    return IssuedPassword(target, password, "reset")


@transaction.atomic
def unlock(actor, target: User) -> None:
    _require_manages(actor, target)
    until = locked_until(target.username)
    LoginThrottle.objects.filter(username=_throttle_key(target.username)).delete()
    audit.record(actor, "account.unlock", target, object_repr=target.username, region_code=_region_code(target),
                 changes={"locked_until": [until, None]})


@transaction.atomic
def set_active(actor, target: User, active: bool) -> None:
    """Deactivate or reactivate an account. A deactivated account cannot log in and its open
    sessions end at their next request (Django's backend refuses inactive users); its history stays."""
    _require_manages(actor, target)
    if target.is_active == active:
        return
    target.is_active = active
    target.save(update_fields=["is_active"])
    audit.record(actor, "account.activate" if active else "account.deactivate", target,
                 object_repr=target.username, region_code=_region_code(target),
                 changes={"is_active": [not active, active]})


# ---------------------------------------------------------------------------------------------
# reviewing departments (P17)


# Seed 004 二(二)2 "进行资格联审": 县委组织部、民政局会同纪委监委、政法、统战、信访、法院、检察院、公安、
# 司法行政、自然资源、生态环境、扶贫、农业农村、住建、卫健、城管等部门. The default list a county starts
# from; it adds, renames or leaves out departments to match its own joint review.
DEFAULT_DEPARTMENTS = [
    ("zuzhi", "县委组织部"), ("minzheng", "县民政局"), ("jiwei", "县纪委监委"), ("zhengfa", "县委政法委"),
    ("tongzhan", "县委统战部"), ("xinfang", "县信访局"), ("fayuan", "县人民法院"), ("jianchayuan", "县人民检察院"),
    ("gongan", "县公安局"), ("sifa", "县司法局"), ("ziran", "县自然资源局"), ("shengtai", "县生态环境分局"),
    ("fupin", "县乡村振兴局"), ("nongye", "县农业农村局"), ("zhujian", "县住建局"), ("weijian", "县卫健局"),
    ("chengguan", "县城市管理局"),
]
DEPARTMENT_CODE_RE = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")


@transaction.atomic
def add_default_departments(actor) -> list[Department]:
    """Add the departments of seed 004's list that are missing (by code or by name)."""
    codes = set(Department.objects.values_list("code", flat=True))
    names = set(Department.objects.values_list("name", flat=True))
    order = Department.objects.count()
    added = []
    for code, name in DEFAULT_DEPARTMENTS:
        if code in codes or name in names:
            continue
        dept = Department.objects.create(code=code, name=name, sort_order=order + len(added))
        added.append(dept)
        audit.record(actor, "department.create", dept, changes={"code": [None, code], "name": [None, name]})
    return added


@transaction.atomic
def create_department(actor, code: str, name: str) -> Department:
    code, name = (code or "").strip(), (name or "").strip()
    problems = []
    if not DEPARTMENT_CODE_RE.match(code):
        problems.append("代码：须以小写英文字母开头，由 2–40 个小写字母、数字、下划线或连字符组成")
    elif Department.objects.filter(code=code).exists():
        problems.append(f"代码：{code} 已被使用")
    if not name or len(name) > 60:
        problems.append("名称：不能为空，不超过 60 个字")
    elif Department.objects.filter(name=name).exists():
        problems.append(f"名称：{name} 已存在")
    if problems:
        raise AccountError(*problems)
    dept = Department.objects.create(code=code, name=name, sort_order=Department.objects.count())
    audit.record(actor, "department.create", dept, changes={"code": [None, code], "name": [None, name]})
    return dept


@transaction.atomic
def set_review_departments(actor, campaign, codes: Sequence[str]) -> None:
    """Which departments take part in the campaign's joint review (``policy["review_departments"]``, P17)."""
    from huanjie.rules.errors import EngineError
    from huanjie.rules.review import review_departments

    known = list(Department.objects.values_list("code", flat=True))
    wanted = sorted(set(codes))
    try:
        review_departments({"review_departments": wanted}, known)
    except EngineError as exc:
        raise AccountError(exc.message) from exc
    policy = dict(campaign.policy or {})
    before = policy.get("review_departments")
    value = None if set(wanted) == set(known) else wanted
    if before == value:
        return
    if value is None:
        policy.pop("review_departments", None)
    else:
        policy["review_departments"] = value
    campaign.policy = policy
    campaign.save(update_fields=["policy"])
    audit.record(actor, "campaign.policy", campaign, changes={"review_departments": [before, value]})


# ---------------------------------------------------------------------------------------------
# accounts from a spreadsheet


IMPORT_COLUMNS = {"用户名": "username", "姓名": "display_name", "单位": "display_name", "姓名/单位": "display_name",
                  "角色": "role", "账号类型": "role", "区域代码": "region", "统计代码": "region",
                  "部门": "department", "所属部门": "department"}
IMPORT_TEMPLATE_COLUMNS = ["用户名", "姓名/单位", "角色", "区域代码", "所属部门"]
# What offices write in the 角色 column besides the exact labels.
ROLE_WORDS = {**{label: role for role, label in ROLE_LABELS.items()}, **{role: role for role in ALL_ROLES},
              "乡镇": TOWNSHIP, "街道": TOWNSHIP, "村": VILLAGE, "社区": VILLAGE, "选委会": VILLAGE,
              "村民选举委员会": VILLAGE, "部门": DEPARTMENT, "监督员": OBSERVER, "观察员": OBSERVER}


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a statistical code Excel stored as a number
    return re.sub(r"\s+", "", str(value if value is not None else ""))


def account_specs_from_table(table: Sequence[Sequence]) -> tuple[list[AccountSpec], list[str]]:
    """Rows of an account list (用户名, 姓名/单位, 角色, 区域代码, 所属部门) as specs, and the row problems
    found without the actor (unknown role, region or department); ``check_spec`` does the rest."""
    from huanjie.people.models import Region

    header_at, columns = None, {}
    for i, row in enumerate(table[:30]):
        found = {IMPORT_COLUMNS[c]: j for j, c in enumerate(_cell(v).replace("（", "/").rstrip("）") for v in row)
                 if c in IMPORT_COLUMNS}
        if "username" in found and "role" in found:
            header_at, columns = i, found
            break
    if header_at is None:
        return [], ["找不到表头：需要“用户名”“姓名/单位”“角色”“区域代码”列（可下载模板填写）"]
    missing = [label for label, key in (("姓名/单位", "display_name"), ("区域代码", "region")) if key not in columns]
    if missing:
        return [], [f"表头缺少“{'”“'.join(missing)}”列"]
    departments = {d.code: d for d in Department.objects.all()} | {d.name: d for d in Department.objects.all()}
    specs, problems = [], []
    for i, row in enumerate(table[header_at + 1:], header_at + 2):
        values = {key: _cell(row[j]) if j < len(row) else "" for key, j in columns.items()}
        if not any(values.values()):
            continue
        where = f"第 {i} 行"
        role = ROLE_WORDS.get(values["role"])
        if role is None:
            problems.append(f"{where} 角色：无法识别“{values['role']}”（可填 乡镇换届办、村民选举委员会、联审部门、监督员）")
        code = values.get("region", "")
        region = Region.objects.current().filter(code=code).first() if re.fullmatch(r"\d{12}", code) else None
        if region is None:
            problems.append(f"{where} 区域代码：“{code}”不是现有区域的 12 位统计代码")
        dept = None
        if values.get("department"):
            dept = departments.get(values["department"])
            if dept is None:
                problems.append(f"{where} 所属部门：没有“{values['department']}”这个部门（先在联审部门页面添加）")
        if role is not None and region is not None:
            specs.append(AccountSpec(username=values["username"], display_name=values.get("display_name", ""),
                                     role=role, region=region, department=dept, row=i))
    return specs, problems


@transaction.atomic
def import_accounts(actor, table: Sequence[Sequence]) -> list[IssuedPassword]:
    """Create every account of a spreadsheet or none; each problem names its row, field and reason."""
    specs, problems = account_specs_from_table(table)
    if problems:
        taken: set[str] = set()
        for spec in specs:
            problems += [f"第 {spec.row} 行 {p}" for p in check_spec(actor, spec, taken)]
            taken.add(spec.username.lower())
        raise AccountError(*sorted(problems, key=_row_number))
    return create_accounts(actor, specs)


def _row_number(problem: str) -> int:
    m = re.match(r"第 (\d+) 行", problem)
    return int(m[1]) if m else 0
