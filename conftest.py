"""Fixtures shared by the whole suite: a small organisation with one person per role."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from taolun.core import clock
from taolun.textmine import themes


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TAOLUN_TODAY = ""
    # Counted on every page: a test that acts as one user and looks as another must see it.
    settings.TAOLUN_TODO_COUNT_SECONDS = 0
    # Each test process its own cache: the site's shares files between a machine's workers.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Ids come back after a rollback: a matcher cached by an earlier test is not this one's.
    themes.clear_cache()


@pytest.fixture(autouse=True)
def _english_client(client, settings):
    """Page tests assert on the English msgids; tests of the Chinese UI drop this cookie."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def travel():
    """``travel(date)`` moves the platform's clock for the rest of the test."""
    stack = []

    def go(day: dt.date) -> dt.date:
        ctx = clock.travel(day)
        ctx.__enter__()
        stack.append(ctx)
        return day

    yield go
    while stack:
        stack.pop().__exit__(None, None, None)


@pytest.fixture
def org(db):
    """省残联-like tree: root → branch1, branch2 (each with a contact and a member), office at root.

    Returns a namespace of units and users; the campaign ``camp`` runs at the root with
    two stages of two prescribed actions each (due 2019-03-19 and 2019-04-18).
    """
    from taolun.campaigns.tests.factories import make_campaign
    from taolun.org.roles import Role
    from taolun.org.tests.factories import UserFactory, grant, make_unit

    root = make_unit("省残联", "root", kind="organisation")
    organ = make_unit("机关", "organ", root, kind="organ")
    branch1 = make_unit("机关第一党支部", "branch1", organ)
    branch2 = make_unit("机关第二党支部", "branch2", organ)
    ns = SimpleNamespace(root=root, organ=organ, branch1=branch1, branch2=branch2)
    ns.office = UserFactory(username="office", name="办公室", unit=root)
    grant(ns.office, root, Role.OFFICE)
    ns.leader = UserFactory(username="leader", name="领导", unit=root)
    grant(ns.leader, root, Role.LEADER)
    ns.supervisor = UserFactory(username="supervisor", name="督导", unit=root)
    grant(ns.supervisor, root, Role.SUPERVISOR)
    ns.contact1 = UserFactory(username="contact1", name="联络员一", unit=branch1)
    grant(ns.contact1, branch1, Role.CONTACT)
    ns.contact2 = UserFactory(username="contact2", name="联络员二", unit=branch2)
    grant(ns.contact2, branch2, Role.CONTACT)
    ns.member1 = UserFactory(username="member1", name="党员一", unit=branch1)
    grant(ns.member1, branch1, Role.MEMBER)
    ns.outsider = UserFactory(username="outsider", name="无角色")
    ns.campaign = make_campaign(root, "camp")
    for unit in (root, organ, branch1, branch2):
        unit.refresh_from_db()
    return ns


@pytest.fixture
def seed_themes(org):
    """The seed's six themes on the ``org`` campaign, by number (the words of the demo)."""
    from taolun.campaigns.models import Theme
    from taolun.core.demo import THEMES

    for number, (break_with, focus_on, adhere_to) in enumerate(THEMES, start=1):
        Theme.objects.update_or_create(
            campaign=org.campaign,
            number=number,
            defaults={"break_with": break_with, "focus_on": focus_on, "adhere_to": adhere_to},
        )
    return {t.number: t for t in org.campaign.themes.all()}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends with a flush, which also empties the rows the data
    migrations made (meeting kinds, publicity channels): put them back for the tests that
    follow it on this worker."""
    yield
    marker = item.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in getattr(item, "fixturenames", ()) for name in ("transactional_db", "live_server")
    )
    # After the worker's last test the session's fixtures are gone, the test database with
    # them: nothing follows to need the rows.
    if transactional and nextitem is not None:
        from pytest_django.plugin import blocking_manager_key

        from taolun.core.demo import _ensure_reference_data

        with item.config.stash[blocking_manager_key].unblock():
            _ensure_reference_data()
