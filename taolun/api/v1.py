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
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as RequestValidationError
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


# What a request's shape got wrong (pydantic's error types, by prefix: ``int_parsing`` and
# ``int_from_float`` are both "int"), said in the client's language; the values of the
# error's ``ctx`` fill the placeholders.
_SHAPE_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "int": gettext_lazy("Enter a whole number."),
    "float": gettext_lazy("Enter a number."),
    "decimal": gettext_lazy("Enter a number."),
    "bool": gettext_lazy("Enter true or false."),
    "date": gettext_lazy("Enter a valid date (YYYY-MM-DD)."),
    "datetime": gettext_lazy("Enter a valid date and time."),
    "enum": gettext_lazy("Not one of the allowed values: %(expected)s."),
    "literal": gettext_lazy("Not one of the allowed values: %(expected)s."),
    "string_too_long": gettext_lazy("At most %(max_length)s characters."),
    "string_too_short": gettext_lazy("At least %(min_length)s characters."),
    "string": gettext_lazy("Enter text."),
    "greater_than_equal": gettext_lazy("Must be at least %(ge)s."),
    "greater_than": gettext_lazy("Must be greater than %(gt)s."),
    "less_than_equal": gettext_lazy("Must be at most %(le)s."),
    "less_than": gettext_lazy("Must be less than %(lt)s."),
    "list": gettext_lazy("Enter a list."),
    "dict": gettext_lazy("Enter an object."),
    "model": gettext_lazy("Enter an object."),
    "json": gettext_lazy("The request body is not valid JSON."),
    "extra_forbidden": gettext_lazy("Unknown field."),
}
_SHAPE_DEFAULT = gettext_lazy("Enter a valid value.")


def shape_message(error: dict[str, Any]) -> str:
    """The message of one of ninja's request errors in the active language. A validator's
    own ``ValueError`` (``value_error``) keeps its text, which it wrote translated."""
    kind = str(error.get("type", ""))
    if kind == "value_error":
        return str(error.get("msg", "")).removeprefix("Value error, ")
    template = next(
        (
            message
            for prefix, message in _SHAPE_MESSAGES.items()
            if kind == prefix or kind.startswith(f"{prefix}_")
        ),
        _SHAPE_DEFAULT,
    )
    context = error.get("ctx") or {}
    try:
        return str(template) % context
    except (KeyError, TypeError, ValueError):
        return str(_SHAPE_DEFAULT)


@api.exception_handler(RequestValidationError)
def invalid_request(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
    """Query, path and body that do not fit the schema: 422, each field named, in the
    client's language (pydantic writes English)."""
    return _error(request, 422, [{**e, "msg": shape_message(e)} for e in exc.errors])


api.add_router("", writes.router)  # the reads of ``endpoints`` and the writes
