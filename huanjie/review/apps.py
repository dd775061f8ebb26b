from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "huanjie.review"
    label = "review"
    verbose_name = "资格审查"
