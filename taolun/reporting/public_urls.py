"""The platform's public page: published items for anonymous visitors, and their feed."""

from django.urls import path

from taolun.reporting import public_views as views

app_name = "public"

urlpatterns = [
    path("", views.index, name="index"),
]
