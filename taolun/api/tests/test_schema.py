"""Schemathesis against the published OpenAPI schema, in-process over WSGI (no port).

For every operation, generated requests made with a valid token on the small fixture
tree must never answer a server error, and every answer must match the schema (status
code, content type, body).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as examples
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _one_connection():
    """Requests go straight to the WSGI application, whose request signals would close the
    test's database connection mid-transaction (PostgreSQL); Django's test client unhooks
    them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def schema(org, march, settings):
    settings.ALLOWED_HOSTS = ["localhost"]  # the host schemathesis's WSGI client sends
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


def test_generated_requests_meet_the_schema(schema, org, secret_of):
    headers = {"Authorization": f"Bearer {secret_of(org.contact1)}"}
    found = operations(schema)
    assert len(found) >= 11

    for operation in found:

        @given(case=operation.as_strategy())
        @examples(
            max_examples=5,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()


def test_without_a_token_every_operation_answers_401(schema):
    for operation in operations(schema):

        @given(case=operation.as_strategy())
        @examples(max_examples=1, deadline=None, database=None, phases=[Phase.generate])
        def run(case):
            response = case.call_and_validate(checks=CHECKS)
            assert response.status_code == 401 or "openapi" in case.path

        run()
