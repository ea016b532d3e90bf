from django.urls import path

from . import views

app_name = "youth"
urlpatterns = [
    path("join/", views.join, name="join"),
    path("consent/", views.consent, name="consent"),
    path("consent/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("consent/public/", views.public_consent_give, name="public_consent_give"),
    path(
        "consent/public/withdraw/",
        views.public_consent_withdraw,
        name="public_consent_withdraw",
    ),
    path("staff/settings/", views.settings, name="settings"),
    path("staff/figures/", views.figures, name="figures"),
]
