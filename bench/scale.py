"""Scale data for the benchmarks: member states, organizations and people, written in bulk.

    python -m bench.scale --database-url postgres://postgres@127.0.0.1:5432/gdpa_bench_scale \
        --organizations 10000 --people 100000

Deterministic (seeded), so two runs build the same alliance. Rows are bulk-inserted in
batches (the services would take hours at this size); what the services would add (audit
entries, e-mails) is not needed by the pages measured. Every person signs in with
``BENCH_PASSWORD``; ``staff@bench.example.org`` is IOM staff with two-factor vouched
for (``vouch_for_staff``), so a benchmark can drive staff pages. Benchmarks that need more
(sessions, enrollments, stories) build it on top of ``build_members``.
"""

import argparse
import os
import random
import time

from bench.common import check_database, create_database, log

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gdpa_bench_scale"
BENCH_PASSWORD = "bench-password-not-secret"
STAFF_EMAIL = "staff@bench.example.org"
BATCH = 5000

GIVEN = [
    "Amaia",
    "Bola",
    "Chen",
    "Dawit",
    "Elena",
    "Fatima",
    "Giorgi",
    "Hina",
    "Isabel",
    "Juan",
    "Kalani",
    "Lina",
    "Mele",
    "Nino",
    "Oscar",
    "Priya",
    "Rosa",
    "Sefa",
    "Tamar",
    "Vikash",
]
FAMILY = [
    "Quispe",
    "Naidu",
    "Beridze",
    "Ramgoolam",
    "Hernandez",
    "Tuilagi",
    "Mendoza",
    "Kapanadze",
    "Seebaluck",
    "Flores",
    "Rokotuiwai",
    "Gomez",
]
WORDS = [
    "Diaspora",
    "Network",
    "Council",
    "Alliance",
    "Association",
    "Forum",
    "Institute",
    "Foundation",
    "Union",
    "Circle",
]


def reset_database(database_url: str) -> None:
    """Drop and create the benchmark database (``check_database`` has vetted its name)."""
    import environ
    import psycopg
    from psycopg import sql

    check_database(database_url)
    db = environ.Env.db_url_config(database_url)
    with psycopg.connect(
        host=db["HOST"],
        port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres",
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db["NAME"]))
        )
    create_database(database_url)


def setup_django(database_url: str, settings: str = "gdpa.settings.local") -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": settings,
            "DEBUG": "False",
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()


def _batched(objects, model):
    batch = []
    for obj in objects:
        batch.append(obj)
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)


def build_members(*, organizations: int, people: int, member_states: int = 175, seed: int = 11):
    """Build the alliance in a new, empty database (``reset_database`` first): the
    reference data (sectors, capitals) comes from the migrations. Returns what was built."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django_countries import countries

    from alliance.models import DiasporaCapital, Membership, MemberState, Organization, Sector
    from gdpa.accounts.models import Gender
    from gdpa.accounts.permissions import vouch_for_staff
    from tests import factories

    rnd = random.Random(seed)
    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    staff = factories.make_staff()
    staff.email = STAFF_EMAIL
    staff.set_password(BENCH_PASSWORD)
    staff.save(update_fields=["email", "password"])
    vouch_for_staff(staff)

    codes = [code for code, _name in countries][:member_states]
    MemberState.objects.bulk_create(
        MemberState(country=code, is_benefiting=code in {"SV", "FJ", "GE", "MU", "PE"})
        for code in codes
    )
    states = list(MemberState.objects.order_by("pk"))
    sectors = list(Sector.objects.all())
    capitals = list(DiasporaCapital.objects.all())
    all_codes = [code for code, _name in countries]

    kinds = [
        Organization.Kind.DIASPORA,
        Organization.Kind.DIASPORA,
        Organization.Kind.DIASPORA,
        Organization.Kind.ACADEMIA,
        Organization.Kind.CIVIL_SOCIETY,
        Organization.Kind.PRIVATE_SECTOR,
    ]
    statuses = [Organization.Status.VERIFIED] * 8 + [
        Organization.Status.PENDING,
        Organization.Status.SUSPENDED,
    ]

    def organizations_to_make():
        for state in states:
            yield Organization(
                name=f"Ministry of Diaspora Affairs of {state.country.name}",
                kind=Organization.Kind.GOVERNMENT,
                status=Organization.Status.VERIFIED,
                country=state.country.code,
                member_state=state,
                contact_email=f"ministry-{state.country.code.lower()}@bench.example.org",
            )
        for i in range(max(organizations - len(states), 0)):
            origin = rnd.choice(all_codes)
            yield Organization(
                name=f"{rnd.choice(GIVEN)} {rnd.choice(WORDS)} {i}",
                kind=rnd.choice(kinds),
                status=rnd.choice(statuses),
                country=rnd.choice(all_codes),
                countries_of_origin=[origin],
                contact_email=f"org-{i}@bench.example.org",
                listed_publicly=rnd.random() < 0.6,
            )

    _batched(organizations_to_make(), Organization)
    org_ids = list(
        Organization.objects.exclude(kind=Organization.Kind.IOM).values_list("pk", "kind")
    )
    log(f"{len(org_ids)} organizations")

    Through = Organization.sectors.through
    _batched(
        (
            Through(organization_id=pk, sector_id=s.pk)
            for pk, _kind in org_ids
            for s in rnd.sample(sectors, k=rnd.randint(1, min(2, len(sectors))))
        ),
        Through,
    )
    CapitalThrough = Organization.capitals.through
    _batched(
        (
            CapitalThrough(organization_id=pk, diasporacapital_id=c.pk)
            for pk, _kind in org_ids
            for c in rnd.sample(capitals, k=rnd.randint(1, min(2, len(capitals))))
        ),
        CapitalThrough,
    )

    User = get_user_model()
    password = make_password(BENCH_PASSWORD)
    genders = [g for g, _label in Gender.choices] + ["", ""]
    _batched(
        (
            User(
                email=f"person-{i:06d}@bench.example.org",
                full_name=f"{rnd.choice(GIVEN)} {rnd.choice(FAMILY)}",
                password=password,
                gender=(gender := rnd.choice(genders)),
                gender_self_description="Two-spirit" if gender == Gender.SELF_DESCRIBED else "",
                country_of_residence=rnd.choice(all_codes),
                preferred_language=rnd.choice(["en", "en", "fr", "es"]),
            )
            for i in range(people)
        ),
        User,
    )
    person_ids = list(
        User.objects.filter(email__startswith="person-").order_by("pk").values_list("pk", flat=True)
    )
    log(f"{len(person_ids)} people")

    def memberships_to_make():
        for n, user_id in enumerate(person_ids):
            org_id, kind = org_ids[n % len(org_ids)]
            first = n < len(org_ids)
            if kind == Organization.Kind.GOVERNMENT:
                role = Membership.Role.FOCAL_POINT if first else Membership.Role.MEMBER
            else:
                role = Membership.Role.ADMIN if first else Membership.Role.MEMBER
            yield Membership(user_id=user_id, organization_id=org_id, role=role)

    _batched(memberships_to_make(), Membership)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    built = {
        "member_states": len(states),
        "organizations": len(org_ids),
        "people": len(person_ids),
        "seconds": round(time.monotonic() - started, 1),
    }
    log(f"built {built}")
    return built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--organizations", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--member-states", type=int, default=175)
    args = parser.parse_args()
    reset_database(args.database_url)
    setup_django(args.database_url)
    build_members(
        organizations=args.organizations, people=args.people, member_states=args.member_states
    )


if __name__ == "__main__":
    main()
