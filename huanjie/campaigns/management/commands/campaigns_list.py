import json as jsonlib

from django.core.management.base import BaseCommand

from huanjie.campaigns.models import Campaign


class Command(BaseCommand):
    help = "列出换届工作（标识、名称、县），--json 输出供脚本使用。"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, json: bool = False, **options):
        rows = [
            {"slug": c.slug, "name": c.name, "county": c.county.code, "jurisdiction": c.jurisdiction,
             "term_number": c.term_number, "cutoff_date": c.cutoff_date.isoformat(),
             "villages": [{"code": e.village.code, "name": e.village.name, "state": e.state}
                          for e in c.villages.select_related("village").order_by("village__code")]}
            for c in Campaign.objects.select_related("county").order_by("slug")
        ]
        if json:
            self.stdout.write(jsonlib.dumps(rows, ensure_ascii=False, indent=1))
        else:
            for row in rows:
                self.stdout.write(f"{row['slug']}  {row['name']}（{len(row['villages'])} 个村）")
