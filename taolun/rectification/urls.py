"""The ledger pages (views.py) and its Excel export and import (io_urls.py)."""

from django.urls import path

from taolun.rectification import io_urls, views

app_name = "rectification"


def _action(slug: str, action: str):
    return path(
        f"problems/<problem_id:pk>/{slug}/",
        views.problem_action,
        {"action": action},
        name=f"problem_{action}",
    )


urlpatterns = [
    path("", views.index, name="index"),
    path("problems/<problem_id:pk>/", views.problem_detail, name="problem"),
    path("problems/<problem_id:pk>/edit/", views.problem_edit, name="problem_edit"),
    path("problems/<problem_id:pk>/measures/", views.measures_done, name="problem_measures"),
    _action("open", "open"),
    _action("progress", "progress"),
    _action("complete", "complete"),
    _action("send-back", "send_back"),
    _action("verify", "verify"),
    _action("carry-over", "carry_over"),
    _action("reopen", "reopen"),
    _action("extension", "extension"),
    _action("evaluation/open", "evaluation_open"),
    _action("evaluation/close", "evaluation_close"),
    _action("vote", "vote"),
    _action("theme", "theme"),
    path("extensions/<extension_id:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("attachments/<problem_file_id:pk>/", views.attachment_download, name="attachment"),
    path("<slug:campaign>/", views.ledger_page, name="ledger"),
    path("<slug:campaign>/new/", views.problem_create_view, name="problem_create"),
    *io_urls.urlpatterns,
]
