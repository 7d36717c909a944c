from django.urls import path

from taolun.discussion import views

app_name = "discussion"

urlpatterns = [
    path("topics/<int:pk>/", views.topic_detail, name="topic_detail"),
    path("topics/<int:pk>/edit/", views.topic_edit, name="topic_edit"),
    path("opinions/<opinion_id:pk>/", views.opinion, name="opinion"),
    path("opinions/<opinion_id:pk>/edit/", views.opinion_edit, name="opinion_edit"),
    path("opinions/<opinion_id:pk>/classify/", views.opinion_classify, name="opinion_classify"),
    path("opinions/<opinion_id:pk>/answer/", views.opinion_answer, name="opinion_answer"),
    path("<slug:campaign>/", views.index, name="index"),
    path("<slug:campaign>/topics/new/", views.topic_create, name="topic_create"),
    path("<slug:campaign>/opinions/", views.inbox, name="inbox"),
]
