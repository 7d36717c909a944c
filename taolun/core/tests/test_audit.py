from auditlog.models import LogEntry

from taolun.campaigns.services import unit_plan_save


def test_actor_is_recorded_after_a_request_has_left_its_context(org, client):
    client.force_login(org.office)
    client.get("/")  # the audit middleware runs and leaves its context behind
    plan = unit_plan_save(
        actor=org.contact1, campaign=org.campaign, unit=org.branch1, title="方案", body="内容"
    )
    assert LogEntry.objects.get_for_object(plan).get().actor == org.contact1


def test_changes_made_through_a_page_carry_the_client_address(org, client):
    client.force_login(org.contact1)
    client.post(
        "/campaigns/camp/units/branch1/plan/",
        {"title": "方案", "body": "内容"},
        REMOTE_ADDR="10.1.2.3",
    )
    entry = LogEntry.objects.filter(content_type__model="unitplan").get()
    assert entry.actor == org.contact1
    assert entry.remote_addr == "10.1.2.3"
