"""The study back office: scoped, read-only for logs and reflections, drafts never listed."""

from __future__ import annotations

import pytest

from taolun.core.tests.admin_utils import make_staff, url
from taolun.study.models import Reflection, StudyLog, StudyMaterial
from taolun.study.tests.factories import LogFactory, MaterialFactory, ReflectionFactory

pytestmark = pytest.mark.django_db
PERMS = ("study.view_reflection", "study.view_studylog", "study.change_reflection")


def test_contact_reads_submitted_reflections_of_the_unit_only(org, client):
    mine = ReflectionFactory(campaign=org.campaign, author=org.member1, title="一支部心得")
    ReflectionFactory(campaign=org.campaign, author=org.member1, title="草稿", submitted_at=None)
    other = ReflectionFactory(campaign=org.campaign, author=org.contact2, title="二支部心得")
    client.force_login(make_staff(org.contact1, *PERMS))
    page = client.get(url(Reflection)).content.decode()
    assert "一支部心得" in page and "草稿" not in page and "二支部心得" not in page
    assert client.get(url(Reflection, "change", other.pk)).status_code == 404
    detail = client.get(url(Reflection, "change", mine.pk))
    assert detail.status_code == 200 and 'name="title"' not in detail.content.decode()


def test_logs_are_read_only_and_scoped(org, client):
    log = LogFactory(campaign=org.campaign, person=org.member1)
    LogFactory(campaign=org.campaign, person=org.contact2, other_title="二支部自学")
    client.force_login(make_staff(org.contact1, *PERMS))
    page = client.get(url(StudyLog)).content.decode()
    assert "二支部自学" not in page and str(log.person) in page
    assert client.post(url(StudyLog, "delete", log.pk), {"post": "yes"}).status_code == 403
    assert StudyLog.objects.filter(pk=log.pk).exists()


def test_office_corrects_a_material_text_sanitised(org, client):
    m = MaterialFactory(campaign=org.campaign, created_by=org.office)
    client.force_login(
        make_staff(org.office, "study.view_studymaterial", "study.change_studymaterial")
    )
    response = client.post(
        url(StudyMaterial, "change", m.pk),
        {
            "title": "改正",
            "source": "",
            "required": "on",
            "order": "0",
            "body": "<p>正文</p><script>x</script>",
        },
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.title == "改正" and "script" not in m.body
    assert client.get(url(StudyMaterial, "add")).status_code == 403
