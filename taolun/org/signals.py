"""Sign-in starts the idle clock; the person's ``second_factor`` flag follows their
confirmed TOTP devices, whoever changes them (the person's own page, or the security
administrator in the back office removing a lost phone's device)."""

from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from taolun.org.middleware import LAST_SEEN
from taolun.org.models import User


@receiver(post_save, sender=TOTPDevice, dispatch_uid="taolun.org.totp_saved")
@receiver(post_delete, sender=TOTPDevice, dispatch_uid="taolun.org.totp_deleted")
def _sync_second_factor(sender, instance: TOTPDevice, **kwargs) -> None:
    has = TOTPDevice.objects.filter(user_id=instance.user_id, confirmed=True).exists()
    User.objects.filter(pk=instance.user_id).exclude(second_factor=has).update(second_factor=has)


@receiver(user_logged_in, dispatch_uid="taolun.org.idle_clock")
def _start_idle_clock(sender, request, user, **kwargs) -> None:
    """The idle clock starts at sign-in, so the first page does not write the session."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())
