"""``manage.py ledger_reminders``: who is reminded of which late or due-soon problem, and how."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from taolun.campaigns.tests.factories import make_campaign
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant, make_unit
from taolun.rectification.models import ProblemKind, ProblemState
from taolun.rectification.reminders import Because, ledger_reminders
from taolun.rectification.tests.factories import make_problem, put

D = dt.date
S = ProblemState
TODAY = D(2019, 4, 20)


@pytest.fixture(autouse=True)
def _today(travel, settings):
    settings.TAOLUN_LEDGER_WARNING_DAYS = 3
    travel(TODAY)


@pytest.fixture
def ledger(org):
    """Problems around the reminder's edges, named by what should happen to them."""
    team = make_unit("学习小组", "team", org.branch1)
    office_team = make_unit("综合组", "officeteam", org.organ)
    lonely = make_unit("无人小组", "lonely", org.root)
    organ_contact = UserFactory(username="organcontact", name="机关联络员", unit=org.organ)
    grant(organ_contact, org.organ, Role.CONTACT)
    org.member1.email = ""
    org.member1.save()
    gone = UserFactory(username="gone", name="已调离", unit=org.branch2, is_active=False)

    def make(name: str, state: str = S.OPEN, unit: str = "branch1", **kw):
        unit_obj = {"team": team, "officeteam": office_team, "lonely": lonely}.get(unit)
        if unit_obj is not None:
            kw.setdefault("deadline", D(2019, 4, 18))
            problem = make_problem(org, unit="root", who="office", ledger_number=name, **kw)
            problem.unit = unit_obj
            problem.save(update_fields=["unit"])
        else:
            kw.setdefault("deadline", D(2019, 4, 18))
            problem = make_problem(org, unit=unit, ledger_number=name, **kw)
        return put(problem, state)

    return {
        # member1 is in charge; no e-mail address.
        "late": make("late", S.IN_PROGRESS, deadline=D(2019, 4, 10), person_in_charge=org.member1),
        "soon": make("soon", deadline=D(2019, 4, 22), person_in_charge=org.member1),
        # No person in charge: the responsible leader.
        "today": make("today", unit="branch2", deadline=TODAY, responsible_leader=org.leader),
        # The person in charge has left: the leader instead.
        "gone": make("gone", unit="branch2", person_in_charge=gone, responsible_leader=org.leader),
        # Nobody named: the contacts of the unit, or of the nearest unit above with one.
        "unowned": make("unowned", unit="branch2", deadline=D(2019, 4, 23)),
        "team": make("team", unit="team"),
        "officeteam": make("officeteam", unit="officeteam"),
        "lonely": make("lonely", unit="lonely"),
        # Not listed.
        "far": make("far", deadline=D(2019, 4, 24), person_in_charge=org.member1),
        "completed": make("completed", S.COMPLETED, person_in_charge=org.contact1),
        "verified": make("verified", S.VERIFIED, person_in_charge=org.contact1),
        "carried": make("carried", S.CARRIED_OVER, person_in_charge=org.contact1),
        "draft": make("draft", S.DRAFT, person_in_charge=org.contact1),
        "long": make(
            "long", kind=ProblemKind.LONG_TERM, deadline=None, person_in_charge=org.contact1
        ),
    }


def who_gets_what(report) -> dict[str, list[tuple[str, str, int]]]:
    return {
        r.person.username: [(i.problem.ledger_number, i.because, i.days_left) for i in r.items]
        for r in report.reminders
    }


def run(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("ledger_reminders", *args, stdout=out)
    return out.getvalue()


def test_each_problem_goes_to_the_one_who_must_act(org, ledger):
    report = ledger_reminders()
    assert (report.today, report.days) == (TODAY, 3)
    assert who_gets_what(report) == {
        "contact1": [("team", Because.UNIT_CONTACT, -2)],
        "contact2": [("unowned", Because.UNIT_CONTACT, 3)],
        "leader": [
            ("gone", Because.RESPONSIBLE_LEADER, -2),
            ("today", Because.RESPONSIBLE_LEADER, 0),
        ],
        "organcontact": [("officeteam", Because.UNIT_CONTACT, -2)],
        "member1": [
            ("late", Because.PERSON_IN_CHARGE, -10),
            ("soon", Because.PERSON_IN_CHARGE, 2),
        ],
    }
    assert [i.problem.ledger_number for i in report.unreached] == ["lonely"]
    assert report.problem_count == 8
    assert [r.person.username for r in report.not_mailed] == ["member1"]


def test_overdue_items_come_first(org, ledger):
    member1 = next(r for r in ledger_reminders().reminders if r.person == org.member1)
    assert [i.problem.ledger_number for i in member1.overdue] == ["late"]
    assert [i.problem.ledger_number for i in member1.due_soon] == ["soon"]


def test_the_window_follows_the_days_and_the_setting(org, ledger, settings):
    listed = {i.problem.ledger_number for r in ledger_reminders(days=4).reminders for i in r.items}
    assert "far" in listed
    assert "unowned" not in {
        i.problem.ledger_number for r in ledger_reminders(days=2).reminders for i in r.items
    }
    settings.TAOLUN_LEDGER_WARNING_DAYS = 4
    assert ledger_reminders().days == 4
    overdue_only = ledger_reminders(days=0)
    assert {i.problem.ledger_number for r in overdue_only.reminders for i in r.items} == {
        "late",
        "today",
        "gone",
        "team",
        "officeteam",
    }


def test_one_campaign_only(org, ledger):
    other = make_campaign(org.root, "camp2")
    problem = make_problem(org, open_now=True, deadline=D(2019, 4, 1))
    problem.campaign = other
    problem.save(update_fields=["campaign"])
    everywhere = ledger_reminders()
    assert problem in [i.problem for r in everywhere.reminders for i in r.items]
    only = ledger_reminders(campaign=org.campaign)
    assert problem not in [i.problem for r in only.reminders for i in r.items]
    assert only.problem_count == everywhere.problem_count - 1


def test_the_command_prints_the_report_and_mails_nobody(org, ledger):
    out = run()
    assert "Ledger reminders of 2019-04-20: overdue, or due by 2019-04-23." in out
    assert "党员一 (no e-mail address: not mailed)" in out
    assert f"领导 <{org.leader.email}>" in out
    assert (
        "  [OVERDUE] late · deadline 2019-04-10, overdue by 10 days · 机关第一党支部 · "
        "理论学习不够深入 (person in charge)" in out
    )
    assert "  [due soon] soon · deadline 2019-04-22, due in 2 days" in out
    assert "today · deadline 2019-04-20, due today" in out
    assert "Nobody to remind (no person in charge, leader or unit contact):\n  lonely ·" in out
    assert "Problems: 8; people: 5; without an e-mail address: 1." in out
    for silent in ("far", "completed", "verified", "carried", "draft", "long"):
        assert f"] {silent} ·" not in out
    assert mail.outbox == []


def test_mail_sends_each_person_one_mail_with_all_their_items(org, ledger, settings):
    out = run("--mail")
    assert "4 mails sent." in out
    by_address = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 4
    assert set(by_address) == {
        org.leader.email,
        org.contact1.email,
        org.contact2.email,
        "organcontact@example.org",
    }
    leader = by_address[org.leader.email]
    # Written in the site's language (zh-hans), whatever the command's own output speaks.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Rectification ledger: %(overdue)s overdue, %(due)s due soon") % {
            "overdue": 1,
            "due": 1,
        }
        overdue = _("Overdue")
        role = _("(you are its %(role)s)") % {"role": Because.RESPONSIBLE_LEADER.label}
    assert overdue != "Overdue"
    assert leader.subject == subject
    assert f"\n{overdue}:\n- gone ·" in leader.body
    assert leader.body.index("gone ·") < leader.body.index("today ·")
    assert role in leader.body
    link = settings.TAOLUN_SITE_URL + reverse("rectification:problem", args=[ledger["gone"].pk])
    assert f"\n  {link}\n" in leader.body
    assert "unowned" not in leader.body and "late ·" not in leader.body


def test_dry_run_mails_nothing(org, ledger):
    out = run("--mail", "--dry-run")
    assert "Dry run: 4 mails would be sent; nothing was sent." in out
    assert mail.outbox == []


def test_nothing_to_remind(org):
    out = run()
    assert "Nothing is overdue or due soon." in out
    assert mail.outbox == []


def test_bad_arguments_are_refused(org):
    with pytest.raises(CommandError, match="No campaign with slug “nope”"):
        run("--campaign", "nope")
    with pytest.raises(CommandError, match="whole number of days"):
        run("--days", "-1")
    with pytest.raises(CommandError, match="whole number of days"):
        run("--days", "soon")


def test_the_campaign_and_days_options(org, ledger):
    out = run("--campaign", "camp", "--days", "0")
    assert "due by 2019-04-20" in out
    assert "] soon ·" not in out and "] late ·" in out


def test_queries_do_not_grow_with_the_items(org, django_assert_max_num_queries):
    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            unit = make_unit(f"小组{i}", f"team{i}", org.branch2 if i % 2 else org.branch1)
            contact = UserFactory(username=f"teamcontact{i}", name=f"联络员{i}", unit=unit)
            grant(contact, unit, Role.CONTACT)
            owner = UserFactory(username=f"owner{i}", name=f"负责人{i}", unit=unit)
            owned = make_problem(org, who="office", person_in_charge=owner, open_now=True)
            unowned = make_problem(org, who="office", open_now=True, deadline=D(2019, 4, 1))
            for problem in (owned, unowned):
                problem.unit = unit
                problem.save(update_fields=["unit"])

    org.campaign.refresh_from_db()
    add(2, 0)
    with django_assert_max_num_queries(10) as small:
        run("--mail", "--days", "30")
    assert len(mail.outbox) == 4
    add(10, 2)
    mail.outbox.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        run("--mail", "--days", "30")
    assert len(mail.outbox) == 24
