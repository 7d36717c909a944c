"""The office's near-copy pages: who sees them, what they show, asking for a new scan."""

from __future__ import annotations

import pytest
from django.urls import reverse

from taolun.campaigns.tests.factories import make_campaign
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant, make_unit
from taolun.study.models import Reflection
from taolun.textmine import indexing
from taolun.textmine.models import CopyScan, ScanState
from taolun.textmine.scan import run_scan, start_scan
from taolun.textmine.tests.copy_factories import (
    COPY,
    ORIGINAL,
    UNRELATED,
    at,
    opinion,
    reflection,
)

pytestmark = pytest.mark.django_db


def index_url(slug: str = "camp", **query) -> str:
    url = reverse("textmine:copies", kwargs={"slug": slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def group_url(scan: CopyScan, number: int = 1, slug: str = "camp") -> str:
    return reverse(
        "textmine:copies_group", kwargs={"slug": slug, "scan_id": scan.pk, "group": number}
    )


def scanned(org, unit=None) -> CopyScan:
    indexing.rebuild()
    return run_scan(
        start_scan(actor=None, campaign=org.campaign, unit=unit or org.root, queue=False)
    )


@pytest.fixture
def copied(org) -> CopyScan:
    """branch2 wrote first (5 March), branch1 copied it (20 March); one unrelated text."""
    original = reflection(org, org.contact2, ORIGINAL, unit=org.branch2)
    copy = reflection(org, org.member1, COPY)
    Reflection.objects.filter(pk=original.pk).update(created_at=at(5))
    Reflection.objects.filter(pk=copy.pk).update(created_at=at(20))
    reflection(org, org.contact1, UNRELATED)
    return scanned(org)


def test_the_office_sees_the_last_scan_and_its_groups(client, org, copied):
    client.force_login(org.office)
    response = client.get(index_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["scan"] == copied
    [group] = response.context["groups"].groups
    assert [m.unit for m in group.members] == [
        org.branch2.display_name,
        org.branch1.display_name,
    ]
    assert "<caption" in page and 'scope="col"' in page and 'scope="row"' in page
    table = page[page.index("<caption") :]
    assert table.index(org.branch2.display_name) < table.index(org.branch1.display_name)
    assert table.index("written first") < table.index(org.branch1.display_name)
    assert f"{group.members[1].percent}%" in page
    assert group_url(copied) in page


def test_a_supervisor_reads_the_page_too(client, org, copied):
    client.force_login(org.supervisor)
    assert client.get(index_url()).context["scan"] == copied
    assert client.get(group_url(copied)).status_code == 200


@pytest.mark.parametrize("who", ["member1", "contact1", "leader", "outsider"])
def test_others_get_404(client, org, copied, who):
    client.force_login(getattr(org, who))
    assert client.get(index_url()).status_code == 404
    assert client.get(group_url(copied)).status_code == 404
    assert client.post(index_url(), {"threshold": 80}).status_code == 404
    assert CopyScan.objects.count() == 1


def test_another_countys_office_never_sees_this_countys_texts_or_scans(client, org):
    """Two counties under one province campaign: each office reads its own county only."""
    county_a = make_unit("甲县", "county-a", org.organ)
    county_b = make_unit("乙县", "county-b", org.organ)
    office_a = UserFactory(username="office-a", unit=county_a)
    office_b = UserFactory(username="office-b", unit=county_b)
    grant(office_a, county_a, Role.OFFICE)
    grant(office_b, county_b, Role.OFFICE)
    writer_a = UserFactory(username="writer-a", unit=county_a)
    writer_b = UserFactory(username="writer-b", unit=county_b)
    reflection(org, writer_a, ORIGINAL)
    reflection(org, writer_a, COPY)
    reflection(org, writer_b, COPY.replace("三次", "四次"))
    scan_a = scanned(org, county_a)
    assert scan_a.groups == 1

    client.force_login(office_b)
    assert client.get(index_url(unit="county-a")).status_code == 404
    assert client.get(group_url(scan_a)).status_code == 404
    assert client.post(index_url(), {"unit": "county-a", "threshold": 80}).status_code == 404
    own = client.get(index_url())
    assert own.status_code == 200 and own.context["unit"] == county_b
    assert own.context["scan"] is None
    assert "county-a" not in own.content.decode()

    client.force_login(office_a)
    assert client.get(group_url(scan_a)).status_code == 200


def test_a_scan_of_another_campaign_is_404(client, org, copied):
    other = make_campaign(org.root, "other")
    client.force_login(org.office)
    assert client.get(group_url(copied, slug=other.slug)).status_code == 404


def test_scan_again_creates_a_new_scan(client, org, copied, django_capture_on_commit_callbacks):
    reflection(org, org.contact1, COPY.replace("三次", "六次"), unit=org.branch1)
    indexing.rebuild()
    client.force_login(org.office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(index_url(), {"unit": "root", "threshold": 80})
    assert response.status_code == 302 and response.url == index_url(unit="root")
    newest = CopyScan.objects.exclude(pk=copied.pk).get()
    assert newest.requested_by == org.office and newest.state == ScanState.DONE
    page = client.get(response.url)
    assert page.context["scan"] == newest
    assert len(page.context["groups"].groups[0].members) == 3


def test_a_queued_scan_is_shown_as_waiting(client, org, copied, django_capture_on_commit_callbacks):
    client.force_login(org.office)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(index_url(), {"threshold": 90}, follow=True)
    page = response.content.decode()
    assert 'data-testid="scan-waiting"' in page and "is queued" in page
    assert "The scan is queued" in page
    assert response.context["scan"] == copied  # the last finished one is still shown
    assert CopyScan.objects.filter(state=ScanState.QUEUED, threshold=0.9).count() == 1


@pytest.mark.parametrize("typed", ["12", "abc", "101"])
def test_a_bad_threshold_names_the_field_and_keeps_the_value(client, org, copied, typed):
    client.force_login(org.office)
    response = client.post(index_url(), {"threshold": typed})
    assert response.status_code == 200
    assert response.context["form"].errors["threshold"]
    assert f'value="{typed}"' in response.content.decode()
    assert CopyScan.objects.count() == 1


def test_a_failed_scan_says_so(client, org):
    failed = CopyScan.objects.create(
        campaign=org.campaign, unit=org.root, state=ScanState.FAILED, finished_at=at(1)
    )
    client.force_login(org.office)
    response = client.get(index_url())
    assert response.context["scan"] == failed
    assert 'data-testid="scan-failed"' in response.content.decode()


def test_the_group_page_marks_shared_passages_and_escapes_the_rest(client, org):
    hostile = "<script>alert(1)</script>"
    reflection(org, org.contact2, ORIGINAL, unit=org.branch2)
    # The body is stored as typed by a factory, not sanitised: the page must still escape it.
    Reflection.objects.create(
        campaign=org.campaign,
        author=org.member1,
        unit=org.branch1,
        title=f"抄来的{hostile}",
        body=f"&lt;script&gt;alert(1)&lt;/script&gt;\n{COPY}",
        submitted_at=at(20),
    )
    done = scanned(org)
    client.force_login(org.office)
    response = client.get(group_url(done))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<mark>") >= 2
    texts = response.context["texts"]
    assert texts[0].member.first and texts[0].member.unit == org.branch2.display_name
    marked = "".join(piece for p in texts[1].paragraphs for piece, is_marked in p if is_marked)
    assert "通过这次专题学习" in marked and "alert" not in marked


def test_the_group_page_links_to_the_texts_the_reader_may_open(client, org):
    reflection(org, org.contact2, ORIGINAL, unit=org.branch2)
    opinion(org, org.member1, COPY)
    done = scanned(org)
    client.force_login(org.office)
    response = client.get(group_url(done))
    reflection_pk = Reflection.objects.get().pk
    assert reverse("study:reflection_detail", kwargs={"pk": reflection_pk}) in (
        response.content.decode()
    )
    assert all(t.url for t in response.context["texts"])


def test_the_group_page_of_a_missing_group_is_404(client, org, copied):
    client.force_login(org.office)
    assert client.get(group_url(copied, 2)).status_code == 404


def test_a_chosen_unit_in_scope(client, org, copied):
    client.force_login(org.office)
    response = client.get(index_url(unit="branch1"))
    assert response.status_code == 200
    assert response.context["unit"] == org.branch1 and response.context["scan"] is None
    assert client.get(index_url(unit="nope")).status_code == 404


@pytest.mark.parametrize("size", [2, 6])
def test_the_pages_take_the_same_queries_at_any_size(
    client, org, size, django_assert_max_num_queries
):
    for n in range(size):
        unit = make_unit(f"支部{n}", f"unit{n}", org.organ)
        author = UserFactory(username=f"author{n}", unit=unit)
        reflection(org, author, f"{ORIGINAL}第{n}稿。")
        reflection(org, author, f"{UNRELATED}第{n}稿。")
        opinion(org, author, f"{UNRELATED}第{n}稿！")
    done = scanned(org)
    assert done.groups == 2
    client.force_login(org.office)
    client.get(index_url())  # warm the caches (content types, session)
    with django_assert_max_num_queries(12):
        response = client.get(index_url())
    assert sum(len(g.members) for g in response.context["groups"].groups) == 3 * size
    with django_assert_max_num_queries(12):
        response = client.get(group_url(done, 1))
    assert len(response.context["texts"]) == min(len(response.context["group"].members), 12)
