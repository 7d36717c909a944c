"""Stub: replaced by the helper who owns this area."""

from django.http import Http404


def summary(request, campaign):
    raise Http404


def bulletins(request, campaign):
    raise Http404
