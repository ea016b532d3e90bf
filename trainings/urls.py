from django.urls import path

from .views import feedback as feedback_views
from .views import learner, public, staff

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
]
