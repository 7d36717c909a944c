from django.urls import path

from taolun.reporting import publicity_views as views

urlpatterns = [
    path("<slug:campaign>/publicity/", views.publicity, name="publicity"),
]
