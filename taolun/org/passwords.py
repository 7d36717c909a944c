"""Password rules beyond Django's own (等级保护 level 3): three classes of character, and
never the user name."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

_CLASSES = (
    ("lower", str.islower),
    ("upper", str.isupper),
    ("digit", str.isdigit),
    ("symbol", lambda ch: ch in string.punctuation or not ch.isalnum()),
)


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and other characters ``password`` uses."""
    return sum(any(test(ch) for ch in password) for _name, test in _CLASSES)


class CharacterClassesValidator:
    """At least ``min_classes`` of: lower-case letters, upper-case letters, digits, others."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must mix at least %(n)d kind of character: lower-case letters, "
            "upper-case letters, digits and symbols.",
            "Your password must mix at least %(n)d kinds of character: lower-case letters, "
            "upper-case letters, digits and symbols.",
            self.min_classes,
        ) % {"n": self.min_classes}


class NotUsernameValidator:
    """The user name may not appear in the password, forwards or backwards, in any case."""

    def validate(self, password: str, user=None) -> None:
        username = (getattr(user, "username", "") or "").casefold()
        if len(username) < 3:
            return
        folded = password.casefold()
        if username in folded or username[::-1] in folded:
            raise ValidationError(self.get_help_text(), code="password_contains_username")

    def get_help_text(self) -> str:
        return _("Your password may not contain your user name.")
