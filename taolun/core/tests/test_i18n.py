"""The UI speaks Simplified Chinese first, English on request, and its catalogue is complete."""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings as django_settings

LC_MESSAGES = Path(django_settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

LOGIN_URL = "/accounts/login/"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}|<[^>]+>")


# --- pages ------------------------------------------------------------------------------


@pytest.fixture
def zh_client(client, settings):
    """A browser that asks for Chinese and has not chosen a language yet."""
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return client


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(zh_client):
    html = zh_client.get(LOGIN_URL).content.decode()

    assert '<html lang="zh-Hans">' in html
    assert "登录" in html
    assert "用户名" in html
    assert "跳到主要内容" in html
    assert "Log in" not in html


@pytest.mark.django_db
def test_chinese_is_the_default_without_any_preference(client, settings):
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)

    html = client.get(LOGIN_URL).content.decode()

    assert '<html lang="zh-Hans">' in html
    assert "登录" in html


@pytest.mark.django_db
def test_switching_to_english_sticks(zh_client):
    response = zh_client.post("/i18n/setlang/", {"language": "en", "next": LOGIN_URL})
    assert response.status_code == 302

    html = zh_client.get(LOGIN_URL).content.decode()

    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "登录" not in html

    zh_client.post("/i18n/setlang/", {"language": "zh-hans", "next": LOGIN_URL})
    html = zh_client.get(LOGIN_URL).content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "登录" in html


# --- the catalogue ----------------------------------------------------------------------


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def msgstrs(self) -> list[str]:
        return [v for k, v in sorted(self.fields.items()) if k.startswith("msgstr")]


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")\s*$')


def _unquote(literal: str) -> str:
    assert literal.startswith('"') and literal.endswith('"'), literal
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), literal[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Read a .po file into entries; obsolete (``#~``) entries are left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    keyword = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            current, keyword = None, None
            continue
        if line.startswith("#~"):
            continue
        if current is None:
            current = Entry(line=number)
            entries.append(current)
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert keyword, f"{path}:{number}: continuation line without a keyword"
            current.fields[keyword] += _unquote(line)
        else:
            match = _KEYWORD.match(line)
            assert match, f"{path}:{number}: cannot read {raw!r}"
            keyword = match.group(1)
            current.fields[keyword] = _unquote(match.group(2))
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return parse_po(PO_FILE)


def test_header_declares_simplified_chinese(entries):
    header = next(e for e in entries if e.msgid == "" and "msgctxt" not in e.fields)
    text = header.msgstrs[0]
    assert "Language: zh_Hans\n" in text
    assert "Plural-Forms: nplurals=1; plural=0;\n" in text
    assert "charset=UTF-8" in text
    assert "fuzzy" not in header.flags


def test_every_message_is_translated_and_none_is_fuzzy(entries):
    messages = [e for e in entries if e.msgid]
    assert len(messages) > 100

    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in messages if "fuzzy" in e.flags]
    untranslated = [
        f"line {e.line}: {e.msgid!r}"
        for e in messages
        if not e.msgstrs or not all(s.strip() for s in e.msgstrs)
    ]
    assert not fuzzy, "fuzzy entries (Django ignores them):\n" + "\n".join(fuzzy)
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)


def test_plural_entries_have_exactly_one_form(entries):
    plurals = [e for e in entries if "msgid_plural" in e.fields]
    assert plurals
    for entry in plurals:
        forms = sorted(k for k in entry.fields if k.startswith("msgstr"))
        assert forms == ["msgstr[0]"], f"line {entry.line}: {forms}"


def test_translations_keep_every_placeholder(entries):
    wrong = []
    for entry in (e for e in entries if e.msgid):
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        for msgstr in entry.msgstrs:
            if sorted(PLACEHOLDER.findall(msgstr)) != wanted:
                wrong.append(f"line {entry.line}: {entry.msgid!r} -> {msgstr!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_compiled_catalogue_matches_the_po(entries):
    """The .mo is committed (offices install without gettext): it must be rebuilt with the .po."""
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in (e for e in entries if e.msgid):
        context, plural = entry.fields.get("msgctxt"), entry.fields.get("msgid_plural")
        if plural is not None and context is not None:
            found = compiled.npgettext(context, entry.msgid, plural, 1)
        elif plural is not None:
            found = compiled.ngettext(entry.msgid, plural, 1)
        elif context is not None:
            found = compiled.pgettext(context, entry.msgid)
        else:
            found = compiled.gettext(entry.msgid)
        if found != entry.msgstrs[0]:
            stale.append(f"line {entry.line}: {entry.msgid!r}")
    assert not stale, "django.mo is out of date; run compilemessages:\n" + "\n".join(stale)
