"""The ledger pages: thin callers of the rectification selectors and services.

Every read goes through the scoping selectors (404 outside scope); every write is one
service call whose PermissionDenied answers 403 and whose ValidationError is shown on
the form that was sent, with what the user typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from taolun.campaigns.selectors import get_campaign_for_user
from taolun.core import clock
from taolun.core.concurrency import StaleEdit, check_version, digest, stamp
from taolun.core.forms import add_service_errors
from taolun.core.uploads import download_response
from taolun.org.models import User
from taolun.rectification import services
from taolun.rectification.forms import (
    MEASURES_PREFIX,
    CarryOverForm,
    CompleteForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    LedgerFilterForm,
    MeasureFormSet,
    NoFieldsForm,
    ProblemForm,
    ProgressForm,
    ReopenForm,
    SendBackForm,
    ThemeAcceptForm,
    VerifyForm,
    VoteForm,
    measure_inputs,
    posted_values,
)
from taolun.rectification.models import (
    ExtensionState,
    Light,
    Measure,
    Problem,
    ProblemState,
)
from taolun.rectification.selectors import (
    LEDGER_ROW_RELATED,
    evaluation_results,
    get_attachment_for_user,
    get_extension_for_user,
    get_problem_for_user,
    get_source_for_user,
    latest_updates,
    ledger,
    ledger_campaigns,
    ledger_counts,
    problem_extensions,
    problem_history,
    problem_theme_suggestions,
    problem_updates,
    problems_for_user,
    theme_suggestions_for_text,
    units_for_problems,
    vote_of,
    with_evaluation,
)
from taolun.rectification.sources import kind_of, source_for_user
from taolun.reporting.outcomes import outcomes_for_problem

# Rows a ledger page shows: twenty, as offices' ledgers are kept (每页20条); an office's
# page of fifty rows cost three times the rest of the page to render.
PAGE_SIZE = 20


def problem_url(problem: Problem) -> str:
    return reverse("rectification:problem", args=[problem.pk])


# ---------------------------------------------------------------- the ledger


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The campaigns whose ledger the user can read; with only one, that ledger."""
    rows = ledger_campaigns(request.user, clock.today())
    if len(rows) == 1:
        return redirect("rectification:ledger", rows[0].campaign.slug)
    return render(request, "rectification/index.html", {"rows": rows})


@dataclass(frozen=True)
class Column:
    """A ledger column header; ``sort`` is the key that orders by it, if any."""

    label: str
    sort: str | None = None
    current: str = ""

    @property
    def aria_sort(self) -> str | None:
        if self.sort is None:
            return None
        if self.current == self.sort:
            return "ascending"
        if self.current == f"-{self.sort}":
            return "descending"
        return None

    @property
    def next_sort(self) -> str:
        """Sorted this way already: the other way round next."""
        return f"-{self.sort}" if self.current == self.sort else str(self.sort)


def _columns(current: str) -> list[Column]:
    return [
        Column(_("Ledger number"), "number", current),
        Column(_("Responsible unit"), "unit", current),
        Column(_("Problem")),
        Column(_("Theme")),
        Column(_("Source")),
        Column(_("Responsible leader / person in charge")),
        Column(_("Deadline"), "deadline", current),
        Column(_("Warning light"), "light", current),
        Column(_("State"), "state", current),
        Column(_("Latest progress")),
        Column(_("Extensions")),
        Column(_("Evaluation")),
    ]


# Filters that the counts above the table ignore, so each count is a way to narrow.
_FACETS = ("state", "overdue", "light", "ordering")


@login_required
def ledger_page(request: HttpRequest, campaign: str) -> HttpResponse:
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    today = clock.today()
    form = LedgerFilterForm(request.GET or None, campaign=campaign_obj, user=user)
    filters = form.filters()
    # A row shows the unit, theme and the two people (the counts join none of them).
    scoped_problems = problems_for_user(user, campaign_obj, related=LEDGER_ROW_RELATED)
    problems = with_evaluation(ledger(scoped_problems, today=today, **filters))
    others = {k: v for k, v in filters.items() if k not in _FACETS}
    counts = ledger_counts(ledger(scoped_problems, today=today, **others), today)
    paginator = Paginator(problems, PAGE_SIZE)
    if all(filters.get(facet) in (None, "") for facet in ("state", "overdue", "light")):
        # No state, light or overdue filter: the table holds what the counts counted.
        paginator.count = counts.total
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    latest = latest_updates(rows)
    return render(
        request,
        "rectification/ledger.html",
        {
            "campaign": campaign_obj,
            "form": form,
            "page_obj": page,
            "rows": [(p, latest.get(p.pk)) for p in rows],
            "columns": _columns(filters["ordering"]),
            "state_counts": [(s.value, s.label, counts.by_state[s.value]) for s in ProblemState],
            "light_counts": [(lt.value, lt.label, counts.by_light[lt.value]) for lt in Light],
            "total": counts.total,
            "today": today,
            "can_add": units_for_problems(campaign_obj, user).exists(),
            "filtered": any(v not in (None, "") for k, v in filters.items() if k != "ordering"),
        },
    )


# ---------------------------------------------------------------- recording and editing


def _shown_again(
    form: ProblemForm, measures: forms.BaseFormSet, **form_kwargs: Any
) -> tuple[ProblemForm, forms.BaseFormSet]:
    """The form and one more empty measure row, filled with what was typed, unchecked."""
    form_initial = {**form.initial, **posted_values(form)}
    again = ProblemForm(None, initial=form_initial, **form_kwargs)
    rows = [posted_values(f) for f in measures.forms]
    return again, MeasureFormSet(initial=rows, prefix=MEASURES_PREFIX)


def _valid(form: forms.Form, measures: forms.BaseFormSet) -> bool:
    # Both are checked, so every mistake shows at once.
    return all([form.is_valid(), measures.is_valid()])


def _put_errors(form: ProblemForm, error: ValidationError) -> list[str]:
    """Field errors go on the form; the measures' errors come back for their table."""
    measure_errors: list[str] = []
    if hasattr(error, "error_dict") and "measures" in error.error_dict:
        measure_errors = [m for e in error.error_dict.pop("measures") for m in e.messages]
        form.add_error(None, measure_errors)
    if not hasattr(error, "error_dict") or error.error_dict:
        add_service_errors(form, error)
    return measure_errors


def _form_suggestions(form: ProblemForm, campaign_id: int) -> list:
    """Suggested themes for the text in the form, while no theme is chosen."""
    if form["theme"].value():
        return []
    texts = [form[name].value() or "" for name in ("description", "target_standard")]
    return theme_suggestions_for_text(campaign_id, *texts)


@login_required
def problem_create_view(request: HttpRequest, campaign: str) -> HttpResponse:
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    units = list(units_for_problems(campaign_obj, user)[:2])
    if not units:
        raise PermissionDenied
    token = (request.POST if request.method == "POST" else request.GET).get("origin", "")
    source = get_source_for_user(user, token) if token else None
    kwargs = {"campaign": campaign_obj, "user": user}
    initial: dict[str, Any] = {"origin": token}
    if len(units) == 1:  # a unit's contact: the only unit they may record for
        initial["unit"] = units[0].pk
    if source is not None:
        # Each kind of source suggests what it knows (its note, unit, text, theme …).
        initial.update(kind_of(source).initial(source))
    data = request.POST if request.method == "POST" else None
    form = ProblemForm(data, initial=initial, **kwargs)
    measures = MeasureFormSet(data, prefix=MEASURES_PREFIX)
    measure_errors: list[str] = []
    if data is not None and "add_measure" in data:
        form, measures = _shown_again(form, measures, **kwargs)
    elif data is not None and _valid(form, measures):
        fields = form.problem_fields()
        try:
            problem = services.problem_create(
                actor=user,
                campaign=campaign_obj,
                measures=measure_inputs(measures),
                source_object=source,
                open_now="open" in data,
                **fields,
            )
        except ValidationError as exc:
            measure_errors = _put_errors(form, exc)
        else:
            if problem.state == ProblemState.OPEN:
                messages.success(request, _("The problem was put on the ledger."))
            else:
                messages.success(request, _("The problem was saved as a draft."))
            return redirect(problem_url(problem))
    return render(
        request,
        "rectification/problem_form.html",
        {
            "campaign": campaign_obj,
            "form": form,
            "measures": measures,
            "measure_errors": measure_errors,
            "problem": None,
            "source": source,
            "theme_suggestions": _form_suggestions(form, campaign_obj.pk),
        },
    )


def problem_version(problem: Problem) -> str:
    """What the edit form compares: the row, and its measures (ticked off elsewhere
    without saving the problem)."""
    measures = problem.measures.order_by("pk").values_list("pk", "text", "deadline", "done")
    return f"{stamp(problem.updated_at)}-{digest(measures)}"


def _audited_rows(problem: Problem) -> list[tuple[type, list[int]]]:
    measures = list(problem.measures.values_list("pk", flat=True))
    return [(Problem, [problem.pk]), (Measure, measures)]


def _stale_message(stale: StaleEdit) -> str:
    if stale.missing:
        return _(
            "The form did not say which version of this problem you started from, so your "
            "changes were not saved: compare them with the current version below and save again."
        )
    if stale.actor is not None:
        return _(
            "%(who)s changed this problem at %(when)s, while you were editing it. Your changes "
            "were not saved: compare them with the current version below and save again."
        ) % {"who": stale.actor_name, "when": stale.when}
    return _(
        "This problem was changed at %(when)s, while you were editing it. Your changes were "
        "not saved: compare them with the current version below and save again."
    ) % {"when": stale.when}


def _measure_rows(problem: Problem) -> list[dict[str, Any]]:
    return [
        {"text": m.text, "deadline": m.deadline, "done": m.done}
        for m in problem.measures.order_by("order", "id")
    ]


def _refused_form(data: Any, stale: StaleEdit, **form_kwargs: Any) -> ProblemForm:
    """What the user typed, now carrying the current version: saving again is deliberate."""
    again = data.copy()
    again["version"] = stale.current
    form = ProblemForm(
        again, initial=ProblemForm.initial_for(form_kwargs["problem"]), **form_kwargs
    )
    form.is_valid()
    form.add_error(None, _stale_message(stale))
    return form


def _save(
    request: HttpRequest, problem: Problem, form: ProblemForm, measures: forms.BaseFormSet
) -> Problem:
    user = request.user
    problem = services.problem_update(
        actor=user,
        problem=problem,
        # The service leaves unchanged measures alone: the history shows real changes.
        measures=measure_inputs(measures),
        **form.problem_fields(),
    )
    if "open" in request.POST:
        problem = services.problem_open(actor=user, problem=problem)
    return problem


@login_required
def problem_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    problem = get_problem_for_user(user, pk)
    if not user.has_perm("rectification.change_problem", problem):
        raise PermissionDenied
    kwargs = {"campaign": problem.campaign, "user": user, "problem": problem}
    initial = {**ProblemForm.initial_for(problem), "version": problem_version(problem)}
    data = request.POST if request.method == "POST" else None
    form = ProblemForm(data, initial=initial, **kwargs)
    measures = MeasureFormSet(data, initial=_measure_rows(problem), prefix=MEASURES_PREFIX)
    measure_errors: list[str] = []
    stale: StaleEdit | None = None
    if data is not None and "add_measure" in data:
        form, measures = _shown_again(form, measures, **kwargs)
    elif data is not None and _valid(form, measures):
        try:
            with transaction.atomic():
                stale = check_version(
                    problem,
                    form.cleaned_data.get("version"),
                    version=problem_version,
                    audited_rows=_audited_rows,
                )
                if stale is None:
                    problem = _save(request, problem, form, measures)
        except ValidationError as exc:
            measure_errors = _put_errors(form, exc)
        else:
            if stale is None:
                if "open" in data:
                    messages.success(request, _("The problem was saved and put on the ledger."))
                else:
                    messages.success(request, _("The problem was saved."))
                return redirect(problem_url(problem))
            problem = get_problem_for_user(user, pk)
            kwargs["problem"] = problem
            form = _refused_form(data, stale, **kwargs)
    return render(
        request,
        "rectification/problem_form.html",
        {
            "campaign": problem.campaign,
            "form": form,
            "measures": measures,
            "measure_errors": measure_errors,
            "problem": problem,
            "source": None,
            "theme_suggestions": _form_suggestions(form, problem.campaign_id),
            "stale": stale,
            "current_measures": _measure_rows(problem) if stale else [],
            "current_supporting": list(problem.supporting_units.all()) if stale else [],
        },
    )


# ---------------------------------------------------------------- the problem page


@dataclass(frozen=True)
class ProblemAction:
    """One thing a user can do to a problem from its page: a form, a permission, a service."""

    perm: str
    form: type[forms.Form]
    run: Callable[[User, Problem, dict[str, Any]], object]
    done: str


ACTIONS: dict[str, ProblemAction] = {
    "open": ProblemAction(
        "rectification.open_problem",
        NoFieldsForm,
        lambda user, p, d: services.problem_open(actor=user, problem=p),
        gettext_lazy("The problem is on the ledger."),
    ),
    "progress": ProblemAction(
        "rectification.add_progress",
        ProgressForm,
        lambda user, p, d: services.progress_add(
            actor=user, problem=p, text=d["text"], files=d["files"], reported_on=d["reported_on"]
        ),
        gettext_lazy("The progress update was posted."),
    ),
    "complete": ProblemAction(
        "rectification.complete_problem",
        CompleteForm,
        lambda user, p, d: services.problem_complete(
            actor=user, problem=p, note=d["note"], files=d["files"]
        ),
        gettext_lazy("The problem is marked completed and awaits verification."),
    ),
    "send_back": ProblemAction(
        "rectification.send_back_problem",
        SendBackForm,
        lambda user, p, d: services.problem_send_back(actor=user, problem=p, comment=d["comment"]),
        gettext_lazy("The problem was sent back with your comment."),
    ),
    "verify": ProblemAction(
        "rectification.verify_problem",
        VerifyForm,
        lambda user, p, d: services.problem_verify(actor=user, problem=p, comment=d["comment"]),
        gettext_lazy("The problem is verified and signed off."),
    ),
    "carry_over": ProblemAction(
        "rectification.carry_over_problem",
        CarryOverForm,
        lambda user, p, d: services.problem_carry_over(actor=user, problem=p, reason=d["reason"]),
        gettext_lazy("The problem was carried over."),
    ),
    "reopen": ProblemAction(
        "rectification.reopen_problem",
        ReopenForm,
        lambda user, p, d: services.problem_reopen(actor=user, problem=p, reason=d["reason"]),
        gettext_lazy("The problem was reopened and is back in progress."),
    ),
    "extension": ProblemAction(
        "rectification.request_extension",
        ExtensionRequestForm,
        lambda user, p, d: services.extension_request(
            actor=user,
            problem=p,
            reason=d["reason"],
            requested_deadline=d["requested_deadline"],
            progress_so_far=d["progress_so_far"],
        ),
        gettext_lazy("The extension was requested from the campaign office."),
    ),
    "evaluation_open": ProblemAction(
        "rectification.open_evaluation",
        NoFieldsForm,
        lambda user, p, d: services.evaluation_open(actor=user, problem=p),
        gettext_lazy("The problem is open to the members' evaluation."),
    ),
    "evaluation_close": ProblemAction(
        "rectification.close_evaluation",
        NoFieldsForm,
        lambda user, p, d: services.evaluation_close(actor=user, problem=p),
        gettext_lazy("The evaluation is closed."),
    ),
    "theme": ProblemAction(
        "rectification.change_problem",
        ThemeAcceptForm,
        lambda user, p, d: services.problem_update(actor=user, problem=p, theme=d["theme"]),
        gettext_lazy("The problem was filed under the theme."),
    ),
    "vote": ProblemAction(
        "rectification.vote_problem",
        VoteForm,
        lambda user, p, d: services.vote_cast(
            actor=user, problem=p, rating=d["rating"], comment=d["comment"]
        ),
        gettext_lazy("Thank you: your evaluation was recorded."),
    ),
}
DECIDE = "decide"


def _detail_context(
    request: HttpRequest, problem: Problem, *, failed: tuple[str, forms.Form] | None = None
) -> dict[str, Any]:
    user = request.user
    today = clock.today()
    # The page and the evaluator predicate both read the supporting units: load them once.
    prefetch_related_objects([problem], "supporting_units")
    extensions = problem_extensions(problem)
    pending = next((e for e in extensions if e.state == ExtensionState.REQUESTED), None)
    action_forms: dict[str, forms.Form] = {}
    for name, action in ACTIONS.items():
        if user.has_perm(action.perm, problem):
            action_forms[name] = action.form(prefix=name)
    if pending is not None and user.has_perm("rectification.decide_extension", pending):
        action_forms[DECIDE] = ExtensionDecideForm(prefix=DECIDE)
    if failed is not None:
        action_forms[failed[0]] = failed[1]
    results = evaluation_results(problem) if problem.evaluation_round else None
    can_edit = user.has_perm("rectification.change_problem", problem)
    return {
        "problem": problem,
        "light": problem.light(today),
        "today": today,
        "supporting_units": list(problem.supporting_units.all()),
        "measures": list(problem.measures.order_by("order", "id")),
        "outcomes": outcomes_for_problem(user, problem),
        "updates": problem_updates(problem),
        "extensions": extensions,
        "pending_extension": pending,
        "results": results,
        "flagged": results is not None
        and results.flagged
        and problem.state == ProblemState.VERIFIED,
        "my_vote": vote_of(user, problem) if problem.evaluation_round else None,
        "source": source_for_user(user, problem),
        "history": problem_history(problem),
        "can_edit": can_edit,
        # Whoever may change the problem files it under a theme: suggest one.
        "theme_suggestions": problem_theme_suggestions(problem) if can_edit else [],
        "action_forms": action_forms,
        "failed": failed[0] if failed else None,
    }


@login_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_problem_for_user(request.user, pk)
    return render(request, "rectification/problem_detail.html", _detail_context(request, problem))


def _refused(request: HttpRequest, pk: int, name: str, form: forms.Form) -> HttpResponse:
    """The problem page again, the refused form showing its errors and what was typed."""
    if form.files:
        form.add_error(
            None, _("Files are not kept when the form has errors: please choose your files again.")
        )
    problem = get_problem_for_user(request.user, pk)
    context = _detail_context(request, problem, failed=(name, form))
    return render(request, "rectification/problem_detail.html", context)


@login_required
@require_POST
def problem_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One move on a problem: open, progress, complete, send back, verify, vote …"""
    user = request.user
    problem = get_problem_for_user(user, pk)
    spec = ACTIONS[action]
    form = spec.form(request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        if not user.has_perm(spec.perm, problem):
            raise PermissionDenied
        return _refused(request, pk, action, form)
    try:
        spec.run(user, problem, form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _refused(request, pk, action, form)
    messages.success(request, str(spec.done))
    return redirect(problem_url(problem))


@login_required
@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign office grants or refuses a pending extension request."""
    extension = get_extension_for_user(request.user, pk)
    problem = extension.problem
    form = ExtensionDecideForm(request.POST, prefix=DECIDE)
    decision = request.POST.get("decision")
    if decision not in {"grant", "refuse"} or not form.is_valid():
        if not request.user.has_perm("rectification.decide_extension", extension):
            raise PermissionDenied
        form.add_error(None, _("Choose whether to grant or refuse the extension."))
        return _refused(request, problem.pk, DECIDE, form)
    try:
        services.extension_decide(
            actor=request.user,
            extension=extension,
            grant=decision == "grant",
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _refused(request, problem.pk, DECIDE, form)
    if decision == "grant":
        messages.success(request, _("The extension was granted: the deadline has moved."))
    else:
        messages.success(request, _("The extension was refused with your comment."))
    return redirect(problem_url(problem))


@login_required
@require_POST
def measures_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick measures off (or back on): the boxes ticked are the measures done."""
    problem = get_problem_for_user(request.user, pk)
    if not request.user.has_perm("rectification.change_problem", problem):
        raise PermissionDenied
    ticked = set(request.POST.getlist("done"))
    changed = 0
    with transaction.atomic():
        for measure in problem.measures.order_by("order", "id"):
            done = str(measure.pk) in ticked
            if done != measure.done:
                measure.problem = problem
                services.measure_set_done(actor=request.user, measure=measure, done=done)
                changed += 1
    if changed:
        messages.success(request, _("The measures were updated."))
    return redirect(problem_url(problem))


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_attachment_for_user(request.user, pk)
    return download_response(attachment)
