"""Signing out everywhere also revokes the person's API tokens, each audited as a revoke on
the tokens page, and says so; nobody else's token is touched."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from taolun.api.models import ApiToken
from taolun.api.tokens import token_create, token_revoke

pytestmark = pytest.mark.django_db


def api_status(secret: str) -> int:
    """What the API answers a program holding ``secret`` (no session, only the token)."""
    return Client().get("/api/v1/campaigns", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code


def sign_out_everywhere(client: Client, person) -> list[str]:
    client.force_login(person)
    response = client.post(reverse("logout_everywhere"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    return [str(m) for m in response.context["messages"]]


def test_the_persons_tokens_stop_working_and_the_page_says_how_many(org, client) -> None:
    _, phone_app = token_create(org.member1, "手机应用")
    _, platform = token_create(org.member1, "省平台")
    old, _secret = token_create(org.member1, "旧脚本")
    token_revoke(org.member1, old)
    _, colleagues = token_create(org.contact1, "联络员的脚本")
    assert api_status(phone_app) == api_status(platform) == api_status(colleagues) == 200

    shown = sign_out_everywhere(client, org.member1)

    assert api_status(phone_app) == api_status(platform) == 401
    assert api_status(colleagues) == 200
    assert "You were signed out on every device. Sign in again." in shown
    assert any(m.startswith("2 API tokens were revoked") for m in shown)
    assert not ApiToken.objects.filter(user=org.member1, revoked_at__isnull=True).exists()
    assert ApiToken.objects.get(user=org.contact1).revoked_at is None


def test_each_revocation_is_audited_as_on_the_tokens_page(org, client) -> None:
    on_page, _ = token_create(org.member1, "手机应用")
    everywhere, _ = token_create(org.member1, "省平台")
    client.force_login(org.member1)
    client.post(reverse("api_token_revoke", args=[on_page.pk]))
    sign_out_everywhere(client, org.member1)

    def trail(token: ApiToken) -> tuple:
        entry = LogEntry.objects.get_for_object(token).get(action=LogEntry.Action.UPDATE)
        return entry.actor, entry.remote_addr, set(entry.changes_dict)

    assert trail(everywhere) == trail(on_page) == (org.member1, "127.0.0.1", {"revoked_at"})


def test_without_tokens_no_revocation_is_announced(org, client) -> None:
    shown = sign_out_everywhere(client, org.member1)
    assert shown == ["You were signed out on every device. Sign in again."]
