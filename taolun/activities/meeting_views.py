"""Meeting pages: thin callers of the meeting selectors and services.

Every read goes through ``get_meeting_for_user`` (404 outside scope); every write is a
service call whose PermissionDenied answers 403 and whose ValidationError is shown on
the form that was sent, with what the user typed kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from taolun.activities import meetings as services
from taolun.activities.meeting_forms import (
    AttendanceForm,
    AttendanceUnitForm,
    CheckMaterialForm,
    MeetingFilterForm,
    MeetingForm,
    StatementForm,
    StepForm,
    TalkForm,
)
from taolun.activities.meeting_selectors import (
    actions_for_meetings,
    attendance_people,
    attendance_units,
    get_check_material_for_user,
    get_meeting_for_user,
    get_statement_for_user,
    list_rows,
    meeting_attendances,
    meeting_kinds,
    meeting_view,
    meetings_for_user,
    meetings_listed,
    people_for_meeting,
    previous_choices,
    published_materials,
    units_for_meetings,
)
from taolun.activities.models import CheckMaterial, Meeting, MeetingKind
from taolun.campaigns.selectors import campaign_units_for_user, get_campaign_for_user
from taolun.core import clock
from taolun.core.uploads import download_response
from taolun.org.models import User
from taolun.rectification.selectors import problems_from_for_user, source_token

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET"])
def index(request: HttpRequest, campaign: str) -> HttpResponse:
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    form = MeetingFilterForm(
        request.GET or None,
        kinds=MeetingKind.objects.order_by("order", "code"),
        units=campaign_units_for_user(campaign_obj, user),
    )
    meetings = meetings_for_user(user).filter(record__campaign=campaign_obj)
    if form.is_bound and form.is_valid():
        unit = form.cleaned_data["unit"]
        meetings = meetings_listed(
            meetings, kind=form.cleaned_data["kind"], unit_path=unit.path if unit else None
        )
    elif form.is_bound:
        meetings = meetings_listed(meetings.none())
    else:
        meetings = meetings_listed(meetings)
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/index.html",
        {
            "campaign": campaign_obj,
            "form": form,
            "page_obj": page,
            "rows": list_rows(list(page.object_list)),
            "kinds": meeting_kinds(),
            "can_create": units_for_meetings(campaign_obj, user).exists(),
        },
    )


def _form_choices(user: User, campaign, units, *, unit=None, meeting: Meeting | None = None):
    """The querysets a meeting form offers; the chair is one of the unit's people (the
    campaign's own unit's while no unit is chosen)."""
    anchor = unit or campaign.owner_unit
    return {
        "kinds": MeetingKind.objects.order_by("order", "code"),
        "units": units,
        "actions": actions_for_meetings(campaign, units),
        "people": people_for_meeting(anchor, meeting),
        "previous": previous_choices(user, units=units, exclude=meeting),
        "materials": published_materials(campaign),
    }


def _chosen_unit(request: HttpRequest, units):
    """The unit sent (or asked for by ``?unit=``) when it is one of ``units``, else None."""
    wanted = request.POST.get("unit") or request.GET.get("unit") or ""
    return units.filter(pk=wanted).first() if wanted.isdigit() else None


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, campaign: str) -> HttpResponse:
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    units = units_for_meetings(campaign_obj, user)
    only = list(units[:2])
    if not only:
        raise PermissionDenied
    unit = only[0] if len(only) == 1 else _chosen_unit(request, units)
    initial = {"held_on": clock.today()}
    if unit is not None:
        initial["unit"] = unit.pk
    kind = MeetingKind.objects.filter(code=request.GET.get("kind", "")).first()
    if kind is not None:
        initial["kind"] = kind.pk
    form = MeetingForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        **_form_choices(user, campaign_obj, units, unit=unit),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                actor=user,
                kind=data["kind"],
                action=data["action"],
                unit=data["unit"],
                files=data["attachments"],
                materials=data["materials"],
                **form.meeting_fields(),
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The meeting was recorded as a draft record."))
            return redirect(meeting)
    if form.errors:
        form.note_lost_file("attachments")
    return render(
        request,
        "meetings/meeting_form.html",
        {"campaign": campaign_obj, "form": form, "meeting": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = get_meeting_for_user(user, pk)
    if not user.has_perm("activities.change_meeting", meeting):
        raise PermissionDenied
    record = meeting.record
    initial = {
        "title": record.title,
        "held_on": record.held_on,
        "place": record.place,
        "chair": meeting.chair_id,
        "theme": meeting.theme,
        "agenda": meeting.agenda,
        "attendees_note": meeting.attendees_note,
        "minutes": meeting.minutes,
        "duration_minutes": meeting.duration_minutes,
        "reported_up_on": meeting.reported_up_on,
        "previous": meeting.previous_id,
        "materials": list(meeting.materials.values_list("pk", flat=True)),
    }
    units = campaign_units_for_user(record.campaign, user).filter(pk=record.unit_id)
    form = MeetingForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        editing=True,
        **_form_choices(user, record.campaign, units, unit=record.unit, meeting=meeting),
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_update(
                actor=user,
                meeting=meeting,
                files=form.cleaned_data["attachments"],
                materials=form.cleaned_data["materials"],
                **form.meeting_fields(),
            )
        except ValidationError as exc:
            form.apply_errors(exc)
            meeting = get_meeting_for_user(user, pk)
        else:
            messages.success(request, _("The meeting was saved."))
            return redirect(meeting)
    if form.errors:
        form.note_lost_file("attachments")
    return render(
        request,
        "meetings/meeting_form.html",
        {"campaign": record.campaign, "form": form, "meeting": meeting},
    )


# ---------------------------------------------------------------- the meeting page


def _detail(
    request: HttpRequest,
    meeting: Meeting,
    *,
    step_form: StepForm | None = None,
    talk_form: TalkForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    record = meeting.record
    can_prepare = meeting.kind.prepared and user.has_perm("activities.prepare_meeting", meeting)
    view = meeting_view(meeting)
    previous = meeting.previous
    previous_readable = (
        previous is not None and meetings_for_user(user).filter(pk=previous.pk).exists()
    )
    people = people_for_meeting(record.unit, meeting) if can_prepare else None
    context = {
        "meeting": meeting,
        "record": record,
        "campaign": record.campaign,
        "view": view,
        "can_edit": user.has_perm("activities.change_meeting", meeting),
        "can_prepare": can_prepare,
        "can_record_problem": user.has_perm("rectification.add_problem", record.unit),
        "problems": list(problems_from_for_user(user, record)),
        "source_token": source_token(record),
        "previous": previous if previous_readable else None,
        "previous_problems": (
            list(problems_from_for_user(user, previous.record)) if previous_readable else []
        ),
        "materials": list(meeting.materials.all()) if meeting.kind.study else [],
        "step_form": step_form or _blank(can_prepare, StepForm, done_on=clock.today()),
        "talk_form": talk_form
        or _blank(can_prepare, TalkForm, people=people, held_on=clock.today()),
    }
    return render(request, "meetings/meeting_detail.html", context, status=status)


def _blank(shown: bool, form_class, *, people=None, **initial):
    """An empty preparation form for those who may use it (prefixed like the posted one)."""
    if not shown:
        return None
    prefix = "step" if form_class is StepForm else "talk"
    extra = {"people": people} if people is not None else {}
    return form_class(initial=initial, prefix=prefix, **extra)


@login_required
@require_http_methods(["GET"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_meeting_for_user(request.user, pk))


def _prepare(
    request: HttpRequest, pk: int, *, part: str, anchor: str, make_form, write, done: str
) -> HttpResponse:
    """Record one part of a meeting's preparation (a step, a talk) posted from its page;
    errors re-render the page with the form as typed under ``<part>_form``."""
    user = request.user
    meeting = get_meeting_for_user(user, pk)
    if not user.has_perm("activities.prepare_meeting", meeting):
        raise PermissionDenied
    form = make_form(request.POST, meeting)
    if form.is_valid():
        try:
            write(actor=user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, done)
            return redirect(f"{meeting.get_absolute_url()}#{anchor}")
    return _detail(request, meeting, status=400, **{f"{part}_form": form})


@login_required
@require_http_methods(["POST"])
def step(request: HttpRequest, pk: int) -> HttpResponse:
    return _prepare(
        request,
        pk,
        part="step",
        anchor="preparation-heading",
        make_form=lambda data, meeting: StepForm(data, prefix="step"),
        write=services.meeting_step_record,
        done=_("The preparation step was recorded."),
    )


@login_required
@require_http_methods(["POST"])
def talk_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _prepare(
        request,
        pk,
        part="talk",
        anchor="talks-heading",
        make_form=lambda data, meeting: TalkForm(
            data, prefix="talk", people=people_for_meeting(meeting.record.unit, meeting)
        ),
        write=services.heart_talk_add,
        done=_("The heart-to-heart talk was recorded."),
    )


# ---------------------------------------------------------------- attendance


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Who was there: the people recorded, plus those of one unit (``?unit=``) at a time.

    A province's meeting cannot list its whole subtree; the unit chooser loads another
    unit's people, and saving changes only the rows that were on the page.
    """
    user = request.user
    meeting = get_meeting_for_user(user, pk)
    if not user.has_perm("activities.change_meeting", meeting):
        raise PermissionDenied
    chooser = AttendanceUnitForm(
        request.GET if "unit" in request.GET else None,
        units=attendance_units(user, meeting),
        initial={"unit": meeting.record.unit.slug},
    )
    unit = meeting.record.unit
    if chooser.is_bound and chooser.is_valid():
        unit = chooser.cleaned_data["unit"]
    attendances = meeting_attendances(meeting)
    form = AttendanceForm(
        request.POST or None,
        people=attendance_people(meeting, attendances, unit),
        attendances=attendances,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_set(
                actor=user,
                meeting=meeting,
                present=form.present(),
                absent=form.absent(),
                shown=form.shown(),
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The attendance was saved."))
            return redirect(f"{meeting.get_absolute_url()}#attendance-heading")
    return render(
        request,
        "meetings/attendance_form.html",
        {
            "meeting": meeting,
            "record": meeting.record,
            "form": form,
            "chooser": chooser,
            "unit": unit,
        },
    )


# ---------------------------------------------------------------- statements


@login_required
@require_http_methods(["GET", "POST"])
def statement_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = get_meeting_for_user(user, pk)
    if not user.has_perm("activities.change_meeting", meeting):
        raise PermissionDenied
    form = StatementForm(
        request.POST or None,
        request.FILES or None,
        people=people_for_meeting(meeting.record.unit, meeting),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.statement_create(
                actor=user,
                meeting=meeting,
                upload=form.cleaned_data["upload"],
                order=form.cleaned_data["order"],
                **form.statement_fields(),
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The statement was added."))
            return redirect(f"{meeting.get_absolute_url()}#statements-heading")
    form.note_lost_file()
    return render(
        request,
        "meetings/statement_form.html",
        {"meeting": meeting, "record": meeting.record, "form": form, "statement": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def statement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    statement = get_statement_for_user(user, pk)
    meeting = statement.meeting
    if not user.has_perm("activities.change_meeting", meeting):
        raise PermissionDenied
    initial = {
        "order": statement.order,
        "kind": statement.kind,
        "speaker": statement.speaker_id,
        "speaker_title": statement.speaker_title,
        "about": statement.about_id,
        "title": statement.title,
        "text": statement.text,
    }
    form = StatementForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        people=people_for_meeting(meeting.record.unit, meeting),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = form.statement_fields()
        if data["order"] is not None:
            fields["order"] = data["order"]
        try:
            services.statement_update(
                actor=user,
                statement=statement,
                upload=data["upload"],
                remove_file=data["remove_file"],
                **fields,
            )
        except ValidationError as exc:
            form.apply_errors(exc)
            statement = get_statement_for_user(user, pk)
        else:
            messages.success(request, _("The statement was saved."))
            return redirect(f"{meeting.get_absolute_url()}#statements-heading")
    form.note_lost_file()
    return render(
        request,
        "meetings/statement_form.html",
        {"meeting": meeting, "record": meeting.record, "form": form, "statement": statement},
    )


@login_required
@require_http_methods(["POST"])
def statement_delete(request: HttpRequest, pk: int) -> HttpResponse:
    statement = get_statement_for_user(request.user, pk)
    meeting = statement.meeting
    services.statement_delete(actor=request.user, statement=statement)
    messages.success(request, _("The statement was removed."))
    return redirect(f"{meeting.get_absolute_url()}#statements-heading")


@login_required
@require_http_methods(["GET"])
def statement_file(request: HttpRequest, pk: int) -> FileResponse:
    statement = get_statement_for_user(request.user, pk)
    return download_response(statement)


# ---------------------------------------------------------------- check materials


@login_required
@require_http_methods(["GET", "POST"])
def check_material(request: HttpRequest, pk: int) -> HttpResponse:
    """The actor's own material, or (``?person=``) one the contact records for an attendee."""
    user = request.user
    meeting = get_meeting_for_user(user, pk)
    if not meeting.kind.prepared:
        raise Http404
    person = user
    wanted = request.GET.get("person", "")
    if wanted and wanted != str(user.pk):
        if not wanted.isdigit() or not user.has_perm("activities.prepare_meeting", meeting):
            raise PermissionDenied
        attendance_row = (
            meeting.attendances.select_related("person").filter(person_id=wanted).first()
        )
        if attendance_row is None:
            raise Http404
        person = attendance_row.person
    if not user.has_perm("activities.write_check_material", meeting):
        raise PermissionDenied
    material = CheckMaterial.objects.filter(meeting=meeting, person=person).first()
    form = CheckMaterialForm(
        request.POST or None,
        request.FILES or None,
        initial={"body": material.body if material else ""},
    )
    locked = material is not None and material.submitted_at is not None
    if request.method == "POST" and form.is_valid():
        try:
            services.check_material_save(
                actor=user,
                meeting=meeting,
                person=person,
                body=form.cleaned_data["body"],
                upload=form.cleaned_data["upload"],
                submit="submit" in request.POST,
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The comparison-and-check material was saved."))
            return redirect(f"{meeting.get_absolute_url()}#checks-heading")
    form.note_lost_file()
    return render(
        request,
        "meetings/check_material_form.html",
        {
            "meeting": meeting,
            "record": meeting.record,
            "form": form,
            "material": material,
            "person": person,
            "locked": locked,
        },
    )


@login_required
@require_http_methods(["GET"])
def check_file(request: HttpRequest, pk: int) -> FileResponse:
    material = get_check_material_for_user(request.user, pk)
    return download_response(material)
