"""The header's counter is remembered per user for a minute; the user's own writes and the
to-do page refresh it, so what the user just did shows at once."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from taolun.notifications.tests.test_views import counter, make


@pytest.fixture
def remembered(settings, march):
    settings.TAOLUN_TODO_COUNT_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def march(travel):
    import datetime as dt

    return travel(dt.date(2019, 3, 10))


def queries_of(client, url):
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url).content.decode()
    return page, len(ctx.captured_queries)


def test_the_second_page_reads_the_remembered_count(org, remembered, client):
    make(org, submit=True)
    client.force_login(org.office)
    url = reverse("activities:list")
    first, first_queries = queries_of(client, url)
    second, second_queries = queries_of(client, url)
    assert counter(first) == counter(second) == 1
    # The count's own queries (the ledger's and all other kinds') are not run again.
    assert second_queries == first_queries - 2


def test_the_users_own_write_shows_at_once(org, remembered, client):
    record = make(org, submit=True)
    client.force_login(org.office)
    assert counter(client.get(reverse("activities:list")).content.decode()) == 1
    response = client.post(
        reverse("activities:review", args=[record.pk]), {"decision": "accept", "comment": ""}
    )
    assert response.status_code == 302
    assert counter(client.get(reverse("activities:list")).content.decode()) == 0


def test_the_todo_page_refreshes_what_others_changed(org, remembered, client):
    client.force_login(org.office)
    assert counter(client.get(reverse("activities:list")).content.decode()) == 0
    make(org, submit=True)  # a contact submits meanwhile: the header may lag a minute …
    assert counter(client.get(reverse("activities:list")).content.decode()) == 0
    # … but the to-do page counts afresh, and the header follows it from there.
    assert counter(client.get(reverse("notifications:todo")).content.decode()) == 1
    assert counter(client.get(reverse("activities:list")).content.decode()) == 1


def test_zero_seconds_counts_on_every_page(org, march, client, settings):
    settings.TAOLUN_TODO_COUNT_SECONDS = 0
    client.force_login(org.office)
    assert counter(client.get(reverse("activities:list")).content.decode()) == 0
    make(org, submit=True)
    assert counter(client.get(reverse("activities:list")).content.decode()) == 1


def test_a_write_forgets_the_count_in_every_worker_of_the_machine(
    org, march, client, settings, tmp_path
):
    """The site's cache is a directory shared by a machine's workers: the count one worker
    remembered is gone for another once the user changed something."""
    from django.core.cache.backends.filebased import FileBasedCache

    from taolun import settings as site_settings
    from taolun.notifications.selectors import _count_key

    assert site_settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache")
    settings.TAOLUN_TODO_COUNT_SECONDS = 60
    settings.CACHES = {
        "default": {**site_settings.CACHES["default"], "LOCATION": str(tmp_path / "cache")}
    }
    other_worker = FileBasedCache(str(tmp_path / "cache"), {})
    record = make(org, submit=True)
    client.force_login(org.office)
    assert counter(client.get(reverse("activities:list")).content.decode()) == 1
    assert other_worker.get(_count_key(org.office.pk)) == 1
    client.post(
        reverse("activities:review", args=[record.pk]), {"decision": "accept", "comment": ""}
    )
    assert other_worker.get(_count_key(org.office.pk)) is None
