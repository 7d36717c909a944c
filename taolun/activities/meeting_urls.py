from django.urls import path

from taolun.activities import meeting_views as views

app_name = "meetings"

urlpatterns: list = []
