"""Ids that cannot be guessed in the URLs of sensitive objects (等级保护 2.0, 访问控制).

A problem's page is ``/ledger/problems/5-yu426x7n7msf/``, not ``/ledger/problems/5/``: the
number is the primary key, the suffix a short HMAC of the object's kind and key made from
``SECRET_KEY``. Scoping already answers 404 outside a user's reach; the mac also keeps anyone
from walking the ids, and a mac made for one kind (statement 5) opens no other (problem 5).

Each kind is a Django path converter (``<problem_id:pk>``), registered once by
``CoreConfig.ready()`` before any URLconf is imported. Views still receive an int, and
``reverse()`` / ``{% url %}`` still take one: the converter's ``to_url`` signs it. No
migration: nothing is stored. Rotating the key keeps old links working while the old key is
in ``SECRET_KEY_FALLBACKS``, as Django's own signing does.
"""

from __future__ import annotations

import base64
from typing import ClassVar

from django.conf import settings
from django.urls import register_converter
from django.urls.converters import get_converters
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "taolun.signed_ids"
MAC_LENGTH = 12  # base32 characters: 60 bits

# Converter name -> the kind signed into the mac.
KINDS: dict[str, str] = {
    "problem_id": "problem",
    "extension_id": "extension",
    "problem_file_id": "progress_attachment",
    "reflection_id": "reflection",
    "opinion_id": "opinion",
    "meeting_id": "meeting",
    "statement_id": "statement",
    "check_id": "check_material",
    "record_id": "record",
    "record_file_id": "record_attachment",
    "person_id": "person",
    "inspection_id": "inspection",
    "finding_id": "finding",
}


def mac(kind: str, pk: int, secret: str | bytes | None = None) -> str:
    """The mac of object ``pk`` of ``kind`` under ``secret`` (``SECRET_KEY`` by default)."""
    digest = salted_hmac(SALT, f"{kind}:{pk}", secret=secret, algorithm="sha256").digest()
    return base64.b32encode(digest).decode("ascii")[:MAC_LENGTH].lower()


def sign(kind: str, pk: int) -> str:
    """The URL form of object ``pk`` of ``kind``: ``"<pk>-<mac>"``."""
    return f"{int(pk)}-{mac(kind, int(pk))}"


def unsign(kind: str, value: str) -> int:
    """The pk in ``value`` if its mac is right under the key or one of its fallbacks;
    ValueError otherwise (a URL converter's way of saying "no match", so 404)."""
    number, _, given = value.partition("-")
    if not number.isdigit() or str(int(number)) != number:
        raise ValueError("not a signed id")
    pk = int(number)
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    # Every key is tried, so the time taken does not tell which one matched.
    matched = [constant_time_compare(given, mac(kind, pk, secret)) for secret in secrets]
    if not any(matched):
        raise ValueError("bad signature")
    return pk


class SignedId:
    """A path converter for one kind of object; subclasses name the kind."""

    kind: ClassVar[str]
    regex = f"[0-9]+-[a-z2-7]{{{MAC_LENGTH}}}"

    def to_python(self, value: str) -> int:
        return unsign(self.kind, value)

    def to_url(self, value: int | str) -> str:
        return sign(self.kind, int(value))


def converter(kind: str) -> type[SignedId]:
    return type(f"SignedId_{kind}", (SignedId,), {"kind": kind})


def register() -> None:
    """Register every kind's converter once (Django warns on registering a name twice)."""
    known = get_converters()
    for name, kind in KINDS.items():
        if name not in known:
            register_converter(converter(kind), name)
