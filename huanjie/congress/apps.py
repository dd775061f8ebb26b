from django.apps import AppConfig


class CongressConfig(AppConfig):
    name = "huanjie.congress"
    label = "congress"
    verbose_name = "乡镇党代会"
