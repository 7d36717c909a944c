"""Reporting pages under /reporting/: each area keeps its own list of routes."""

from taolun.reporting import (
    brief_urls,
    case_urls,
    outcome_urls,
    publicity_urls,
    stats_urls,
    summary_urls,
)

app_name = "reporting"

urlpatterns = [
    *brief_urls.urlpatterns,
    *stats_urls.urlpatterns,
    *publicity_urls.urlpatterns,
    *case_urls.urlpatterns,
    *outcome_urls.urlpatterns,
    *summary_urls.urlpatterns,
]
