from django.urls import path

from taolun.activities import meeting_views as views

app_name = "meetings"

urlpatterns: list = [
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/statements/new/", views.statement_create, name="statement_create"),
    path("<int:pk>/steps/", views.step, name="step"),
    path("<int:pk>/talks/", views.talk_create, name="talk_create"),
    path("<int:pk>/check/", views.check_material, name="check_material"),
    path("statements/<int:pk>/edit/", views.statement_edit, name="statement_edit"),
    path("statements/<int:pk>/delete/", views.statement_delete, name="statement_delete"),
    path("statements/<int:pk>/file/", views.statement_file, name="statement_file"),
    path("check/<int:pk>/file/", views.check_file, name="check_file"),
    # Campaign slugs last: a number is a meeting, not a campaign.
    path("<slug:campaign>/", views.index, name="index"),
    path("<slug:campaign>/new/", views.create, name="create"),
]
