"""The member's own page leads straight to logging each material."""

from __future__ import annotations

from django.urls import reverse

from taolun.study.tests.factories import MaterialFactory


def test_each_material_on_my_page_has_its_own_log_link(client, org):
    material = MaterialFactory(campaign=org.campaign, created_by=org.office, title="三十讲")
    client.force_login(org.member1)
    page = client.get(reverse("study:me", args=["camp"])).content.decode()
    link = f"{reverse('study:log_create', args=['camp'])}?material={material.pk}"
    assert link in page
    form = client.get(link).content.decode()
    assert f'<option value="{material.pk}" selected>' in form
