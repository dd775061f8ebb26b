"""``huanjie audit checkpoint``: write the head of every audit chain to the checkpoint directory
now (writes do it after every commit; run this from cron to anchor quiet periods too)."""

from django.core.management.base import BaseCommand

from huanjie.accounts import audit


class Command(BaseCommand):
    help = "把每条审计链的当前链头（记录数和密钥哈希）写入库外检查点目录。"

    def handle(self, *args, **options):
        n = audit.write_all_checkpoints()
        self.stdout.write(f"已写入 {n} 条审计链的检查点：{audit.checkpoint_dir()}")
