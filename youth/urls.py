from django.urls import path

from . import views

app_name = "youth"
urlpatterns = [
    path("join/", views.join, name="join"),
    path("consent/", views.consent, name="consent"),
    path("consent/withdraw/", views.consent_withdraw, name="consent_withdraw"),
]
