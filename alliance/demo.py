"""Demo data for the alliance, built through the real services (``manage.py seed_demo``)."""

import datetime
import unicodedata

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.utils import timezone

from gdpa.accounts.permissions import vouch_for_staff
from gdpa.accounts.services import user_create

from . import services
from .models import (
    AllianceSession,
    DiasporaCapital,
    Membership,
    MemberState,
    Organization,
    Sector,
)

#: Demo staff two-factor key (base32), printed with the logins; demo only.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105

BENEFITING = [
    # country, government body, focal point, language, time zone
    (
        "SV",
        "Ministry of Foreign Affairs of El Salvador – Diaspora Office",
        "Ana María Hernández",
        "es",
        "America/El_Salvador",
    ),
    (
        "FJ",
        "Ministry of Foreign Affairs of Fiji – Diaspora Engagement Unit",
        "Litia Naivalu",
        "en",
        "Pacific/Fiji",
    ),
    ("GE", "State Commission on Migration Issues of Georgia", "Nino Beridze", "en", "Asia/Tbilisi"),
    (
        "MU",
        "Ministry of Foreign Affairs of Mauritius – Diaspora Affairs",
        "Priya Ramgoolam",
        "fr",
        "Indian/Mauritius",
    ),
    (
        "PE",
        "Ministry of Foreign Affairs of Peru – Peruvians Abroad",
        "José Quispe Mamani",
        "es",
        "America/Lima",
    ),
]

DIASPORA = [
    # name, based in, origin, leader, language, time zone, sectors, capitals, verified
    (
        "Salvadoran Diaspora Health Network",
        "US",
        ["SV"],
        "Carlos Martínez",
        "es",
        "America/Los_Angeles",
        ["health"],
        ["human", "social"],
        True,
    ),
    (
        "Fiji Islanders Climate Collective",
        "NZ",
        ["FJ"],
        "Mereoni Tuilau",
        "en",
        "Pacific/Auckland",
        ["climate"],
        ["social", "cultural"],
        True,
    ),
    (
        "Georgian Professionals in Europe",
        "DE",
        ["GE"],
        "Giorgi Kapanadze",
        "en",
        "Europe/Berlin",
        ["gender-youth"],
        ["human", "economic"],
        True,
    ),
    (
        "Association des Mauriciens de France",
        "FR",
        ["MU"],
        "Aurélie Lebon",
        "fr",
        "Europe/Paris",
        ["gender-youth", "health"],
        ["cultural", "social"],
        True,
    ),
    (
        "Red Peruana de Emprendedores en España",
        "ES",
        ["PE"],
        "Rosa Huamán",
        "es",
        "Europe/Madrid",
        ["climate"],
        ["economic"],
        False,
    ),
]

PARTNERS = [
    (
        Organization.Kind.ACADEMIA,
        "Institute for Diaspora Studies",
        "IE",
        "Siobhán Murphy",
        "Europe/Dublin",
    ),
    (
        Organization.Kind.CIVIL_SOCIETY,
        "Migrant Rights Forum",
        "KE",
        "Amina Odhiambo",
        "Africa/Nairobi",
    ),
    (
        Organization.Kind.PRIVATE_SECTOR,
        "Remit Together Ltd.",
        "GB",
        "Daniel Okafor",
        "Europe/London",
    ),
]


def demo_email(name: str, domain: str) -> str:
    """A demo address from a free-text name: "Lucía Paredes" -> lucia.paredes@domain."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return f"{ascii_name.lower().replace(' ', '.')}@{domain}"


def _person(email: str, name: str, password: str, **extra):
    user = get_user_model().objects.filter(email__iexact=email).first()
    return user or user_create(
        email=email, full_name=name, password=password, email_verified=True, **extra
    )


def seed(password: str) -> list[tuple[str, str]]:
    logins: list[tuple[str, str]] = []
    staff = _person("staff@gdpa.example.org", "Elena Rossi", password, time_zone="Europe/Zurich")
    services.secretariat_bootstrap(user=staff)
    vouch_for_staff(staff)  # demo data is written on the server, not through a session
    if not staff.authenticator_set.exists():
        TOTP.activate(staff, DEMO_TOTP_SECRET)
    # allauth's own activation flow adds recovery codes; activating TOTP directly must too.
    RecoveryCodes.activate(staff)
    logins.append(("IOM staff (2FA key " + DEMO_TOTP_SECRET + ")", staff.email))

    sectors = {s.slug: s for s in Sector.objects.all()}
    capitals = {c.slug: c for c in DiasporaCapital.objects.all()}

    for code, body, person, language, zone in BENEFITING:
        state = MemberState.objects.filter(country=code).first() or services.member_state_create(
            actor=staff, country=code, joined_on=datetime.date(2023, 6, 1), is_benefiting=True
        )
        org = Organization.objects.filter(
            member_state=state, kind=Organization.Kind.GOVERNMENT
        ).first()
        if org is None:
            org = services.organization_register(
                actor=staff,
                kind=Organization.Kind.GOVERNMENT,
                name=body,
                country=code,
                member_state=state,
                contact_email=f"diaspora@gov-{code.lower()}.example.org",
            )
        user = _person(
            demo_email(person, f"gov-{code.lower()}.example.org"),
            person,
            password,
            preferred_language=language,
            time_zone=zone,
            country_of_residence=code,
        )
        if not Membership.objects.filter(user=user, organization=org).exists():
            services.membership_add(
                actor=staff, organization=org, user=user, role=Membership.Role.FOCAL_POINT
            )
        logins.append((f"Focal point, {state}", user.email))

    for (
        name,
        based,
        origin,
        leader,
        language,
        zone,
        sector_slugs,
        capital_slugs,
        verified,
    ) in DIASPORA:
        user = _person(
            demo_email(leader, "diaspora.example.org"),
            leader,
            password,
            preferred_language=language,
            time_zone=zone,
            country_of_residence=based,
        )
        org = Organization.objects.filter(name=name).first()
        if org is None:
            org = services.organization_register(
                actor=user,
                kind=Organization.Kind.DIASPORA,
                name=name,
                country=based,
                countries_of_origin=origin,
                countries_of_residence=[based],
                sectors=[sectors[s] for s in sector_slugs],
                capitals=[capitals[c] for c in capital_slugs],
                contact_email=user.email,
                description=f"{name} brings together its diaspora for development at home.",
            )
            if verified:
                services.organization_verify(actor=staff, organization=org)
        status = "verified" if verified else "pending verification"
        logins.append((f"Diaspora leader ({status})", user.email))

    for kind, name, based, person, zone in PARTNERS:
        user = _person(
            demo_email(person, "partners.example.org"),
            person,
            password,
            time_zone=zone,
            country_of_residence=based,
        )
        org = Organization.objects.filter(name=name).first()
        if org is None:
            org = services.organization_register(
                actor=user,
                kind=kind,
                name=name,
                country=based,
                contact_email=user.email,
                sectors=list(sectors.values())[:1],
            )
            services.organization_verify(actor=staff, organization=org)
        logins.append((f"Partner, {org.get_kind_display()}", user.email))
    _seed_session(staff)
    return logins


def _seed_session(staff) -> None:
    """A scheduled working-group session with the focal points and leaders invited."""
    title = "Health and Well-being working group: diaspora health workers"
    if AllianceSession.objects.filter(title=title).exists():
        return
    start = services.local_to_utc(
        datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=14), datetime.time(9, 0)
        ),
        "America/El_Salvador",
        "start",
    )
    session = services.session_create(
        actor=staff,
        title=title,
        kind=AllianceSession.Kind.WORKING_GROUP,
        sectors=list(Sector.objects.filter(slug="health")),
        description="How diaspora health professionals can support health systems at home.",
        time_zone="America/El_Salvador",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        format=AllianceSession.Format.HYBRID,
        join_url="https://meet.example.org/gdpa-health",
        venue="San Salvador, Ministry of Foreign Affairs",
        capacity=40,
        status=AllianceSession.Status.SCHEDULED,
        agenda=[
            {"title": "Opening and objectives", "speaker": "IOM", "duration_minutes": 15},
            {"title": "Country experiences", "speaker": "Focal points", "duration_minutes": 60},
            {"title": "Towards sectoral recommendations", "speaker": "", "duration_minutes": 45},
        ],
    )
    services.session_invite(
        actor=staff,
        session=session,
        member_states=list(MemberState.objects.filter(is_benefiting=True)),
        org_kinds=[Organization.Kind.DIASPORA],
        sectors=list(Sector.objects.filter(slug="health")),
    )
    first = session.participants.order_by("pk").first()
    if first is not None:
        services.rsvp_set(participant=first, answer="accepted")
