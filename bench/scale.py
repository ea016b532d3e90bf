"""The scale data set: the alliance at the size the portal must serve, written in bulk.

    .venv/bin/python -m bench.scale --size full \\
        --database-url postgres://postgres@127.0.0.1:5432/gdpa_bench_scale

``full`` is issue 13's data set: 175 member states (the five benefiting ones among them),
10,000 organizations, 100,000 people with 8,000 youth participants, 2,000 sessions with
200,000 invitations, 500 training offerings with 50,000 enrollments, 1,500 recommendations
with 20,000 inputs and 3,000 stories, every lifecycle state present (``bench.scale_activity``).
``small`` is the same shape in a few hundred rows (tests/test_bench_scale.py builds it).

Seeded: two runs build the same alliance, dated from the moment of the build (rows whose
state depends on that moment, such as attendance at meetings already held, move by a few).
Rows are bulk-inserted in batches (the services would take hours at this size) with the
values the services would have set; audit entries and e-mails are written only where pages read them (see
bench/README.md). Every person signs in with ``BENCH_PASSWORD``; IOM staff have two-factor
on, and ``var/scale_accounts.json`` lists a few accounts of each role with the staff's TOTP
secrets, for load tests. The database is DROPPED and created again (its name must contain
"bench"). Other benchmarks build only the members (``build_members``) and add their own
activity on top.
"""

import argparse
import json
import os
import platform
import random
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from bench.common import check_database, create_database, log, setup_django

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gdpa_bench_scale"
ACCOUNTS_PATH = ROOT / "var" / "scale_accounts.json"
BENCH_PASSWORD = "bench-password-not-secret"
STAFF_EMAIL = "staff@bench.example.org"
BATCH = 5000
#: The member states that benefit from the IOM project (alliance/demo.py names their bodies).
BENEFITING = ("SV", "FJ", "GE", "MU", "PE")
#: Where the alliance's people live and meet: the benefiting states, the diaspora hubs.
ZONES = [
    "America/El_Salvador",
    "Pacific/Fiji",
    "Asia/Tbilisi",
    "Indian/Mauritius",
    "America/Lima",
    "America/Los_Angeles",
    "America/New_York",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/Dublin",
    "Europe/Zurich",
    "Africa/Nairobi",
    "Asia/Manila",
    "Pacific/Auckland",
    "UTC",
]
SELF_DESCRIPTIONS = ["Two-spirit", "Genderfluid", "Agender", "Fa'afafine"]

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


@dataclass(frozen=True)
class Size:
    member_states: int
    organizations: int
    people: int
    youth: int
    sessions: int
    invitations: int
    programmes: int
    offerings: int
    enrollments: int
    tracks_per_sector: int
    recommendations: int
    inputs: int
    stories: int
    accounts_per_role: int


SIZES = {
    "full": Size(
        member_states=175,
        organizations=10_000,
        people=100_000,
        youth=8_000,
        sessions=2_000,
        invitations=200_000,
        programmes=60,
        offerings=500,
        enrollments=50_000,
        tracks_per_sector=4,
        recommendations=1_500,
        inputs=20_000,
        stories=3_000,
        accounts_per_role=5,
    ),
    "small": Size(
        member_states=8,
        organizations=60,
        people=400,
        youth=60,
        sessions=16,
        invitations=400,
        programmes=6,
        offerings=12,
        enrollments=240,
        tracks_per_sector=1,
        recommendations=24,
        inputs=160,
        stories=30,
        accounts_per_role=2,
    ),
}


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


def insert(model, objects, keep=None) -> list:
    """Bulk-insert ``objects`` (any iterable) ``BATCH`` rows at a time, so memory stays
    bounded; returns ``keep(obj)`` of each inserted object (they have their keys)."""
    kept, batch = [], []

    def flush():
        model.objects.bulk_create(batch)
        if keep is not None:
            kept.extend(keep(obj) for obj in batch)
        batch.clear()

    for obj in objects:
        batch.append(obj)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return kept


def spread(rnd: random.Random, i: int, weights: dict):
    """The ``i``-th row's value: each value once first, so every state is present at any
    size, then drawn by weight."""
    values = list(weights)
    if i < len(values):
        return values[i]
    return rnd.choices(values, weights=list(weights.values()))[0]


def make_staff(email: str, full_name: str):
    """An IOM staff member with two-factor on (TOTP and recovery codes, as allauth's
    activation flow leaves them), through the services; returns (user, TOTP secret)."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from alliance.services import secretariat_bootstrap
    from gdpa.accounts.permissions import vouch_for_staff
    from gdpa.accounts.services import user_create

    user = user_create(
        email=email, full_name=full_name, password=BENCH_PASSWORD, email_verified=True
    )
    secretariat_bootstrap(user=user)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    vouch_for_staff(user)
    return user, secret


def member_state_codes(count: int) -> list[str]:
    """The five benefiting states, then others in alphabetical order up to ``count``."""
    from django_countries import countries

    others = [code for code, _name in countries if code not in BENEFITING]
    return [*BENEFITING, *others][:count]


def build_members(*, organizations: int, people: int, member_states: int = 175, seed: int = 11):
    """Build the alliance in a new, empty database (``reset_database`` first): the
    reference data (sectors, capitals) comes from the migrations. Returns what was built."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from django_countries import countries

    from alliance.demo import BENEFITING as BENEFITING_BODIES
    from alliance.models import DiasporaCapital, Membership, MemberState, Organization, Sector
    from gdpa.accounts.models import Gender

    rnd = random.Random(seed)
    started = time.monotonic()
    now = timezone.now()
    call_command("migrate", interactive=False, verbosity=0)
    staff, _secret = make_staff(STAFF_EMAIL, "IOM Staff Member")

    MemberState.objects.bulk_create(
        MemberState(
            country=code,
            is_benefiting=code in BENEFITING,
            joined_on=(now - timedelta(days=rnd.randrange(365, 1500))).date(),
        )
        for code in member_state_codes(member_states)
    )
    states = list(MemberState.objects.order_by("pk"))
    sectors = list(Sector.objects.all())
    capitals = list(DiasporaCapital.objects.all())
    all_codes = [code for code, _name in countries]
    bodies = {code: name for code, name, *_rest in BENEFITING_BODIES}

    kinds = [
        Organization.Kind.DIASPORA,
        Organization.Kind.DIASPORA,
        Organization.Kind.DIASPORA,
        Organization.Kind.ACADEMIA,
        Organization.Kind.CIVIL_SOCIETY,
        Organization.Kind.PRIVATE_SECTOR,
    ]
    statuses = {
        Organization.Status.VERIFIED: 80,
        Organization.Status.PENDING: 10,
        Organization.Status.SUSPENDED: 6,
        Organization.Status.REJECTED: 4,
    }

    def decided(status, registered):
        """What the verification services leave on an organization of ``status``."""
        if status == Organization.Status.PENDING:
            return {}
        fields = {
            "decided_at": registered + timedelta(days=rnd.randrange(1, 20)),
            "decided_by": staff,
        }
        if status == Organization.Status.REJECTED:
            fields["rejection_reason"] = "Not a diaspora organization: a commercial agency."
        if status == Organization.Status.SUSPENDED:
            fields["suspension_reason"] = "Contact details no longer answer."
        return fields

    def organizations_to_make():
        for state in states:
            registered = now - timedelta(days=rnd.randrange(300, 1100))
            yield Organization(
                name=bodies.get(
                    state.country.code, f"Ministry of Diaspora Affairs of {state.country.name}"
                ),
                kind=Organization.Kind.GOVERNMENT,
                status=Organization.Status.VERIFIED,
                country=state.country.code,
                member_state=state,
                contact_email=f"ministry-{state.country.code.lower()}@bench.example.org",
                created_at=registered,
                created_by=staff,
                **decided(Organization.Status.VERIFIED, registered),
            )
        for i in range(max(organizations - len(states), 0)):
            origin = rnd.choice([*BENEFITING, *BENEFITING, rnd.choice(all_codes)])
            status = spread(rnd, i, statuses)
            registered = now - timedelta(days=rnd.randrange(0, 1100), minutes=rnd.randrange(1440))
            yield Organization(
                name=f"{rnd.choice(GIVEN)} {rnd.choice(WORDS)} {i}",
                kind=rnd.choice(kinds),
                status=status,
                country=rnd.choice(all_codes),
                countries_of_origin=[origin],
                contact_email=f"org-{i}@bench.example.org",
                listed_publicly=rnd.random() < 0.6,
                created_at=registered,
                **decided(status, registered),
            )

    with keeping(Organization, "created_at"):
        org_rows = insert(
            Organization,
            organizations_to_make(),
            keep=lambda o: (o.pk, o.kind, o.status, o.created_at, o.decided_at, o.name),
        )
    org_ids = [(pk, kind) for pk, kind, *_rest in sorted(org_rows)]
    log(f"{len(org_ids)} organizations")

    Through = Organization.sectors.through
    insert(
        Through,
        (
            Through(organization_id=pk, sector_id=s.pk)
            for pk, _kind in org_ids
            for s in rnd.sample(sectors, k=rnd.randint(1, min(2, len(sectors))))
        ),
    )
    CapitalThrough = Organization.capitals.through
    insert(
        CapitalThrough,
        (
            CapitalThrough(organization_id=pk, diasporacapital_id=c.pk)
            for pk, _kind in org_ids
            for c in rnd.sample(capitals, k=rnd.randint(1, min(2, len(capitals))))
        ),
    )
    _audit_organizations(org_rows, staff)

    User = get_user_model()
    password = make_password(BENCH_PASSWORD)
    genders = [g for g, _label in Gender.choices] + ["", ""]

    def people_to_make():
        for i in range(people):
            gender = rnd.choice(genders)
            yield User(
                email=f"person-{i:06d}@bench.example.org",
                full_name=f"{rnd.choice(GIVEN)} {rnd.choice(FAMILY)}",
                password=password,
                gender=gender,
                gender_self_description=(
                    rnd.choice(SELF_DESCRIPTIONS) if gender == Gender.SELF_DESCRIBED else ""
                ),
                country_of_residence=rnd.choice(all_codes),
                preferred_language=rnd.choice(["en", "en", "fr", "es"]),
                time_zone=rnd.choice(ZONES),
                date_joined=now
                - timedelta(days=rnd.randrange(0, 1000), minutes=rnd.randrange(1440)),
            )

    people_rows = insert(User, people_to_make(), keep=lambda u: (u.pk, u.email))
    # Signing in needs a confirmed address: what user_create(email_verified=True) writes.
    insert(
        EmailAddress,
        (
            EmailAddress(user_id=pk, email=email, primary=True, verified=True)
            for pk, email in people_rows
        ),
    )
    person_ids = sorted(pk for pk, _email in people_rows)
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

    insert(Membership, memberships_to_make())
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


def _audit_organizations(org_rows, staff) -> None:
    """The registration and decision entries the organization's page shows as its
    verification history (``alliance.record_selectors.STATUS_ACTIONS``)."""
    from django.contrib.contenttypes.models import ContentType

    from alliance.models import Organization
    from gdpa.audit.models import AuditEntry

    target_type = ContentType.objects.get_for_model(Organization)
    staff_label = f"{staff} <{staff.email}>"

    def decision(action, at, before, after, common):
        return AuditEntry(
            actor=staff,
            actor_label=staff_label,
            action=action,
            at=at,
            before={"status": before},
            after={"status": after},
            **common,
        )

    def entries():
        for pk, _kind, status, registered, decided_at, name in org_rows:
            common = {"target_type": target_type, "target_id": str(pk), "target_label": name}
            yield AuditEntry(
                actor_label="system", action="organization.register", at=registered, **common
            )
            if status == Organization.Status.REJECTED:
                yield decision("organization.reject", decided_at, "pending", status, common)
            elif status != Organization.Status.PENDING:
                yield decision("organization.verify", decided_at, "pending", "verified", common)
            if status == Organization.Status.SUSPENDED:
                yield decision(
                    "organization.suspend",
                    decided_at + timedelta(days=90),
                    "verified",
                    status,
                    common,
                )

    with keeping(AuditEntry, "at"):
        insert(AuditEntry, entries())


@contextmanager
def keeping(model, *names):
    """Within the block, the ``auto_now``/``auto_now_add`` fields ``names`` of ``model``
    keep the value given instead of "now", so bulk rows carry their past dates."""
    fields = [model._meta.get_field(name) for name in names]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def build(size: Size, *, seed: int = 11, accounts_path: Path | None = ACCOUNTS_PATH) -> dict:
    """The whole data set at ``size`` in an empty, migrated-or-not database; returns the
    seconds per part and the row counts, and writes the accounts file."""
    from django.db import connection

    from bench import scale_activity

    timings, cpu = {}, {}

    def part(name, fn, *args, **kwargs):
        started, used = time.monotonic(), cpu_seconds()
        result = fn(*args, **kwargs)
        timings[name] = round(time.monotonic() - started, 1)
        cpu[name] = round(cpu_seconds() - used, 1)
        log(f"{name}: {timings[name]} s ({cpu[name]} CPU-s)")
        return result

    part(
        "members",
        build_members,
        organizations=size.organizations,
        people=size.people,
        member_states=size.member_states,
        seed=seed,
    )
    world = part("staff", scale_activity.World.load, seed=seed)
    part("youth", scale_activity.build_youth, world, size)
    part("sessions", scale_activity.build_sessions, world, size)
    part("trainings", scale_activity.build_trainings, world, size)
    part("recommendations", scale_activity.build_recommendations, world, size)
    part("stories", scale_activity.build_stories, world, size)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            part("analyze", cursor.execute, "ANALYZE")
    if accounts_path is not None:
        part("accounts", write_accounts, world, size.accounts_per_role, accounts_path)
    return {"seconds": timings, "cpu_seconds": cpu, "counts": scale_activity.counts()}


def cpu_seconds() -> float:
    """CPU used so far by this process and by its PostgreSQL backend (on this machine, the
    benchmark's database is local): what the build costs, however busy the machine is."""
    import resource

    from django.db import connection

    own = resource.getrusage(resource.RUSAGE_SELF)
    used = own.ru_utime + own.ru_stime
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        used += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return used


def write_accounts(world, per_role: int, path: Path) -> dict:
    """A few accounts of each role, all with ``BENCH_PASSWORD``; staff with their TOTP
    secret (RFC 6238: SHA-1, 6 digits, 30 s), for load tests that sign in for real."""
    accounts = world.accounts(per_role)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(accounts, indent=2) + "\n")
    log(f"accounts written to {path}")
    return accounts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--accounts", type=Path, default=ACCOUNTS_PATH, help="accounts file")
    parser.add_argument("--json", type=Path, help="also write the timings and counts as JSON")
    args = parser.parse_args()
    started = time.monotonic()
    reset_database(args.database_url)
    setup_django(args.database_url)
    results = build(SIZES[args.size], seed=args.seed, accounts_path=args.accounts)
    results.update(
        size=args.size,
        dimensions=asdict(SIZES[args.size]),
        total_seconds=round(time.monotonic() - started, 1),
        total_cpu_seconds=round(sum(results["cpu_seconds"].values()), 1),
        machine=f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        load_average=[round(x, 2) for x in os.getloadavg()],
    )
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    log(
        f"total {results['total_seconds']} s ({results['total_cpu_seconds']} CPU-s), "
        f"load average {results['load_average']}"
    )


if __name__ == "__main__":
    main()
