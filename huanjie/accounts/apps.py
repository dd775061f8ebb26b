from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "huanjie.accounts"
    label = "accounts"
    verbose_name = "账号与审计"
