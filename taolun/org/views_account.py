"""A person's own account: their password, their sessions, their recent sign-ins."""

from __future__ import annotations

import base64
import io
from binascii import unhexlify

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from taolun.api.tokens import token_revoke_all
from taolun.core.audit_events import record_event
from taolun.core.models import AuditEvent, AuditEventKind
from taolun.org.middleware import second_factor_required
from taolun.org.models import User
from taolun.org.selectors import roles_of

# Sign-in events a person sees of their own account (a stranger's attempts included).
SIGN_IN_KINDS = (
    AuditEventKind.LOGIN,
    AuditEventKind.LOGIN_FAILED,
    AuditEventKind.LOCKED_OUT,
    AuditEventKind.LOGOUT_EVERYWHERE,
    AuditEventKind.PASSWORD_CHANGED,
    AuditEventKind.SECOND_FACTOR_ON,
    AuditEventKind.SECOND_FACTOR_OFF,
    AuditEventKind.SECOND_FACTOR_FAILED,
)
RECENT_SIGN_INS = 10


class StyledPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def clean(self):
        """Not the password it replaces: one someone else chose would stay known to them."""
        cleaned = super().clean()
        new = cleaned.get("new_password1")
        if new and not self.has_error("new_password2") and self.user.check_password(new):
            self.add_error(
                "new_password2",
                forms.ValidationError(
                    _("Choose a password other than the one you have now."),
                    code="password_unchanged",
                ),
            )
        return cleaned


class PasswordChange(PasswordChangeView):
    """Django's password change (old password, the new one twice, the validators), which
    also lifts the duty to change a password someone else chose, and is audited."""

    form_class = StyledPasswordChangeForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            User.objects.filter(pk=form.user.pk).update(
                must_change_password=False, password_changed_at=timezone.now()
            )
            record_event(self.request, AuditEventKind.PASSWORD_CHANGED, actor=form.user)
        messages.success(self.request, _("Your password was changed."))
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = self.request.user.must_change_password
        return context


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    sign_ins = AuditEvent.objects.filter(username=user.username, kind__in=SIGN_IN_KINDS)[
        :RECENT_SIGN_INS
    ]
    return render(
        request,
        "registration/account.html",
        {"roles": roles_of(user), "sign_ins": sign_ins},
    )


@login_required
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of the person, this one included (a lost phone, a shared
    computer): the session generation is part of every session's hash. Their API tokens
    are revoked too, each as on the tokens page: a program holding one acts as them, and a
    stolen secret would outlive the sessions."""
    user = request.user
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
        revoked = token_revoke_all(user)
        detail = f"API tokens revoked: {revoked}" if revoked else ""
        record_event(request, AuditEventKind.LOGOUT_EVERYWHERE, actor=user, detail=detail)
    logout(request)
    messages.success(request, _("You were signed out on every device. Sign in again."))
    if revoked:
        messages.success(
            request,
            ngettext(
                "%(n)s API token was revoked: a program that used it needs a new one.",
                "%(n)s API tokens were revoked: the programs that used them need new ones.",
                revoked,
            )
            % {"n": revoked},
        )
    return redirect("login")


# ---------------------------------------------------------------- the second factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Six-digit code from your app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
            }
        ),
    )

    def __init__(self, *args, device: TOTPDevice | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError(_("Enter the digits your app shows."))
        allowed, _data = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                _("Too many wrong codes: wait a little and try again with a new one.")
            )
        if not self.device.verify_token(code):
            raise forms.ValidationError(
                _("That code is not right, or has expired: try the one your app shows now.")
            )
        return code


def _confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def _qr_svg(url: str) -> str:
    """The configuration URL as an SVG image in a data: URL (no script, no request out)."""
    out = io.BytesIO()
    write_qrcode_image(url, out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def _grouped_key(device: TOTPDevice) -> str:
    """The secret in base32 by groups of four, for typing into an app by hand."""
    key = base64.b32encode(unhexlify(device.key.encode())).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up a TOTP app (scan the code, type one code back), or see and remove it."""
    user = request.user
    device = _confirmed_device(user)
    required = second_factor_required(request, user)
    if device is not None:
        form = CodeForm(request.POST or None, device=device)
        if request.method == "POST" and not required and form.is_valid():
            with transaction.atomic():
                for each in TOTPDevice.objects.filter(user=user):
                    each.delete()  # one by one: the signal lowers the person's flag
                record_event(request, AuditEventKind.SECOND_FACTOR_OFF, actor=user)
            messages.success(request, _("The second factor was removed from your account."))
            return redirect("account")
        if form.errors:
            record_event(request, AuditEventKind.SECOND_FACTOR_FAILED, actor=user)
        return render(
            request,
            "registration/two_factor.html",
            {"device": device, "form": form, "required": required},
        )
    # Not confirmed yet: a fresh key each time the page is shown, so that a key someone
    # else saw (a stolen password, a shoulder) is gone before its owner confirms one.
    if request.method == "POST":
        pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    else:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        pending = None
    if pending is None:
        pending = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    form = CodeForm(request.POST or None, device=pending)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            pending.confirmed = True
            pending.save(update_fields=["confirmed"])  # the signal raises the flag
            user.second_factor = True
            otp_login(request, pending)
            record_event(request, AuditEventKind.SECOND_FACTOR_ON, actor=user)
        messages.success(request, _("Your second factor is set up: sign-ins will ask for a code."))
        return redirect("account")
    return render(
        request,
        "registration/two_factor.html",
        {
            "pending": pending,
            "form": form,
            "required": required,
            "qr": _qr_svg(pending.config_url),
            "key": _grouped_key(pending),
        },
    )


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """After the password, the code of the person's app: until it is given, the session
    opens nothing (``AccountGateMiddleware``)."""
    user = request.user
    device = _confirmed_device(user)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    if device is None or user.is_verified():
        return redirect(next_url or "home")
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST":
        if form.is_valid():
            otp_login(request, device)
            return redirect(next_url or "home")
        record_event(request, AuditEventKind.SECOND_FACTOR_FAILED, actor=user)
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url})
