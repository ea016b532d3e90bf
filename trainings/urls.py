from django.urls import path

from .views import certificates, learner, public, staff

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
