from django.urls import path

from taolun.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.record_list, name="list"),
    path("new/<slug:unit_slug>/<int:action_pk>/", views.record_create_view, name="create"),
    path("<record_id:pk>/", views.record_detail, name="detail"),
    path("<record_id:pk>/edit/", views.record_edit, name="edit"),
    path("<record_id:pk>/submit/", views.record_submit_view, name="submit"),
    path("<record_id:pk>/review/", views.record_review_view, name="review"),
    path("attachments/<record_file_id:pk>/", views.attachment_download, name="attachment"),
    path(
        "attachments/<record_file_id:pk>/delete/", views.attachment_delete, name="attachment_delete"
    ),
]
