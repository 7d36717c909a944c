"""Hostile strings at every write operation of the API (等级保护 2.0, 入侵防范 / 数据完整性).

The operations come from the published OpenAPI schema, and so do their string fields (nested
ones included): a new write operation or a new text field joins the fuzz by existing, and an
operation with no valid example in ``EXAMPLES`` fails the test. Each string field in turn gets
a hostile string, sent with a valid token of a person allowed to write. What must hold:

- no answer is a server error;
- a refusal is JSON: a 422 names the field that was changed, any other 4xx says why, and
  nothing was written;
- an accepted write keeps the plain-text fields as typed (JSON needs no escaping), and its
  rich-text fields hold sanitised HTML only, in the answer, in the API's read of the object
  (or as stored, where the API gives it back nowhere) and on the page that shows it (no
  script, no event attribute, no ``javascript:`` link, no raw markup of the payloads).

Date fields (``format: date``) are left out: they are parsed, never stored or shown as text.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from taolun.activities.models import ActivityRecord
from taolun.api.tokens import token_create
from taolun.api.v1 import api
from taolun.rectification.services import problem_create
from taolun.targets.tests.factories import make_area, make_indicator
from tests.security.test_permission_matrix import PAYLOADS, RAW_MARKERS

TODAY = dt.date(2019, 3, 10)  # within the fixture campaign's first stage
WRITE_METHODS = ("post", "put", "patch")
# Examples per field, beyond the payloads tried every time.
GENERATED = 5

Path = tuple[str | int, ...]


# -- What the schema says ---------------------------------------------------------------------


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _is_text(node: dict) -> bool:
    return node.get("type") == "string" and "format" not in node


def string_fields(schema: dict, node: dict, prefix: Path = ()) -> Iterator[Path]:
    """Paths of the free-text strings a request body holds (an array's first item stands
    for all of them)."""
    node = _resolve(schema, node)
    if _is_text(node) or any(_is_text(_resolve(schema, b)) for b in node.get("anyOf", [])):
        yield prefix
    elif "properties" in node:
        for name, sub in node["properties"].items():
            yield from string_fields(schema, sub, (*prefix, name))
    elif node.get("type") == "array":
        yield from string_fields(schema, node["items"], (*prefix, 0))


def write_operations(schema: dict) -> dict[str, list[Path]]:
    """``"POST /api/v1/…"`` → the string fields of its JSON body, for every write."""
    found = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in WRITE_METHODS:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            fields = list(string_fields(schema, body["schema"])) if body else []
            found[f"{method.upper()} {path}"] = fields
    return found


# The document /api/v1/openapi.json serves; read at collection so each field is one case.
OPERATIONS = write_operations(api.get_openapi_schema())


# -- A valid example of each write ------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """How to make one valid write and where its result can be read back."""

    url: Callable[[SimpleNamespace], str]
    body: Callable[[SimpleNamespace], dict[str, Any]]
    rich: frozenset[str]  # the body's rich-text (HTML) fields; the others are plain text
    # The rich-text (HTML) values of an answer of the write, and of the API's read of it.
    html: Callable[[dict], list[str]]
    read: Callable[[SimpleNamespace, dict], str | None] = lambda w, data: None
    read_html: Callable[[dict], list[str]] = lambda data: []
    # Rich text the API does not give back: as stored, since it is sanitised on the way in.
    stored: Callable[[dict], list[str]] = lambda data: []
    page: Callable[[SimpleNamespace, dict], str | None] = lambda w, data: None


def _problem_html(data: dict) -> list[str]:
    return [
        data["description"],
        data["target_standard"],
        *(update["text"] for update in data["progress"]),
    ]


EXAMPLES: dict[str, Example] = {
    "POST /api/v1/records": Example(
        url=lambda w: "/api/v1/records",
        rich=frozenset({"content"}),
        body=lambda w: {
            "unit": "branch1",
            "action": w.action.pk,
            "title": "召开动员部署会",
            "held_on": "2019-03-01",
            "place": "三楼会议室",
            "content": "<p>传达会议精神</p>",
        },
        html=lambda data: [],
        stored=lambda data: [ActivityRecord.objects.get(pk=data["id"]).content],
        page=lambda w, data: reverse("activities:detail", args=[data["id"]]),
    ),
    "POST /api/v1/campaigns/{slug}/problems": Example(
        url=lambda w: "/api/v1/campaigns/camp/problems",
        rich=frozenset({"description", "target_standard"}),
        body=lambda w: {
            "unit": "branch1",
            "description": "<p>学习走过场</p>",
            "ledger_number": "WT-001",
            "source": "self_examination",
            "source_note": "支部自查",
            "level": "unit",
            "kind": "deadline",
            "deadline": "2019-04-30",
            "target_standard": "<p>每月学习两次</p>",
            "measures": [{"text": "制定学习计划", "deadline": "2019-04-01"}],
            "open": True,
        },
        html=_problem_html,
        read=lambda w, data: f"/api/v1/problems/{data['id']}",
        read_html=_problem_html,
        page=lambda w, data: reverse("rectification:problem", args=[data["id"]]),
    ),
    "POST /api/v1/problems/{pk}/progress": Example(
        url=lambda w: f"/api/v1/problems/{w.problem.pk}/progress",
        rich=frozenset({"text"}),
        body=lambda w: {"text": "<p>已整改一半</p>", "reported_on": "2019-03-09"},
        html=lambda data: [data["text"]],
        read=lambda w, data: f"/api/v1/problems/{w.problem.pk}",
        read_html=_problem_html,
        page=lambda w, data: reverse("rectification:problem", args=[w.problem.pk]),
    ),
    "POST /api/v1/campaigns/{slug}/briefs": Example(
        url=lambda w: "/api/v1/campaigns/camp/briefs",
        rich=frozenset({"body"}),
        body=lambda w: {
            "unit": "branch1",
            "title": "动员会",
            "body": "<p>召开动员会</p>",
            "phone": "0351-1234567",
            "kind": "news",
            "action": w.action.pk,
            "byline": "联络员一",
        },
        html=lambda data: [data["body"]],
        read=lambda w, data: f"/api/v1/briefs/{data['id']}",
        read_html=lambda data: [data["body"]],
        page=lambda w, data: reverse("reporting:brief_detail", args=[data["id"]]),
    ),
    "POST /api/v1/indicators/{pk}/values": Example(
        url=lambda w: f"/api/v1/indicators/{w.indicator.pk}/values",
        rich=frozenset(),
        body=lambda w: {
            "unit": "branch1",
            "period_start": "2019-01-01",
            "value": "12.50",
            "note": "一季度",
        },
        html=lambda data: [],
        # The report form shows the unit's value and note for the period again.
        page=lambda w, data: (
            reverse("targets:report", args=[w.indicator.pk]) + "?unit=branch1&period=2019-01-01"
        ),
    ),
}


# -- What must never come back ----------------------------------------------------------------

# A string without these cannot open a tag, an attribute or a URL scheme on a page, so the
# page (the slow part) is read back only for payloads that hold one.
MARKUP = set("<>&\"':")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster"}
EMBEDDING_TAGS = {"iframe", "object", "embed", "style", "base", "form"}


class _Unsafe(HTMLParser):
    """Markup that would run or load something: an inline script, an event attribute, a
    ``javascript:`` URL, an embedding tag. The site's own pages have none of these (the CSP
    forbids inline script and style), so any that appears came from what someone typed."""

    def __init__(self, *, page: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "script" and not (
            self.page and ("src" in a or a.get("type") == "application/json")
        ):
            self.found.append(f"<script {a}>")
        if tag in EMBEDDING_TAGS and not (self.page and tag == "form"):
            self.found.append(f"<{tag}>")
        for name, value in a.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            squeezed = "".join(c for c in value if c.isprintable() and not c.isspace()).lower()
            if name in URL_ATTRIBUTES and squeezed.startswith(("javascript:", "vbscript:")):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def unsafe_markup(html: str, *, page: bool = False) -> list[str]:
    parser = _Unsafe(page=page)
    parser.feed(html)
    parser.close()
    return parser.found


def test_the_markup_check_finds_what_it_looks_for() -> None:
    """The check itself: it must not pass what a browser would run."""
    assert unsafe_markup("<p>学习<strong>走过场</strong> &lt;script&gt; on x=1</p>") == []
    assert unsafe_markup('<a href="https://x.cn" rel="noopener">链接</a>') == []
    for bad in (
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href=" jav&#x09;ascript:alert(1)">x</a>',
        "<iframe src=//x></iframe>",
    ):
        assert unsafe_markup(bad), bad
    page = '<script src="/s/app.js"></script><script type="application/json">{}</script>'
    assert unsafe_markup(page, page=True) == []
    assert unsafe_markup(page + "<script>x()</script>", page=True)


# -- The fuzz ---------------------------------------------------------------------------------


@pytest.fixture
def world(org, travel):
    """The objects the examples write into, a token of the writer, and their browser."""
    travel(TODAY)
    problem = problem_create(
        actor=org.office,
        campaign=org.campaign,
        unit=org.branch1,
        description="<p>学习走过场</p>",
        deadline=dt.date(2019, 4, 30),
        open_now=True,
    )
    writer = org.contact1  # a branch's contact writes every one of these
    browser = Client()
    browser.force_login(writer)
    browser.cookies["django_language"] = "en"
    world = SimpleNamespace(
        org=org,
        action=org.campaign.actions.get(number=1),
        problem=problem,
        indicator=make_indicator(make_area(org.campaign), org.organ),
        secret=token_create(writer, "fuzz")[1],
        browser=browser,
        api=Client(),
    )
    _call(world, "get", "/api/v1/campaigns")  # the token's first use records itself
    return world


def _call(world: SimpleNamespace, method: str, url: str, body: dict | None = None):
    headers = {"Authorization": f"Bearer {world.secret}", "Accept-Language": "en"}
    if method == "get":
        return world.api.get(url, headers=headers)
    return world.api.generic(
        method.upper(), url, json.dumps(body), content_type="application/json", headers=headers
    )


def _set(body: dict, path: Path, value: str) -> dict:
    changed = copy.deepcopy(body)
    node: Any = changed
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return changed


def _get(data: Any, path: Path) -> Any:
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _json(response) -> Any:
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    return response.json()


def _check_refusal(response, field: str) -> None:
    data = _json(response)
    if response.status_code == 422:
        assert data["detail"], data
        for error in data["detail"]:
            assert error["msg"], data
            assert field in [str(step) for step in error["loc"]], f"{field} not named: {data}"
    else:
        assert isinstance(data["detail"], str) and data["detail"], data


def _check_accepted(world, ex: Example, path: Path, payload: str, data: dict) -> None:
    for html in [*ex.html(data), *ex.stored(data)]:
        assert unsafe_markup(html) == [], html
    # A plain-text field the answer gives back is what was typed, not escaped for HTML (a
    # blank ledger number is generated instead).
    given_back = _get(data, path)
    if path[0] not in ex.rich and isinstance(given_back, str) and payload.strip():
        assert given_back == payload.strip(), "plain text should come back as typed"
    read = ex.read(world, data)
    if read:
        response = _call(world, "get", read)
        assert response.status_code == 200, response.content[:300]
        for html in ex.read_html(_json(response)):
            assert unsafe_markup(html) == [], html
    page = ex.page(world, data)
    if page and (payload in PAYLOADS or set(payload) & MARKUP):
        response = world.browser.get(page)
        assert response.status_code == 200, page
        shown = response.content.decode()
        assert unsafe_markup(shown, page=True) == [], page
        assert not [m for m in RAW_MARKERS if m in shown], f"raw markup on {page}"


def _case_id(value: Any) -> str:
    return ".".join(map(str, value)) if isinstance(value, tuple) else str(value)


CASES = [(operation, path) for operation, fields in OPERATIONS.items() for path in fields]


def test_the_fuzz_covers_every_write_operation(client) -> None:
    """The schema the API serves is the one the cases come from, and every write is there."""
    served = write_operations(client.get("/api/v1/openapi.json").json())
    assert served == OPERATIONS
    assert set(OPERATIONS) >= {
        "POST /api/v1/records",
        "POST /api/v1/campaigns/{slug}/problems",
        "POST /api/v1/problems/{pk}/progress",
        "POST /api/v1/campaigns/{slug}/briefs",
        "POST /api/v1/indicators/{pk}/values",
    }
    missing = set(OPERATIONS) - set(EXAMPLES)
    assert not missing, f"give these write operations a valid example in EXAMPLES: {missing}"
    assert all(OPERATIONS.values()), "a write without a string field: is the schema walk broken?"
    assert ("measures", 0, "text") in OPERATIONS["POST /api/v1/campaigns/{slug}/problems"]


@pytest.mark.parametrize(("operation", "path"), CASES, ids=_case_id)
def test_hostile_strings_in_each_field_of_each_write(world, operation: str, path: Path) -> None:
    assert operation in EXAMPLES, f"{operation} has no valid example in EXAMPLES"
    ex = EXAMPLES[operation]
    url, base = ex.url(world), ex.body(world)

    with transaction.atomic():
        response = _call(world, "post", url, base)
        assert response.status_code in (200, 201), response.content[:500]
        transaction.set_rollback(True)

    def send(payload: str) -> None:
        with transaction.atomic():
            changes = LogEntry.objects.count()
            response = _call(world, "post", url, _set(base, path, payload))
            assert response.status_code < 500, response.content[:500]
            if response.status_code >= 400:
                _check_refusal(response, str(path[0]))
                assert LogEntry.objects.count() == changes, "a refused write changed something"
            else:
                _check_accepted(world, ex, path, payload, _json(response))
            transaction.set_rollback(True)

    # The payloads as they are run every time (``example``); drawn, they are hidden in text.
    hidden = st.tuples(st.text(max_size=12), st.sampled_from(PAYLOADS), st.text(max_size=12))
    strategy = hidden.map("".join) | st.text(max_size=60)
    run = given(payload=strategy)(send)
    for payload in PAYLOADS:
        run = example(payload=payload)(run)
    settings(
        max_examples=GENERATED,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )(run)()
