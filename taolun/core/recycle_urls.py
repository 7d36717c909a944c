"""The recycle bin: the list with its filters, and restoring one record."""

from django.urls import path

from taolun.core import views_recycle

app_name = "recycle"

urlpatterns = [
    path("", views_recycle.recycle_list, name="list"),
    path("<int:pk>/restore/", views_recycle.recycle_restore, name="restore"),
]
