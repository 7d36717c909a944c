from django.urls import path

from taolun.reporting import summary_views as views

urlpatterns = [
    path("<slug:campaign>/summary/", views.summary, name="summary"),
    path("<slug:campaign>/bulletins/", views.bulletins, name="bulletins"),
]
