"""Excel export and import of the ledger (views_io.py)."""

from django.urls import path

from taolun.rectification import views_io

urlpatterns = [
    path("<slug:campaign>/export/", views_io.ledger_export, name="ledger_export"),
    path("<slug:campaign>/import/", views_io.ledger_import, name="ledger_import"),
    path("imports/<int:pk>/", views_io.ledger_import_preview, name="ledger_import_preview"),
    path("imports/<int:pk>/apply/", views_io.ledger_import_apply, name="ledger_import_apply"),
    path("imports/<int:pk>/cancel/", views_io.ledger_import_cancel, name="ledger_import_cancel"),
]
