"""The permission matrix: every URL of the site, asked by every demo account, by a contact of
a sibling unit and by an anonymous visitor (等级保护 2.0, 访问控制).

The URL patterns come from the resolver, so a new view joins the matrix by existing: its
URL kwargs must be fillable from the demo (``FILL`` and ``OBJECTS``) and its name must have
a row in ``EXPECTED``, or the test fails. Each (pattern, person) is one case: a GET, or for a
view that answers GET with 405 a POST with no data. What must hold everywhere:

- no response is a 500;
- an anonymous visitor never gets a page, except the public ones (``PUBLIC``): a page sends
  them to the login page, the API answers 401;
- a person whose scope does not reach the object's unit gets 404, never the object nor a
  403 that would tell them it exists;
- a person gets through (200, a redirect that is not the login page, or the 400/422 of an
  empty form) exactly when ``EXPECTED`` lists them; otherwise 403 (a page in their scope
  they may not use) or 404.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from taolun.core.demo import DEMO_ACCOUNTS

DEMO_TODAY = "2019-05-20"
CAMPAIGN = "sxdpf-2019"
HOME_UNIT = "sxdpf-branch-1"
SIBLING_UNIT = "matrix-sibling"

# Prefixes the matrix leaves out, each for its reason.
SKIPPED_PREFIXES = {
    "admin/": "Django's admin: its own staff check (admin_view), tested by Django itself",
    "i18n/": "set_language only stores the visitor's language in a cookie; it reads no data",
}
# Pages that must open to anyone: signing in and resetting a password come before a session.
SKIPPED_NAMES = {
    "login": "the sign-in page is public by design",
    "password_reset": "a forgotten password is reset before signing in",
    "password_reset_done": "a forgotten password is reset before signing in",
    "password_reset_confirm": "a forgotten password is reset before signing in",
    "password_reset_complete": "a forgotten password is reset before signing in",
}

ANONYMOUS = "anonymous"
# The demo's log-in accounts, as load_demo makes them.
ACCOUNTS = tuple(row[0] for row in DEMO_ACCOUNTS)
# The three administrators (三员分立): back-office duties, no role in any campaign.
ADMINS = frozenset({"sysadmin", "secadmin", "auditor"})
SIBLING = "sibling"
ROLES = (ANONYMOUS, *ACCOUNTS, SIBLING)


@dataclass(frozen=True)
class Route:
    """One URL pattern as the resolver holds it."""

    name: str
    route: str
    kwarg_names: tuple[str, ...]
    api_method: str | None  # for the API's operations, the method that route answers

    @property
    def is_api(self) -> bool:
        return self.api_method is not None


def _api_methods() -> dict[str, str]:
    """The API's operations by URL name, with the method each answers."""
    from taolun.api.v1 import api

    methods: dict[str, str] = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                name = getattr(operation, "url_name", "") or api.get_operation_url_name(
                    operation, router=router
                )
                methods[name] = operation.methods[0]
    return methods


def _walk(
    resolver: URLResolver, prefix: str, namespace: str, kwargs: tuple[str, ...]
) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(route, name, kwarg names) of every pattern under ``resolver``."""
    for entry in resolver.url_patterns:
        names = kwargs + tuple(entry.pattern.converters)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from _walk(entry, prefix + str(entry.pattern), inner, names)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
            yield prefix + str(entry.pattern), name, names


def collect_routes() -> tuple[list[Route], dict[str, str]]:
    """Every pattern the site answers, and those left out with the reason."""
    api_methods = _api_methods()
    routes: list[Route] = []
    skipped: dict[str, str] = {}
    seen: set[tuple[str, str | None]] = set()
    for route, name, kwarg_names in _walk(get_resolver(), "", "", ()):
        prefix = next((p for p in SKIPPED_PREFIXES if route.startswith(p)), None)
        if prefix is not None:
            skipped[name] = SKIPPED_PREFIXES[prefix]
            continue
        if name in SKIPPED_NAMES:
            skipped[name] = SKIPPED_NAMES[name]
            continue
        api_method = (
            api_methods.get(name.removeprefix("api-v1:")) if name.startswith("api-v1:") else None
        )
        if (route, api_method) in seen:
            skipped[f"{name} ({route})"] = "an earlier pattern has the same route: unreachable"
            continue
        seen.add((route, api_method))
        routes.append(
            Route(
                name=name,
                route=route,
                kwarg_names=kwarg_names,
                api_method=api_method,
            )
        )
    return routes, skipped


ROUTES, SKIPPED = collect_routes()


# -- The demo, loaded once for the module -------------------------------------------------


@dataclass
class Subject:
    """What a URL kwarg is filled from: its value, and the unit it belongs to (None for a
    campaign-wide or public object, which the scope rule does not decide alone)."""

    value: Any
    unit: Any = None


def _in(model, **filters):
    found = model.objects.filter(**filters).order_by("pk").first()
    assert found is not None, f"the demo has no {model.__name__} with {filters}"
    return found


def _make_subjects(users: dict[str, Any]) -> dict[str, Subject]:
    """One object of each kind the URLs name, from the branch HOME_UNIT where the kind has
    a unit, so that contact2 (the neighbouring branch) and the sibling unit's contact are
    outside its scope; objects the demo lacks are made here."""
    from taolun.activities.models import (
        ActivityRecord,
        Attachment,
        CheckMaterial,
        Meeting,
        Statement,
    )
    from taolun.api import tokens
    from taolun.campaigns.models import Action, Campaign
    from taolun.discussion.models import Opinion, Topic
    from taolun.org.models import Unit
    from taolun.rectification.models import (
        ExtensionRequest,
        LedgerImport,
        Problem,
        ProgressAttachment,
        ProgressUpdate,
    )
    from taolun.reporting.models import (
        Brief,
        BriefIssue,
        BriefPhoto,
        BriefReview,
        InstitutionalOutcome,
        LeagueTable,
        Publication,
        TypicalCase,
    )
    from taolun.study.models import Reflection, StudyLog, StudyMaterial
    from taolun.supervision.models import Finding, Inspection
    from taolun.targets.models import Indicator, TargetArea
    from taolun.textmine.models import CopyMatch

    campaign = Campaign.objects.get(slug=CAMPAIGN)
    home = Unit.objects.get(slug=HOME_UNIT)
    under = {"unit__path__startswith": home.path}
    record = _in(ActivityRecord, campaign=campaign, **under)
    attachment = Attachment.objects.create(
        record=record,
        file=ContentFile(b"%PDF-1.4\n", name="evidence.pdf"),
        original_name="evidence.pdf",
        content_type="application/pdf",
        size=9,
        uploaded_by=users["contact1"],
    )
    # The demo's meetings are all the federation's own.
    meeting = _in(Meeting, record__campaign=campaign)
    # Not one open to evaluation: its evaluators read it from wherever they are (接受群众检验).
    problem = _in(Problem, campaign=campaign, evaluation_open=False, **under)
    update = _in(
        ProgressUpdate,
        problem__campaign=campaign,
        problem__evaluation_open=False,
        problem__unit__path__startswith=home.path,
    )
    progress_file = ProgressAttachment.objects.create(
        update=update,
        file=ContentFile(b"%PDF-1.4\n", name="progress.pdf"),
        original_name="progress.pdf",
        content_type="application/pdf",
        size=9,
        uploaded_by=users["contact1"],
    )
    ledger_import = LedgerImport.objects.create(
        campaign=campaign,
        unit=home,
        file=ContentFile(b"PK", name="ledger.xlsx"),
        original_name="ledger.xlsx",
        sha256="0" * 64,
        uploaded_by=users["contact1"],
    )
    token, _secret = tokens.token_create(users["contact1"], "matrix")
    brief = _in(Brief, campaign=campaign, **under)
    issue = _in(BriefIssue, campaign=campaign)
    match = CopyMatch.objects.order_by("pk").first()
    public_brief = _in(Brief, photos__isnull=False)
    case = _in(TypicalCase, campaign=campaign, **under)
    public_case = _in(TypicalCase, campaign=campaign, state="approved")
    return {
        "campaign": Subject(campaign.slug),
        "unit": Subject(home.slug, home),
        "action": Subject(_in(Action, campaign=campaign, kind="prescribed").pk),
        "self_selected_action": Subject(_in(Action, campaign=campaign, **under).pk, home),
        "record": Subject(record.pk, record.unit),
        "record_attachment": Subject(attachment.pk, record.unit),
        "meeting": Subject(meeting.pk, meeting.record.unit),
        "statement": Subject(_in(Statement, meeting=meeting).pk, meeting.record.unit),
        "check_material": Subject(
            (c := _in(CheckMaterial, meeting__record__campaign=campaign)).pk,
            c.meeting.record.unit,
        ),
        "material": Subject(_in(StudyMaterial, campaign=campaign).pk),
        "study_log": Subject((log := _in(StudyLog, campaign=campaign, **under)).pk, log.unit),
        # Not an excellent one: those are shown to the whole campaign.
        "reflection": Subject(
            (r := _in(Reflection, campaign=campaign, excellent=False, **under)).pk, r.unit
        ),
        "topic": Subject(_in(Topic, campaign=campaign).pk),
        # Opinions are read by everyone taking part in their topic, wherever they are.
        "opinion": Subject(_in(Opinion, **under).pk),
        "problem": Subject(problem.pk, problem.unit),
        "extension": Subject(
            (x := _in(ExtensionRequest, problem__unit__path__startswith=home.path)).pk,
            x.problem.unit,
        ),
        "progress_attachment": Subject(progress_file.pk, update.problem.unit),
        "ledger_import": Subject(ledger_import.pk, home),
        "brief": Subject(brief.pk, brief.unit),
        "brief_photo": Subject(_in(BriefPhoto, brief=public_brief).pk, public_brief.unit),
        "brief_review": Subject(
            (rv := _in(BriefReview, campaign=campaign, brief__unit__path__startswith=home.path)).pk,
            rv.brief.unit,
        ),
        "league_table": Subject(_in(LeagueTable, campaign=campaign).pk),
        "adopted_brief": Subject(
            _in(BriefReview, campaign=campaign, state="adopted", brief__unit=brief.unit).brief_id,
        ),
        "publication": Subject(_in(Publication, campaign=campaign).pk),
        "case": Subject(case.pk, case.unit),
        "outcome": Subject(_in(InstitutionalOutcome, campaign=campaign).pk),
        "issue": Subject(issue.number),
        "public_brief": Subject(public_brief.pk),
        "public_photo": Subject(_in(BriefPhoto, brief=public_brief).pk),
        "public_case": Subject(public_case.pk),
        "inspection": Subject((i := _in(Inspection, campaign=campaign, **under)).pk, i.unit),
        "finding": Subject((f := _in(Finding, **under)).pk, f.unit),
        "area": Subject(_in(TargetArea, campaign=campaign).pk),
        "indicator": Subject(_in(Indicator, area__campaign=campaign).pk),
        "token": Subject(token.pk),
        "scan": Subject(match.scan_id),
        "group": Subject(match.group),
        "document": Subject("plan"),
        "publishable": Subject("brief"),
        # A second study log of the branch, deleted into the recycle bin.
        "binned": Subject(_binned_log(campaign, under, users["contact1"]), home),
        # A person's own pages: "member" of the demo, placed in their home unit.
        "person": Subject(users["member"].pk, users["member"].unit),
    }


def _binned_log(campaign, under: dict[str, Any], actor) -> int:
    """A study log of the branch put in the recycle bin; the bin entry's id."""
    from taolun.core.recycle import recycle
    from taolun.study.models import StudyLog

    log = StudyLog.objects.filter(campaign=campaign, **under).order_by("-pk").first()
    return recycle(log, actor=actor, unit=log.unit).pk


@dataclass
class Demo:
    users: dict[str, Any]
    secrets: dict[str, str]
    subjects: dict[str, Subject]
    media: Any
    clients: dict[str, Client]


def _client(user=None) -> Client:
    """A client signed in as ``user`` once for the module: a sign-in per case costs more
    than most of the pages asked for."""
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    if user is not None:
        client.force_login(user, backend="taolun.org.backends.ModelBackend")
    return client


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Demo]:
    """``load_demo`` once for the module inside a transaction rolled back at its end; each
    case then runs in a savepoint of its own, so a POST changes nothing the next case sees."""
    from taolun.api import tokens
    from taolun.core import clock
    from taolun.org.models import Unit, UnitKind, User
    from taolun.org.roles import Role
    from taolun.org.services import role_grant, unit_add

    media = tmp_path_factory.mktemp("matrix-media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            TAOLUN_DEMO=True,
            MEDIA_ROOT=media,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                call_command("load_demo", stdout=io.StringIO())
            with clock.travel(dt.date.fromisoformat(DEMO_TODAY)):
                # A sibling of the federation under the provincial committee, with a contact.
                sibling_unit = unit_add(
                    actor=None,
                    name="兄弟单位",
                    slug=SIBLING_UNIT,
                    kind=UnitKind.objects.get(code="organisation"),
                    parent=Unit.objects.get(slug="shanxi"),
                )
                sibling = User.objects.create(
                    username=SIBLING, name="兄弟单位联络员", unit=sibling_unit
                )
                role_grant(actor=None, user=sibling, unit=sibling_unit, role=Role.CONTACT)
            users = {u.username: u for u in User.objects.filter(username__in=[*ACCOUNTS, SIBLING])}
            assert set(users) == {*ACCOUNTS, SIBLING}
            secrets = {name: tokens.token_create(user, "matrix")[1] for name, user in users.items()}
            subjects = _make_subjects(users)
            clients = {name: _client(user) for name, user in users.items()}
            clients[ANONYMOUS] = _client()
            yield Demo(users, secrets, subjects, media, clients)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# -- Filling a pattern's kwargs ------------------------------------------------------------

# The object behind a ``pk`` (or another id) by the pattern's namespace and the literal path
# segment just before it: ``ledger/problems/<int:pk>/`` is ("rectification", "problems").
OBJECTS = {
    ("campaigns", "actions"): "self_selected_action",
    ("activities", "new"): "action",
    ("activities", "records"): "record",
    ("activities", "attachments"): "record_attachment",
    ("meetings", "meetings"): "meeting",
    ("meetings", "statements"): "statement",
    ("meetings", "check"): "check_material",
    ("study", "materials"): "material",
    ("study", "logs"): "study_log",
    ("study", "reflections"): "reflection",
    ("discussion", "topics"): "topic",
    ("discussion", "opinions"): "opinion",
    ("rectification", "problems"): "problem",
    ("rectification", "extensions"): "extension",
    ("rectification", "attachments"): "progress_attachment",
    ("rectification", "imports"): "ledger_import",
    ("reporting", "briefs"): "brief",
    ("reporting", "photos"): "brief_photo",
    ("reporting", "reviews"): "brief_review",
    ("reporting", "league"): "league_table",
    ("reporting", "publicity"): "adopted_brief",
    ("reporting", "publications"): "publication",
    ("reporting", "cases"): "case",
    ("reporting", "outcomes"): "outcome",
    ("reporting", "bulletins"): "issue",
    ("public", "briefs"): "public_brief",
    ("public", "photos"): "public_photo",
    ("public", "cases"): "public_case",
    ("supervision", "inspections"): "inspection",
    ("supervision", "findings"): "finding",
    ("targets", "areas"): "area",
    ("targets", "indicators"): "indicator",
    ("", "tokens"): "token",
    ("api-v1", "problems"): "problem",
    ("api-v1", "briefs"): "brief",
    ("api-v1", "indicators"): "indicator",
    ("textmine", "copies"): "scan",
    ("privacy", "people"): "person",
    ("recycle", "recycle"): "binned",
}
# Other kwargs by name alone; ``slug`` names the unit under units/ and the campaign elsewhere.
BY_KWARG = {
    "campaign": "campaign",
    "unit_slug": "unit",
    "unit": "unit",
    "group": "group",
    "kind": None,  # a document kind, or what kind of item is marked for publicity
}
KINDS = {"campaigns": "document", "reporting": "publishable"}


def _segment_before(route: str, kwarg: str) -> str:
    """The last literal path segment before ``kwarg`` in ``route``."""
    parts = route.split("/")
    at = next(i for i, part in enumerate(parts) if f":{kwarg}>" in part or part == f"<{kwarg}>")
    literal = [p for p in parts[:at] if p and not p.startswith("<")]
    return literal[-1] if literal else ""


def subject_key(route: Route, kwarg: str) -> str | None:
    """Which demo object fills ``kwarg`` of ``route`` (None: no rule says)."""
    namespace = route.name.rpartition(":")[0]
    if kwarg == "slug":
        unit_routes = route.route.startswith(("units/", "api/v1/units/"))
        return "unit" if unit_routes else "campaign"
    if kwarg == "kind":
        return KINDS.get(namespace)
    if kwarg in BY_KWARG:
        return BY_KWARG[kwarg]
    return OBJECTS.get((namespace, _segment_before(route.route, kwarg)))


def fill(route: Route, demo: Demo) -> tuple[dict[str, Any], Any]:
    """The kwargs of ``route`` from the demo, and the unit the page's object belongs to."""
    kwargs: dict[str, Any] = {}
    unit = None
    for kwarg in route.kwarg_names:
        key = subject_key(route, kwarg)
        if key is None or key not in demo.subjects:
            pytest.fail(
                f"{route.name} ({route.route}): no demo object fills <{kwarg}>; add a row to "
                "OBJECTS or BY_KWARG in tests/security/test_permission_matrix.py",
                pytrace=False,
            )
        subject = demo.subjects[key]
        kwargs[kwarg] = subject.value
        # The most specific object decides: a problem's unit, not its campaign's.
        if subject.unit is not None:
            unit = subject.unit
    return kwargs, unit


def url_of(route: Route, kwargs: dict[str, Any]) -> str:
    return reverse(route.name, kwargs=kwargs) if route.kwarg_names else reverse(route.name)


@dataclass(frozen=True)
class Outcome:
    method: str
    status: int
    location: str


def ask(route: Route, role: str, demo: Demo, url: str) -> Outcome:
    """The answer to ``role`` at ``url``: GET, or a bare POST where GET is not allowed.

    The client's cookies are put back afterwards: a case that signs out or changes a
    password replaces the session cookie, and its savepoint the session row."""
    if route.is_api:
        client = demo.clients[ANONYMOUS]
        headers = {} if role == ANONYMOUS else {"Authorization": f"Bearer {demo.secrets[role]}"}
        method = route.api_method.lower()
        extra = {"content_type": "application/json", "data": {}} if method == "post" else {}
        response = getattr(client, method)(url, headers=headers, **extra)
        return Outcome(method.upper(), response.status_code, response.get("Location", ""))
    client = demo.clients[role]
    cookies = copy.deepcopy(client.cookies)
    try:
        response = client.get(url)
        method = "GET"
        if response.status_code == 405:
            response = client.post(url)
            method = "POST"
    finally:
        client.cookies = cookies
    return Outcome(method, response.status_code, response.get("Location", ""))


# -- What each person may do ---------------------------------------------------------------

SIGNED_IN = frozenset({*ACCOUNTS, SIBLING})
# Everyone taking part in the federation's campaign: its units' people and the province above.
CAMPAIGN_PEOPLE = SIGNED_IN - {SIBLING} - ADMINS
OFFICE = frozenset({"office"})
NOBODY: frozenset[str] = frozenset()
# Who keeps a branch's ledger: its contact and the offices above it.
LEDGER_KEEPERS = OFFICE | {"contact1", "province"}


class Scope:
    """Every account whose scope (``org.selectors.scope_for``) reaches the object's unit,
    with ``plus`` and without ``minus``: the reading rule of a page about one object."""

    def __init__(self, plus: frozenset[str] = NOBODY, minus: frozenset[str] = NOBODY) -> None:
        self.plus, self.minus = frozenset(plus), frozenset(minus)

    def roles(self, unit, demo: Demo) -> frozenset[str]:
        from taolun.org.selectors import scope_for

        reach = {name for name, user in demo.users.items() if scope_for(user).covers(unit)}
        return (frozenset(reach) | self.plus) - self.minus


SCOPE = Scope()
# The API validates a body before an operation runs: an empty one answers 422 to anyone
# holding a token, whatever they may do; taolun/api/tests write as each role.
BODY_FIRST = "body first"

# Pages anyone may open, signed in or not.
PUBLIC = {
    "public:index",
    "public:feed",
    "public:brief",
    "public:brief_photo",
    "public:case",
    "public:case_photo",
    "api-v1:openapi-json",  # the API's schema: documentation, no data
}

# Who gets through, per URL name; everyone else gets 403 or 404 (and anonymous the login
# page, or 401 from the API). NOBODY where the demo object cannot be used by anyone (a
# statement without a file, another person's log) so the case checks only the denials.
EXPECTED: dict[str, Any] = {
    "home": SIGNED_IN,
    "account": SIGNED_IN,
    "password_change": SIGNED_IN,
    "password_change_done": SIGNED_IN,
    "logout": SIGNED_IN,
    "logout_everywhere": SIGNED_IN,
    "two_factor": SIGNED_IN,
    "two_factor_verify": SIGNED_IN,
    "org:tree": SIGNED_IN,
    "org:unit_detail": SCOPE,
    "campaigns:list": SIGNED_IN,
    "campaigns:action_decide": OFFICE | {"leader"},
    "campaigns:detail": CAMPAIGN_PEOPLE,
    "campaigns:overview": CAMPAIGN_PEOPLE,
    "campaigns:document": CAMPAIGN_PEOPLE,
    "campaigns:document_print": CAMPAIGN_PEOPLE,
    "campaigns:plan_edit": OFFICE | {"contact1"},
    "campaigns:action_propose": OFFICE | {"contact1"},
    "activities:list": SIGNED_IN,
    "activities:create": OFFICE | {"contact1"},
    "activities:detail": SCOPE,
    "activities:edit": NOBODY,
    "activities:submit": NOBODY,
    "activities:review": OFFICE,
    "activities:attachment": SCOPE,
    "activities:attachment_delete": NOBODY,
    "meetings:detail": SCOPE,
    "meetings:edit": NOBODY,
    "meetings:attendance": NOBODY,
    "meetings:statement_create": NOBODY,
    "meetings:step": OFFICE,
    "meetings:talk_create": OFFICE,
    "meetings:check_material": NOBODY,
    "meetings:statement_edit": NOBODY,
    "meetings:statement_delete": NOBODY,
    "meetings:statement_file": NOBODY,
    "meetings:check_file": NOBODY,
    "meetings:index": CAMPAIGN_PEOPLE,
    "meetings:create": OFFICE | {"contact1", "contact2"},
    "study:material_detail": CAMPAIGN_PEOPLE,
    "study:material_edit": OFFICE,
    "study:material_publish": OFFICE,
    "study:material_file": NOBODY,
    "study:log_delete": NOBODY,
    "study:reflection_detail": Scope(minus={"member"}),  # members read their own and excellent ones
    "study:reflection_edit": NOBODY,
    "study:reflection_mark": OFFICE,
    "study:index": CAMPAIGN_PEOPLE,
    "study:material_create": OFFICE,
    "study:log_create": CAMPAIGN_PEOPLE - {"province"},
    "study:reflections": CAMPAIGN_PEOPLE,
    "study:reflection_create": CAMPAIGN_PEOPLE - {"province"},
    "study:unit_completion": Scope(minus={"member"}),
    "study:me": CAMPAIGN_PEOPLE,
    "discussion:topic_detail": CAMPAIGN_PEOPLE,
    "discussion:topic_edit": OFFICE,
    "discussion:opinion": CAMPAIGN_PEOPLE,
    "discussion:opinion_edit": NOBODY,
    "discussion:opinion_classify": OFFICE,
    "discussion:opinion_answer": OFFICE,
    "discussion:index": CAMPAIGN_PEOPLE,
    "discussion:topic_create": OFFICE | {"contact1", "contact2"},
    "discussion:inbox": OFFICE,
    "notifications:todo": SIGNED_IN,
    "rectification:index": SIGNED_IN,
    "rectification:problem": SCOPE,
    "rectification:problem_edit": LEDGER_KEEPERS,
    "rectification:problem_measures": LEDGER_KEEPERS,
    "rectification:problem_open": OFFICE | {"contact1", "province"},
    "rectification:problem_progress": LEDGER_KEEPERS,
    "rectification:problem_complete": OFFICE | {"contact1", "province"},
    "rectification:problem_send_back": OFFICE | {"leader"},
    "rectification:problem_verify": OFFICE | {"leader"},
    "rectification:problem_carry_over": OFFICE,
    "rectification:problem_reopen": OFFICE,
    "rectification:problem_extension": LEDGER_KEEPERS,
    "rectification:problem_evaluation_open": OFFICE,
    "rectification:problem_evaluation_close": OFFICE,
    "rectification:problem_vote": NOBODY,
    "rectification:problem_theme": LEDGER_KEEPERS,
    "rectification:extension_decide": NOBODY,
    "rectification:attachment": SCOPE,
    "rectification:ledger": CAMPAIGN_PEOPLE,
    "rectification:problem_create": OFFICE | {"contact1", "contact2", "province"},
    "rectification:ledger_export": CAMPAIGN_PEOPLE,
    "rectification:ledger_import": OFFICE | {"contact1", "contact2", "province"},
    "rectification:ledger_import_preview": {"contact1"},
    "rectification:ledger_import_apply": {"contact1"},
    "rectification:ledger_import_cancel": {"contact1"},
    "reporting:brief_detail": Scope(minus={"member"}),
    "reporting:brief_edit": NOBODY,
    "reporting:brief_send_for_signoff": {"contact1"},
    "reporting:brief_sign": {"leader"},
    "reporting:brief_send_back": {"leader"},
    "reporting:brief_submit": {"contact1"},
    "reporting:brief_photo_add": NOBODY,
    "reporting:brief_photo": Scope(minus={"member"}),
    "reporting:brief_photo_caption": {"contact1"},
    "reporting:brief_photo_remove": {"contact1"},
    "reporting:brief_review_decide": NOBODY,
    "reporting:brief_review_forward": NOBODY,
    "reporting:briefs": CAMPAIGN_PEOPLE,
    "reporting:brief_create": OFFICE | {"contact1", "contact2"},
    "reporting:stats": CAMPAIGN_PEOPLE - {"member", "province"},
    "reporting:stats_xlsx": CAMPAIGN_PEOPLE - {"member", "province"},
    "reporting:stats_shortfalls": OFFICE | {"leader", "supervisor"},
    "reporting:stats_quotas": OFFICE,
    "reporting:stats_points": OFFICE,
    "reporting:league": CAMPAIGN_PEOPLE,
    "reporting:league_publish": OFFICE,
    "reporting:league_table": CAMPAIGN_PEOPLE,
    "reporting:publicity": OFFICE,
    "reporting:publicity_mark": OFFICE,
    "reporting:publication": OFFICE,
    "reporting:publication_edit": OFFICE,
    "reporting:publication_publish": OFFICE,
    "reporting:publication_withdraw": OFFICE,
    "reporting:publication_replan": OFFICE,
    "reporting:cases": CAMPAIGN_PEOPLE,
    "reporting:case_create": OFFICE | {"contact1", "contact2"},
    "reporting:case_detail": Scope(minus={"member", "province"}),
    "reporting:case_edit": NOBODY,
    "reporting:case_decide": OFFICE,
    "reporting:case_photo": NOBODY,
    "reporting:outcomes": CAMPAIGN_PEOPLE,
    "reporting:outcome_create": OFFICE | {"contact1", "contact2"},
    "reporting:outcome_detail": CAMPAIGN_PEOPLE,
    "reporting:outcome_edit": OFFICE,
    "reporting:outcome_file": CAMPAIGN_PEOPLE,
    "reporting:summary": CAMPAIGN_PEOPLE,
    "reporting:summary_assemble": OFFICE,
    "reporting:summary_edit": OFFICE,
    "reporting:summary_finalise": OFFICE,
    "reporting:bulletins": CAMPAIGN_PEOPLE,
    "reporting:bulletin": CAMPAIGN_PEOPLE,
    "reporting:bulletin_items": OFFICE,
    "reporting:bulletin_issue": OFFICE,
    "public:index": SIGNED_IN | {ANONYMOUS},
    "public:feed": SIGNED_IN | {ANONYMOUS},
    "public:brief": SIGNED_IN | {ANONYMOUS},
    "public:brief_photo": SIGNED_IN | {ANONYMOUS},
    "public:case": SIGNED_IN | {ANONYMOUS},
    "public:case_photo": NOBODY,  # the demo's case has no photo
    "supervision:index": SIGNED_IN,
    "supervision:dashboard": CAMPAIGN_PEOPLE - {"member"},
    "supervision:dashboard_unit": Scope(minus={"member"}),
    "supervision:lagging": CAMPAIGN_PEOPLE - {"member"},
    "supervision:scores": OFFICE | {"leader", "supervisor", "province"},
    "supervision:scores_xlsx": OFFICE | {"leader", "supervisor", "province"},
    "supervision:scheme": OFFICE,
    "supervision:refresh": OFFICE | {"leader", "supervisor", "province"},
    "supervision:inspection": Scope(minus={"member"}),
    "supervision:inspection_edit": OFFICE | {"supervisor", "province"},
    "supervision:finding_add": OFFICE | {"supervisor", "province"},
    "supervision:finding_edit": OFFICE | {"supervisor", "province"},
    "supervision:finding_delete": OFFICE | {"supervisor", "province"},
    "supervision:finding_to_problem": OFFICE | {"contact1", "province"},
    "supervision:inspections": CAMPAIGN_PEOPLE,
    "supervision:inspection_new": OFFICE | {"supervisor", "province"},
    "targets:index": SIGNED_IN,
    "targets:area_edit": OFFICE,
    "targets:indicator_new": OFFICE,
    "targets:indicator": CAMPAIGN_PEOPLE,
    "targets:indicator_edit": OFFICE,
    "targets:report": OFFICE | {"contact1", "contact2"},
    "targets:campaign": CAMPAIGN_PEOPLE,
    "targets:area_new": OFFICE,
    "textmine:plan_import": OFFICE | {"province"},
    "textmine:plan_review": OFFICE | {"province"},
    "textmine:copies": OFFICE | {"supervisor", "province"},
    "textmine:copies_group": OFFICE | {"supervisor", "province"},
    "textmine:search": SIGNED_IN,
    "api_tokens": SIGNED_IN,
    "api_token_revoke": {"contact1"},  # a person revokes only their own tokens
    "api-v1:openapi-json": SIGNED_IN | {ANONYMOUS},
    "api-v1:api-root": NOBODY,  # no docs page: ninja's would load Swagger from a CDN
    "api-v1:campaign_list": SIGNED_IN,
    "api-v1:campaign_detail": CAMPAIGN_PEOPLE,
    "api-v1:unit_list": SIGNED_IN,
    "api-v1:unit_detail": SCOPE,
    "api-v1:matrix": SCOPE,
    "api-v1:problem_list": CAMPAIGN_PEOPLE,
    "api-v1:problem_detail": SCOPE,
    "api-v1:brief_list": CAMPAIGN_PEOPLE,
    "api-v1:brief_detail": Scope(minus={"member"}),
    "api-v1:figures": CAMPAIGN_PEOPLE - {"member"},
    "api-v1:problem_add": BODY_FIRST,
    "api-v1:brief_add": BODY_FIRST,
    "api-v1:record_add": BODY_FIRST,
    "api-v1:progress_report": BODY_FIRST,
    "api-v1:indicator_value_report": BODY_FIRST,
    # The audit trail: the office's (三员分立 keeps it from the system administrator).
    # Sensitive personal data: the person, and the offices over their home unit.
    "privacy:mine": SIGNED_IN,
    "privacy:my_data": SIGNED_IN,
    "privacy:records": {"office", "province"},
    "privacy:record": {"member", "office", "province"},
    "privacy:record_edit": {"member", "office", "province"},
    "privacy:record_delete": {"member", "office", "province"},
    "privacy:data": {"member"},  # the file holds other units' records: the person's alone
    # The recycle bin: the offices over the deleted record's unit.
    "recycle:list": {"office", "province"},
    "recycle:restore": {"office", "province"},
    "audit:list": {"office", "province", "auditor"},
    "audit:export": {"office", "province", "auditor"},
}

# Cases that fail on a known bug: (URL name, role) -> the bug (an xfail, strict).
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def _cases() -> list:
    cases = []
    for route in ROUTES:
        for role in ROLES:
            marks = ()
            reason = KNOWN_BUGS.get((route.name, role))
            if reason is not None:
                marks = (pytest.mark.xfail(strict=True, reason=reason),)
            cases.append(pytest.param(route, role, id=f"{route.name}-{role}", marks=marks))
    return cases


def _passes(outcome: Outcome, role: str) -> bool:
    """The person got through: the page, a redirect to somewhere else than the login page,
    or an empty form's errors."""
    if outcome.status in (200, 400, 422):
        return True
    if outcome.status in (301, 302, 303):
        return role != ANONYMOUS or "/accounts/login/" not in outcome.location
    return False


@pytest.fixture
def _demo_day(_fast_and_isolated, settings, demo, caplog) -> None:
    settings.TAOLUN_TODAY = DEMO_TODAY
    settings.MEDIA_ROOT = demo.media
    # The header's to-do count is kept a while, as on the site: the matrix asks for pages,
    # not for the count on each.
    settings.TAOLUN_TODO_COUNT_SECONDS = 3600
    caplog.set_level("CRITICAL", logger="django.request")


@pytest.mark.usefixtures("_demo_day")
@pytest.mark.parametrize(("route", "role"), _cases())
def test_matrix(route: Route, role: str, demo: Demo, db) -> None:
    assert route.name in EXPECTED, (
        f"{route.name} ({route.route}) has no row in EXPECTED: say who may use it"
    )
    kwargs, unit = fill(route, demo)
    url = url_of(route, kwargs)
    outcome = ask(route, role, demo, url)
    seen = f"{role} {outcome.method} {url} -> {outcome.status} {outcome.location}"
    assert outcome.status < 500, seen

    if role == ANONYMOUS and route.name not in PUBLIC:
        if route.is_api:
            assert outcome.status == 401, seen
        elif EXPECTED[route.name] == NOBODY:
            assert outcome.status in (302, 404), seen
            assert outcome.status == 404 or outcome.location.startswith(reverse("login")), seen
        else:
            assert outcome.status == 302, seen
            assert outcome.location.startswith(reverse("login")), seen
        return

    rule = EXPECTED[route.name]
    if rule == BODY_FIRST:
        assert outcome.status == 422, seen
        return
    outside = unit is not None and role != ANONYMOUS and role not in SCOPE.roles(unit, demo)
    if outside:
        assert outcome.status == 404, f"outside the scope of {unit.slug}: {seen}"
        return
    allowed = rule.roles(unit, demo) if isinstance(rule, Scope) else frozenset(rule)
    if role in allowed:
        assert _passes(outcome, role), f"should get through: {seen}"
    else:
        assert outcome.status in (403, 404), f"should be refused: {seen}"


def test_every_pattern_is_in_the_matrix() -> None:
    """A new view cannot slip past: every pattern has a row, and every row a pattern."""
    names = {route.name for route in ROUTES}
    assert names - set(EXPECTED) == set(), "patterns without a row in EXPECTED"
    assert set(EXPECTED) - names == set(), "rows in EXPECTED without a pattern"
    assert names >= PUBLIC


# -- Hostile input at every form -------------------------------------------------------------

# Markup that must never come back unescaped, and strings that break naive code: SQL,
# template syntax, format strings, control and bidi characters, very long input.
PAYLOADS = (
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "'; DROP TABLE org_unit; --",
    "{{ request.user.password }}{% debug %}",
    "%s%s%n%(x)s",
    "\u202e\u0000\ufeff",
    "残" * 5000,
)
RAW_MARKERS = ("<script>alert(", "<img src=x onerror")
# Forms the fuzz leaves alone: they end or re-key the client's session, or switch language.
FUZZ_SKIPPED_ACTIONS = ("logout", "i18n/setlang", "logout_everywhere", "password_change")
# Who fills the forms: the first of these who gets the page.
FUZZ_ROLES = ("office", "contact1", "member", "leader", "province", "auditor")


class _Forms(HTMLParser):
    """The POST forms of a page: action and fields (name → value to send or None to fill)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = {"action": a.get("action", ""), "fields": {}, "text": []}
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "textarea":
            self._form["text"].append(name)
        elif tag == "select":
            self._select = name
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("text", "search", "email", "url", "number", "date", "tel", "password"):
                self._form["text"].append(name)
            elif kind in ("checkbox", "radio") and "checked" in a:
                self._form["fields"][name] = a.get("value", "on")
            elif kind == "hidden":
                self._form["fields"][name] = a.get("value", "")
        if tag == "option" and self._select and a.get("value"):
            self._form["fields"].setdefault(self._select, a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _post_forms(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return [
        form
        for form in parser.forms
        if form["text"] and not any(skip in form["action"] for skip in FUZZ_SKIPPED_ACTIONS)
    ]


def _form_pages(demo: Demo) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    """(url, role, forms) of every page of the matrix that shows a form to type into."""
    for route in ROUTES:
        if route.is_api or EXPECTED.get(route.name) in (NOBODY, BODY_FIRST):
            continue
        kwargs, _unit = fill(route, demo)
        url = url_of(route, kwargs)
        for role in FUZZ_ROLES:
            response = demo.clients[role].get(url)
            if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
                forms = _post_forms(response.content.decode())
                if forms:
                    yield url, role, forms
                    break


def _hostile_poster(url: str, role: str, forms: list[dict[str, Any]], demo: Demo, found: list):
    """A hypothesis test posting drawn strings into every text field of ``forms``."""
    client = demo.clients[role]

    @settings(max_examples=3, deadline=None, database=None, derandomize=True)
    @given(payload=st.sampled_from(PAYLOADS) | st.text(min_size=1, max_size=40))
    def post_hostile(payload: str) -> None:
        for form in forms:
            data = {**form["fields"], **dict.fromkeys(form["text"], payload)}
            target = form["action"] or url
            cookies = copy.deepcopy(client.cookies)
            with transaction.atomic():
                response = client.post(target, data)
                answers = [response]
                if response.status_code in (301, 302, 303) and response["Location"]:
                    answers.append(client.get(response["Location"]))
                transaction.set_rollback(True)
            client.cookies = cookies
            for answer in answers:
                body = answer.content.decode(errors="replace")
                if answer.status_code >= 500:
                    found.append(f"{role} POST {target}: {answer.status_code}")
                found.extend(
                    f"{role} POST {target}: raw {marker!r} in the answer"
                    for marker in RAW_MARKERS
                    if marker in body
                )

    return post_hostile


@pytest.mark.usefixtures("_demo_day")
def test_every_form_takes_hostile_input_without_error_or_raw_markup(demo: Demo, db) -> None:
    """Hostile strings in every text field of every form: no server error, and the markup
    never comes back unescaped, neither on the answer nor on the page it leads to."""
    found: list[str] = []
    pages = list(_form_pages(demo))
    assert len(pages) > 40, "the fuzz found too few forms: the parser or the demo broke"
    for url, role, forms in pages:
        _hostile_poster(url, role, forms, demo, found)()
    assert found == [], "\n".join(sorted(set(found)))
