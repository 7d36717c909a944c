import io

import pytest
from django.core.management import CommandError, call_command

from taolun.campaigns.models import ActionStatus
from taolun.org.tests.factories import make_unit


def test_sync_statuses_adds_rows_for_new_units(org):
    make_unit("新支部", "branch3", org.organ, sync=False)
    out = io.StringIO()
    call_command("sync_statuses", "--campaign", "camp", stdout=out)
    assert "4 status rows added" in out.getvalue()
    assert ActionStatus.objects.filter(unit__slug="branch3").count() == 4


def test_sync_statuses_names_an_unknown_slug(org):
    with pytest.raises(CommandError, match="nope"):
        call_command("sync_statuses", "--campaign", "nope")
