"""Two-factor secrets are encrypted at rest and hidden from the admin (issue 6, point 23)."""

import importlib

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from gdpa.accounts.adapters import ENCRYPTED_PREFIX, decrypt_secret, encrypt_secret
from gdpa.accounts.models import User
from tests import factories
from tests.gdpa.test_kernel_defaults import PRODUCTION_ENV, run_python

pytestmark = pytest.mark.django_db
migration = importlib.import_module("gdpa.accounts.migrations.0002_encrypt_mfa_secrets")


def current_totp(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def test_a_totp_secret_is_stored_encrypted_and_its_codes_still_validate(staff):
    stored = Authenticator.objects.get(user=staff, type=Authenticator.Type.TOTP)
    assert staff.totp_secret not in str(stored.data)
    assert stored.data["secret"].startswith(ENCRYPTED_PREFIX)
    code = current_totp(staff.totp_secret)
    wrong = f"{(int(code) + 500_000) % 1_000_000:06d}"
    assert not TOTP(stored).validate_code(wrong)
    assert TOTP(stored).validate_code(code)


def test_recovery_codes_seed_is_stored_encrypted_and_codes_work(staff):
    codes = RecoveryCodes.activate(staff)
    assert codes.instance.data["seed"].startswith(ENCRYPTED_PREFIX)
    first = codes.get_unused_codes()[0]
    fresh = RecoveryCodes(Authenticator.objects.get(pk=codes.instance.pk))
    assert fresh.validate_code(first)


def test_encryption_is_randomized_and_reversible():
    one, two = encrypt_secret("JBSWY3DPEHPK3PXP"), encrypt_secret("JBSWY3DPEHPK3PXP")
    assert one != two
    assert decrypt_secret(one) == decrypt_secret(two) == "JBSWY3DPEHPK3PXP"
    assert encrypt_secret(one) == one  # already encrypted: kept


def test_a_rotated_key_still_decrypts_old_secrets():
    old = "x6TUaLqAS1gq1d7c4mU6yGm1c8g0TnPp2oMXyQ3tVyw="
    new = "q2P9bB8mQmYy6yFQ3cVtqg7yE0Ck7oX0pQ5Hc3k1s2M="
    with override_settings(MFA_ENCRYPTION_KEY=[old]):
        stored = encrypt_secret("JBSWY3DPEHPK3PXP")
    with override_settings(MFA_ENCRYPTION_KEY=[new, old]):
        assert decrypt_secret(stored) == "JBSWY3DPEHPK3PXP"
    with override_settings(MFA_ENCRYPTION_KEY=[new]), pytest.raises(ImproperlyConfigured):
        decrypt_secret(stored)


def test_the_data_migration_encrypts_plain_secrets_once():
    user = factories.make_user()
    secret = generate_totp_secret()
    totp = Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": secret}
    )
    recovery = Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": "ab" * 40, "used_mask": 0, "migrated_codes": ["12345678"]},
    )
    migration.encrypt_secrets(apps, None)
    totp.refresh_from_db()
    recovery.refresh_from_db()
    assert totp.data["secret"].startswith(ENCRYPTED_PREFIX)
    assert recovery.data["seed"].startswith(ENCRYPTED_PREFIX)
    assert recovery.data["migrated_codes"][0].startswith(ENCRYPTED_PREFIX)
    assert recovery.data["used_mask"] == 0
    once = (totp.data, recovery.data)
    migration.encrypt_secrets(apps, None)  # idempotent
    totp.refresh_from_db()
    recovery.refresh_from_db()
    assert (totp.data, recovery.data) == once
    assert TOTP(totp).validate_code(current_totp(secret))
    migration.decrypt_secrets(apps, None)  # reversible
    totp.refresh_from_db()
    assert totp.data["secret"] == secret


def test_the_admin_shows_authenticators_read_only_without_their_secrets(rf):
    model_admin = admin.site._registry[Authenticator]
    request = rf.get("/admin/mfa/authenticator/")
    request.user = User(email="admin@example.org", is_staff=True, is_superuser=True)
    assert "data" not in model_admin.get_fields(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


@pytest.mark.parametrize("key", [None, "", "not-a-fernet-key"])
def test_production_settings_refuse_a_missing_or_bad_mfa_key(key):
    result = run_python(
        "import gdpa.settings.production", **{**PRODUCTION_ENV, "MFA_ENCRYPTION_KEY": key}
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "MFA_ENCRYPTION_KEY" in result.stderr
