"""The search page: one box over every text the user may open (``search.search``)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from taolun.textmine import search as search_mod


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search for"), required=False, strip=True)
    kind = forms.ChoiceField(label=_("Kind of text"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *search_mod.kind_choices()]
        self.fields["q"].widget.attrs.update({"class": "form-control", "type": "search"})
        self.fields["kind"].widget.attrs["class"] = "form-select"


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        data = form.cleaned_data
        results = search_mod.search(
            request.user, data["q"], kind=data["kind"] or None, page=_page(request)
        )
    return render(request, "textmine/search.html", {"form": form, "results": results})


def _page(request: HttpRequest) -> int:
    """The page asked for; anything but a positive number is the first (search clamps the rest)."""
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


urlpatterns: list[URLPattern] = [path("search/", search_page, name="search")]
