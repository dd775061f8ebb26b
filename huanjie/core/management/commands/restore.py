"""``huanjie restore FILE --yes``: replace the database with a backup, then verify the audit chains
and the result seals of what was restored."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "用备份文件覆盖当前数据库，并校验恢复后的审计日志。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="huanjie backup 生成的备份文件")
        parser.add_argument("--yes", action="store_true", help="确认覆盖当前数据库")

    def handle(self, *args, file, yes, **options):
        from huanjie.accounts import audit
        from huanjie.core import backup

        if not yes:
            raise CommandError("恢复会用备份覆盖当前数据库的全部数据；确认请加 --yes。", returncode=2)
        try:
            engine = backup.restore(Path(file))
        except backup.BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(f"已从 {file} 恢复 {engine} 数据库。")
        report = audit.verify_chain()
        behind = [f for f in report.findings if "库外检查点记录了" in f.problem]
        if behind and len(behind) == len(report.findings):
            moved = backup.supersede_checkpoints(timezone.now())
            self.stdout.write(
                "注意：备份早于最新的检查点，备份之后写入的审计记录不在恢复的数据中：\n"
                + "\n".join(f"  {f}" for f in behind)
                + f"\n原检查点已保留在 {moved}，并按恢复后的链头重新写入检查点。"
            )
        audit.write_all_checkpoints()
        audit.record(None, "system.restore", changes={"file": [None, Path(file).name], "engine": [None, engine]},
                     object_type="system", object_repr="恢复数据库")
        from django.core.management import call_command

        call_command("audit_verify", stdout=self.stdout, stderr=self.stderr)
