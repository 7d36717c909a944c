from django.urls import path

from taolun.reporting import stats_views as views

urlpatterns = [
    path("<slug:campaign>/stats/", views.stats, name="stats"),
    path("<slug:campaign>/stats/export/", views.stats_xlsx, name="stats_xlsx"),
    path("<slug:campaign>/stats/shortfalls/", views.shortfalls, name="stats_shortfalls"),
    path("<slug:campaign>/stats/quotas/", views.quotas_edit, name="stats_quotas"),
    path("<slug:campaign>/stats/points/", views.points_edit, name="stats_points"),
    path("<slug:campaign>/league/", views.league, name="league"),
    path("<slug:campaign>/league/publish/", views.league_publish, name="league_publish"),
    path("<slug:campaign>/league/<int:pk>/", views.league_table, name="league_table"),
]
