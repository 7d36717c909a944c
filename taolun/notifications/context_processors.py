from django.utils.functional import SimpleLazyObject


def todo_count(request):
    """The to-do counter shown on every page, computed only if a template reads it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from taolun.notifications.selectors import todo_count as count_for

        return count_for(user)

    return {"todo_count": SimpleLazyObject(count)}
