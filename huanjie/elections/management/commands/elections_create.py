"""``huanjie elections create --campaign SLUG --village CODE --date YYYY-MM-DD [--posts director=1,...]``."""

from __future__ import annotations

import datetime as dt
import json as jsonlib
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError

from huanjie.accounts.models import User
from huanjie.campaigns.models import Campaign
from huanjie.core.access import COUNTY
from huanjie.elections import services
from huanjie.people.models import Region


@dataclass(frozen=True)
class CommandLineActor:
    """Scripts act as the county office of the campaign; the audit log names the command line."""

    scope_prefix: str
    role: str = COUNTY
    pk: None = None

    def __str__(self) -> str:
        return "命令行（县换届办）"


def parse_posts(text: str) -> list[tuple[str, int]]:
    posts = []
    for part in text.split(","):
        if not part.strip():
            continue
        code, sep, seats = part.partition("=")
        if not sep or not seats.strip().isdecimal():
            raise CommandError(f"--posts 格式应为 director=1,deputy=1,member=3，“{part.strip()}”无法识别")
        posts.append((code.strip(), int(seats)))
    if not posts:
        raise CommandError("--posts 不能为空")
    return posts


class Command(BaseCommand):
    help = "为一个村（社区）建立村（居）民委员会选举：选举日、职位和名额、第一轮投票。"

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="换届工作标识（slug）")
        parser.add_argument("--village", required=True, help="村（社区）12 位统计用区划代码")
        parser.add_argument("--date", required=True, help="选举日 YYYY-MM-DD")
        parser.add_argument(
            "--posts", help="职位名额，如 director=1,deputy=1,member=3（women_member=妇女委员）"
        )
        parser.add_argument("--user", help="以此账号的名义建立（默认：县换届办）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **opts):
        campaign = Campaign.objects.select_related("county").filter(slug=opts["campaign"]).first()
        if campaign is None:
            raise CommandError(f"找不到换届工作“{opts['campaign']}”")
        village = Region.objects.current().filter(code=opts["village"].strip()).first()
        if village is None:
            raise CommandError(f"找不到区划代码为 {opts['village']} 的村（社区）")
        try:
            day = dt.date.fromisoformat(opts["date"].strip())
        except ValueError:
            raise CommandError(f"--date 应为 YYYY-MM-DD 格式的日期，收到“{opts['date']}”") from None
        posts = parse_posts(opts["posts"]) if opts.get("posts") else None
        if opts.get("user"):
            actor = User.objects.filter(username=opts["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"找不到账号“{opts['user']}”")
        else:
            actor = CommandLineActor(scope_prefix=campaign.county.code[:6])
        try:
            election = services.create_election(actor, campaign, village, day, posts)
        except services.ElectionError as exc:
            raise CommandError(str(exc)) from None
        result = {
            "id": election.pk,
            "title": election.title,
            "village": village.code,
            "election_date": election.election_date.isoformat(),
            "posts": {p.code: p.seats for p in election.posts.all()},
        }
        if opts["json"]:
            self.stdout.write(jsonlib.dumps(result, ensure_ascii=False))
        else:
            posts_text = "、".join(f"{p.name}{p.seats}名" for p in election.posts.all())
            self.stdout.write(
                f"已建立“{election.title}”（编号 {election.pk}），选举日 {result['election_date']}，{posts_text}"
            )
