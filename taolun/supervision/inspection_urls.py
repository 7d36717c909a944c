"""Inspections (督导) and their findings, in the namespace "supervision"."""

from django.urls import path

from taolun.supervision import inspection_views as views

urlpatterns = [
    path("inspections/<inspection_id:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<inspection_id:pk>/edit/", views.inspection_edit, name="inspection_edit"),
    path("inspections/<inspection_id:pk>/findings/", views.finding_add, name="finding_add"),
    path("findings/<finding_id:pk>/edit/", views.finding_edit, name="finding_edit"),
    path("findings/<finding_id:pk>/delete/", views.finding_delete, name="finding_delete"),
    path(
        "findings/<finding_id:pk>/to-ledger/", views.finding_to_problem, name="finding_to_problem"
    ),
    path("<slug:campaign>/inspections/", views.inspection_list, name="inspections"),
    path("<slug:campaign>/inspections/new/", views.inspection_new, name="inspection_new"),
]
