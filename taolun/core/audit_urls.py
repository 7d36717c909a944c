"""The audit trail: the list with its filters, and the same list as CSV."""

from django.urls import path

from taolun.core import views_audit

app_name = "audit"

urlpatterns = [
    path("", views_audit.audit_list, name="list"),
    path("export.csv", views_audit.audit_export, name="export"),
]
