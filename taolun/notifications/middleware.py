"""A user who changes something sees the header's to-do counter counted afresh."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from taolun.notifications.selectors import forget_todo_count

_READS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class ForgetTodoCountOnWrite:
    """After any request that may write (POST, PUT, PATCH, DELETE), the user's remembered
    count is dropped: the redirect that follows shows the item just dealt with gone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in _READS:
            return self.get_response(request)
        # Who it was before the view ran: a logout leaves the request anonymous.
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        response = self.get_response(request)
        if user_id is not None:
            forget_todo_count(user_id)
        return response
