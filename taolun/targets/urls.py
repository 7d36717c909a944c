from django.urls import path

from taolun.targets import views

app_name = "targets"
urlpatterns = [
    path("", views.index, name="index"),
    path("areas/<int:pk>/edit/", views.area_edit, name="area_edit"),
    path("areas/<int:pk>/indicators/new/", views.indicator_new, name="indicator_new"),
    path("indicators/<int:pk>/", views.indicator_page, name="indicator"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/report/", views.report, name="report"),
    path("<slug:campaign>/", views.campaign_page, name="campaign"),
    path("<slug:campaign>/areas/new/", views.area_new, name="area_new"),
]
