from django.urls import include, path

app_name = "supervision"

# Dashboards and scores (dashboard_urls) and inspections (inspection_urls) share the
# namespace "supervision".
urlpatterns = [
    path("", include("taolun.supervision.dashboard_urls")),
    path("", include("taolun.supervision.inspection_urls")),
]
