"""Chinese first: the interface speaks the site's language unless the user chose another."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Like Django's, but a browser's Accept-Language does not override the site language.

    Offices run English-language browsers as often as Chinese ones; the switcher on every
    page (a cookie) is the only way to another language.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class ExportAuditMiddleware:
    """Every file handed out as an attachment (exports, documents, downloads of uploaded
    files) is written to the audit trail with who, when, from where and which file."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        disposition = response.get("Content-Disposition", "")
        if response.status_code == 200 and disposition.startswith("attachment"):
            from taolun.core.audit_events import record_event
            from taolun.core.models import AuditEventKind

            record_event(request, AuditEventKind.EXPORT, detail=disposition)
        return response
