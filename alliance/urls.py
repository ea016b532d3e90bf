from django.urls import path

from . import views

app_name = "alliance"
urlpatterns = [
    path("organizations/", views.my_organizations, name="my_organizations"),
    path("organizations/register/", views.organization_register, name="organization_register"),
    path("organizations/switch/", views.switch_organization, name="switch_organization"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization"),
    path("organizations/<int:pk>/invite/", views.invitation_send, name="invitation_send"),
    path(
        "organizations/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organizations/<int:pk>/members/<int:membership_pk>/role/",
        views.membership_role,
        name="membership_role",
    ),
    path(
        "organizations/<int:pk>/members/<int:membership_pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path(
        "organizations/<int:pk>/members/<int:membership_pk>/manage-right/",
        views.membership_manage_right,
        name="membership_manage_right",
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("staff/verification/", views.verification_queue, name="verification_queue"),
    path(
        "staff/verification/<int:pk>/approve/",
        views.verification_approve,
        name="verification_approve",
    ),
    path(
        "staff/verification/<int:pk>/reject/", views.verification_reject, name="verification_reject"
    ),
    path("staff/organizations/", views.staff_organizations, name="staff_organizations"),
    path(
        "staff/organizations/<int:pk>/record/",
        views.staff_organization,
        name="staff_organization",
    ),
    path("staff/organizations/new-government/", views.government_create, name="government_create"),
    path("staff/member-states/", views.member_states, name="member_states"),
    path("staff/sectors/", views.sectors, name="sectors"),
    path("sessions/", views.my_sessions, name="my_sessions"),
    path("sessions/<int:pk>/", views.session, name="session"),
    path("sessions/<int:pk>/rsvp/", views.session_rsvp, name="session_rsvp"),
    path("sessions/<int:pk>/calendar.ics", views.session_ics, name="session_ics"),
    path("sessions/<int:pk>/check-in/", views.session_checkin, name="session_checkin"),
    path(
        "sessions/<int:pk>/documents/<int:document_pk>/",
        views.session_document,
        name="session_document",
    ),
    path("sessions/answer/<str:token>/", views.rsvp_link, name="rsvp_link"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("calendar/reset/", views.calendar_feed_reset, name="calendar_feed_reset"),
    path("staff/sessions/", views.staff_sessions, name="staff_sessions"),
    path("staff/sessions/new/", views.session_create, name="session_create"),
    path("staff/sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("staff/sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("staff/sessions/<int:pk>/held/", views.session_held, name="session_held"),
    path("staff/sessions/<int:pk>/invite/", views.session_invite, name="session_invite"),
    path(
        "staff/sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"
    ),
    path("staff/sessions/<int:pk>/summary/", views.session_summary, name="session_summary"),
    path(
        "staff/sessions/<int:pk>/documents/",
        views.session_document_add,
        name="session_document_add",
    ),
    path("recommendations/", views.recommendations, name="recommendations"),
    path("recommendations/<int:pk>/", views.recommendation, name="recommendation"),
    path(
        "recommendations/<int:pk>/input/", views.recommendation_input, name="recommendation_input"
    ),
    path(
        "recommendations/<int:pk>/inputs/<int:input_pk>/answer/",
        views.recommendation_input_respond,
        name="recommendation_input_respond",
    ),
    path(
        "recommendations/<int:pk>/endorse/",
        views.recommendation_endorse,
        name="recommendation_endorse",
    ),
    path(
        "recommendations/<int:pk>/endorsements/<int:endorsement_pk>/withdraw/",
        views.recommendation_endorsement_withdraw,
        name="recommendation_endorsement_withdraw",
    ),
    path(
        "recommendations/<int:pk>/support/",
        views.recommendation_support,
        name="recommendation_support",
    ),
    path("staff/reports/", views.staff_reports, name="staff_reports"),
    path("staff/reports/new/", views.report_create, name="report_create"),
    path("staff/reports/<int:pk>/", views.report_detail, name="report"),
    path("staff/reports/<int:pk>/publish/", views.report_publish, name="report_publish"),
    path("staff/reports/<int:pk>/unpublish/", views.report_unpublish, name="report_unpublish"),
    path("reports/", views.public_reports, name="public_reports"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
]

from .views import imports as import_views  # noqa: E402
from .views import recommendation_versions, recommendations_staff  # noqa: E402

urlpatterns += [
    path("staff/recommendations/", recommendations_staff.staff_tracks, name="staff_tracks"),
    path(
        "staff/recommendations/tracks/new/",
        recommendations_staff.track_create,
        name="track_create",
    ),
    path(
        "staff/recommendations/tracks/<int:pk>/",
        recommendations_staff.staff_track,
        name="staff_track",
    ),
    path(
        "staff/recommendations/tracks/<int:pk>/edit/",
        recommendations_staff.track_edit,
        name="track_edit",
    ),
    path(
        "staff/recommendations/tracks/<int:pk>/new/",
        recommendations_staff.recommendation_create,
        name="recommendation_create",
    ),
    path(
        "staff/recommendations/<int:pk>/edit/",
        recommendations_staff.recommendation_edit,
        name="recommendation_edit",
    ),
    path(
        "staff/recommendations/<int:pk>/status/<str:status>/",
        recommendations_staff.recommendation_transition,
        name="recommendation_transition",
    ),
    path(
        "recommendations/<int:pk>/versions/",
        recommendation_versions.recommendation_versions,
        name="recommendation_versions",
    ),
    path(
        "recommendations/<int:pk>/versions/<int:version_pk>/",
        recommendation_versions.recommendation_version_diff,
        name="recommendation_version_diff",
    ),
    path("directory/", views.directory, name="directory"),
    path(
        "organizations/<int:pk>/listing/",
        views.organization_listing,
        name="organization_listing",
    ),
    path("staff/imports/", import_views.import_upload, name="import_upload"),
    path(
        "staff/imports/template/<str:kind>.csv",
        import_views.import_template,
        name="import_template",
    ),
    path("staff/imports/<str:token>/", import_views.import_preview, name="import_preview"),
    path("staff/imports/<str:token>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("staff/imports/<str:token>/result/", import_views.import_result, name="import_result"),
]
