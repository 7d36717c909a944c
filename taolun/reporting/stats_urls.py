from django.urls import path

from taolun.reporting import stats_views as views

urlpatterns = [
    path("<slug:campaign>/stats/", views.stats, name="stats"),
]
