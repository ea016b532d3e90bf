import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("youth", "0001_initial")]
AFTER = [("youth", "0002_date_of_birth_consent_version")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    """Every app's newest migration: where the test database must be left."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_a_year_of_birth_becomes_the_latest_birthday_in_that_year():
    old = migrate(BEFORE)
    User = old.get_model("accounts", "User")
    user = User.objects.create(email="young@example.org", full_name="Young Person")
    old.get_model("youth", "YouthProfile").objects.create(
        user_id=user.pk,
        birth_year=2008,
        heritage_countries=["SV"],
        consent_at=datetime.datetime(2026, 11, 29, tzinfo=datetime.UTC),
    )
    try:
        new = migrate(AFTER)
        profile = new.get_model("youth", "YouthProfile").objects.get(user_id=user.pk)
        assert profile.date_of_birth == datetime.date(2008, 12, 31)
        assert profile.consent_version == "2026-11"

        back = migrate(BEFORE)
        assert (
            back.get_model("youth", "YouthProfile").objects.get(user_id=user.pk).birth_year == 2008
        )
    finally:
        migrate(latest())
