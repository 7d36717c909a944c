"""A member's study log deleted from their page goes to the recycle bin of their unit's
office, and comes back with the figures taken from it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from taolun.core.recycle import get_recycled_for_user, recycled_for_user, restore
from taolun.study import services
from taolun.study.models import StudyLog
from taolun.study.selectors import member_page
from taolun.study.tests.factories import LogFactory, MaterialFactory

D = dt.date


@pytest.fixture(autouse=True)
def _march(travel):
    travel(D(2019, 3, 10))


def studied(org, user=None):
    page = member_page(user or org.member1, org.campaign)
    return page.minutes, [row.done for row in page.study]


def test_a_deleted_log_leaves_the_member_page_and_comes_back_from_the_bin(org, client):
    material = MaterialFactory(campaign=org.campaign, created_by=org.office)
    log = LogFactory(campaign=org.campaign, person=org.member1, material=material, minutes=40)
    assert studied(org) == (40, [True])
    client.force_login(org.member1)
    response = client.post(reverse("study:log_delete", args=[log.pk]))
    assert response.status_code == 302
    assert not StudyLog.objects.filter(pk=log.pk).exists()
    assert studied(org) == (0, [False])
    me = client.get(reverse("study:me", args=[org.campaign.slug])).content.decode()
    assert reverse("study:log_delete", args=[log.pk]) not in me

    [entry] = recycled_for_user(org.office)
    assert (entry.deleted_by, entry.unit, entry.object_pk) == (
        org.member1,
        org.branch1,
        str(log.pk),
    )
    assert [row["pk"] for row in entry.payload] == [log.pk]
    restore(get_recycled_for_user(org.office, entry.pk), actor=org.office)

    back = StudyLog.objects.get(pk=log.pk)
    assert (back.person, back.material, back.minutes) == (org.member1, material, 40)
    assert studied(org) == (40, [True])
    me = client.get(reverse("study:me", args=[org.campaign.slug])).content.decode()
    assert reverse("study:log_delete", args=[log.pk]) in me


def test_the_deletion_keeps_its_permission_check(org):
    log = LogFactory(campaign=org.campaign, person=org.member1)
    with pytest.raises(PermissionDenied):
        services.log_delete(actor=org.contact1, log=log)
    assert StudyLog.objects.filter(pk=log.pk).exists()
    assert not recycled_for_user(org.office).exists()


def test_its_material_withdrawn_since_is_named_when_restoring(org):
    material = MaterialFactory(campaign=org.campaign, created_by=org.office)
    log = LogFactory(campaign=org.campaign, person=org.member1, material=material)
    services.log_delete(actor=org.member1, log=log)
    material.delete()
    [entry] = recycled_for_user(org.office)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        restore(entry, actor=org.office)
    assert "the material it belongs to" in " ".join(exc.value.messages)
    assert not StudyLog.objects.exists()
