from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from taolun.core import views as core_views

admin.site.site_header = settings.ADMIN_SITE_HEADER
admin.site.site_title = settings.ADMIN_SITE_HEADER

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/", include("taolun.org.account_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("units/", include("taolun.org.urls")),
    path("campaigns/", include("taolun.campaigns.urls")),
    path("records/", include("taolun.activities.urls")),
    path("meetings/", include("taolun.activities.meeting_urls")),
    path("study/", include("taolun.study.urls")),
    path("discussion/", include("taolun.discussion.urls")),
    path("todo/", include("taolun.notifications.urls")),
    path("ledger/", include("taolun.rectification.urls")),
    path("reporting/", include("taolun.reporting.urls")),
    path("public/", include("taolun.reporting.public_urls")),
    path("supervision/", include("taolun.supervision.urls")),
    path("targets/", include("taolun.targets.urls")),
    path("text/", include("taolun.textmine.urls")),
    path("api/", include("taolun.api.urls")),
    path("audit/", include("taolun.core.audit_urls")),
    path("people/", include("taolun.org.privacy_urls")),
    path("recycle/", include("taolun.core.recycle_urls")),
]
