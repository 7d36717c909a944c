"""Ids in the URLs of sensitive objects cannot be guessed (等级保护 2.0, 访问控制).

A problem, a statement, a disability record… is reached at ``<pk>-<mac>``: the mac is an
HMAC of the object's kind and key, so a reader who may open one problem cannot walk to the
next by changing the number, nor reuse a statement's mac on a problem of the same number.
"""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django.urls import URLPattern, resolve, reverse

from taolun.activities import meeting_urls
from taolun.activities import urls as activity_urls
from taolun.activities.tests.meeting_factories import MeetingFactory, StatementFactory
from taolun.core.signed_ids import KINDS, SignedId, mac
from taolun.discussion import urls as discussion_urls
from taolun.org import privacy_urls
from taolun.rectification import urls as ledger_urls
from taolun.rectification.tests.factories import make_problem
from taolun.study import urls as study_urls
from taolun.supervision import inspection_urls

OLD_KEY = "an-old-key-that-was-rotated-out-0123456789-abcdefghijklmnop"
NEW_KEY = "the-new-key-now-in-use-0123456789-abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def problem(org):
    return make_problem(org)


def signed_in(client, user):
    client.force_login(user)
    return client


def problem_url(id_part: str) -> str:
    return f"/ledger/problems/{id_part}/"


def id_part(url: str) -> str:
    """The ``<pk>-<mac>`` segment of a reversed URL."""
    return re.search(r"/(\d+-[a-z2-7]+)/", url).group(1)


def test_reverse_gives_the_signed_form_and_the_view_gets_the_number(problem):
    url = reverse("rectification:problem", args=[problem.pk])
    assert re.fullmatch(rf"/ledger/problems/{problem.pk}-[a-z2-7]{{12}}/", url)
    assert resolve(url).kwargs == {"pk": problem.pk}


def test_the_ledger_links_to_the_signed_address(org, problem, client):
    page = signed_in(client, org.contact1).get(reverse("rectification:ledger", args=["camp"]))
    assert f'href="{reverse("rectification:problem", args=[problem.pk])}"' in page.text


def test_a_readable_problem_opens_only_at_its_own_mac(org, problem, client):
    other = make_problem(org, description="调查研究不够")
    signed_in(client, org.contact1)
    url = reverse("rectification:problem", args=[problem.pk])
    assert client.get(url).status_code == 200
    assert client.get(reverse("rectification:problem", args=[other.pk])).status_code == 200

    good = id_part(url)
    number, signature = good.split("-")
    flipped = signature[:-1] + ("a" if signature[-1] != "a" else "b")
    assert client.get(problem_url(f"{number}-{flipped}")).status_code == 404
    assert client.get(problem_url(number)).status_code == 404, "no mac"
    assert client.get(problem_url(f"{other.pk}-{signature}")).status_code == 404, "old mac"
    assert client.get(problem_url(f"0{good}")).status_code == 404, "the number spelt otherwise"
    # The action pages of the problem are signed the same way.
    edit = f"/ledger/problems/{number}/edit/"
    assert client.get(edit).status_code == 404


def test_a_statements_mac_does_not_open_the_problem_of_the_same_number(org, problem, client):
    meeting = MeetingFactory(org=org)
    statement = StatementFactory(pk=problem.pk, meeting=meeting, speaker=org.member1)
    statement_id = id_part(reverse("meetings:statement_edit", args=[statement.pk]))
    problem_id = id_part(reverse("rectification:problem", args=[problem.pk]))
    assert statement_id.split("-")[0] == problem_id.split("-")[0]
    assert statement_id != problem_id

    signed_in(client, org.contact1)
    assert client.get(problem_url(problem_id)).status_code == 200
    assert client.get(problem_url(statement_id)).status_code == 404


def test_each_kind_signs_the_same_number_differently():
    kinds = set(KINDS.values())
    assert len(kinds) == len(KINDS)
    assert len({mac(kind, 5) for kind in kinds}) == len(kinds)


def test_an_id_signed_with_a_key_kept_as_fallback_still_opens(org, problem, client):
    with override_settings(SECRET_KEY=OLD_KEY):
        old_url = reverse("rectification:problem", args=[problem.pk])
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY]):
        signed_in(client, org.contact1)
        assert reverse("rectification:problem", args=[problem.pk]) != old_url
        assert client.get(old_url).status_code == 200
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[]):
        signed_in(client, org.contact1)
        assert client.get(old_url).status_code == 404


# Pages about objects that are not sensitive keep their plain numbers.
PLAIN = {
    "material_detail",
    "material_edit",
    "material_publish",
    "material_file",
    "log_delete",
    "topic_detail",
    "topic_edit",
    "ledger_import_preview",
    "ledger_import_apply",
    "ledger_import_cancel",
}


@pytest.mark.parametrize(
    "module",
    [
        ledger_urls,
        study_urls,
        discussion_urls,
        meeting_urls,
        activity_urls,
        privacy_urls,
        inspection_urls,
    ],
    ids=lambda module: module.__name__,
)
def test_no_sensitive_page_is_reached_by_a_bare_number(module):
    for pattern in module.urlpatterns:
        assert isinstance(pattern, URLPattern)
        for kwarg, converter in pattern.pattern.converters.items():
            if kwarg == "pk" and pattern.name not in PLAIN:
                assert isinstance(converter, SignedId), f"{pattern.name}: <{kwarg}> is a number"
