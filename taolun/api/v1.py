"""The JSON API, version 1 (django-ninja), at /api/v1/ with its schema at /api/v1/openapi.json.

Every operation authenticates by a bearer token (never the session cookie, so no CSRF
question arises) and acts as the token's person through the same selectors and
services as the pages: another unit's ids answer 404, a move the person may not make
403, bad input 422 naming the fields. Messages follow Accept-Language (Chinese unless
the client asks for English).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from auditlog.context import auditlog_value
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from taolun.api import tokens, writes
from taolun.org.models import User


class TokenAuth(HttpBearer):
    """``Authorization: Bearer tl_…``: the request acts as the token's person."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = tokens.authenticate(token.strip())
        if user is not None:
            request.user = user
            _name_audit_actor(user)
        return user


def _name_audit_actor(user: User) -> None:
    """Name the token's person as the actor of the request's audit context.

    The audit middleware ran before the token was read and found no one; the services'
    ``audited(actor)`` would otherwise open (and on leaving, clear) a context of its own
    inside the middleware's, which the middleware then cannot close. Filling in the
    middleware's own context keeps one context per request, with the client's address.
    The API ignores sessions, so the token's person replaces whoever a session cookie sent
    along with the request named.
    """
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if context.get("signal_duid") is not None:
        context["actor"] = user


def api_language(request: HttpRequest) -> str:
    """The language a client asked for in Accept-Language, else the site's (Chinese)."""
    supported = {code for code, _name in settings.LANGUAGES}
    for code, _q in translation.trans_real.parse_accept_lang_header(
        request.headers.get("Accept-Language", "")
    ):
        code = code.lower()
        if code in supported:
            return code
        if code.split("-")[0] == "en":
            return "en"
        if code.startswith("zh"):
            return settings.LANGUAGE_CODE
    return settings.LANGUAGE_CODE


def in_client_language(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap an operation (authentication included) in the client's language."""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = api_language(request)
        with translation.override(language):
            response = run(request, *args, **kwargs)
        response.headers.setdefault("Content-Language", language)
        return response

    return wrapper


api = NinjaAPI(
    title="taolun API",
    version="1",
    description=(
        "Read a campaign's units, matrix, ledger and briefs; write records, problems, "
        "progress, indicator values and briefs. Authenticate with a personal token "
        "(Authorization: Bearer …) created at /api/tokens/."
    ),
    urls_namespace="api-v1",
    auth=TokenAuth(),
    # Ninja's docs page loads Swagger from a CDN unless ninja is an installed app: none here.
    docs_url=None,
)
api.add_decorator(in_client_language, mode="view")


def _error(request: HttpRequest, status: int, detail: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, _("A valid API token is required (Authorization: Bearer …)."))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, _("You may not do this."))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, _("Not found, or not within your reach."))


def service_errors(exc: DjangoValidationError) -> list[dict[str, Any]]:
    """A service's ValidationError in ninja's 422 shape: one entry per field and message."""
    if hasattr(exc, "error_dict"):
        return [
            {
                "loc": ["body"] if field == "__all__" else ["body", field],
                "msg": message,
                "type": error.code or "invalid",
            }
            for field, errors in exc.error_dict.items()
            for error in errors
            for message in error.messages
        ]
    return [
        {"loc": ["body"], "msg": message, "type": error.code or "invalid"}
        for error in exc.error_list
        for message in error.messages
    ]


@api.exception_handler(DjangoValidationError)
def invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return _error(request, 422, service_errors(exc))


api.add_router("", writes.router)  # the reads of ``endpoints`` and the writes
