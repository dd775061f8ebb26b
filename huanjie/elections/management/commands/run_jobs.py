"""``huanjie run_jobs``: run queued background jobs (production, instead of request threads)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "运行排队中的后台任务（如大名册导入）"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="持续运行，每隔几秒检查一次")
        parser.add_argument("--interval", type=float, default=2.0)

    def handle(self, *args, **opts):
        from huanjie.elections.registration.jobs import run_queued

        while True:
            n = run_queued()
            if n:
                self.stdout.write(f"已运行 {n} 个任务")
            if not opts["loop"]:
                return
            time.sleep(opts["interval"])
