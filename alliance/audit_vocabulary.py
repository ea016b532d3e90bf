"""What the alliance's audit entries and e-mails mean in words (see gdpa/audit/registry.py)."""

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gdpa.audit import formatters
from gdpa.audit.registry import register_action, register_field, register_values

#: Changes to these alone move a session in time.
TIMING_FIELDS = frozenset({"starts_at", "ends_at", "time_zone"})


def _session_update(changed: frozenset[str]):
    if changed and changed <= TIMING_FIELDS:
        return _("Session rescheduled")
    if changed == {"status"}:
        return _("Session status changed")
    return None


def _people(value) -> str:
    count = len(value) if isinstance(value, list | tuple) else int(value or 0)
    return ngettext("%(count)s person", "%(count)s people", count) % {"count": count}


def _names(model_name: str):
    """Sector or capital ids as their names in the reader's language."""

    def show(value) -> str:
        from django.apps import apps

        ids = value if isinstance(value, list | tuple) else [value]
        model = apps.get_model("alliance", model_name)
        found = {str(o.pk): o.name for o in model.objects.filter(pk__in=[str(i) for i in ids])}
        return ", ".join(sorted(found.get(str(i), str(i)) for i in ids))

    return show


def _member_state(value) -> str:
    from .models import MemberState

    state = MemberState.objects.filter(pk=value).first()
    return formatters.country(state.country.code) if state else str(value)


def register_audit_vocabulary() -> None:
    from .models import AllianceSession, Membership, MemberState, Organization, StaffImport

    actions = {
        "session.create": _("Session created"),
        "session.update": _("Session updated"),
        "session.cancel": _("Session cancelled"),
        "session.held": _("Session marked as held"),
        "session.document_add": _("Document added to a session"),
        "session.attendance": _("Attendance recorded"),
        "session.summary": _("Session summary published"),
        "session.invite": _("People invited to a session"),
        "organization.register": _("Organization registered"),
        "organization.verify": _("Organization verified"),
        "organization.reject": _("Organization rejected"),
        "organization.bootstrap": _("IOM organization created"),
        "member_state.create": _("Member state added"),
        "sector.create": _("Sector added"),
        "membership.add": _("Member added"),
        "membership.change_role": _("Member's role changed"),
        "membership.remove": _("Member removed"),
        "membership.grant_manage_members": _("Allowed to manage members"),
        "membership.revoke_manage_members": _("No longer allowed to manage members"),
        "invitation.create": _("Invitation sent"),
        "invitation.accept": _("Invitation accepted"),
        "invitation.revoke": _("Invitation withdrawn"),
        "recommendation_track.create": _("Recommendation track opened"),
        "recommendation_track.update": _("Recommendation track changed"),
        "recommendation.create": _("Recommendation drafted"),
        "recommendation.update": _("Recommendation reworded"),
        "recommendation.transition": _("Recommendation status changed"),
        "recommendation_input.create": _("Input given on a recommendation"),
        "recommendation_input.respond": _("Input answered"),
        "endorsement.create": _("Recommendation endorsed"),
        "endorsement.withdraw": _("Endorsement withdrawn"),
        "support.create": _("Organization support given"),
        "support.remove": _("Organization support taken back"),
        "organization.listing": _("Public directory listing changed"),
        "organization.import": _("Organization imported"),
        "import.confirm": _("Spreadsheet import confirmed"),
        "import.finish": _("Spreadsheet import finished"),
    }
    for code, label in actions.items():
        register_action(code, label, refine=_session_update if code == "session.update" else None)

    session = [
        ("title", _("title"), None),
        ("kind", _("kind"), formatters.choices(AllianceSession.Kind.choices)),
        ("description", _("description"), None),
        ("time_zone", _("session time zone"), None),
        ("starts_at", _("start time"), formatters.datetime),
        ("ends_at", _("end time"), formatters.datetime),
        ("format", _("format"), formatters.choices(AllianceSession.Format.choices)),
        ("join_url", _("join link"), None),
        ("venue", _("venue"), None),
        ("capacity", _("capacity"), None),
        ("status", _("status"), formatters.choices(AllianceSession.Status.choices)),
        ("attended", _("attended"), _people),
        ("absent", _("absent"), _people),
        ("invited", _("newly invited"), _people),
        ("already_invited", _("already invited"), _people),
    ]
    organization = [
        ("name", _("name"), None),
        ("kind", _("kind"), formatters.choices(Organization.Kind.choices)),
        ("status", _("status"), formatters.choices(Organization.Status.choices)),
        ("country", _("country where it is based"), formatters.country),
        ("member_state", _("member state"), _member_state),
        ("countries_of_origin", _("countries of origin"), formatters.countries),
        ("countries_of_residence", _("countries of residence"), formatters.countries),
        ("sectors", _("sectors"), _names("Sector")),
        ("capitals", _("diaspora capitals"), _names("DiasporaCapital")),
        ("website", _("website"), None),
        ("contact_email", _("contact e-mail"), None),
        ("contact_phone", _("contact phone"), None),
        ("description", _("description"), None),
        ("rejection_reason", _("reason for rejection"), None),
        ("listed_publicly", _("shown in the public directory"), formatters.boolean),
    ]
    member_state = [
        ("country", _("country"), formatters.country),
        ("joined_on", _("joined the alliance on"), formatters.date),
        ("status", _("status"), formatters.choices(MemberState.Status.choices)),
        ("is_benefiting", _("benefiting country"), formatters.boolean),
    ]
    role = formatters.choices(Membership.Role.choices)
    people = [
        ("user", _("person"), None),
        ("email", _("e-mail address"), None),
        ("role", _("role"), role),
    ]
    for scope, fields in [
        ("session", session),
        ("organization", organization),
        ("member_state", member_state),
        ("membership", people),
        ("invitation", people),
    ]:
        for name, label, formatter in fields:
            register_field(scope, name, label, formatter)
    register_field("organization", "file_name", _("imported from the file"))
    for name, label, formatter in [
        ("kind", _("what the file holds"), formatters.choices(StaffImport.Kind.choices)),
        ("file_name", _("file name"), None),
        ("rows", _("rows in the file"), None),
        ("new", _("new rows in the preview"), None),
        ("duplicate", _("duplicates in the preview"), None),
        ("invalid", _("rows with problems in the preview"), None),
        ("created", _("created"), None),
        ("skipped", _("skipped"), None),
    ]:
        register_field("import", name, label, formatter)
    register_field("sector", "name_en", _("name (English)"))
    register_field("sector", "name_fr", _("name (French)"))
    register_field("sector", "name_es", _("name (Spanish)"))

    register_values(
        "notify.outboundemail",
        "kind",
        [
            ("organization_invitation", _("Invitation to an organization")),
            ("organization_verified", _("Organization verified")),
            ("organization_rejected", _("Organization rejected")),
            ("session_invitation", _("Session invitation")),
            ("session_changed", _("Session changed")),
            ("session_cancelled", _("Session cancelled")),
            ("session_summary", _("Session summary")),
            ("session_reminder_7d", _("Session reminder, a week before")),
            ("session_reminder_1d", _("Session reminder, a day before")),
            ("session_reminder_1h", _("Session reminder, an hour before")),
        ],
    )
    register_recommendation_words()
    register_recommendation_report_vocabulary()


def _numbers(value) -> str:
    numbers = value if isinstance(value, list | tuple) else [value]
    return ", ".join(str(n) for n in numbers)


def _track(value) -> str:
    from .models import RecommendationTrack

    track = RecommendationTrack.objects.filter(pk=value).first()
    return track.title if track else str(value)


def _in_language(label, language):
    """``label`` ("title (%(language)s)") with a language name, both read when shown."""
    return lazy(lambda: str(label) % {"language": language}, str)()


def register_recommendation_words() -> None:
    """The fields staff change on the recommendation authoring pages."""
    from django.conf import settings

    from .models import Recommendation

    for code, language in settings.LANGUAGES:
        register_field(
            "recommendation", f"title_{code}", _in_language(_("title (%(language)s)"), language)
        )
        register_field(
            "recommendation", f"text_{code}", _in_language(_("text (%(language)s)"), language)
        )
    for field, label, formatter in [
        ("original_language", _("original language"), formatters.choices(settings.LANGUAGES)),
        ("rationale", _("rationale"), None),
        ("sdg_goals", _("Sustainable Development Goals"), _numbers),
        ("gcm_objectives", _("Global Compact for Migration objectives"), _numbers),
        ("nexus_pillar", _("nexus pillar"), formatters.choices(Recommendation.Nexus.choices)),
        ("status", _("status"), formatters.choices(Recommendation.Status.choices)),
        ("input_closes_at", _("input closes"), formatters.datetime),
        ("track", _("track"), _track),
        ("capitals", _("diaspora capitals"), _names("DiasporaCapital")),
    ]:
        register_field("recommendation", field, label, formatter)
    for field, label, formatter in [
        ("sector", _("sector"), _names("Sector")),
        ("title", _("title"), None),
        ("description", _("description"), None),
        ("sessions", _("sessions that discuss it"), _numbers),
    ]:
        register_field("recommendation_track", field, label, formatter)


def register_recommendation_report_vocabulary() -> None:
    """Words for the PDF reports of recommendations (alliance/services/reports.py)."""
    from django.conf import settings

    from .models import RecommendationReport

    for code, label in {
        "recommendation_report.request": _("Recommendation report asked for"),
        "recommendation_report.build": _("Recommendation report built"),
        "recommendation_report.publish": _("Recommendation report published"),
        "recommendation_report.unpublish": _("Recommendation report taken off the public page"),
    }.items():
        register_action(code, label)
    for name, label, formatter in [
        ("title", _("title"), None),
        ("language", _("language"), formatters.choices(settings.LANGUAGES)),
        ("period_start", _("period from"), formatters.date),
        ("period_end", _("period until"), formatters.date),
        ("sectors", _("sectors"), _names("Sector")),
        ("is_public", _("public"), formatters.boolean),
        ("status", _("status"), formatters.choices(RecommendationReport.Status.choices)),
        ("pages", _("pages"), None),
        ("recommendations", _("recommendations"), None),
        ("reused", _("file shared with report"), None),
    ]:
        register_field("recommendation_report", name, label, formatter)
