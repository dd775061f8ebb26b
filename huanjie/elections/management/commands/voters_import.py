"""``huanjie voters import FILE --campaign SLUG --village CODE [--commit] [--skip-bad-rows] [--json]``."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "导入一个村的选民名册（不加 --commit 时只检查、不保存）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="名册文件（.xlsx、.xls 或 .csv）")
        parser.add_argument("--campaign", required=True, help="换届工作标识")
        parser.add_argument("--village", required=True, help="村（社区）12位区划代码")
        parser.add_argument("--commit", action="store_true", help="保存到数据库（默认只检查）")
        parser.add_argument("--skip-bad-rows", action="store_true", help="只导入没有问题的行")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出检查结果")
        parser.add_argument("--rejected-out", help="--skip-bad-rows 时把未导入的行写到此 .xlsx 文件")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="字段=列",
            help="指定列映射，如 id_number=E 或 name=姓名（可重复）",
        )

    def handle(self, *args, **opts):
        from huanjie.campaigns.models import Campaign
        from huanjie.core import uploads
        from huanjie.elections.models import Election
        from huanjie.elections.registration import roster
        from huanjie.elections.registration import services as registration

        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            # Size and container first: a hostile file is refused before anything else is looked up.
            data = uploads.read_path(path)
            uploads.check_container(data, path.name)
        except uploads.UploadRefused as exc:
            raise CommandError(str(exc), returncode=2) from None
        campaign = Campaign.objects.filter(slug=opts["campaign"]).first()
        if campaign is None:
            raise CommandError(f"找不到换届工作“{opts['campaign']}”")
        election = (
            Election.objects.select_related("campaign", "organization")
            .filter(
                campaign=campaign,
                organization__code=opts["village"],
                organization__valid_until__isnull=True,
                kind__in=[Election.VILLAGE_COMMITTEE, Election.RESIDENTS_COMMITTEE],
            )
            .first()
        )
        if election is None:
            raise CommandError(
                f"换届工作“{campaign.slug}”中还没有村（社区）{opts['village']}的村（居）民委员会选举，"
                "请先用 huanjie elections create 创建"
            )
        mapping = {}
        for item in opts["map"]:
            if "=" not in item:
                raise CommandError(f"列映射“{item}”应写成 字段=列")
            k, v = item.split("=", 1)
            mapping[k.strip()] = v.strip()
        try:
            parsed = registration.preview_import(election, data, path.name, mapping=mapping or None)
        except (roster.RosterError, uploads.UploadRefused) as exc:
            # A refused or unreadable file is a usage error (exit 2), like a bad argument.
            raise CommandError(str(exc), returncode=2) from None
        summary = parsed.summary()
        outcome = None
        if opts["commit"]:
            try:
                outcome = registration.commit_import(
                    None,
                    election,
                    parsed,
                    opts["skip_bad_rows"],
                    file_sha256=registration.sha256(data),
                    filename=path.name,
                )
            except registration.ImportRefused as exc:
                if opts["json"]:
                    self.stdout.write(json.dumps(summary, ensure_ascii=False))
                raise CommandError(str(exc)) from None
            if outcome.rejected_xlsx and opts["rejected_out"]:
                Path(opts["rejected_out"]).write_bytes(outcome.rejected_xlsx)
        if opts["json"]:
            if outcome is not None:
                summary["saved"] = outcome.as_dict()
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        self.stdout.write(
            f"共 {summary['rows']} 行，可导入 {summary['accepted']} 行，问题 {len(summary['errors'])} 个，"
            f"提示 {len(summary['warnings'])} 个"
        )
        for p in summary["errors"]:
            self.stdout.write(
                f"第{p['row']}行 {roster.FIELD_LABELS.get(p['field'], p['field'])} [{p['code']}] {p['message']}"
            )
        if outcome is not None:
            self.stdout.write(
                f"已登记 {outcome.registered} 人（新建人员 {outcome.persons_created} 人），"
                f"未导入 {outcome.rejected} 行"
            )
        else:
            self.stdout.write("（试运行，未保存。加 --commit 保存）")
