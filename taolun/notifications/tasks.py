"""Mail goes out as a task: a slow mail server never holds up a page."""

from __future__ import annotations

import logging

from django.core.mail import send_mass_mail
from django_tasks import task

log = logging.getLogger(__name__)


@task()
def send_mails(messages: list[list]) -> int:
    """Send (subject, body, sender, [recipient]) messages; return how many went out."""
    try:
        return send_mass_mail([tuple(m) for m in messages], fail_silently=False)
    except OSError:
        log.exception("could not send %d notification mails", len(messages))
        return 0
