import datetime as dt
import re

import pytest
from django.urls import reverse

from taolun.activities.services import record_create, record_review
from taolun.campaigns.services import self_selected_action_propose

D = dt.date


@pytest.fixture
def march(travel):
    return travel(D(2019, 3, 10))


def make(org, *, who="contact1", unit="branch1", number=1, **kw):
    kw.setdefault("title", "召开动员部署会")
    kw.setdefault("held_on", D(2019, 3, 1))
    action = org.campaign.actions.get(kind="prescribed", number=number)
    return record_create(actor=getattr(org, who), action=action, unit=getattr(org, unit), **kw)


def counter(page: str) -> int:
    match = re.search(r'data-testid="todo-count">\s*(\d+)', page)
    assert match, "the header counter is missing"
    return int(match.group(1))


def propose(org, name="走访残疾人家庭"):
    stage = org.campaign.stages.get(number=1)
    return self_selected_action_propose(
        actor=org.contact1, campaign=org.campaign, unit=org.branch1, stage=stage, name=name
    )


def test_office_sees_the_record_waiting_and_the_counter(org, march, client):
    record = make(org, submit=True)
    make(org, title="草稿不用审核")
    client.force_login(org.office)
    page = client.get(reverse("notifications:todo")).content.decode()
    assert "Records to review" in page
    assert f'href="{record.get_absolute_url()}"' in page and "召开动员部署会" in page
    assert "草稿不用审核" not in page
    assert counter(page) == 1
    # The counter is on every page, not only the to-do page.
    assert counter(client.get(reverse("activities:list")).content.decode()) == 1


def test_contact_sees_the_returned_record_with_the_comment(org, march, client):
    record = make(org, submit=True)
    record_review(actor=org.office, record=record, accept=False, comment="请补充会议照片。")
    client.force_login(org.contact1)
    page = client.get(reverse("notifications:todo")).content.decode()
    assert "Records returned to you" in page
    assert f'href="{record.get_absolute_url()}"' in page and "请补充会议照片。" in page
    assert counter(page) == 1
    client.force_login(org.office)
    page = client.get(reverse("notifications:todo")).content.decode()
    assert "召开动员部署会" not in page and counter(page) == 0


def test_proposed_actions_wait_for_the_office_and_leader(org, march, client):
    action = propose(org)
    for approver in (org.office, org.leader):
        client.force_login(approver)
        page = client.get(reverse("notifications:todo")).content.decode()
        assert "Self-selected actions to approve" in page
        assert f'href="{reverse("campaigns:action_decide", args=[action.pk])}"' in page
        assert counter(page) == 1
    client.force_login(org.contact2)
    page = client.get(reverse("notifications:todo")).content.decode()
    assert "走访残疾人家庭" not in page and counter(page) == 0


def test_nothing_waiting_shows_the_empty_state(org, march, client):
    make(org, submit=True)
    client.force_login(org.member1)
    page = client.get(reverse("notifications:todo")).content.decode()
    assert 'data-testid="todo-empty"' in page and counter(page) == 0
    assert "召开动员部署会" not in page


def test_other_units_work_is_not_shown(org, march, client):
    record = make(org, submit=True)
    record_review(actor=org.office, record=record, accept=False, comment="退回")
    client.force_login(org.contact2)
    page = client.get(reverse("notifications:todo")).content.decode()
    assert "召开动员部署会" not in page and 'data-testid="todo-empty"' in page


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("notifications:todo"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_todo_query_count_does_not_grow(org, march, client, django_assert_max_num_queries):
    make(org, submit=True)
    propose(org)
    client.force_login(org.office)
    url = reverse("notifications:todo")
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    for i in range(8):
        make(org, who="contact2", unit="branch2", number=1 + i % 4, title=f"二{i}", submit=True)
        propose(org, name=f"自选{i}")
    with django_assert_max_num_queries(15) as many:
        page = client.get(url).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert counter(page) == 18


def test_a_record_returned_to_a_unit_waits_for_each_of_its_contacts(org, travel):
    from taolun.org.roles import Role
    from taolun.org.tests.factories import UserFactory, grant

    travel(D(2019, 3, 5))
    record = record_create(
        actor=org.contact1,
        action=org.campaign.actions.get(number=1),
        unit=org.branch1,
        title="会议",
        held_on=D(2019, 3, 1),
        submit=True,
    )
    record_review(actor=org.office, record=record, accept=False, comment="补充材料")
    deputy = UserFactory(username="deputy1")
    grant(deputy, org.branch1, Role.CONTACT)
    from taolun.notifications.selectors import todo_for

    assert todo_for(deputy).returned == [record]
    assert todo_for(org.contact2).returned == []
    assert todo_for(org.office).returned == []
