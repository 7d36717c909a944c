"""The signed-in home page: where to go next."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from taolun.campaigns.selectors import campaigns_for_user
from taolun.org.selectors import roles_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    campaigns = campaigns_for_user(user).select_related("owner_unit")
    roles = roles_of(user)
    return render(request, "core/home.html", {"campaigns": campaigns, "roles": roles})
