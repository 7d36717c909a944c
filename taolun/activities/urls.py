from django.urls import path

from taolun.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.record_list, name="list"),
    path("new/<slug:unit_slug>/<int:action_pk>/", views.record_create_view, name="create"),
    path("<int:pk>/", views.record_detail, name="detail"),
    path("<int:pk>/edit/", views.record_edit, name="edit"),
    path("<int:pk>/submit/", views.record_submit_view, name="submit"),
    path("<int:pk>/review/", views.record_review_view, name="review"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
