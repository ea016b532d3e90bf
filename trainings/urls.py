from django.urls import path

from .views import (
    approvals,
    certificates,
    learner,
    meetings,
    nominations,
    people_actions,
    public,
    staff,
)
from .views import feedback as feedback_views

app_name = "trainings"

urlpatterns = [
    path("", public.catalogue, name="catalogue"),
    path("<int:pk>/", public.programme, name="programme"),
    path("offerings/<int:pk>/", public.offering, name="offering"),
    path("offerings/<int:pk>/enroll/", learner.enroll, name="enroll"),
    path("offerings/<int:pk>/withdraw/", learner.withdraw, name="withdraw"),
    path("staff/", staff.staff_programmes, name="staff_programmes"),
    path("staff/new/", staff.programme_create, name="programme_create"),
    path("staff/<int:pk>/", staff.programme_edit, name="programme_edit"),
    path("staff/<int:pk>/offerings/new/", staff.offering_create, name="offering_create"),
    path("staff/offerings/<int:pk>/", staff.offering_edit, name="offering_edit"),
    path("offerings/<int:pk>/nominate/", nominations.nominate, name="nominate"),
    path(
        "offerings/<int:pk>/nominees/<int:enrollment_pk>/withdraw/",
        nominations.nominee_withdraw,
        name="nominee_withdraw",
    ),
    path("staff/nominate-people/", people_actions.staff_nominate, name="staff_nominate_people"),
    path("staff/approvals/", approvals.approval_queue, name="approval_queue"),
    path("staff/approvals/<int:pk>/approve/", approvals.approval_approve, name="approval_approve"),
    path("staff/approvals/<int:pk>/decline/", approvals.approval_decline, name="approval_decline"),
    path("offerings/<int:pk>/check-in/", meetings.checkin, name="checkin"),
    path("offerings/<int:pk>/remind/", meetings.window_reminder, name="window_reminder"),
    path("staff/offerings/<int:pk>/meetings/", meetings.meetings, name="meetings"),
    path("staff/offerings/<int:pk>/meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("staff/meetings/<int:pk>/", meetings.meeting_edit, name="meeting_edit"),
    path("staff/meetings/<int:pk>/delete/", meetings.meeting_delete, name="meeting_delete"),
    path("staff/meetings/<int:pk>/attendance/", meetings.attendance, name="attendance"),
    path("staff/meetings/<int:pk>/check-in/open/", meetings.checkin_open, name="checkin_open"),
    path("staff/meetings/<int:pk>/check-in/close/", meetings.checkin_close, name="checkin_close"),
    path("offerings/<int:pk>/feedback/", feedback_views.feedback, name="feedback"),
    path(
        "staff/offerings/<int:pk>/feedback/",
        feedback_views.offering_feedback,
        name="offering_feedback",
    ),
    path(
        "staff/offerings/<int:pk>/figures/",
        feedback_views.offering_figures,
        name="offering_figures",
    ),
    path("certificates/<int:pk>/pdf/", certificates.certificate_pdf, name="certificate_pdf"),
    path("verify/", certificates.verify, name="verify"),
    path("verify/<str:code>/", certificates.verify_code, name="verify_code"),
    path("badges/issuer/", certificates.badge_issuer, name="badge_issuer"),
    path("badges/programmes/<int:pk>/", certificates.badge_class, name="badge_class"),
    path("badges/assertions/<str:code>/", certificates.badge_assertion, name="badge_assertion"),
    path(
        "staff/offerings/<int:pk>/certificates/",
        certificates.offering_certificates,
        name="offering_certificates",
    ),
    path(
        "staff/offerings/<int:pk>/certificates/issue/",
        certificates.certificates_issue,
        name="certificates_issue",
    ),
    path(
        "staff/certificates/<int:pk>/revoke/",
        certificates.certificate_revoke,
        name="certificate_revoke",
    ),
]
