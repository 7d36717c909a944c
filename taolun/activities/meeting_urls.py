from django.urls import path

from taolun.activities import meeting_views as views

app_name = "meetings"

urlpatterns: list = [
    path("<meeting_id:pk>/", views.detail, name="detail"),
    path("<meeting_id:pk>/edit/", views.edit, name="edit"),
    path("<meeting_id:pk>/attendance/", views.attendance, name="attendance"),
    path("<meeting_id:pk>/statements/new/", views.statement_create, name="statement_create"),
    path("<meeting_id:pk>/steps/", views.step, name="step"),
    path("<meeting_id:pk>/talks/", views.talk_create, name="talk_create"),
    path("<meeting_id:pk>/check/", views.check_material, name="check_material"),
    path("statements/<statement_id:pk>/edit/", views.statement_edit, name="statement_edit"),
    path("statements/<statement_id:pk>/delete/", views.statement_delete, name="statement_delete"),
    path("statements/<statement_id:pk>/file/", views.statement_file, name="statement_file"),
    path("check/<check_id:pk>/file/", views.check_file, name="check_file"),
    # Campaign slugs last: a signed id is a meeting, not a campaign (one whose mac fails
    # falls through to them and finds no campaign).
    path("<slug:campaign>/", views.index, name="index"),
    path("<slug:campaign>/new/", views.create, name="create"),
]
