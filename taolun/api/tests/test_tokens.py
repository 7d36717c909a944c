import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from taolun.api.models import ApiToken
from taolun.api.tokens import authenticate, digest_of, token_create, token_revoke

D = dt.date


def test_secret_is_shown_once_and_only_its_digest_is_stored(org):
    token, secret = token_create(org.contact1, "省平台")
    assert secret.startswith("tl_") and len(secret) == 43
    assert token.digest == digest_of(secret) and secret not in token.digest
    assert token.prefix == secret[:10]
    assert authenticate(secret) == org.contact1
    assert authenticate(secret + "x") is None
    assert LogEntry.objects.get_for_object(token).filter(actor=org.contact1).exists()


def test_revoked_expired_and_inactive_tokens_stop_working(org, travel):
    travel(D(2019, 3, 1))
    token, secret = token_create(org.contact1, "a", expires_on=D(2019, 3, 31))
    assert authenticate(secret) == org.contact1
    travel(D(2019, 4, 1))
    assert authenticate(secret) is None
    travel(D(2019, 3, 1))
    org.contact1.is_active = False
    org.contact1.save()
    assert authenticate(secret) is None
    org.contact1.is_active = True
    org.contact1.save()
    token_revoke(org.contact1, token)
    assert authenticate(secret) is None
    with pytest.raises(ValidationError):
        token_revoke(org.contact1, token)


def test_only_the_owner_revokes(org):
    token, _secret = token_create(org.contact1, "a")
    with pytest.raises(PermissionDenied):
        token_revoke(org.office, token)


def test_bad_input_names_the_field(org, travel):
    travel(D(2019, 3, 1))
    with pytest.raises(ValidationError) as info:
        token_create(org.contact1, "  ", expires_on=D(2019, 2, 28))
    assert set(info.value.error_dict) == {"name", "expires_on"}
    assert not ApiToken.objects.exists()


def test_last_use_is_written_at_most_once_a_minute(org, django_assert_num_queries):
    _token, secret = token_create(org.contact1, "a")
    with django_assert_num_queries(2):  # read the token, note the first use
        authenticate(secret)
    with django_assert_num_queries(1):  # used again within the minute: no write
        authenticate(secret)
    assert ApiToken.objects.get().last_used_at is not None


# ---------------------------------------------------------------- the pages


def test_page_creates_a_token_and_shows_the_secret_once(client, org):
    client.force_login(org.contact1)
    response = client.post(reverse("api_tokens"), {"name": "省平台", "expires_on": ""})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret and secret in response.content.decode()
    assert authenticate(secret) == org.contact1
    again = client.get(reverse("api_tokens"))
    assert secret not in again.content.decode()
    assert "省平台" in again.content.decode()


def test_page_keeps_input_and_names_the_field_on_error(client, org, travel):
    travel(D(2019, 3, 1))
    client.force_login(org.contact1)
    response = client.post(reverse("api_tokens"), {"name": "省平台", "expires_on": "2019-02-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["expires_on"]
    assert 'value="省平台"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_page_lists_only_my_tokens(client, org):
    token_create(org.contact2, "别人的")
    client.force_login(org.contact1)
    assert "别人的" not in client.get(reverse("api_tokens")).content.decode()


def test_revoke_asks_then_revokes_and_no_one_else_can(client, org):
    token, secret = token_create(org.contact1, "a")
    url = reverse("api_token_revoke", args=[token.pk])
    client.force_login(org.contact2)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    client.force_login(org.contact1)
    assert client.get(url).status_code == 200
    assert authenticate(secret) == org.contact1
    assert client.post(url).status_code == 302
    assert authenticate(secret) is None


def test_pages_need_a_login(client):
    response = client.get(reverse("api_tokens"))
    assert response.status_code == 302 and "login" in response["Location"]
