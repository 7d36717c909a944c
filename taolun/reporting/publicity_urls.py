"""The office's publicity pages under /reporting/."""

from django.urls import path

from taolun.reporting import publicity_views as views

urlpatterns = [
    path("<slug:campaign>/publicity/", views.index, name="publicity"),
    path(
        "<slug:campaign>/publicity/<str:kind>/<int:pk>/mark/",
        views.mark,
        name="publicity_mark",
    ),
    path("publications/<int:pk>/", views.detail, name="publication"),
    path("publications/<int:pk>/edit/", views.edit, name="publication_edit"),
    path("publications/<int:pk>/publish/", views.publish, name="publication_publish"),
    path("publications/<int:pk>/withdraw/", views.withdraw, name="publication_withdraw"),
    path("publications/<int:pk>/replan/", views.replan, name="publication_replan"),
]
