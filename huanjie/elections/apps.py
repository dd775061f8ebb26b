from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "huanjie.elections"
    label = "elections"
    verbose_name = "村民委员会选举"
