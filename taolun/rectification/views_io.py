"""Excel export and import pages of the ledger: thin callers of ``ledger_io``.

The import is two steps: upload (checked, recorded, nothing else written) and a
preview of what would be added and changed; "Apply" runs the import as a task, which
reads the file again and refuses if the plan moved since the preview. The preview's
fingerprint is kept in the session until the import model has a place for it.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_tasks.base import TaskResultStatus

from taolun.campaigns.selectors import get_campaign_for_user
from taolun.core import clock
from taolun.documents.xlsx import xlsx_download
from taolun.rectification import ledger_io
from taolun.rectification.forms import LedgerFilterForm
from taolun.rectification.models import ImportState, LedgerImport
from taolun.rectification.tasks import apply_ledger_import

PREVIEW_ROWS = 100


class LedgerImportForm(forms.Form):
    unit = forms.ChoiceField(
        label=gettext_lazy("Unit"),
        help_text=gettext_lazy(
            "The unit whose ledger this is: every row's responsible unit must be this unit "
            "or one of its subunits."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("Ledger file (.xlsx)"),
        help_text=gettext_lazy(
            "An Excel workbook in the ledger's layout, as the export writes it. Rows with "
            "a known ledger number update that problem; the others are added."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, units, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.units = {u.slug: u for u in units}
        self.fields["unit"].choices = [
            (u.slug, "\u3000" * max(u.depth - 1, 0) + u.name) for u in units
        ]
        if len(units) == 1:
            self.fields["unit"].initial = units[0].slug
        self.fields["unit"].widget.attrs["class"] = "form-select"
        self.fields["file"].widget.attrs["class"] = "form-control"


@login_required
def ledger_export(request: HttpRequest, campaign: str) -> FileResponse:
    """The ledger as the user sees it, with the ledger page's filters, as .xlsx."""
    campaign_obj = get_campaign_for_user(request.user, campaign)
    filters = LedgerFilterForm(request.GET, campaign=campaign_obj, user=request.user).filters()
    today = clock.today()
    return xlsx_download(
        lambda out: ledger_io.ledger_export(
            user=request.user, campaign=campaign_obj, out=out, filters=filters, today=today
        ),
        ledger_io.export_filename(campaign_obj, today),
    )


def _session_key(pk: int) -> str:
    return f"ledger_import:{pk}"


def _remember(request: HttpRequest, record: LedgerImport, plan: ledger_io.ImportPlan) -> None:
    request.session[_session_key(record.pk)] = {
        "digest": plan.digest(),
        "preview": plan.preview(PREVIEW_ROWS),
    }


@login_required
def ledger_import(request: HttpRequest, campaign: str) -> HttpResponse:
    """Upload a ledger: checked and recorded, then shown as a preview."""
    campaign_obj = get_campaign_for_user(request.user, campaign)
    units = ledger_io.import_units_for_user(request.user, campaign_obj)
    if not units:
        raise PermissionDenied
    form = LedgerImportForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        unit = form.units[form.cleaned_data["unit"]]
        try:
            record, plan = ledger_io.ledger_import_check(
                actor=request.user,
                campaign=campaign_obj,
                unit=unit,
                upload=form.cleaned_data["file"],
            )
        except ledger_io.LedgerFileError as exc:
            form.add_error("file", str(exc))
        else:
            if plan.ok:
                _remember(request, record, plan)
            return redirect("rectification:ledger_import_preview", pk=record.pk)
    if form.errors and "file" not in form.errors:
        form.add_error("file", _("Choose the file again: files are not kept after an error."))
    return render(
        request,
        "rectification/ledger_import.html",
        {
            "campaign": campaign_obj,
            "form": form,
            "max_bytes": ledger_io.max_import_bytes(),
            "max_rows": ledger_io.max_import_rows(),
            "columns": ledger_io.COLUMNS,
        },
    )


@login_required
def ledger_import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """What the import would add and change, or its row errors; only for the uploader."""
    record = ledger_io.get_ledger_import_for_user(request.user, pk)
    saved = request.session.get(_session_key(record.pk))
    errors = record.errors or []
    if record.state == ImportState.PREVIEWED and saved is None:
        # Previewed in another session, or refused as stale: check the file again.
        try:
            plan = ledger_io.ledger_import_replan(record)
        except ledger_io.LedgerFileError as exc:
            errors = [{"row": 0, "column": "", "message": str(exc)}]
        else:
            if plan.ok:
                _remember(request, record, plan)
                saved = request.session[_session_key(record.pk)]
            else:
                errors = plan.error_dicts()
    return render(
        request,
        "rectification/ledger_import_preview.html",
        {
            "record": record,
            "campaign": record.campaign,
            "preview": (saved or {}).get("preview")
            if record.state == ImportState.PREVIEWED
            else None,
            "errors": errors,
            "error_count": len(errors),
            "can_apply": record.state == ImportState.PREVIEWED and saved is not None,
        },
    )


@login_required
@require_POST
def ledger_import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply a previewed import (as a task); refused if the ledger moved since the preview."""
    record = ledger_io.get_ledger_import_for_user(request.user, pk)
    preview_url = reverse("rectification:ledger_import_preview", kwargs={"pk": record.pk})
    saved = request.session.pop(_session_key(record.pk), None)
    if record.state != ImportState.PREVIEWED or saved is None:
        messages.error(request, _("This import cannot be applied: look at its preview again."))
        return redirect(preview_url)
    result = apply_ledger_import.enqueue(import_id=record.pk, digest=saved["digest"])
    if not result.is_finished:
        messages.info(
            request,
            _("The import is being applied; this page shows when it is done."),
        )
        return redirect(preview_url)
    outcome = result.return_value if result.status == TaskResultStatus.SUCCESSFUL else None
    if outcome is None:
        messages.error(request, _("The import failed; nothing was changed."))
    elif outcome["applied"]:
        messages.success(request, outcome["message"])
        return redirect("rectification:ledger", campaign=record.campaign.slug)
    else:
        messages.warning(request, outcome["message"])
    return redirect(preview_url)


@login_required
@require_POST
def ledger_import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Drop a previewed import; back to the upload page."""
    record = ledger_io.get_ledger_import_for_user(request.user, pk)
    request.session.pop(_session_key(record.pk), None)
    if record.state == ImportState.PREVIEWED:
        ledger_io.ledger_import_cancel(actor=request.user, ledger_import=record)
        messages.success(request, _("The import was cancelled; nothing was changed."))
    return redirect("rectification:ledger_import", campaign=record.campaign.slug)
