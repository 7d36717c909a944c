"""Excel export and import pages of the ledger (being built)."""

from django.http import Http404


def ledger_export(request, campaign):
    raise Http404


def ledger_import(request, campaign):
    raise Http404


def ledger_import_preview(request, pk):
    raise Http404
