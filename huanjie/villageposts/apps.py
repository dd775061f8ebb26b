from django.apps import AppConfig


class VillagePostsConfig(AppConfig):
    name = "huanjie.villageposts"
    label = "villageposts"
    verbose_name = "村民代表和村民小组长"
