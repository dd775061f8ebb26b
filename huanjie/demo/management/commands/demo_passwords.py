from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from huanjie.accounts import audit
from huanjie.accounts.models import User
from huanjie.accounts.services import generate_password
from huanjie.demo.management.commands.demo import print_accounts

DEMO_USERS = ["county_office", "township_a", "township_b", "village_a1", "dept_police", "observer", "sysadmin"]


class Command(BaseCommand):
    help = "为演示账号重新生成随机密码并显示（只用于演示数据库）。"

    def handle(self, *args, **options):
        users = list(User.objects.filter(username__in=DEMO_USERS).select_related("region", "department"))
        if not users:
            raise CommandError("没有找到演示账号：请先运行 huanjie demo。")
        accounts = []
        with transaction.atomic():
            for user in sorted(users, key=lambda u: DEMO_USERS.index(u.username)):
                password = generate_password()
                user.set_password(password)
                user.failed_logins, user.locked_until = 0, None
                user.save()
                audit.record(None, "account.password_reset", user, object_repr=user.username)
                scope = user.region.name + (f" · {user.department.name}" if user.department else "")
                accounts.append((user.username, password, user.role, scope))
        print_accounts(self.stdout, accounts)
