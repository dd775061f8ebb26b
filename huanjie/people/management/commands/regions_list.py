from django.core.management.base import BaseCommand

from huanjie.people.models import Region


class Command(BaseCommand):
    help = "列出区域（代码、名称、层级），--json 输出供脚本使用。"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--level", choices=["county", "township", "village"])

    def handle(self, *args, json: bool = False, level=None, **options):
        regions = Region.objects.current().select_related("parent").order_by("code")
        if level:
            regions = regions.filter(level=level)
        rows = [{"code": r.code, "name": r.name, "level": r.level, "kind": r.kind,
                 "parent": r.parent.code if r.parent_id else None, "slug": r.code} for r in regions]
        if json:
            import json as _json

            self.stdout.write(_json.dumps(rows, ensure_ascii=False, indent=1))
        else:
            for row in rows:
                indent = {"county": "", "township": "  ", "village": "    "}[row["level"]]
                self.stdout.write(f"{row['code']}  {indent}{row['name']}")
