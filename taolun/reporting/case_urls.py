from django.urls import path

from taolun.reporting import case_views as views

urlpatterns = [
    path("<slug:campaign>/cases/", views.cases, name="cases"),
]
