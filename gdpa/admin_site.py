"""The technical administration site (/admin/), behind allauth's sign-in and two-factor.

Django's own admin login would skip allauth's second factor and rate limits, so the
login view is wrapped with allauth's ``secure_admin_login`` (it sends visitors to the
portal's sign-in), and only Django-admin users whose session passed two-factor
authentication get in. They see every tenant: each admin view runs with django-scopes
disabled once the site has let the person in (tenant isolation, docs/security.md).
"""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db import models
from django_scopes import scopes_disabled

#: Admin forms read an address typed without a scheme as https (Django 6's default), for
#: the model admins that edit links: ``formfield_overrides = HTTPS_LINKS``.
HTTPS_LINKS = {models.URLField: {"assume_scheme": "https"}}


class AdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        """Django's own ``is_staff`` (not the IOM-staff role: the operator's account need
        not have it) and two-factor authentication passed in this session."""
        from gdpa.accounts.permissions import passed_two_factor

        user = request.user
        return user.is_active and user.is_staff and passed_two_factor(user)

    def admin_view(self, view, cacheable=False):
        """Every admin page reads tenant-owned rows (memberships, invitations) of every
        organization; ``super().admin_view`` lets nobody reach ``view`` without
        ``has_permission``."""

        @wraps(view)
        def every_tenant(request, *args, **kwargs):
            with scopes_disabled():
                return view(request, *args, **kwargs)

        return super().admin_view(every_tenant, cacheable)

    def login(self, request, extra_context=None):
        from allauth.account.decorators import secure_admin_login

        return secure_admin_login(super().login)(request, extra_context)


class GDPAAdminConfig(AdminConfig):
    default_site = "gdpa.admin_site.AdminSite"
