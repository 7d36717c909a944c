"""The Content-Security-Policy: sent with every page, strict, and kept by the templates.

The policy forbids inline script, inline style and eval (settings.CONTENT_SECURITY_POLICY).
A template that brings any of them back would break in the browser without a test failing
anywhere else, so the templates are scanned as files; tests/browser/test_csp.py checks
the pages that run scripts in Chromium.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

TEMPLATE_DIRS = [Path(directory) for directory in settings.TEMPLATES[0]["DIRS"]] + [
    path for path in (Path(settings.BASE_DIR) / "taolun").glob("*/templates")
]
# Each finds one way of running or styling from inside the page; json_script's
# <script type="application/json"> is data, never executed, and comes from a filter.
INLINE = {
    "inline <script>": re.compile(
        r"<script\b(?![^>]*\bsrc=)(?![^>]*type=[\"']application/(?:ld\+)?json)[^>]*>", re.I
    ),
    "code inside <script src>": re.compile(r"<script\b[^>]*\bsrc=[^>]*>\s*[^<\s]", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "style= attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "on…= event handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(
        r"\b(?:href|src|action|formaction)\s*=\s*[\"']?\s*javascript:", re.I
    ),
}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_strict(response, where: str) -> None:
    policy = response.get("Content-Security-Policy", "")
    assert policy, f"{where}: no Content-Security-Policy header"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, (where, policy)
    parsed = directives(policy)
    same_origin = ("default-src", "script-src", "style-src", "connect-src", "font-src")
    expected = {
        **{name: ["'self'"] for name in same_origin},
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
    assert {name: parsed.get(name) for name in expected} == expected, (where, policy)
    assert "http" not in policy, f"{where}: a CDN or another host in the policy: {policy}"


def url_names_without_arguments() -> list[str]:
    """Every named URL that takes no argument: the pages any new app adds are in here too."""

    def walk(patterns, namespace: tuple[str, ...] = ()):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + ((pattern.namespace,) if pattern.namespace else ())
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield ":".join((*namespace, pattern.name))

    names = []
    for name in dict.fromkeys(walk(get_resolver().url_patterns)):
        try:
            reverse(name)
        except NoReverseMatch:
            continue
        names.append(name)
    return names


@pytest.mark.parametrize("who", ["anonymous", "office", "admin"])
def test_every_page_without_arguments_is_sent_with_the_strict_policy(client, org, who):
    if who == "office":
        client.force_login(org.office)
    elif who == "admin":
        org.office.is_staff = org.office.is_superuser = True
        org.office.save()
        client.force_login(org.office)
    html_pages = 0
    for name in url_names_without_arguments():
        if who != "admin" and name.startswith("admin:"):
            continue
        response = client.get(reverse(name))
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html_pages += 1
        assert_strict(response, name)
    assert html_pages >= (5 if who == "anonymous" else 15), html_pages


def test_the_campaign_pages_are_sent_with_the_strict_policy(client, org):
    client.force_login(org.office)
    for url in (
        reverse("campaigns:detail", args=[org.campaign.slug]),
        f"/supervision/{org.campaign.slug}/",
        f"/targets/{org.campaign.slug}/",
        f"/reporting/{org.campaign.slug}/briefs/new/",
        f"/campaigns/{org.campaign.slug}/documents/plan/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response, url)
        html = response.content.decode()
        for what, pattern in INLINE.items():
            assert not pattern.search(html), f"{url}: {what}"


def test_a_refused_page_has_the_policy_too(client, org):
    client.force_login(org.member1)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_strict(response, "404")


# Comments never reach the browser as code: they may name what they explain.
COMMENTS = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}|<!--.*?-->", re.S)


def without_comments(text: str) -> str:
    """The template with its comments blanked out, lines kept where they were."""
    return COMMENTS.sub(lambda match: "\n" * match.group().count("\n"), text)


def template_files() -> list[Path]:
    return sorted(path for directory in TEMPLATE_DIRS for path in directory.rglob("*.html"))


def test_the_scan_finds_what_it_must():
    """The patterns catch each form the policy refuses, and pass what it allows."""
    refused = [
        "<script>alert(1)</script>",
        '<script type="text/javascript">go()</script>',
        '<script src="/static/a.js">go()</script>',
        "<style>p { color: red }</style>",
        '<div class="x" style="height: 3px">',
        '<progress\n  style="width: {{ bar }}%">',
        '<button type="button" onclick="print()">',
        '<a href="javascript:void(0)">',
    ]
    allowed = [
        "<script src=\"{% static 'taolun/charts.js' %}\"></script>",
        '<script type="application/json" id="x">{"a": 1}</script>',
        '<div data-style="x" class="chart">',
        '<p data-on-change="x">the word style="x" in text</p>',
        '<a href="/javascript/">',
    ]
    allowed += ["{# no <style> here #}", "{% comment %}<script>x</script>{% endcomment %}"]
    for html in refused:
        assert any(pattern.search(without_comments(html)) for pattern in INLINE.values()), html
    for html in allowed:
        assert not any(pattern.search(without_comments(html)) for pattern in INLINE.values()), html


def test_no_template_has_inline_script_style_or_handlers():
    files = template_files()
    assert len(files) > 50, TEMPLATE_DIRS
    found = []
    for path in files:
        text = without_comments(path.read_text(encoding="utf-8"))
        for what, pattern in INLINE.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {what}")
    assert not found, "the CSP would refuse these (move them to taolun/static):\n" + "\n".join(
        found
    )
