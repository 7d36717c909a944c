"""The platform's public page: published items for anonymous visitors, and their feed."""

from django.urls import path

from taolun.reporting import public_views as views

app_name = "public"

urlpatterns = [
    path("", views.index, name="index"),
    path("feed.atom", views.PublicFeed(), name="feed"),
    path("briefs/<int:pk>/", views.brief, name="brief"),
    path("briefs/<int:pk>/photos/<int:photo>/", views.brief_photo, name="brief_photo"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/photo/", views.case_photo, name="case_photo"),
]
