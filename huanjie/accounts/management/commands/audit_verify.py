from django.core.management.base import BaseCommand, CommandError

from huanjie.accounts.audit import verify_chain


class Command(BaseCommand):
    help = "校验审计日志的哈希链，报告第一处被改动、删除或断开的记录。"

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(f"审计日志校验失败：{report.problem}（已核对 {report.checked} 条）")
        self.stdout.write(self.style.SUCCESS(f"审计日志完好：共 {report.checked} 条记录，哈希链连续。"))
