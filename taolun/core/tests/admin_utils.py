"""Helpers shared by the back-office tests of every app."""

from django.contrib.auth.models import Permission
from django.urls import reverse

from taolun.org.models import User


def make_staff(user: User, *perms: str) -> User:
    """Give ``user`` the back office and the named permissions ("org.view_unit" …)."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return User.objects.get(pk=user.pk)


def url(model, view: str = "changelist", *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)
