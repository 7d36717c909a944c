"""Stub: replaced by the helper who owns the public page."""

from django.http import Http404


def index(request):
    raise Http404
