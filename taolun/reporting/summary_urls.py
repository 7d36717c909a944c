"""The summary and bulletin pages of a campaign, under /reporting/<campaign>/."""

from django.urls import path

from taolun.reporting import summary_views as views

urlpatterns = [
    path("<slug:campaign>/summary/", views.summary_page, name="summary"),
    path("<slug:campaign>/summary/assemble/", views.summary_assemble, name="summary_assemble"),
    path("<slug:campaign>/summary/edit/", views.summary_edit, name="summary_edit"),
    path("<slug:campaign>/summary/finalise/", views.summary_finalise, name="summary_finalise"),
    path("<slug:campaign>/bulletins/", views.bulletins, name="bulletins"),
    path("<slug:campaign>/bulletins/<int:number>/", views.bulletin_detail, name="bulletin"),
    path(
        "<slug:campaign>/bulletins/<int:number>/items/", views.bulletin_items, name="bulletin_items"
    ),
    path(
        "<slug:campaign>/bulletins/<int:number>/issue/", views.bulletin_issue, name="bulletin_issue"
    ),
]
