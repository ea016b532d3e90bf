from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("contact/", views.contact, name="contact"),
    path("health/", views.health, name="health"),
    path("ready/", views.ready, name="ready"),
    path("staff/people/<int:pk>/", views.staff_person, name="staff_person"),
]
