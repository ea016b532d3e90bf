from django.urls import path

from . import views

app_name = "trainings"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<int:pk>/", views.programme, name="programme"),
    path("offerings/<int:pk>/", views.offering, name="offering"),
    path("offerings/<int:pk>/enroll/", views.enroll, name="enroll"),
    path("offerings/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("staff/", views.staff_programmes, name="staff_programmes"),
    path("staff/new/", views.programme_create, name="programme_create"),
    path("staff/<int:pk>/", views.programme_edit, name="programme_edit"),
    path("staff/<int:pk>/offerings/new/", views.offering_create, name="offering_create"),
    path("staff/offerings/<int:pk>/", views.offering_edit, name="offering_edit"),
]
