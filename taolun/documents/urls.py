"""Document paths under a campaign, included by ``taolun/campaigns/urls.py`` at
``<slug>/documents/`` without a namespace of their own, so they are ``campaigns:document``
and ``campaigns:document_print``."""

from django.urls import path

from taolun.documents import views

urlpatterns = [
    path("<slug:kind>.docx", views.document_docx, name="document"),
    path("<slug:kind>/", views.document_print, name="document_print"),
]
