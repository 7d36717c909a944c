from django.urls import path

from taolun.study import views

app_name = "study"

urlpatterns: list = []
