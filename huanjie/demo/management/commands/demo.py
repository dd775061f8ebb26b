import time

from django.core.management.base import BaseCommand, CommandError

from huanjie.core.access import ROLE_LABELS
from huanjie.demo.county import SIZES, build_demo
from huanjie.people.models import Region


class Command(BaseCommand):
    help = "生成演示县：2 个乡镇、12 个村（社区）、约 3 万人、一次换届工作和每种角色一个账号。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="随机种子（同一种子生成同样的数据）")
        parser.add_argument("--size", choices=sorted(SIZES), default="county", help="county 约 3 万人；small 约 3 千人")
        parser.add_argument("--if-empty", action="store_true", help="数据库已有数据时跳过，不报错")

    def handle(self, *args, seed, size, if_empty, **options):
        if Region.objects.exists():
            if if_empty:
                self.stdout.write("数据库中已有数据，跳过演示数据。忘记演示账号密码时运行：huanjie demo_passwords")
                return
            raise CommandError("数据库中已有区域数据，演示数据只能装入空数据库（可删除 var/huanjie.sqlite3 后重试）。")
        started = time.perf_counter()
        try:
            result = build_demo(seed=seed, size=size)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"演示县已生成：{result.villages} 个村（社区），{result.people} 人，{result.relations} 条亲属关系，"
            f"换届工作 {result.campaign_slug}，{result.voters} 名登记选民，用时 {seconds:.1f} 秒。"))
        print_accounts(self.stdout, result.accounts)


def print_accounts(out, accounts):
    out.write("\n演示账号（密码随机生成，只显示这一次，请妥善保存）：")
    out.write(f"  {'用户名':<14}{'密码':<18}{'角色':<12}范围")
    for username, password, role, scope in accounts:
        out.write(f"  {username:<16}{password:<20}{ROLE_LABELS[role]:<10}{scope}")
