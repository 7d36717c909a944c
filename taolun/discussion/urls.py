from django.urls import path

from taolun.discussion import views

app_name = "discussion"

urlpatterns: list = []
