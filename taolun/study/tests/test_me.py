"""The member's own page, and a reflection's lock."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant
from taolun.study.models import Reflection
from taolun.study.services import reflection_save
from taolun.study.tests.factories import MaterialFactory, ReflectionFactory


def test_each_material_on_my_page_has_its_own_log_link(client, org):
    material = MaterialFactory(campaign=org.campaign, created_by=org.office, title="三十讲")
    client.force_login(org.member1)
    page = client.get(reverse("study:me", args=["camp"])).content.decode()
    link = f"{reverse('study:log_create', args=['camp'])}?material={material.pk}"
    assert link in page
    form = client.get(link).content.decode()
    assert f'<option value="{material.pk}" selected>' in form


def test_no_log_links_for_someone_who_does_not_take_part(client, org):
    """The office sits above the campaign's units' people: it has nothing to log here."""

    MaterialFactory(campaign=org.campaign, created_by=org.office, title="三十讲")
    visitor = UserFactory(unit=None)
    grant(visitor, org.root, Role.LEADER)
    client.force_login(visitor)
    page = client.get(reverse("study:me", args=["camp"])).content.decode()
    assert "三十讲" in page
    assert reverse("study:log_create", args=["camp"]) not in page


def test_saving_a_stale_copy_never_undoes_the_excellent_mark(org):

    reflection = ReflectionFactory(campaign=org.campaign, author=org.member1)
    stale = Reflection.objects.get(pk=reflection.pk)
    Reflection.objects.filter(pk=reflection.pk).update(excellent=True, marked_by=org.office)
    with pytest.raises(PermissionDenied):
        reflection_save(
            actor=org.member1, campaign=org.campaign, reflection=stale, title="改", body="改"
        )
    reflection.refresh_from_db()
    assert reflection.excellent and reflection.marked_by == org.office


def test_a_late_invalid_edit_is_told_of_the_lock_at_once(client, org):

    reflection = ReflectionFactory(campaign=org.campaign, author=org.member1, excellent=True)
    client.force_login(org.member1)
    typed = "体会" * 800
    response = client.post(
        reverse("study:reflection_edit", args=[reflection.pk]), {"title": "", "body": typed}
    )
    page = response.content.decode()
    assert response.status_code == 200 and typed in page
    assert "优秀" in page or "marked excellent" in page
