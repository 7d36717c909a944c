from django.urls import path

from taolun.reporting import case_views as views

urlpatterns = [
    path("<slug:campaign>/cases/", views.cases, name="cases"),
    path("<slug:campaign>/cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/decide/", views.case_decide, name="case_decide"),
    path("cases/<int:pk>/photo/", views.case_photo, name="case_photo"),
]
