from django.utils.functional import SimpleLazyObject


def todo_count(request):
    """The to-do counter shown on every page, computed only if a template reads it, and
    whether the header offers supervision (read from the user's cached scope: the counter
    needs the same scope, so neither adds a query to the other)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if getattr(request, "account_gate", None) is not None:
        # A second factor to enter, a password to change: the header shows no menu, no
        # counter, until it is done (AccountGateMiddleware).
        return {"account_gated": True}

    def count() -> int:
        from taolun.notifications.selectors import header_todo_count as count_for

        return count_for(user)

    def supervises() -> bool:
        from taolun.org.selectors import scope_for
        from taolun.supervision.access import READER_ROLES

        scope = scope_for(user)
        return scope.is_everything or bool(scope.paths_for(READER_ROLES))

    return {"todo_count": SimpleLazyObject(count), "nav_supervises": SimpleLazyObject(supervises)}
