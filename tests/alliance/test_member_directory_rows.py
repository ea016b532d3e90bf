"""The directory's rows are drawn in Python (``alliance.member_directory_rows``): they must
escape what people typed, show dates in the viewer's time zone and language, and link
each row to its record, as the template did."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_countries.fields import Country

from alliance import member_directory_rows as rows
from alliance.models import Membership, Organization

SCRIPT = '<script>alert("x")</script>'


def _organization(**fields):
    values = {
        "pk": 7,
        "name": f"Acme {SCRIPT}",
        "kind": Organization.Kind.DIASPORA,
        "country": Country("FJ"),
        "status": Organization.Status.VERIFIED,
        "created_at": datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC),
        "member_count": 3,
    }
    return SimpleNamespace(**{**values, **fields})


def _person(**fields):
    organization = SimpleNamespace(name=f"Club {SCRIPT}")
    membership = SimpleNamespace(
        organization_id=9, organization=organization, role=Membership.Role.FOCAL_POINT
    )
    values = {
        "pk": 11,
        "full_name": f"Ana {SCRIPT}",
        "email": "ana@example.org",
        "country_of_residence": Country("PE"),
        "date_joined": datetime.datetime(2025, 12, 31, 23, 30, tzinfo=datetime.UTC),
        "last_activity": None,
        "directory_memberships": [membership],
    }
    return _Person(**{**values, **fields})


class _Person(SimpleNamespace):
    def __str__(self) -> str:
        return self.full_name


def test_what_people_typed_is_escaped_everywhere():
    html = rows.organization_rows([_organization()], checked=False) + rows.people_rows(
        [_person()], checked=False
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_rows_link_to_their_records_and_keep_the_selection():
    organization = rows.organization_rows([_organization()], checked=True)
    assert f'href="{reverse("alliance:staff_organization", args=[7])}"' in organization
    assert 'name="selected" value="7" id="pick-7" checked' in organization
    person = rows.people_rows([_person()], checked=False)
    assert f'href="{reverse("portal:staff_person", args=[11])}"' in person
    assert f'href="{reverse("alliance:staff_organization", args=[9])}"' in person
    assert 'name="person" value="11" id="pick-11" aria-label="Select Ana &lt;script&gt;' in person
    assert " checked" not in person


def test_dates_are_the_viewers_day_and_missing_values_say_so():
    # 23:30 UTC on 31 December is already 1 January in Tokyo and still 31 December in Lima.
    with timezone.override("Asia/Tokyo"), translation.override("en"):
        tokyo = rows.people_rows([_person()], checked=False)
    with timezone.override("America/Lima"), translation.override("en"):
        lima = rows.people_rows([_person(country_of_residence=Country(""))], checked=False)
    assert "Jan. 1, 2026" in tokyo and "Dec. 31, 2025" in lima
    assert 'data-label="Last activity">None</td>' in lima
    assert 'data-label="Country of residence">–</td>' in lima
    assert 'data-label="Organizations and roles">–</td>' in rows.people_rows(
        [_person(directory_memberships=[])], checked=False
    )


def test_labels_choices_and_countries_follow_the_language():
    with translation.override("fr"):
        html = rows.organization_rows([_organization()], checked=False)
        person = rows.people_rows([_person()], checked=False)
    assert 'data-label="Pays">Fidji</td>' in html
    assert '<span class="badge badge--verified">Vérifié</span>' in html
    assert "Pérou" in person
