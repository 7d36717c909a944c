from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "taolun.campaigns"
    label = "campaigns"
