from django.urls import path

from taolun.reporting import brief_views as views

urlpatterns = [
    path("<slug:campaign>/briefs/", views.briefs, name="briefs"),
]
