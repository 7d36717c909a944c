"""Inspections (督导) and their findings, in the namespace "supervision"."""

from django.urls import path

from taolun.supervision import inspection_views as views

urlpatterns = [
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/edit/", views.inspection_edit, name="inspection_edit"),
    path("inspections/<int:pk>/findings/", views.finding_add, name="finding_add"),
    path("findings/<int:pk>/edit/", views.finding_edit, name="finding_edit"),
    path("findings/<int:pk>/delete/", views.finding_delete, name="finding_delete"),
    path("findings/<int:pk>/to-ledger/", views.finding_to_problem, name="finding_to_problem"),
    path("<slug:campaign>/inspections/", views.inspection_list, name="inspections"),
    path("<slug:campaign>/inspections/new/", views.inspection_new, name="inspection_new"),
]
