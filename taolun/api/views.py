"""Pages where a person manages their API tokens: thin callers of ``api.tokens``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from taolun.api.forms import TokenForm
from taolun.api.tokens import get_token_for_user, token_create, token_revoke, tokens_for_user


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List, and create: the new secret is shown in the answer to the POST, never stored,
    so it cannot be shown again (a page reload would only ask to create another)."""
    form = TokenForm(request.POST or None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = token_create(
                request.user, form.cleaned_data["name"], form.cleaned_data["expires_on"]
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": list(tokens_for_user(request.user)),
            "created": created,
            "secret": secret,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask to confirm, then revoke (POST): programs using the token stop at once."""
    token = get_token_for_user(request.user, pk)
    if request.method == "POST":
        try:
            token_revoke(request.user, token)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
        return redirect("api_tokens")
    return render(request, "api/token_revoke.html", {"token": token})
