"""Django's model backend, loading the signed-in user's unit with the user.

Scope checks and the header's to-do counter read ``request.user.unit`` on every page;
joining it here saves that query on each request.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from taolun.org.models import User


class ModelBackend(DjangoModelBackend):
    def _get_permissions(self, user_obj, obj, from_name) -> set[str]:
        """An administrator's rights are their duty's alone (``org.duties``): groups or
        permissions given to the account add nothing, so no one stacks a second duty."""
        if getattr(user_obj, "admin_duty", ""):
            return set()
        return super()._get_permissions(user_obj, obj, from_name)

    def get_user(self, user_id) -> User | None:
        user = User._default_manager.select_related("unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
