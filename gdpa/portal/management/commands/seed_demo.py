from django.core.management.base import BaseCommand
from django.db import transaction

from gdpa.portal.registry import demo_seeders

DEMO_PASSWORD = "gdpa-demo-2026"  # noqa: S105 - printed for the demo, never for production


class Command(BaseCommand):
    help = "Load demo data through the real services (safe to run again) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default=DEMO_PASSWORD, help="Password of every demo account."
        )

    def handle(self, *args, password: str, **options):
        logins: list[tuple[str, str]] = []
        with transaction.atomic():
            for seeder in demo_seeders():
                logins.extend(seeder(password))
        width = max(len(role) for role, _ in logins)
        self.stdout.write(
            self.style.SUCCESS("Demo data is ready. Sign in at /account/login/ with:")
        )
        for role, email in logins:
            self.stdout.write(f"  {role.ljust(width)}  {email}")
        self.stdout.write(f"  password for all: {password}")
