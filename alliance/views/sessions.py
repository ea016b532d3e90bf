from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from gdpa.accounts.permissions import staff_required
from gdpa.http.kept_pages import kept_page
from gdpa.portal.forms import apply_validation_error
from gdpa.portal.htmx import attempt, attempt_returning, is_partial_request, notify, render_region

from .. import calendar, permissions, selectors, services
from ..forms import (
    AgendaFormSet,
    CheckinForm,
    DocumentForm,
    RsvpForm,
    SessionForm,
    SessionInviteForm,
    SummaryForm,
    agenda_items,
)
from ..models import AllianceSession, Participant

__all__ = [
    "calendar_feed",
    "calendar_feed_reset",
    "my_sessions",
    "rsvp_link",
    "session",
    "session_attendance",
    "session_cancel",
    "session_checkin",
    "session_create",
    "session_document",
    "session_document_add",
    "session_edit",
    "session_held",
    "session_ics",
    "session_invite",
    "session_rsvp",
    "session_summary",
    "staff_sessions",
]

PARTICIPANTS_PER_PAGE = 100
SESSIONS_PER_PAGE = 20


# Participants ----------------------------------------------------------------------------


@kept_page
@login_required
def my_sessions(request):
    """The person's invitations, upcoming and past, a page of each at a time. The private
    calendar address shows once the person has asked for it (a POST creates it)."""
    upcoming = Paginator(selectors.invitations_of(request.user), SESSIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    past = Paginator(selectors.past_invitations_of(request.user), SESSIONS_PER_PAGE).get_page(
        request.GET.get("past")
    )
    feed = selectors.calendar_feed_of(request.user)
    return render(
        request,
        "alliance/sessions/mine.html",
        {
            "upcoming": upcoming,
            "past": past,
            "feed_url": request.build_absolute_uri(
                reverse("alliance:calendar_feed", args=[feed.token])
            )
            if feed
            else "",
        },
    )


def _rsvp_context(session, participant, **extra) -> dict:
    """What the session page's answer region shows (the whole answer to an RSVP)."""
    return {
        "session": session,
        "participant": participant,
        "show_join_link": participant is not None
        and participant.rsvp == Participant.Rsvp.ACCEPTED
        and session.join_link_open(timezone.now()),
        "join_opens_at": session.starts_at - AllianceSession.JOIN_OPENS_BEFORE,
        "rsvp_form": RsvpForm(),
        **extra,
    }


def _session_context(request, session, participant, **extra) -> dict:
    now = timezone.now()
    return {
        **_rsvp_context(session, participant),
        "can_manage": permissions.can_manage_sessions(request.user),
        "can_mark_held": session.can_become(AllianceSession.Status.HELD)
        and session.starts_at <= now,
        "can_cancel": session.can_become(AllianceSession.Status.CANCELLED),
        "can_check_in": participant is not None
        and session.takes_place
        and participant.is_going
        and session.starts_at - AllianceSession.JOIN_OPENS_BEFORE <= now <= session.ends_at,
        "checkin_form": CheckinForm(),
        **selectors.session_detail(session),
        **extra,
    }


@kept_page
@login_required
def session(request, pk: int):
    session, participant = permissions.access_session(request.user, pk)
    return render(
        request, "alliance/sessions/detail.html", _session_context(request, session, participant)
    )


@login_required
@require_POST
def session_rsvp(request, pk: int):
    session, participant = permissions.access_session(request.user, pk)
    if participant is None:
        raise Http404
    form = RsvpForm(request.POST)
    if not form.is_valid():
        ok, notice = False, notify(request, _("Choose accept, tentative or decline."), ok=False)
    else:
        ok, notice, saved = attempt_returning(
            request,
            lambda: services.rsvp_set(
                participant=participant, answer=form.cleaned_data["answer"], user=request.user
            ),
            lambda saved: (
                _("Your answer is saved: %(answer)s.") % {"answer": saved.get_rsvp_display()}
            ),
        )
        # The answer as saved; a refused one changed nothing, so the row read above stands.
        participant = saved or participant
    from_dashboard = request.GET.get("from") == "dashboard"
    if not is_partial_request(request):
        if from_dashboard:
            return redirect("portal:dashboard")
        return redirect("alliance:session", session.pk)
    status = 200 if ok else 422
    if from_dashboard:
        # The dashboard's row of this invitation (alliance/panels/sessions.html).
        participant.session = session
        row = {"p": participant, "notice": notice, "ok": ok}
        return render_region(request, "alliance/panels/sessions.html", "session-row", row, status)
    context = _rsvp_context(session, participant, notice=notice, ok=ok)
    return render_region(request, "alliance/sessions/detail.html", "rsvp", context, status)


def _link_error(request, error: ValidationError):
    return render(
        request, "alliance/sessions/rsvp_link.html", {"error": " ".join(error.messages)}, status=400
    )


def rsvp_link(request, token: str):
    """An answer link from an invitation e-mail: confirm on GET (link scanners do not
    answer for people), apply on POST. Works without signing in; each link once."""
    labels = dict(Participant.Rsvp.choices)
    if request.method == "POST":
        try:
            participant = services.rsvp_from_link(token=token)
        except ValidationError as error:
            return _link_error(request, error)
        return render(
            request,
            "alliance/sessions/rsvp_link.html",
            {"done": True, "participant": participant, "session": participant.session},
        )
    try:
        participant, answer = services.rsvp_link_peek(token=token)
    except ValidationError as error:
        return _link_error(request, error)
    session = participant.session
    return render(
        request,
        "alliance/sessions/rsvp_link.html",
        {
            "answer_label": labels[answer],
            "session": session,
            # "Pacific/Fiji" reads "Fiji time"; the reader's own time comes from the browser.
            "zone_place": session.time_zone.rsplit("/", 1)[-1].replace("_", " "),
        },
    )


@login_required
def session_ics(request, pk: int):
    session, participant = permissions.access_session(request.user, pk)
    response = HttpResponse(
        calendar.session_ics(session, participant), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="gdpa-session-{session.pk}.ics"'
    return response


def calendar_feed(request, token: str):
    """A person's private feed; the secret token in the address is the only key."""
    feed = permissions.access_calendar_feed(token)
    participants = list(selectors.invitations_of(feed.user, upcoming=False)[:500])
    body = calendar.feed_ics(participants, _("GDPA sessions"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@login_required
@require_POST
def calendar_feed_reset(request):
    if selectors.calendar_feed_of(request.user) is None:
        services.calendar_feed_get(user=request.user)
        messages.success(request, _("Your private calendar address is ready."))
    else:
        services.calendar_feed_reset(user=request.user)
        messages.success(
            request, _("Your calendar address was replaced; the old one no longer works.")
        )
    return redirect("alliance:my_sessions")


@login_required
@require_POST
def session_checkin(request, pk: int):
    session, participant = permissions.access_session(request.user, pk)
    if participant is None:
        raise Http404
    form = CheckinForm(request.POST)
    if form.is_valid():
        try:
            services.checkin(
                participant=participant, code=form.cleaned_data["code"], user=request.user
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("You are checked in. Welcome!"))
            return redirect("alliance:session", session.pk)
    return render(
        request,
        "alliance/sessions/detail.html",
        _session_context(request, session, participant, checkin_form=form),
        status=422,
    )


@login_required
def session_document(request, pk: int, document_pk: int):
    session, _participant = permissions.access_session(request.user, pk)
    document = permissions.access_document(request.user, session, document_pk)
    try:
        handle = document.file.open("rb")
    except OSError as exc:  # the file is gone from storage: missing, not a server error
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1])


# IOM staff -------------------------------------------------------------------------------


@staff_required
def staff_sessions(request):
    page = Paginator(selectors.sessions_for_staff(), 50).get_page(request.GET.get("page"))
    return render(request, "alliance/sessions/staff_list.html", {"page": page})


def _save_session(request, session=None):
    initial = (
        SessionForm.initial_for(session) if session else {"time_zone": "UTC", "status": "draft"}
    )
    form = SessionForm(request.POST or None, initial=initial, session=session)
    agenda_initial = (
        [
            {"title": a.title, "speaker": a.speaker, "duration_minutes": a.duration_minutes}
            for a in session.agenda_items.all()
        ]
        if session
        else []
    )
    agenda = AgendaFormSet(request.POST or None, initial=agenda_initial, prefix="agenda")
    if request.method == "POST" and "agenda_add" in request.POST:
        # "Add an agenda item" without JavaScript: the same page again with one more
        # row and everything typed kept; nothing is saved or checked yet.
        agenda = AgendaFormSet(
            agenda.with_another_row(request.POST), initial=agenda_initial, prefix="agenda"
        )
        agenda.forms[-1].fields["title"].widget.attrs["autofocus"] = True
        form = SessionForm(initial={field.name: field.data for field in form}, session=session)
        return render(
            request,
            "alliance/sessions/form.html",
            {"form": form, "agenda": agenda, "session": session},
        )
    if request.method == "POST" and form.is_valid() and agenda.is_valid():
        try:
            if session is None:
                session = services.session_create(
                    actor=request.user,
                    sectors=form.cleaned_data["sectors"],
                    agenda=agenda_items(agenda),
                    **form.service_fields(),
                )
                messages.success(request, _("The session was created."))
            else:
                session = services.session_update(
                    actor=request.user,
                    session=session,
                    sectors=form.cleaned_data["sectors"],
                    agenda=agenda_items(agenda),
                    **form.service_fields(),
                )
                messages.success(request, _("The session was saved."))
        except ValidationError as error:
            apply_validation_error(form, error, SessionForm.SERVICE_FIELDS)
        else:
            return redirect("alliance:session", session.pk)
    return render(
        request,
        "alliance/sessions/form.html",
        {"form": form, "agenda": agenda, "session": session},
        status=422 if request.method == "POST" else 200,
    )


@staff_required
def session_create(request):
    return _save_session(request)


@staff_required
def session_edit(request, pk: int):
    return _save_session(request, permissions.access_session_to_manage(request.user, pk))


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_cancel(request, pk: int):
    """GET asks for confirmation (works without JavaScript); POST cancels and tells
    everyone invited."""
    session = permissions.access_session_to_manage(request.user, pk)
    if request.method != "POST":
        return render(
            request,
            "alliance/sessions/cancel_confirm.html",
            {
                "session": session,
                "can_cancel": session.can_become(AllianceSession.Status.CANCELLED),
            },
        )
    attempt(
        request,
        lambda: services.session_cancel(actor=request.user, session=session),
        lambda _done: _("The session was cancelled; participants are told once."),
    )
    return redirect("alliance:session", session.pk)


@staff_required
@require_POST
def session_held(request, pk: int):
    session = permissions.access_session_to_manage(request.user, pk)
    attempt(
        request,
        lambda: services.session_mark_held(actor=request.user, session=session),
        lambda _done: _("The session is marked as held."),
    )
    return redirect("alliance:session", session.pk)


@staff_required
def session_invite(request, pk: int):
    session = permissions.access_session_to_manage(request.user, pk)
    form = SessionInviteForm(request.POST or None, initial={"guest_language": session.language})
    if request.method == "POST" and form.is_valid():
        try:
            count = services.session_invite(
                actor=request.user, session=session, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d person was invited; the e-mail is on its way.",
                    "%(count)d people were invited; the e-mails are on their way.",
                    count,
                )
                % {"count": count},
            )
            return redirect("alliance:session", session.pk)
    return render(
        request,
        "alliance/sessions/invite.html",
        {"form": form, "session": session},
        status=422 if request.method == "POST" else 200,
    )


@staff_required
def session_attendance(request, pk: int):
    session = permissions.access_session_to_manage(request.user, pk)
    page = Paginator(selectors.session_participants(session), PARTICIPANTS_PER_PAGE).get_page(
        request.GET.get("page") or request.POST.get("page")
    )
    notice, status = "", 200
    if request.method == "POST":
        shown = [int(x) for x in request.POST.getlist("shown") if x.isdigit()]
        attended = [int(x) for x in request.POST.getlist("attended") if x.isdigit()]
        try:
            count = services.attendance_record(
                actor=request.user, session=session, shown=shown, attended=attended
            )
            notice = ngettext(
                "Attendance saved: %(count)d person present on this page.",
                "Attendance saved: %(count)d people present on this page.",
                count,
            ) % {"count": count}
        except ValidationError as error:
            notice, status = " ".join(error.messages), 422
        if not is_partial_request(request):
            (messages.success if status == 200 else messages.error)(request, notice)
            return redirect(
                f"{reverse('alliance:session_attendance', args=[pk])}?page={page.number}"
            )
        page = Paginator(selectors.session_participants(session), PARTICIPANTS_PER_PAGE).get_page(
            page.number
        )
    context = {
        "session": session,
        "page": page,
        "notice": notice,
        "figures": selectors.participation_figures(session),
        "counts": selectors.session_detail(session)["counts"],
        "summary_form": SummaryForm(initial={"summary": session.summary}),
        "document_form": DocumentForm(),
    }
    return render_region(
        request, "alliance/sessions/attendance.html", "attendance", context, status
    )


@staff_required
@require_POST
def session_summary(request, pk: int):
    session = permissions.access_session_to_manage(request.user, pk)
    form = SummaryForm(request.POST)
    if form.is_valid():
        try:
            services.session_summary_publish(
                actor=request.user, session=session, summary=form.cleaned_data["summary"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The summary is published and sent to participants."))
    else:
        messages.error(request, _("Write the summary before publishing it."))
    return redirect("alliance:session_attendance", session.pk)


@staff_required
@require_POST
def session_document_add(request, pk: int):
    session = permissions.access_session_to_manage(request.user, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_add(
                actor=request.user,
                session=session,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The document was added."))
            return redirect("alliance:session", session.pk)
    return render(
        request,
        "alliance/sessions/document_form.html",
        {"form": form, "session": session},
        status=422,
    )
