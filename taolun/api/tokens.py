"""API tokens: create, revoke, and authenticate a request by its bearer secret.

Only a SHA-256 digest of each secret is stored, so a copy of the database gives no one
a working token; the person sees the secret once, when it is made. A token acts with
exactly its person's roles and scope, and stops working the moment it is revoked, it
expires, or the person is deactivated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from taolun.api.models import ApiToken
from taolun.core import clock
from taolun.core.audit import audited
from taolun.org.models import User

SECRET_PREFIX = "tl_"
# 30 random bytes are 40 url-safe characters.
SECRET_BYTES = 30
PREFIX_SHOWN = 10
# Remembering when a token was last used costs a write; once a minute is precise enough
# for a person deciding which token to revoke, and spares a write on every request.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def token_create(actor: User, name: str, expires_on: dt.date | None = None) -> tuple[ApiToken, str]:
    """A new token for ``actor`` and its secret (shown once: only its digest is kept)."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Name the token after the program that will use it.")
    if expires_on is not None and expires_on < clock.today():
        errors["expires_on"] = _("The expiry date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    secret = SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    token = ApiToken(
        user=actor,
        name=name,
        prefix=secret[:PREFIX_SHOWN],
        digest=digest_of(secret),
        expires_on=expires_on,
    )
    token.full_clean()
    with audited(actor):
        token.save()
    return token, secret


@transaction.atomic
def token_revoke(actor: User, token: ApiToken) -> ApiToken:
    """Stop ``token`` working at once; a person revokes only their own tokens."""
    if token.user_id != actor.pk:
        raise PermissionDenied
    if token.revoked_at is not None:
        raise ValidationError(_("This token is already revoked."), code="revoked")
    with audited(actor):
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def token_revoke_all(actor: User) -> int:
    """Revoke every token of ``actor`` still unrevoked, each as the tokens page revokes one
    (and audited alike); how many. "Sign out everywhere" calls it."""
    tokens = list(
        ApiToken.objects.select_for_update()
        .filter(user=actor, revoked_at__isnull=True)
        .order_by("pk")
    )
    for token in tokens:
        token_revoke(actor, token)
    return len(tokens)


def authenticate(secret: str) -> User | None:
    """The person a bearer secret acts for, or None (unknown, revoked, expired, inactive)."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(digest=digest_of(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.expires_on is not None and token.expires_on < clock.today():
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def tokens_for_user(user: User) -> QuerySet[ApiToken]:
    """A person's own tokens, newest first: nobody sees anyone else's."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def get_token_for_user(user: User, pk: int) -> ApiToken:
    token = tokens_for_user(user).filter(pk=pk).first()
    if token is None:
        raise Http404
    return token
