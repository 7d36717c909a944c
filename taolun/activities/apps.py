from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "taolun.activities"
    label = "activities"
