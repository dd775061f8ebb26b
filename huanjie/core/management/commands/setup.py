from django.core.management.base import BaseCommand, CommandError

from huanjie.core.firstrun import SetupRefused, set_up_county


class Command(BaseCommand):
    help = "首次使用：在空数据库中建立本县（市、区）和县换届办的第一个账号（不装入演示数据）。"

    def add_arguments(self, parser):
        parser.add_argument("--county-code", required=True, help="县级统计用区划代码，12 位，如 130731000000")
        parser.add_argument("--county-name", required=True, help="县（市、区）名称，如 安平县")
        parser.add_argument("--admin-username", required=True, help="县换届办第一个账号的用户名")
        parser.add_argument("--admin-name", default="", help="账号使用人姓名（可选）")

    def handle(self, *args, county_code, county_name, admin_username, admin_name, **options):
        try:
            user, password = set_up_county(county_code, county_name, admin_username, admin_name)
        except SetupRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"已建立 {user.region.name}（{user.region.code}）和县换届办账号。"))
        self.stdout.write(f"  用户名：{user.username}")
        self.stdout.write(f"  一次性密码：{password}")
        self.stdout.write("密码只显示这一次，请登录后立即修改。下一步：登录后在“区域”页面导入本县乡镇和村（社区）。")
