"""/api/: the token pages, and the JSON API (v1) with its OpenAPI schema."""

from django.urls import path

from taolun.api import views
from taolun.api.v1 import api

urlpatterns = [
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("v1/", api.urls),
]
