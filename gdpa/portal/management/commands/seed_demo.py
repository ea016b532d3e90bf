from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_scopes import scopes_disabled

from gdpa.portal.registry import demo_seeders

DEMO_PASSWORD = "gdpa-demo-2026"  # noqa: S105 - printed for the demo, never for production


class Command(BaseCommand):
    help = "Load demo data through the real services (safe to run again) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default=DEMO_PASSWORD, help="Password of every demo account."
        )
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="Run even though DEBUG is off (a staging or test instance).",
        )

    def handle(self, *args, password: str, not_production: bool = False, **options):
        # The demo has a staff account with a known password and two-factor key.
        if not settings.DEBUG and not not_production:
            raise CommandError(
                "seed_demo creates accounts with a published password and two-factor key, "
                "so it runs only with DEBUG on (the local settings of `make run`). On a "
                "staging instance that is not production, pass --i-know-this-is-not-production."
            )
        logins: list[tuple[str, str]] = []
        # System work over every tenant: the seeders create organizations and their people.
        with transaction.atomic(), scopes_disabled():
            for seeder in demo_seeders():
                logins.extend(seeder(password))
        width = max(len(role) for role, _ in logins)
        self.stdout.write(
            self.style.SUCCESS("Demo data is ready. Sign in at /account/login/ with:")
        )
        for role, email in logins:
            self.stdout.write(f"  {role.ljust(width)}  {email}")
        self.stdout.write(f"  password for all: {password}")
