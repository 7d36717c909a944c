"""A finding deleted from its inspection goes to the recycle bin of the offices over the
unit visited, and comes back with its number and its place in the visit's history."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import translation

from taolun.core.recycle import get_recycled_for_user, recycled_for_user, restore
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant
from taolun.supervision import inspections as svc
from taolun.supervision.models import Finding

D = dt.date


@pytest.fixture(autouse=True)
def _today(travel):
    travel(D(2019, 4, 15))


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def inspection(org):
    return svc.inspection_create(
        actor=org.supervisor,
        campaign=org.campaign,
        unit=org.branch1,
        visited_on=D(2019, 4, 10),
        checked="<p>台账、学习记录</p>",
    )


def find(org, inspection, text="<p>学习记录不全</p>"):
    return svc.finding_add(actor=org.supervisor, inspection=inspection, text=text)


def test_a_deleted_finding_leaves_the_visit_and_comes_back_with_its_number(org, client, inspection):
    first, second = find(org, inspection), find(org, inspection, "<p>台账不规范</p>")
    client.force_login(org.supervisor)
    response = client.post(reverse("supervision:finding_delete", args=[first.pk]))
    assert response.status_code == 302
    page = client.get(reverse("supervision:inspection", args=[inspection.pk])).content.decode()
    assert "学习记录不全" not in page and "台账不规范" in page

    [entry] = recycled_for_user(org.office)
    assert (entry.unit, entry.deleted_by) == (org.branch1, org.supervisor)
    restore(get_recycled_for_user(org.office, entry.pk), actor=org.office)

    back = Finding.objects.get(pk=first.pk)
    assert (back.inspection, back.number, back.text) == (inspection, 1, first.text)
    assert list(inspection.findings.order_by("number")) == [back, second]
    page = client.get(reverse("supervision:inspection", args=[inspection.pk])).content.decode()
    assert "学习记录不全" in page
    # The restore is in the visit's history, after the deletion.
    actions = [
        row.entry.action
        for row in svc.inspection_history(inspection)
        if row.entry.object_id == first.pk
    ]
    assert actions[-2:] == [LogEntry.Action.DELETE, LogEntry.Action.CREATE]


def test_a_restore_is_refused_when_a_later_finding_took_the_number(org, inspection):
    finding = find(org, inspection)
    svc.finding_delete(actor=org.supervisor, finding=finding)
    newer = find(org, inspection, "<p>新问题</p>")
    assert newer.number == finding.number
    [entry] = recycled_for_user(org.office)
    with pytest.raises(ValidationError) as exc:
        restore(entry, actor=org.office)
    assert "already exists" in " ".join(exc.value.messages)
    assert list(Finding.objects.all()) == [newer]


def test_the_office_of_another_branch_cannot_reach_it(org, inspection):
    office2 = UserFactory(username="office2", name="二支部办公室", unit=org.branch2)
    grant(office2, org.branch2, Role.OFFICE)
    svc.finding_delete(actor=org.supervisor, finding=find(org, inspection))
    [entry] = recycled_for_user(org.office)
    assert not recycled_for_user(office2).exists()
    with pytest.raises(Http404):
        get_recycled_for_user(office2, entry.pk)
