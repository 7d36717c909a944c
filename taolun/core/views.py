"""The signed-in home page: where to go next."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from taolun.campaigns.selectors import campaigns_for_user
from taolun.core.views_audit import may_read_audit
from taolun.core.views_recycle import may_open_bin
from taolun.org.selectors import roles_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    campaigns = campaigns_for_user(user).select_related("owner_unit")
    roles = list(roles_of(user))
    return render(
        request,
        "core/home.html",
        {
            "campaigns": campaigns,
            "roles": roles,
            "may_read_audit": may_read_audit(user, roles),
            # The office's own pages: the recycle bin and people's support needs.
            "is_office": may_open_bin(roles),
        },
    )
