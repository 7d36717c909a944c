"""The demo's scoring scheme, and the dashboard and scores pages over the demo's data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from taolun.campaigns.models import Campaign
from taolun.core import clock
from taolun.core.demo import DEMO_TODAY, FEDERATION_SLUG, _Loader
from taolun.core.tests.test_demo import demo, demo_loaded  # noqa: F401 (fixtures)
from taolun.org.models import User
from taolun.supervision import demo_scores
from taolun.supervision.models import ScoringScheme


def _load() -> _Loader:
    loader = _Loader()
    with clock.travel(DEMO_TODAY):
        loader.load_org()  # finds the demo's units and people; adds nothing
        demo_scores.load(loader, Campaign.objects.get(slug=FEDERATION_SLUG))
    return loader


@pytest.mark.usefixtures("demo")
class TestDemoScores:
    def test_scheme_is_set_by_the_office_once(self):
        ScoringScheme.objects.filter(campaign__slug=FEDERATION_SLUG).delete()
        first = _load()
        assert first.result.created["scoring schemes"] == 1
        scheme = ScoringScheme.objects.get(campaign__slug=FEDERATION_SLUG)
        assert [getattr(scheme, f) for f in ScoringScheme.WEIGHT_FIELDS] == [
            Decimal(30),
            Decimal(20),
            Decimal(25),
            Decimal(10),
            Decimal(15),
        ]
        assert (scheme.deduction_per_finding, scheme.deduction_cap) == (Decimal(2), Decimal(10))
        assert scheme.briefs_for_full_marks == 2
        assert scheme.updated_by.username == "lijunwen"
        second = _load()
        assert not any(second.result.created.values())

    def test_pages_over_the_demo(self, client):
        _load()
        client.force_login(User.objects.get(username="lijunwen"))
        with clock.travel(DEMO_TODAY):
            for name in ("dashboard", "lagging", "scores"):
                response = client.get(reverse(f"supervision:{name}", args=[FEDERATION_SLUG]))
                assert response.status_code == 200, name
            scores = client.get(
                reverse("supervision:scores", args=[FEDERATION_SLUG]), {"depth": 2}
            ).content.decode()
        assert 'data-testid="scores"' in scores
        assert 'data-testid="default-scheme"' not in scores
