"""The audit trail page: who reads what (三员分立 and the office's subtree), the merged list
with its before → after, the filters and their errors, the CSV export, no N+1."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from taolun.core.models import AuditEvent, AuditEventKind
from taolun.org.models import RoleAssignment
from taolun.org.roles import AdminDuty, Role
from taolun.org.tests.factories import UserFactory, grant

URL = reverse("audit:list")
EXPORT = reverse("audit:export")


def rename(unit, name: str, *, by, address: str = "10.1.2.3") -> LogEntry:
    """A business change by ``by`` from ``address``, as the audit middleware records one."""
    with set_actor(by, remote_addr=address):
        unit.name = name
        unit.save()
    return LogEntry.objects.filter(object_pk=str(unit.pk)).latest("timestamp")


@pytest.fixture
def offices(org):
    """An office over each branch, seated in it, besides the root's office."""
    org.office1 = UserFactory(username="office1", name="一支部办公室", unit=org.branch1)
    grant(org.office1, org.branch1, Role.OFFICE)
    org.office2 = UserFactory(username="office2", name="二支部办公室", unit=org.branch2)
    grant(org.office2, org.branch2, Role.OFFICE)
    org.auditor = UserFactory(username="auditor", name="审计员", admin_duty=AdminDuty.AUDIT)
    return org


def page_of(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def rows_of(client, user, **params) -> str:
    """The table's rows only: the filter's choices name every kind of event too."""
    page = page_of(client, user, **params)
    return page[page.index("<tbody>") : page.index("</tbody>")]


# -- Who reads what ------------------------------------------------------------------------


def test_a_member_a_contact_and_a_supervisor_get_404(client, org):
    for user in (org.member1, org.contact1, org.supervisor, org.outsider):
        client.force_login(user)
        assert client.get(URL).status_code == 404
        assert client.get(EXPORT).status_code == 404


def test_system_and_security_administrators_do_not_read_the_trail(client, org):
    """三员分立: even holding the office role, and a superuser without the audit duty."""
    for duty in (AdminDuty.SYSTEM, AdminDuty.SECURITY):
        admin = UserFactory(admin_duty=duty, is_staff=True, is_superuser=True, unit=org.root)
        grant(admin, org.root, Role.OFFICE)
        client.force_login(admin)
        assert client.get(URL).status_code == 404
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(URL).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_office_reads_its_subtree_only(client, offices):
    org = offices
    rename(org.branch1, "一支部（新）", by=org.member1)
    rename(org.branch2, "二支部（新）", by=org.contact2)

    own = rows_of(client, org.office1)
    assert "一支部（新）" in own
    assert "二支部（新）" not in own

    sibling = rows_of(client, org.office2)
    assert "二支部（新）" in sibling
    assert "一支部（新）" not in sibling

    root = rows_of(client, org.office)
    assert "一支部（新）" in root and "二支部（新）" in root


def test_an_office_sees_events_of_its_people_and_attempts_on_their_accounts(client, offices):
    org = offices
    AuditEvent.objects.create(actor=org.member1, username="member1", kind=AuditEventKind.LOGIN)
    AuditEvent.objects.create(username="contact1", kind=AuditEventKind.LOGIN_FAILED)
    AuditEvent.objects.create(username="contact2", kind=AuditEventKind.LOCKED_OUT)

    own = rows_of(client, org.office1, kind="")
    assert "党员一" in own and "Signed in" in own
    assert "contact1" in own and "Sign-in failed" in own
    assert "Locked out" not in own

    assert "Locked out" in rows_of(client, org.office2)


def test_an_office_sees_changes_of_its_peoples_accounts_by_anyone(client, offices):
    org = offices
    admin = UserFactory(admin_duty=AdminDuty.SECURITY, is_staff=True)
    with set_actor(admin, remote_addr="10.9.9.9"):
        org.member1.phone = "13800000000"
        org.member1.save()
    assert "13800000000" in rows_of(client, org.office1)
    assert "13800000000" not in rows_of(client, org.office2)


def test_the_audit_administrator_reads_everything(client, offices):
    org = offices
    rename(org.branch1, "一支部（新）", by=org.member1)
    rename(org.branch2, "二支部（新）", by=org.contact2)
    AuditEvent.objects.create(username="nobody-known", kind=AuditEventKind.LOGIN_FAILED)
    page = rows_of(client, org.auditor)
    assert "一支部（新）" in page and "二支部（新）" in page and "nobody-known" in page


# -- What a row shows ----------------------------------------------------------------------


def test_a_change_made_through_a_page_shows_before_and_after(client, org):
    client.force_login(org.contact1)
    plan_url = "/campaigns/camp/units/branch1/plan/"
    client.post(plan_url, {"title": "方案", "body": "内容"}, REMOTE_ADDR="10.1.2.3")
    client.post(plan_url, {"title": "新方案", "body": "内容"}, REMOTE_ADDR="10.1.2.4")

    page = rows_of(client, org.office, kind="update")
    assert "联络员一" in page and "contact1" in page
    assert "Record changed" in page and "Unit plan" in page
    assert "10.1.2.4" in page and "10.1.2.3" not in page
    assert 'Title</span>: <span class="text-break">方案</span>' in page
    assert "新方案" in page


def test_foreign_keys_and_choices_are_shown_by_name(client, offices):
    org = offices
    with set_actor(org.office, remote_addr="10.0.0.1"):
        assignment = RoleAssignment.objects.create(
            user=org.member1, unit=org.branch2, role=Role.SUPERVISOR
        )
    page = rows_of(client, org.auditor, record_type="org.roleassignment", kind="create")
    assert "机关第二党支部" in page  # the unit, not its id
    assert "Supervisor" in page  # the choice's label, not "supervisor"
    assert f"#{assignment.unit_id}" not in page


def test_links_from_other_records_are_not_listed_as_changes(client, offices):
    with set_actor(offices.office, remote_addr="10.0.0.1"):
        UserFactory(username="newcomer", unit=offices.branch1)
    rows = rows_of(client, offices.auditor, record_type="org.user", kind="create")
    assert "newcomer" in rows
    assert ".None" not in rows  # auditlog writes reverse relations as "org.Post.None"


def test_newest_first_across_changes_and_events(client, offices):
    org = offices
    rename(org.branch1, "先改", by=org.member1)
    AuditEvent.objects.create(actor=org.member1, kind=AuditEventKind.EXPORT)
    later = timezone.now() + dt.timedelta(minutes=5)
    AuditEvent.objects.create(actor=org.member1, kind=AuditEventKind.LOGOUT, at=later)
    page = rows_of(client, org.office1)
    assert page.index("Signed out") < page.index("Export or download") < page.index("先改")


# -- Filters -------------------------------------------------------------------------------


def test_filters_narrow_the_list(client, offices):
    org = offices
    rename(org.branch1, "甲", by=org.member1, address="10.1.0.1")
    rename(org.branch2, "乙", by=org.contact2, address="192.168.0.9")
    AuditEvent.objects.create(
        actor=org.contact1, kind=AuditEventKind.LOGIN, address="10.1.0.7", path="/x/"
    )
    auditor = org.auditor

    by_person = rows_of(client, auditor, person="联络员二")
    assert "乙" in by_person and "甲" not in by_person and "Signed in" not in by_person

    by_kind = rows_of(client, auditor, kind=AuditEventKind.LOGIN)
    assert "Signed in" in by_kind and "Record changed" not in by_kind

    by_type = rows_of(client, auditor, record_type="org.unit")
    assert "甲" in by_type and "Signed in" not in by_type

    by_address = rows_of(client, auditor, address="10.1.")
    assert "甲" in by_address and "Signed in" in by_address and "乙" not in by_address

    today = timezone.localdate()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert "甲" not in rows_of(client, auditor, date_from=tomorrow)
    assert "甲" in rows_of(client, auditor, date_from=today.isoformat(), date_to=today.isoformat())


def test_a_wrong_filter_is_named_and_kept(client, offices):
    org = offices
    rename(org.branch1, "甲", by=org.member1)
    page = page_of(client, org.auditor, date_from="2019-13-45", address="10.0.0.1; drop")
    assert 'href="#id_date_from"' in page and "Enter a valid date." in page
    assert 'href="#id_address"' in page
    assert 'value="2019-13-45"' in page and 'value="10.0.0.1; drop"' in page
    assert "甲" not in page  # nothing is shown as if the filter had been applied

    reversed_range = page_of(client, org.auditor, date_from="2019-05-02", date_to="2019-05-01")
    assert 'href="#id_date_to"' in reversed_range


def test_reading_the_trail_is_itself_written_down(client, offices):
    org = offices
    client.force_login(org.office1)
    client.get(URL, {"person": "甲"}, REMOTE_ADDR="10.3.3.3")
    event = AuditEvent.objects.get(kind=AuditEventKind.SENSITIVE_VIEW)
    assert event.actor == org.office1 and event.address == "10.3.3.3"
    assert "person=" in event.path


# -- Export --------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese text
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_export_is_the_filtered_list_and_is_audited(client, offices):
    org = offices
    rename(org.branch1, "甲", by=org.member1, address="10.1.0.1")
    rename(org.branch2, "=HYPERLINK(1)", by=org.contact2)
    client.force_login(org.auditor)
    wanted = {"record_type": "org.unit", "kind": "update"}
    response = client.get(EXPORT, wanted, REMOTE_ADDR="10.5.5.5")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    rows = read_csv(response)
    assert rows[0][:3] == ["When", "Who", "User name"]
    records = {row[5]: row for row in rows[1:]}
    assert set(records) == {"甲", "'=HYPERLINK(1)"}
    assert records["甲"][1:4] == ["党员一", "member1", "Record changed"]
    assert records["甲"][6] == "10.1.0.1"
    assert "Name: 机关第一党支部 → 甲" in records["甲"][7]

    export = AuditEvent.objects.get(kind=AuditEventKind.EXPORT)
    assert export.actor == org.auditor and export.address == "10.5.5.5"
    assert "record_type=org.unit" in export.path and ".csv" in export.detail


def test_an_export_with_a_wrong_filter_goes_back_to_the_list(client, offices):
    client.force_login(offices.auditor)
    response = client.get(EXPORT, {"date_to": "yesterday"})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?date_to=yesterday"
    assert not AuditEvent.objects.filter(kind=AuditEventKind.EXPORT).exists()


# -- Paging and queries --------------------------------------------------------------------


def make_entries(org, count: int) -> None:
    for i in range(count):
        rename(org.branch1, f"名称{i}", by=org.member1)
        with set_actor(org.office, remote_addr="10.0.0.2"):
            RoleAssignment.objects.create(user=org.member1, unit=org.organ, role=Role.LEADER)
            RoleAssignment.objects.filter(user=org.member1, role=Role.LEADER).get().delete()
        AuditEvent.objects.create(actor=org.member1, kind=AuditEventKind.LOGIN)


def count_queries(client, user) -> int:
    client.force_login(user)
    client.get(URL)  # warm the content-type cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries.captured_queries)


def test_the_page_queries_do_not_grow_with_its_rows(client, offices):
    org = offices
    make_entries(org, 2)
    few = count_queries(client, org.office)
    make_entries(org, 10)
    assert count_queries(client, org.office) == few


def test_pages_of_fifty_newest_first(client, offices):
    org = offices
    now = timezone.now()
    for i in range(60):
        AuditEvent.objects.create(
            actor=org.member1,
            kind=AuditEventKind.PASSWORD_CHANGED,
            detail=f"第{i:02d}次",
            at=now - dt.timedelta(minutes=i),
        )
    first = page_of(client, org.office1, kind=AuditEventKind.PASSWORD_CHANGED)
    assert "第00次" in first and "第49次" in first and "第50次" not in first
    assert "Page 1 of 2" in first
    second = page_of(client, org.office1, kind=AuditEventKind.PASSWORD_CHANGED, page=2)
    assert "第50次" in second and "第59次" in second and "第49次" not in second


# -- The home page -------------------------------------------------------------------------


def test_the_home_page_links_to_the_trail_for_those_who_read_it(client, offices):
    org = offices
    link = f'href="{URL}"'
    for user in (org.office, org.office1, org.auditor):
        client.force_login(user)
        assert link in client.get("/").content.decode(), user
    system = UserFactory(admin_duty=AdminDuty.SYSTEM, unit=org.root)
    grant(system, org.root, Role.OFFICE)
    for user in (org.member1, org.contact1, system):
        client.force_login(user)
        assert link not in client.get("/").content.decode(), user


def test_an_office_never_reads_who_wrote_an_opinion_or_cast_a_vote(client, org):
    """Anonymous opinions and satisfaction votes name their author in the change log:
    the audit administrator's to read, never an office's."""
    from taolun.core.audit import audited
    from taolun.discussion.models import Opinion, Topic

    topic = Topic.objects.create(
        campaign=org.campaign,
        unit=org.root,
        question="问",
        opens_on=dt.date(2019, 3, 1),
        closes_on=dt.date(2019, 4, 1),
        created_by=org.office,
    )
    with audited(org.member1):
        Opinion.objects.create(
            topic=topic, author=org.member1, unit=org.branch1, body="匿名的意见", anonymous=True
        )
    client.force_login(org.office)
    page = client.get(reverse("audit:list")).content.decode()
    assert "匿名的意见" not in page
    auditor = UserFactory(username="auditor-x", admin_duty=AdminDuty.AUDIT)
    client.force_login(auditor)
    assert "匿名的意见" in client.get(reverse("audit:list")).content.decode()
