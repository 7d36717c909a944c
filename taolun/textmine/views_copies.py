"""Pages of the text side: copies (placeholder until its views land)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
