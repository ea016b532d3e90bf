from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    """Who is in the alliance and what it does together."""

    name = "alliance"
    verbose_name = _("Alliance")

    def ready(self) -> None:
        from . import personal_data

        personal_data.register()
        from gdpa.accounts import roles
        from gdpa.portal.registry import (
            STAFF_MEMBERS,
            STAFF_RECOMMENDATIONS,
            STAFF_SESSIONS,
            NavLink,
            Panel,
            register_demo_seeder,
            register_home_facts,
            register_nav_link,
            register_panel,
        )

        from . import dashboard, demo
        from .permissions import memberships_of

        def resolve(user):
            from .models import Membership, Organization

            found = set()
            for m in memberships_of(user):
                org = m.organization
                if org.kind == Organization.Kind.IOM and org.is_verified:
                    found.add(roles.IOM_STAFF)
                elif org.kind == Organization.Kind.GOVERNMENT and org.is_verified:
                    found.add(
                        roles.FOCAL_POINT if m.role != Membership.Role.MEMBER else roles.MEMBER
                    )
                elif org.kind == Organization.Kind.DIASPORA:
                    found.add(
                        roles.DIASPORA_LEADER if m.role == Membership.Role.ADMIN else roles.MEMBER
                    )
                elif org.kind in Organization.PARTNER_KINDS:
                    found.add(roles.PARTNER)
            return found

        roles.register_role_resolver(
            resolve,
            grants={
                roles.IOM_STAFF,
                roles.FOCAL_POINT,
                roles.DIASPORA_LEADER,
                roles.PARTNER,
                roles.MEMBER,
            },
        )
        register_home_facts(dashboard.home_facts)
        staff = frozenset({roles.IOM_STAFF})
        register_nav_link(
            NavLink("organizations", _("My organizations"), "alliance:my_organizations", order=20)
        )
        register_nav_link(
            NavLink(
                "member-directory",
                _("Member directory"),
                "alliance:staff_organizations",
                staff,
                49,
                group=STAFF_MEMBERS,
            )
        )
        register_nav_link(
            NavLink(
                "verification",
                _("Verification"),
                "alliance:verification_queue",
                staff,
                50,
                group=STAFF_MEMBERS,
            )
        )
        register_nav_link(
            NavLink(
                "member-states",
                _("Member states"),
                "alliance:member_states",
                staff,
                52,
                group=STAFF_MEMBERS,
            )
        )
        register_nav_link(
            NavLink("sectors", _("Sectors"), "alliance:sectors", staff, 53, group=STAFF_MEMBERS)
        )
        register_nav_link(
            NavLink("import", _("Import"), "alliance:import_upload", staff, 54, group=STAFF_MEMBERS)
        )
        register_panel(
            Panel("staff", "alliance/panels/staff.html", staff, dashboard.staff_context, order=5)
        )
        register_panel(
            Panel(
                "staff-week",
                "alliance/panels/staff_week.html",
                staff,
                dashboard.staff_week_context,
                order=6,
            )
        )
        register_panel(
            Panel(
                "organizations",
                "alliance/panels/organizations.html",
                context=dashboard.organizations_context,
                order=10,
            )
        )
        register_panel(
            Panel(
                "sessions",
                "alliance/panels/sessions.html",
                context=dashboard.sessions_context,
                order=8,
            )
        )
        register_nav_link(NavLink("sessions", _("Sessions"), "alliance:my_sessions", order=15))
        register_nav_link(
            NavLink(
                "staff-sessions",
                _("Manage sessions"),
                "alliance:staff_sessions",
                staff,
                49,
                group=STAFF_SESSIONS,
            )
        )
        register_demo_seeder(10, demo.seed)
        register_nav_link(
            NavLink(
                "recommendation-tracks",
                _("Recommendation tracks"),
                "alliance:staff_tracks",
                staff,
                48,
                group=STAFF_RECOMMENDATIONS,
            )
        )
        register_nav_link(
            NavLink(
                "recommendation-reports",
                _("Recommendation reports"),
                "alliance:staff_reports",
                staff,
                54,
                group=STAFF_RECOMMENDATIONS,
            )
        )

        from .audit_vocabulary import register_audit_vocabulary

        register_audit_vocabulary()

        from .retention import register_retention_rules

        register_retention_rules()

        from .exports import register_exports

        register_exports()
        from .member_exports import register_member_exports

        register_member_exports()
        register_nav_link(
            NavLink(
                "recommendations",
                _("Recommendations"),
                "alliance:recommendations",
                order=17,
                public=True,
            )
        )
        register_panel(
            Panel(
                "recommendations",
                "alliance/recommendations/panel.html",
                context=dashboard.recommendations_context,
                order=9,
            )
        )
        register_nav_link(
            NavLink(
                "alliance-directory",
                _("Alliance directory"),
                "alliance:directory",
                order=18,
                public=True,
            )
        )

        from gdpa.results.registry import OUTCOME_1, Indicator, register_indicator

        from . import indicators

        register_indicator(
            Indicator(
                "alliance-members",
                _("Member states and organizations in the alliance"),
                OUTCOME_1,
                indicators.members_figures,
                order=10,
                first_date=indicators.members_first_date,
            )
        )
        register_indicator(
            Indicator(
                "alliance-sessions",
                _("Sessions held and participation"),
                OUTCOME_1,
                indicators.sessions_figures,
                order=20,
                first_date=indicators.sessions_first_date,
            )
        )
        register_indicator(
            Indicator(
                "alliance-recommendations",
                _("Recommendations endorsed and published"),
                OUTCOME_1,
                indicators.recommendations_figures,
                order=30,
                first_date=indicators.recommendations_first_date,
            )
        )

        from . import record_sections

        record_sections.register()
