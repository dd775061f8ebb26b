"""``huanjie audit verify``: every audit chain, its checkpoints outside the database, and
the seal of every submitted result. Prints what it checked and every finding; exits 1 on any."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from huanjie.accounts import audit


class Command(BaseCommand):
    help = "校验审计日志：各地区审计链的密钥哈希、库外检查点，以及每个已报送选举结果的封印。"

    def handle(self, *args, **options):
        from huanjie.elections.aftervote import seal

        report = audit.verify_chain()
        seals = seal.verify()
        key_from = "环境变量 HUANJIE_AUDIT_KEY" if getattr(settings, "HUANJIE_AUDIT_KEY", "") else (
            f"密钥文件 {settings.HUANJIE_AUDIT_KEY_FILE}")
        out = self.stdout
        out.write(f"审计密钥：{key_from}；检查点目录：{audit.checkpoint_dir()}")
        for chain, n in sorted(report.chains.items()):
            out.write(f"  审计链 {audit.chain_label(chain)}：核对 {n} 条记录")
        out.write(f"  库外检查点：核对 {report.checkpoints} 个")
        out.write(
            f"  选举结果封印：已报送并锁定 {seals.submitted} 个，重新计算 {seals.checked} 个"
            + (f"，封印功能启用前报送、无封印 {seals.unsealed} 个" if seals.unsealed else "")
            + (f"；已解锁 {seals.unlocked} 个" if seals.unlocked else "")
        )
        findings = [str(f) for f in report.findings] + seals.findings
        for f in findings:
            self.stderr.write(f"发现问题：{f}")
        if findings:
            raise CommandError(f"审计日志校验失败：发现 {len(findings)} 个问题，第一个：{findings[0]}")
        out.write(self.style.SUCCESS(
            f"审计日志完好：{len(report.chains)} 条审计链共 {report.checked} 条记录，哈希链连续，"
            f"与库外检查点一致，已报送结果的封印全部相符。"))
