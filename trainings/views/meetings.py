"""Training meetings. Staff schedule an offering's meetings, record attendance a page of
learners at a time and open check-in; learners check in with the code shown in the room
and ask for a reminder before enrollment closes (both on the offering page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from gdpa.accounts.permissions import staff_required
from gdpa.portal.forms import apply_validation_error
from gdpa.portal.htmx import attempt, is_partial_request, notify, render_region

from .. import attendance as attendance_services
from .. import meetings as meeting_services
from .. import permissions, reminders, selectors
from ..forms import CheckinCodeForm, MeetingForm, WindowReminderForm
from ..models import Offering
from .public import offering_context

MEETINGS_PER_PAGE = 50
LEARNERS_PER_PAGE = 100


# IOM staff: meetings ------------------------------------------------------------------------


@staff_required
def meetings(request, pk: int):
    offering = permissions.access_offering_to_manage(request.user, pk)
    page = Paginator(selectors.meetings_for_staff(offering), MEETINGS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "trainings/staff/meetings.html",
        {"offering": offering, "programme": offering.programme, "page": page},
    )


def _save_meeting(request, offering: Offering, meeting=None):
    posted = request.POST if request.method == "POST" else None
    form = MeetingForm(posted, offering=offering, meeting=meeting)
    if posted is not None and form.is_valid():
        try:
            if meeting is None:
                meeting_services.meeting_create(
                    actor=request.user, offering=offering, **form.service_fields()
                )
                messages.success(request, _("The meeting was added."))
            else:
                meeting_services.meeting_update(
                    actor=request.user, meeting=meeting, **form.service_fields()
                )
                messages.success(request, _("The meeting was saved."))
        except ValidationError as error:
            apply_validation_error(form, error, MeetingForm.SERVICE_FIELDS)
        else:
            return redirect("trainings:meetings", offering.pk)
    return render(
        request,
        "trainings/staff/meeting_form.html",
        {"form": form, "offering": offering, "programme": offering.programme, "meeting": meeting},
        status=422 if posted is not None else 200,
    )


@staff_required
def meeting_create(request, pk: int):
    return _save_meeting(request, permissions.access_offering_to_manage(request.user, pk))


@staff_required
def meeting_edit(request, pk: int):
    meeting = permissions.access_meeting_to_manage(request.user, pk)
    return _save_meeting(request, meeting.offering, meeting)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_delete(request, pk: int):
    """GET asks for confirmation (works without JavaScript); POST deletes."""
    meeting = permissions.access_meeting_to_manage(request.user, pk)
    if request.method != "POST":
        return render(
            request,
            "trainings/staff/meeting_delete.html",
            {
                "meeting": meeting,
                "offering": meeting.offering,
                "attended_count": meeting.attendance.count(),
            },
        )
    attempt(
        request,
        lambda: meeting_services.meeting_delete(actor=request.user, meeting=meeting),
        lambda _offering: _("The meeting was deleted."),
    )
    return redirect("trainings:meetings", meeting.offering_id)


# IOM staff: attendance and check-in ---------------------------------------------------------


@staff_required
def attendance(request, pk: int):
    """The enrolled learners of one meeting with a "present" box each; saving changes
    only the page shown (htmx swaps the list, without JavaScript the page reloads)."""
    meeting = permissions.access_meeting_to_manage(request.user, pk)
    offering = meeting.offering

    def learners(number):
        return Paginator(selectors.attendance_rows(meeting), LEARNERS_PER_PAGE).get_page(number)

    page = learners(request.GET.get("page") or request.POST.get("page"))
    notice, status = "", 200
    if request.method == "POST":
        shown = [int(x) for x in request.POST.getlist("shown") if x.isdigit()]
        present = [int(x) for x in request.POST.getlist("attended") if x.isdigit()]
        try:
            count = attendance_services.attendance_record(
                actor=request.user, meeting=meeting, shown=shown, attended=present
            )
            notice = ngettext(
                "Attendance saved: %(count)d learner present on this page.",
                "Attendance saved: %(count)d learners present on this page.",
                count,
            ) % {"count": count}
        except ValidationError as error:
            notice, status = " ".join(error.messages), 422
        if not is_partial_request(request):
            (messages.success if status == 200 else messages.error)(request, notice)
            return redirect(f"{reverse('trainings:attendance', args=[pk])}?page={page.number}")
        page = learners(page.number)
    context = {
        "meeting": meeting,
        "offering": offering,
        "programme": offering.programme,
        "meetings": selectors.meetings_for_staff(offering)[:MEETINGS_PER_PAGE],
        "meeting_count": offering.meetings.count(),
        "page": page,
        "notice": notice,
        "ok": status == 200,
    }
    return render_region(request, "trainings/staff/attendance.html", "attendance", context, status)


@staff_required
@require_POST
def checkin_open(request, pk: int):
    meeting = permissions.access_meeting_to_manage(request.user, pk)
    attempt(
        request,
        lambda: attendance_services.checkin_open(actor=request.user, meeting=meeting),
        lambda opened: (
            _("Check-in is open with the code %(code)s.") % {"code": opened.check_in_code}
        ),
    )
    return redirect("trainings:attendance", meeting.pk)


@staff_required
@require_POST
def checkin_close(request, pk: int):
    meeting = permissions.access_meeting_to_manage(request.user, pk)
    attempt(
        request,
        lambda: attendance_services.checkin_close(actor=request.user, meeting=meeting),
        lambda _closed: _("Check-in is closed."),
    )
    return redirect("trainings:attendance", meeting.pk)


# Learners: check-in and the reminder before enrollment closes -------------------------------


def _panel_response(request, offering, region: str, *, notice: str, ok: bool, form=None):
    """The offering page's meetings panel (htmx) or the whole page again (no JavaScript,
    refused); a plain form post that succeeded goes back to the page."""
    if not is_partial_request(request) and ok:
        return redirect("trainings:offering", offering.pk)
    offering = permissions.access_offering(request.user, offering.pk)
    extra = {"panel_notice": notice, "panel_ok": ok}
    if form is not None:
        extra["checkin_form"] = form
    context = offering_context(request, offering, **extra)
    if form is not None:
        context["meetings_panel"]["checkin_form"] = form
    status = 200 if ok else 422
    if not is_partial_request(request):
        return render(request, "trainings/offering.html", context, status=status)
    return render_region(request, "trainings/_meetings.html", region, context, status)


@login_required
@require_POST
def checkin(request, pk: int):
    offering = permissions.access_offering(request.user, pk)
    form = CheckinCodeForm(request.POST, auto_id="checkin-%s")
    ok, notice = False, ""
    if form.is_valid():
        try:
            attendance_services.checkin(
                user=request.user, offering=offering, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            ok, notice = True, notify(request, _("You are checked in. Welcome!"))
            form = None
    return _panel_response(request, offering, "meetings", notice=notice, ok=ok, form=form)


@login_required
@require_POST
def window_reminder(request, pk: int):
    """Ask for (``remind=on``) or cancel (``remind=off``) the e-mail sent 48 hours
    before enrollment closes."""
    offering = permissions.access_offering(request.user, pk)
    form = WindowReminderForm(request.POST)
    if not form.is_valid():
        ok, notice = False, notify(request, _("Choose whether to be reminded."), ok=False)
    elif form.cleaned_data["remind"] == "on":
        ok, notice = attempt(
            request,
            lambda: reminders.window_reminder_request(user=request.user, offering=offering),
            lambda _saved: _("We will e-mail you 48 hours before enrollment closes."),
        )
    else:
        ok, notice = attempt(
            request,
            lambda: reminders.window_reminder_cancel(user=request.user, offering=offering),
            lambda _saved: _("You will not be reminded."),
        )
    if not is_partial_request(request):
        return redirect("trainings:offering", offering.pk)
    return _panel_response(request, offering, "reminder", notice=notice, ok=ok)
