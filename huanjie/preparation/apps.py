from django.apps import AppConfig


class PreparationConfig(AppConfig):
    name = "huanjie.preparation"
    label = "preparation"
    verbose_name = "换届准备（离任审计、业务培训）"
