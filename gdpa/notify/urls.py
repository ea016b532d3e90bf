from django.urls import path

from . import views

app_name = "notify"
urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("resend/", views.email_resend, name="email_resend"),
    path("<int:pk>/", views.email_detail, name="email_detail"),
    path("suppressed/", views.suppressions, name="suppressions"),
    path("suppressed/lift/", views.suppression_lift, name="suppression_lift"),
]
