"""Uploaded files go back as downloads, never as pages; every form needs its CSRF token.

A file that got past the content check, or one stored before a check existed, must not run
in the site's origin: core.uploads.download_response sends it as an attachment the browser
may not sniff into HTML. Forms are refused without the token that proves they came from the
site's own pages.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.test import Client
from django.urls import reverse

from taolun.activities.models import ActivityRecord, Attachment
from taolun.activities.services import record_create
from taolun.activities.tests.files import PNG, png
from taolun.core.uploads import download_response

DAY = dt.date(2019, 3, 10)


def stored(name: str, content: bytes, content_type: str) -> Attachment:
    """An attachment row as the model holds it (unsaved: download_response reads no more)."""
    path = default_storage.save(f"records/{name}", ContentFile(content))
    return Attachment(file=path, original_name=name, content_type=content_type, size=len(content))


def test_a_stored_html_file_is_downloaded_not_rendered():
    """Even a file whose stored type says HTML never becomes a page of the site."""
    attachment = stored("纪要.html", b"<script>alert(document.cookie)</script>", "text/html")
    response = download_response(attachment)
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "filename*=utf-8''%E7%BA%AA%E8%A6%81.html" in response["Content-Disposition"]
    response.file_to_stream.close()


def test_a_name_with_quotes_and_line_breaks_cannot_split_the_header():
    attachment = stored("a.png", PNG, "image/png")
    attachment.original_name = 'x".png\r\nSet-Cookie: sessionid=stolen'
    response = download_response(attachment)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\n" not in disposition and "\r" not in disposition
    assert "Set-Cookie" not in response.headers or "stolen" not in response.headers["Set-Cookie"]
    response.file_to_stream.close()


def test_a_missing_file_answers_404():
    attachment = stored("gone.png", PNG, "image/png")
    default_storage.delete(attachment.file.name)
    with pytest.raises(Http404):
        download_response(attachment)
    with pytest.raises(Http404):
        download_response(Attachment(file="", original_name="none.png", content_type="image/png"))


def test_a_record_attachment_downloads_as_an_attachment_under_the_policy(client, org, travel):
    travel(DAY)
    action = org.campaign.actions.get(kind="prescribed", number=1)
    record = record_create(
        actor=org.contact1,
        action=action,
        unit=org.branch1,
        title="召开动员部署会",
        held_on=dt.date(2019, 3, 1),
        files=[png("现场照片.png")],
    )
    client.force_login(org.supervisor)
    response = client.get(record.attachments.get().get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    response.close()


# -- CSRF -------------------------------------------------------------------------------------


def csrf_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "en"
    if user is not None:
        client.force_login(user)
    return client


def token_from(client: Client, url: str) -> str:
    """The token a page of the site hands its forms."""
    response = client.get(url)
    assert response.status_code == 200
    return response.context["csrf_token"]


def test_a_form_post_without_the_token_is_refused_and_changes_nothing(org, travel):
    travel(DAY)
    action = org.campaign.actions.get(kind="prescribed", number=1)
    url = reverse(
        "activities:create", kwargs={"unit_slug": org.branch1.slug, "action_pk": action.pk}
    )
    data = {
        "title": "支部动员会",
        "held_on": "2019-03-05",
        "place": "三楼会议室",
        "participant_count": "12",
        "content": "学习了实施方案。",
    }
    client = csrf_client(org.contact1)
    assert client.post(url, data).status_code == 403
    assert client.post(url, {**data, "csrfmiddlewaretoken": "forged" * 6}).status_code == 403
    assert not ActivityRecord.objects.exists()
    # The same post with the page's token goes through: the token was all that was missing.
    response = client.post(url, {**data, "csrfmiddlewaretoken": token_from(client, url)})
    assert response.status_code == 302
    assert ActivityRecord.objects.count() == 1


def test_signing_in_and_out_need_the_token(org):
    anonymous = csrf_client()
    login = reverse("login")
    response = anonymous.post(login, {"username": org.office.username, "password": "x"})
    assert response.status_code == 403
    client = csrf_client(org.office)
    assert client.post(reverse("logout")).status_code == 403
    assert client.get(reverse("home")).wsgi_request.user.is_authenticated
