"""Routes of the brief workflow (信息报送), joined into the "reporting" namespace."""

from django.urls import path

from taolun.reporting import brief_views as views


def _action(slug: str, action: str):
    return path(
        f"briefs/<int:pk>/{slug}/", views.brief_action, {"action": action}, name=f"brief_{action}"
    )


urlpatterns = [
    path("briefs/<int:pk>/", views.brief_detail, name="brief_detail"),
    path("briefs/<int:pk>/edit/", views.brief_edit, name="brief_edit"),
    _action("send-for-signoff", "send_for_signoff"),
    _action("sign", "sign"),
    _action("send-back", "send_back"),
    _action("submit", "submit"),
    path("briefs/<int:pk>/photos/", views.brief_photo_add, name="brief_photo_add"),
    path("briefs/photos/<int:pk>/", views.brief_photo, name="brief_photo"),
    path("briefs/photos/<int:pk>/caption/", views.brief_photo_caption, name="brief_photo_caption"),
    path("briefs/photos/<int:pk>/remove/", views.brief_photo_remove, name="brief_photo_remove"),
    path("briefs/reviews/<int:pk>/decide/", views.review_decide, name="brief_review_decide"),
    path("briefs/reviews/<int:pk>/forward/", views.review_forward, name="brief_review_forward"),
    path("<slug:campaign>/briefs/", views.briefs, name="briefs"),
    path("<slug:campaign>/briefs/new/", views.brief_create, name="brief_create"),
]
