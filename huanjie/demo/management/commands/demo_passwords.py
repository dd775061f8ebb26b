from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from huanjie.accounts.models import AuditRecord, User
from huanjie.accounts.services import reset_password
from huanjie.core.access import ROLE_LABELS


def demo_accounts() -> list[tuple[str, str, str, str]]:
    """A new random password for every account of the demo database, as (username, password, role, scope).

    Every account, not a chosen few: the demo is walked as each role (each village committee, each
    reviewing department). Demo accounts need no forced change at first login, so the demo stays
    quick to try; each reset is audited like any other. Refused on a database that is not the demo's.
    """
    if not AuditRecord.objects.filter(action="demo.load").exists():
        raise CommandError("这不是演示数据库（没有装入演示数据的审计记录），不能批量重置密码。")
    order = list(ROLE_LABELS)
    users = sorted(User.objects.select_related("region", "department"),
                   key=lambda u: (order.index(u.role), u.region.code if u.region_id else "", u.username))
    accounts = []
    with transaction.atomic():
        for user in users:
            issued = reset_password(None, user, must_change=False)
            scope = (user.region.name if user.region_id else "") + (f" · {user.department.name}" if user.department_id else "")
            accounts.append((user.username, issued.password, user.role, scope))
    return accounts


def print_accounts(out, accounts) -> None:
    out.write(f"\n演示账号共 {len(accounts)} 个（密码随机生成，只显示这一次；演示账号首次登录无须修改密码）：")
    out.write(f"  {'用户名':<20}{'密码':<14}{'角色':<12}范围")
    for username, password, role, scope in accounts:
        out.write(f"  {username:<23}{password:<16}{ROLE_LABELS[role]:<10}{scope}")
    out.write("忘记密码时运行 huanjie demo_passwords 重新生成。")


class Command(BaseCommand):
    help = "为演示数据库的每个账号重新生成随机密码并显示（只用于演示数据库）。"

    def handle(self, *args, **options):
        if not User.objects.exists():
            raise CommandError("没有找到演示账号：请先运行 huanjie demo。")
        print_accounts(self.stdout, demo_accounts())
