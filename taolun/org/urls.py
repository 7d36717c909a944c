from django.urls import path

from taolun.org import views

app_name = "org"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<slug:slug>/", views.unit_detail, name="unit_detail"),
]
