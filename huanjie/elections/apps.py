from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "huanjie.elections"
    label = "elections"
    verbose_name = "村民委员会选举"

    def ready(self):
        from huanjie.elections.aftervote import locking  # noqa: F401  (connects the audit signals of a reopened result)
