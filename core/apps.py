from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from core import badges, checks, notifications, signals  # noqa: F401

        badges.register("unread_notifications", notifications.unread_flag)
