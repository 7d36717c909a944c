"""Dashboards, lagging units and scores, under the namespace "supervision"."""

from django.urls import path

from taolun.supervision import dashboard_views as views

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/units/<slug:unit_slug>/", views.dashboard, name="dashboard_unit"),
    path("<slug:slug>/lagging/", views.lagging, name="lagging"),
    path("<slug:slug>/scores/", views.scores, name="scores"),
    path("<slug:slug>/scores/xlsx/", views.scores_xlsx, name="scores_xlsx"),
    path("<slug:slug>/scores/scheme/", views.scheme, name="scheme"),
    path("<slug:slug>/refresh/", views.refresh, name="refresh"),
]
