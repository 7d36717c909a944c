"""The personal to-do page: what is waiting for the signed-in user."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from taolun.notifications.selectors import todo_for


@login_required
def todo(request: HttpRequest) -> HttpResponse:
    items = todo_for(request.user)
    # The header counter reads the same lists, so it costs no further queries here.
    return render(request, "notifications/todo.html", {"todo": items, "todo_count": items.total})
