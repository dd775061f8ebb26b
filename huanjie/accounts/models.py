from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from huanjie.core.access import ADMIN, COUNTY, DEPARTMENT, OBSERVER, ROLE_LABELS, TOWNSHIP, VILLAGE


class Department(models.Model):
    """A reviewing department of the joint qualification review (联审部门), e.g. 公安局."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60, unique=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = "联审部门"

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """An account: one role, scoped to one region (and a department for reviewers)."""

    ROLE_CHOICES = [(k, v) for k, v in ROLE_LABELS.items()]

    display_name = models.CharField("姓名", max_length=40, blank=True)
    role = models.CharField("角色", max_length=20, choices=ROLE_CHOICES)
    region = models.ForeignKey(
        "people.Region", verbose_name="管辖区域", on_delete=models.PROTECT, null=True, blank=True
    )
    department = models.ForeignKey(
        Department, verbose_name="所属部门", on_delete=models.PROTECT, null=True, blank=True
    )
    # Set when an office creates the account or resets its password: the one-time password must
    # be replaced at the first login (huanjie.core.middleware.PasswordChangeRequiredMiddleware).
    must_change_password = models.BooleanField("须修改密码", default=False)

    class Meta:
        verbose_name = "账号"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def scope_prefix(self) -> str | None:
        """The prefix of region codes this account may see; None when it has no scope."""
        if self.region_id is None:
            return None
        return self.region.scope_prefix

    @property
    def is_county(self) -> bool:
        return self.role == COUNTY

    @property
    def is_township(self) -> bool:
        return self.role == TOWNSHIP

    @property
    def is_village(self) -> bool:
        return self.role == VILLAGE

    @property
    def is_department(self) -> bool:
        return self.role == DEPARTMENT

    @property
    def is_observer(self) -> bool:
        return self.role == OBSERVER

    @property
    def is_admin_role(self) -> bool:
        return self.role == ADMIN


class LoginThrottle(models.Model):
    """Failed logins of one user name (an account's or not) within the current window, and its lock.

    Keyed by the name typed, not by the account, so that a name that is no account is counted and
    locked exactly like a real one: the login page never tells whether an account exists. Every
    change is one UPDATE with the arithmetic in SQL (``huanjie.accounts.services``), so failures
    sent at the same moment from many threads are all counted.
    """

    username = models.CharField("用户名", max_length=150, unique=True)
    failures = models.PositiveIntegerField("窗口内失败次数", default=0)
    window_start = models.DateTimeField("计数开始", db_index=True)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    class Meta:
        verbose_name = "登录失败计数"

    def __str__(self) -> str:
        return self.username


class AuditRecord(models.Model):
    """One link of an audit chain: who changed what, when, with before/after.

    Each region has its own chain (``chain`` = the record's 12-digit region code: a village, a
    township or a county; "" for records that belong to no region; 6 digits for the one-chain-per-
    county records written before), with its own ``seq`` from 1 and its own head row
    (:class:`AuditChainHead`), so villages never wait on each other. ``hash`` is HMAC-SHA256, keyed
    with a secret kept outside the database, over the canonical JSON of the record's fields and
    ``prev_hash``; the chains are checked by ``huanjie audit verify``.
    """

    chain = models.CharField("审计链", max_length=12, blank=True, default="")
    seq = models.PositiveBigIntegerField("序号")
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(User, verbose_name="操作人", on_delete=models.SET_NULL, null=True, blank=True)
    actor_name = models.CharField("操作人名称", max_length=80)
    action = models.CharField("操作", max_length=60, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, db_index=True)
    object_id = models.CharField("对象编号", max_length=60, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    region_code = models.CharField("区域代码", max_length=12, blank=True, db_index=True)
    changes = models.JSONField("变更内容", default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "审计记录"
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_seq_once_per_chain")]

    def __str__(self) -> str:
        return f"#{self.chain or '全局'}-{self.seq} {self.action} {self.object_repr}"


class AuditChainHead(models.Model):
    """The head of one region's audit chain: appends lock this row (not a global lock)."""

    chain = models.CharField("审计链", max_length=12, primary_key=True)
    seq = models.PositiveBigIntegerField("记录数", default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = "审计链头"
