"""Two people edit the same brief: the second save is refused, nothing is overwritten, and
what the second typed comes back with the reason."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant
from taolun.reporting.briefs import brief_create, brief_send_back, brief_send_for_signoff
from taolun.reporting.models import Brief, BriefState

DAY = dt.date(2019, 3, 12)
FIELDS = ("version", "kind", "title", "body", "action", "meeting", "byline", "phone")


@pytest.fixture(autouse=True)
def _today(travel):
    travel(DAY)


@pytest.fixture
def brief(levels) -> Brief:
    return brief_create(
        actor=levels.contact1,
        campaign=levels.campaign,
        unit=levels.branch1,
        title="支部动员会",
        body="<p>正文</p>",
        phone="0351-1",
    )


@pytest.fixture
def co_writer(levels):
    user = UserFactory(username="contact1b", name="联络员乙", unit=levels.branch1)
    grant(user, levels.branch1, Role.CONTACT)
    return user


def edit_url(brief: Brief) -> str:
    return reverse("reporting:brief_edit", args=[brief.pk])


def opened(client, user, brief: Brief) -> dict[str, str]:
    """Open the edit page as ``user``: what the browser would send back unchanged."""
    client.force_login(user)
    response = client.get(edit_url(brief))
    assert response.status_code == 200
    form = response.context["form"]
    return {name: "" if form[name].value() is None else str(form[name].value()) for name in FIELDS}


def save(client, user, brief: Brief, data: dict[str, str]):
    client.force_login(user)
    return client.post(edit_url(brief), data)


def test_the_form_carries_the_version_hidden(levels, brief, client):
    client.force_login(levels.contact1)
    form = client.get(edit_url(brief)).context["form"]
    assert form.fields["version"].widget.is_hidden
    assert form["version"].value()
    assert "version" in [field.name for field in form.hidden_fields()]


def test_a_new_brief_has_no_version(levels, client):
    client.force_login(levels.contact1)
    form = client.get(reverse("reporting:brief_create", args=["fed"])).context["form"]
    assert "version" not in form.fields


def test_the_second_of_two_editors_is_refused_and_keeps_what_they_typed(
    levels, brief, co_writer, client
):
    first = opened(client, levels.contact1, brief)
    second = opened(client, co_writer, brief)
    assert first["version"] == second["version"]

    assert (
        save(client, levels.contact1, brief, {**first, "title": "第一人的标题"}).status_code == 302
    )
    typed = {**second, "title": "第二人的标题", "body": "<p>第二人的正文</p>"}
    response = save(client, co_writer, brief, typed)

    assert response.status_code == 200
    brief.refresh_from_db()
    assert brief.title == "第一人的标题" and brief.body == "<p>正文</p>"
    form = response.context["form"]
    assert form["title"].value() == "第二人的标题"
    assert form["body"].value() == "<p>第二人的正文</p>"
    error = form.non_field_errors()[0]
    assert re.fullmatch(
        r"联络员一 changed this brief at \d\d:\d\d, while you were editing it\. Your changes were "
        r"not saved: compare them with the brief as it is now and save again\.",
        error,
    )
    assert "联络员一 changed this brief at" in response.content.decode()

    # Saving the form shown again (it carries the current version) is a deliberate overwrite.
    again = {**typed, "version": form["version"].value()}
    assert again["version"] != second["version"]
    assert save(client, co_writer, brief, again).status_code == 302
    brief.refresh_from_db()
    assert brief.title == "第二人的标题"


def test_a_round_trip_through_sign_off_meanwhile_refuses_the_edit(levels, brief, client):
    """Sent for sign-off and sent back while the form was open: a draft again, but not
    the draft the editor started from."""
    data = opened(client, levels.contact1, brief)
    brief_send_for_signoff(actor=levels.contact1, brief=brief)
    brief_send_back(actor=levels.head1, brief=brief, comment="请补充数据")
    response = save(client, levels.contact1, brief, {**data, "title": "旧稿上改"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()[0].startswith("书记一 changed this brief")
    brief.refresh_from_db()
    assert brief.title == "支部动员会" and brief.state == BriefState.DRAFT


def test_a_brief_no_longer_editable_is_refused_as_before(levels, brief, client):
    data = opened(client, levels.contact1, brief)
    brief_send_for_signoff(actor=levels.contact1, brief=brief)
    assert save(client, levels.contact1, brief, {**data, "title": "送审后改"}).status_code == 403
    brief.refresh_from_db()
    assert brief.title == "支部动员会"


def test_a_save_without_a_version_is_refused_once_then_accepted(levels, brief, client):
    """An old page (no version field) cannot overwrite blindly; the page shown again can."""
    data = opened(client, levels.contact1, brief)
    del data["version"]
    response = save(client, levels.contact1, brief, {**data, "title": "旧页面"})
    assert response.status_code == 200
    error = response.context["form"].non_field_errors()[0]
    assert "did not say which version of this brief you started from" in error
    brief.refresh_from_db()
    assert brief.title == "支部动员会"

    version = response.context["form"]["version"].value()
    response = save(client, levels.contact1, brief, {**data, "title": "旧页面", "version": version})
    assert response.status_code == 302
    brief.refresh_from_db()
    assert brief.title == "旧页面"


def test_bad_input_keeps_the_version_the_editor_started_from(levels, brief, co_writer, client):
    data = opened(client, levels.contact1, brief)
    response = save(client, levels.contact1, brief, {**data, "body": ""})
    assert response.status_code == 200
    assert response.context["form"]["version"].value() == data["version"]
    save(client, co_writer, brief, {**opened(client, co_writer, brief), "title": "乙改"})
    response = save(client, levels.contact1, brief, {**data, "title": "甲改"})
    assert response.status_code == 200
    brief.refresh_from_db()
    assert brief.title == "乙改"
