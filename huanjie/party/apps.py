from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "huanjie.party"
    label = "party"
    verbose_name = "村党组织换届选举"

    def ready(self):
        # The party branch and its plenary are kinds of the one election machinery: tell it what
        # differs (posts, calendar, attendance, the 批复 gate).
        from huanjie.party import hooks

        hooks.register_kinds()
