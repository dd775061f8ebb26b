from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "huanjie.supervision"
    label = "supervision"
    verbose_name = "村务监督委员会推选"

    def ready(self):
        # The supervision committee is a kind of the one election machinery: tell it what differs
        # (posts, calendar, the meeting's attendance, the P6 checks before the vote and on the result).
        from huanjie.supervision import hooks

        hooks.register_kinds()
