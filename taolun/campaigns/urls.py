from django.urls import include, path

from taolun.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("actions/<int:pk>/decide/", views.action_decide, name="action_decide"),
    path("<slug:slug>/", views.campaign_detail, name="detail"),
    path("<slug:slug>/matrix/", views.campaign_overview_page, name="overview"),
    path("<slug:slug>/documents/", include("taolun.documents.urls")),
    path("<slug:slug>/units/<slug:unit_slug>/plan/", views.plan_edit, name="plan_edit"),
    path(
        "<slug:slug>/units/<slug:unit_slug>/actions/new/",
        views.action_propose,
        name="action_propose",
    ),
]
