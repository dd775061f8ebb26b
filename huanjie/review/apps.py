from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "huanjie.review"
    label = "review"
    verbose_name = "资格审查"

    def ready(self):
        from huanjie.review import todos  # noqa: F401  (registers the 工作台's waiting reviews)
