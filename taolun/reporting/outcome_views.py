"""Stub: replaced by the helper who owns this area."""

from django.http import Http404


def outcomes(request, campaign):
    raise Http404
