from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "huanjie.elections"
    label = "elections"
    verbose_name = "村民委员会选举"

    def ready(self):
        from huanjie.elections import todos  # noqa: F401  (registers the 工作台's next and overdue steps)
        from huanjie.elections.aftervote import locking  # noqa: F401  (connects the audit signals of a reopened result)
        from huanjie.elections.registration import counts  # noqa: F401  (drops cached voter counts on writes)
