from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "huanjie.oversight"
    label = "oversight"
    verbose_name = "换届督导"
