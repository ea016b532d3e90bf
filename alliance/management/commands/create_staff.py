from getpass import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from alliance.services import secretariat_bootstrap
from gdpa.accounts import services
from gdpa.accounts.models import User


class Command(BaseCommand):
    help = "Create an IOM staff account (the first one on a new installation)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("full_name")

    def handle(self, *args, email: str, full_name: str, **options):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            password = getpass("Password: ")
            try:
                user = services.user_create(
                    email=email, full_name=full_name, password=password, email_verified=True
                )
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
        with scopes_disabled():  # system work: joins the person to the IOM organization
            secretariat_bootstrap(user=user)
        self.stdout.write(
            self.style.SUCCESS(
                f"{user.email} is IOM staff. Two-factor authentication is asked for on the first staff page."
            )
        )
