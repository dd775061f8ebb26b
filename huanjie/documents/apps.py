from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "huanjie.documents"
    label = "documents"
    verbose_name = "公告与文书"
