"""Pages of the discussion: thin callers of the discussion selectors and services.

Every read goes through the scoping selectors (404 outside scope); a refused write
answers 403; a ValidationError re-renders the form that was sent, with what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from taolun.campaigns.selectors import get_campaign_for_user
from taolun.core import clock
from taolun.discussion import services
from taolun.discussion.forms import (
    AnswerForm,
    ClassifyForm,
    InboxFilterForm,
    OpinionForm,
    TopicForm,
)
from taolun.discussion.models import Opinion, Topic
from taolun.discussion.rules import is_office_in_campaign, is_topic_office
from taolun.discussion.selectors import (
    INBOX_PAGE_SIZE,
    InboxFilters,
    get_opinion_for_user,
    get_topic_for_user,
    inbox_page,
    inbox_theme_counts,
    inbox_topics,
    opinion_page_number,
    opinions_inbox,
    topic_opinions,
    topic_phase,
    topics_for_user,
    units_for_topics,
    with_theme_suggestions,
)
from taolun.rectification.selectors import source_token

# ---------------------------------------------------------------- topics


@login_required
@require_http_methods(["GET"])
def index(request: HttpRequest, campaign: str) -> HttpResponse:
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    today = clock.today()
    phases: dict[str, list[Topic]] = {"open": [], "upcoming": [], "closed": []}
    for topic in topics_for_user(user, campaign_obj).order_by("-opens_on", "-id"):
        phases[topic_phase(topic, today)].append(topic)
    return render(
        request,
        "discussion/index.html",
        {
            "campaign": campaign_obj,
            "open_topics": phases["open"],
            "upcoming_topics": phases["upcoming"],
            "closed_topics": phases["closed"],
            "can_open": units_for_topics(campaign_obj, user).exists(),
            "is_office": is_office_in_campaign(user, campaign_obj),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic_create(request: HttpRequest, campaign: str) -> HttpResponse:
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    units = units_for_topics(campaign_obj, user)
    if not units.exists():
        raise PermissionDenied
    form = TopicForm(request.POST or None, campaign=campaign_obj, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_create(actor=user, campaign=campaign_obj, **form.topic_fields())
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The topic was opened."))
            return redirect(topic)
    return render(
        request,
        "discussion/topic_form.html",
        {"campaign": campaign_obj, "form": form, "topic": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    topic = get_topic_for_user(user, pk)
    if not user.has_perm("discussion.change_topic", topic):
        raise PermissionDenied
    form = TopicForm(
        request.POST or None,
        initial=TopicForm.initial_for(topic),
        campaign=topic.campaign,
        units=units_for_topics(topic.campaign, user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_update(actor=user, topic=topic, **form.topic_fields())
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The topic was saved."))
            return redirect(topic)
    return render(
        request,
        "discussion/topic_form.html",
        {"campaign": topic.campaign, "form": form, "topic": topic},
    )


def _reply_target(request: HttpRequest, opinions: list[Opinion]) -> Opinion | None:
    """The opinion a reply answers, named by ``?reply=`` or the posted ``parent``."""
    wanted = request.POST.get("parent") or request.GET.get("reply") or ""
    if not wanted.isdigit():
        return None
    return next((o for o in opinions if o.pk == int(wanted)), None)


def _topic_page(
    request: HttpRequest,
    topic: Topic,
    *,
    post_form: OpinionForm | None = None,
    bound: dict[int, dict] | None = None,
    page_number: int | None = None,
) -> HttpResponse:
    """The topic page; ``bound`` holds, per opinion, the office's forms sent back with errors
    (shown on the page of their opinion, ``page_number``)."""
    user = request.user
    page = topic_opinions(user, topic, page_number or request.GET.get("page"))
    opinions = page.object_list
    reply_to = _reply_target(request, opinions)
    can_post = user.has_perm("discussion.post_opinion", topic)
    if post_form is None and can_post:
        post_form = OpinionForm(
            initial={"parent": reply_to.pk if reply_to else None},
            allow_anonymous=topic.allow_anonymous,
            reply=reply_to is not None,
        )
    moderates = is_topic_office(user, topic)
    can_record = moderates and user.has_perm("rectification.add_problem", topic.unit)
    themes = list(topic.campaign.themes.order_by("number")) if moderates else []
    bound = bound or {}
    for opinion in opinions:
        opinion.can_edit = user.has_perm("discussion.change_opinion", opinion)
        for reply in opinion.reply_list:
            reply.can_edit = user.has_perm("discussion.change_opinion", reply)
        if moderates:
            forms = bound.get(opinion.pk, {})
            opinion.classify_form = forms.get("classify") or ClassifyForm(
                initial={"theme": opinion.theme_id}, themes=themes, prefix=f"classify-{opinion.pk}"
            )
            opinion.answer_form = forms.get("answer") or AnswerForm(
                initial={"answer": opinion.answer}, prefix=f"answer-{opinion.pk}"
            )
            opinion.source_token = source_token(opinion)
    if moderates:
        with_theme_suggestions(topic.campaign, opinions)
    return render(
        request,
        "discussion/topic_detail.html",
        {
            "topic": topic,
            "campaign": topic.campaign,
            "phase": topic_phase(topic, clock.today()),
            "opinions": opinions,
            "page_obj": page,
            # A refused post is shown again with its error, even once the topic has closed.
            "post_form": post_form if can_post or (post_form and post_form.is_bound) else None,
            "reply_to": reply_to,
            "can_edit_topic": user.has_perm("discussion.change_topic", topic),
            "moderates": moderates,
            "can_record": can_record,
            "is_office": is_office_in_campaign(user, topic.campaign),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The topic with its opinions; a POST here posts an opinion or a reply."""
    user = request.user
    topic = get_topic_for_user(user, pk)
    if request.method == "GET":
        return _topic_page(request, topic)
    parent_pk = request.POST.get("parent") or ""
    form = OpinionForm(
        request.POST,
        allow_anonymous=topic.allow_anonymous,
        reply=bool(parent_pk),
    )
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"] is not None:
            parent = topic.opinions.filter(pk=form.cleaned_data["parent"]).first()
            if parent is None:
                form.add_error(None, _("The opinion you replied to no longer exists."))
        if not form.errors:
            try:
                opinion = services.opinion_post(
                    actor=user, topic=topic, parent=parent, **form.opinion_fields()
                )
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(
                    request,
                    _("Your reply was posted.") if parent else _("Your opinion was posted."),
                )
                return redirect(opinion)
    return _topic_page(request, topic, post_form=form)


# ---------------------------------------------------------------- opinions


@login_required
@require_http_methods(["GET"])
def opinion(request: HttpRequest, pk: int) -> HttpResponse:
    """An opinion's permanent address: the page of its topic it stands on."""
    found = get_opinion_for_user(request.user, pk)
    number = opinion_page_number(found)
    query = f"?page={number}" if number > 1 else ""
    return redirect(
        f"{reverse('discussion:topic_detail', args=[found.topic_id])}{query}#opinion-{pk}"
    )


@login_required
@require_http_methods(["GET", "POST"])
def opinion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    opinion = get_opinion_for_user(user, pk)
    if opinion.author_id != user.pk:
        raise PermissionDenied
    topic = opinion.topic
    initial = {"kind": opinion.kind, "body": opinion.body, "anonymous": opinion.anonymous}
    form = OpinionForm(
        request.POST or None,
        initial=initial,
        allow_anonymous=topic.allow_anonymous,
        reply=opinion.is_reply,
    )
    can_edit = user.has_perm("discussion.change_opinion", opinion)
    if request.method == "POST" and form.is_valid():
        fields = form.opinion_fields()
        if not topic.allow_anonymous:
            fields.pop("anonymous")
        try:
            opinion = services.opinion_update(actor=user, opinion=opinion, **fields)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("Your opinion was saved."))
            return redirect(opinion)
    elif form.is_bound and not can_edit:
        # Say at once that the opinion is locked, not after the typing errors are fixed.
        form.add_error(None, services.locked_message())
    return render(
        request,
        "discussion/opinion_form.html",
        {
            "topic": topic,
            "campaign": topic.campaign,
            "opinion": opinion,
            "form": form,
            # What was typed is shown again, in the form, whenever it came back with errors.
            "show_form": can_edit or bool(form.errors),
        },
    )


def _moderated(request: HttpRequest, pk: int) -> Opinion:
    opinion = get_opinion_for_user(request.user, pk)
    if not request.user.has_perm("discussion.moderate_opinion", opinion):
        raise PermissionDenied
    return opinion


def _topic_of(request: HttpRequest, opinion: Opinion) -> Topic:
    return get_topic_for_user(request.user, opinion.topic_id)


def _back_to(request: HttpRequest) -> str | None:
    """The page of this site a form asked to come back to (the inbox accepts suggestions)."""
    wanted = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if wanted and safe else None


@login_required
@require_http_methods(["POST"])
def opinion_classify(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = _moderated(request, pk)
    topic = _topic_of(request, opinion)
    themes = list(topic.campaign.themes.order_by("number"))
    form = ClassifyForm(request.POST, themes=themes, prefix=f"classify-{pk}")
    if form.is_valid():
        try:
            services.opinion_classify(
                actor=request.user, opinion=opinion, theme=form.chosen_theme()
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The classification was saved."))
            return redirect(_back_to(request) or opinion)
    return _topic_page(
        request,
        topic,
        bound={opinion.pk: {"classify": form}},
        page_number=opinion_page_number(opinion),
    )


@login_required
@require_http_methods(["POST"])
def opinion_answer(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = _moderated(request, pk)
    topic = _topic_of(request, opinion)
    form = AnswerForm(request.POST, prefix=f"answer-{pk}")
    if form.is_valid():
        try:
            services.opinion_answer(
                actor=request.user, opinion=opinion, answer=form.cleaned_data["answer"]
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The answer was saved."))
            return redirect(opinion)
    return _topic_page(
        request,
        topic,
        bound={opinion.pk: {"answer": form}},
        page_number=opinion_page_number(opinion),
    )


# ---------------------------------------------------------------- the office's inbox


@login_required
@require_http_methods(["GET"])
def inbox(request: HttpRequest, campaign: str) -> HttpResponse:
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    if not is_office_in_campaign(user, campaign_obj):
        raise PermissionDenied
    form = InboxFilterForm(
        request.GET or None, campaign=campaign_obj, topics=inbox_topics(user, campaign_obj)
    )
    filters = InboxFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = InboxFilters(
            theme=data["theme"],
            topic=data["topic"],
            unclassified=data["state"] == "unclassified",
            unanswered=data["state"] == "unanswered",
            became_problem={"yes": True, "no": False}.get(data["problem"]),
        )
    opinions = opinions_inbox(user, campaign_obj, filters)
    if form.errors:
        opinions = opinions.none()
    page = Paginator(opinions, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = inbox_page(user, list(page.object_list))
    with_theme_suggestions(campaign_obj, rows)
    return render(
        request,
        "discussion/inbox.html",
        {
            "campaign": campaign_obj,
            "form": form,
            "page_obj": page,
            "rows": rows,
            "theme_counts": inbox_theme_counts(user, campaign_obj),
        },
    )
