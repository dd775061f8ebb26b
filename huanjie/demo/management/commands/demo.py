import time

from django.core.management.base import BaseCommand, CommandError

from huanjie.demo.county import SIZES, build_demo
from huanjie.people.models import Region

from .demo_passwords import demo_accounts, print_accounts


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
        # Every account the demo made (its scenarios add one per village committee and department),
        # not only the few the builder returns.
        print_accounts(self.stdout, demo_accounts())
