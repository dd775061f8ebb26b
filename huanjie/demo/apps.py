from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo county: a client of every app's services, imported by none of them."""

    name = "huanjie.demo"
    label = "demo"
    verbose_name = "演示县"
