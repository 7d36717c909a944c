"""The near-copy pages of an office (and its supervisors): a unit's last scan with its groups,
and one group's texts side by side with the shared passages marked."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taolun.campaigns.selectors import get_campaign_for_user
from taolun.core.forms import add_service_errors
from taolun.textmine.models import ScanState
from taolun.textmine.scan import (
    DEFAULT_THRESHOLD,
    get_scan_for_user,
    get_scan_unit_for_user,
    group_texts,
    latest_scan,
    pending_scan,
    scan_group,
    scan_groups,
    scan_units,
    start_scan,
)


class ScanForm(forms.Form):
    """The threshold in percent: offices think of "80 % the same", not of 0.8."""

    threshold = forms.IntegerField(
        label=gettext_lazy("Similarity threshold (%)"),
        min_value=50,
        max_value=100,
        initial=round(DEFAULT_THRESHOLD * 100),
        help_text=gettext_lazy(
            "Texts sharing at least this share of their wording are grouped: 80 finds close "
            "copies, lower values also texts that reuse parts of another."
        ),
        widget=forms.NumberInput(attrs={"class": "form-control", "step": 1}),
    )


def _page_url(slug: str, unit_slug: str) -> str:
    return f"{reverse('textmine:copies', kwargs={'slug': slug})}?{urlencode({'unit': unit_slug})}"


@login_required
def copies_index(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug)
    unit = get_scan_unit_for_user(
        request.user, campaign, request.POST.get("unit") or request.GET.get("unit")
    )
    form = ScanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            asked = start_scan(
                actor=request.user,
                campaign=campaign,
                unit=unit,
                threshold=form.cleaned_data["threshold"] / 100,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            asked.refresh_from_db(fields=["state"])
            if asked.state == ScanState.DONE:
                messages.success(request, _("The scan is done."))
            else:
                messages.info(
                    request, _("The scan is queued. Reload this page in a minute to see it.")
                )
            return redirect(_page_url(campaign.slug, unit.slug))
    latest = latest_scan(campaign, unit)
    groups = None
    if latest is not None and latest.state == ScanState.DONE:
        groups = scan_groups(latest, request.GET.get("page"))
    units = scan_units(request.user, campaign)
    if unit not in units:
        units.append(unit)
    return render(
        request,
        "textmine/copies_index.html",
        {
            "campaign": campaign,
            "unit": unit,
            "units": units,
            "form": form,
            "scan": latest,
            "waiting": pending_scan(campaign, unit),
            "groups": groups,
        },
    )


@login_required
def copies_group(request: HttpRequest, slug: str, scan_id: int, group: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug)
    scan = get_scan_for_user(request.user, campaign, scan_id)
    shown = scan_group(scan, group)
    texts = group_texts(request.user, scan, shown)
    return render(
        request,
        "textmine/copies_group.html",
        {
            "campaign": campaign,
            "scan": scan,
            "group": shown,
            "texts": texts,
            "back": _page_url(campaign.slug, scan.unit.slug),
        },
    )


urlpatterns: list[URLPattern] = [
    path("<slug:slug>/copies/", copies_index, name="copies"),
    path("<slug:slug>/copies/<int:scan_id>/<int:group>/", copies_group, name="copies_group"),
]
