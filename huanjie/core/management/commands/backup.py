"""``huanjie backup FILE``: a consistent backup of the whole database (SQLite online backup API,
or pg_dump on PostgreSQL); the audit chains are checkpointed first."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "备份整个数据库到一个文件（SQLite 在线备份；PostgreSQL 用 pg_dump 自定义格式）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件路径（不会覆盖已有文件）")

    def handle(self, *args, file, **options):
        from huanjie.accounts import audit
        from huanjie.core import backup

        chains = audit.write_all_checkpoints()
        try:
            engine = backup.backup(Path(file))
        except backup.BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        size = Path(file).stat().st_size
        self.stdout.write(
            f"已备份 {engine} 数据库到 {file}（{size / 1024 / 1024:.1f} MB）；{chains} 条审计链的链头已写入检查点。"
            "审计密钥不在备份中，请另行妥善保存。"
        )
