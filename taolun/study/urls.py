"""Study pages: materials, logs, reflections, unit completion and the member's own page."""

from django.urls import path

from taolun.study import views

app_name = "study"

urlpatterns = [
    path("materials/<int:pk>/", views.material_detail, name="material_detail"),
    path("materials/<int:pk>/edit/", views.material_edit, name="material_edit"),
    path("materials/<int:pk>/publish/", views.material_publish, name="material_publish"),
    path("materials/<int:pk>/file/", views.material_file, name="material_file"),
    path("logs/<int:pk>/delete/", views.log_delete, name="log_delete"),
    path("reflections/<reflection_id:pk>/", views.reflection_detail, name="reflection_detail"),
    path("reflections/<reflection_id:pk>/edit/", views.reflection_edit, name="reflection_edit"),
    path("reflections/<reflection_id:pk>/mark/", views.reflection_mark, name="reflection_mark"),
    path("<slug:campaign>/", views.index, name="index"),
    path("<slug:campaign>/materials/new/", views.material_create, name="material_create"),
    path("<slug:campaign>/log/new/", views.log_create, name="log_create"),
    path("<slug:campaign>/reflections/", views.reflections, name="reflections"),
    path("<slug:campaign>/reflections/new/", views.reflection_create, name="reflection_create"),
    path("<slug:campaign>/units/<slug:unit>/", views.completion, name="unit_completion"),
    path("<slug:campaign>/me/", views.me, name="me"),
]
