from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "huanjie.people"
    label = "people"
    verbose_name = "区域与人员"

    def ready(self):
        from huanjie.people import stats  # noqa: F401  (connects the signals that drop cached counts)
