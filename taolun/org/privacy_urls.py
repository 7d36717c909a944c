"""A person's disability record and their data on request; mounted at /people/."""

from django.urls import path

from taolun.org import views_privacy

app_name = "privacy"

urlpatterns = [
    path("me/", views_privacy.my_record, name="mine"),
    path("me/data/", views_privacy.my_data, name="my_data"),
    path("disability/", views_privacy.records, name="records"),
    path("<person_id:pk>/disability/", views_privacy.record, name="record"),
    path("<person_id:pk>/disability/edit/", views_privacy.record_edit, name="record_edit"),
    path("<person_id:pk>/disability/delete/", views_privacy.record_delete, name="record_delete"),
    path("<person_id:pk>/data/", views_privacy.person_data, name="data"),
]
