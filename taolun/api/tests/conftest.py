"""Helpers for the API tests: a token per person, and a client that speaks JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from types import SimpleNamespace

import pytest

from taolun.api.tokens import token_create

MARCH = dt.date(2019, 3, 10)


@pytest.fixture
def march(travel):
    return travel(MARCH)


@pytest.fixture
def secret_of(org) -> Callable:
    """``secret_of(user)``: a fresh token's secret for that person (cached per person)."""
    made: dict[int, str] = {}

    def make(user) -> str:
        if user.pk not in made:
            made[user.pk] = token_create(user, f"test {user.username}")[1]
        return made[user.pk]

    return make


@pytest.fixture
def api(client, secret_of) -> Callable:
    """``api(method, path, user, body=None, lang="en", secret=None)`` → response with ``.data``.

    Sends no cookie-based login: only the bearer token authenticates.
    """

    def call(
        method: str,
        path: str,
        user=None,
        body: dict | None = None,
        *,
        lang: str | None = "en",
        secret: str | None = None,
        **query,
    ):
        headers = {}
        if secret is None and user is not None:
            secret = secret_of(user)
        if secret is not None:
            headers["Authorization"] = f"Bearer {secret}"
        if lang:
            headers["Accept-Language"] = lang
        url = f"/api/v1{path}"
        if method == "get":
            response = client.get(url, query, headers=headers)
        else:
            response = client.generic(
                method.upper(),
                url,
                json.dumps(body or {}),
                content_type="application/json",
                headers=headers,
            )
        response.data = (
            response.json() if response["Content-Type"].startswith("application/json") else None
        )
        return response

    return call


def field_names(response) -> set[str]:
    """The field each 422 error names (the last part of its ``loc``)."""
    assert response.status_code == 422, response.content
    return {str(error["loc"][-1]) for error in response.data["detail"]}


@pytest.fixture
def ns(org, march):
    return SimpleNamespace(org=org, action1=org.campaign.actions.get(number=1))
