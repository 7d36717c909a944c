from django.urls import path

from taolun.reporting import outcome_views as views

urlpatterns = [
    path("<slug:campaign>/outcomes/", views.outcomes, name="outcomes"),
    path("<slug:campaign>/outcomes/new/", views.outcome_create, name="outcome_create"),
    path("outcomes/<int:pk>/", views.outcome_detail, name="outcome_detail"),
    path("outcomes/<int:pk>/edit/", views.outcome_edit, name="outcome_edit"),
    path("outcomes/<int:pk>/file/", views.outcome_file, name="outcome_file"),
]
