from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "taolun.notifications"
    label = "notifications"
