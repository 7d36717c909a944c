"""The text side's pages under /text/: plan import, near-copies, search."""

from taolun.textmine import views_copies, views_plan, views_search

app_name = "textmine"
urlpatterns = [*views_plan.urlpatterns, *views_copies.urlpatterns, *views_search.urlpatterns]
