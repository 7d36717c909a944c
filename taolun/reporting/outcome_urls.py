from django.urls import path

from taolun.reporting import outcome_views as views

urlpatterns = [
    path("<slug:campaign>/outcomes/", views.outcomes, name="outcomes"),
]
