from django.urls import path

from taolun.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.todo, name="todo"),
]
