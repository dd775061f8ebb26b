from django.apps import AppConfig


class CongressConfig(AppConfig):
    name = "huanjie.congress"
    label = "congress"
    verbose_name = "乡镇党代会"

    def ready(self):
        # A unit's delegate election is a kind of the one election machinery: tell it what differs.
        from huanjie.congress import hooks

        hooks.register_kinds()
        hooks.register_congress_kinds()
