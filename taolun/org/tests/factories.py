import factory
from factory.django import DjangoModelFactory

from taolun.org.models import Post, RoleAssignment, Unit, UnitKind, User
from taolun.org.services import unit_add


class UnitKindFactory(DjangoModelFactory):
    class Meta:
        model = UnitKind
        django_get_or_create = ("code",)

    code = "branch"
    name = "党支部"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct-horse-battery-9")


def make_unit(
    name: str, slug: str, parent: Unit | None = None, kind: str = "branch", sync: bool = True
) -> Unit:
    """Add a unit to the tree (treebeard needs add_root / add_child, not create)."""
    return unit_add(
        actor=None,
        name=name,
        slug=slug,
        parent=parent,
        kind=UnitKindFactory(code=kind, name=kind),
        sync=sync,
    )


def grant(user: User, unit: Unit, role: str) -> RoleAssignment:
    return RoleAssignment.objects.create(user=user, unit=unit, role=role)


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post

    title = "书记"
