from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YouthConfig(AppConfig):
    """Young diaspora participants: their profiles and consents (Outcome 2)."""

    name = "youth"
    verbose_name = _("Youth")

    def ready(self) -> None:
        from . import personal_data

        personal_data.register()
        from gdpa.accounts import roles
        from gdpa.accounts.permissions import acting_as_staff
        from gdpa.accounts.roles import roles_for
        from gdpa.portal.registry import (
            STAFF_YOUTH,
            NavLink,
            Panel,
            ProfileSection,
            register_demo_seeder,
            register_nav_link,
            register_panel,
            register_profile_section,
        )

        from . import demo
        from .models import YouthProfile, YouthSettings
        from .selectors import youth_profile_of

        roles.register_role_members(roles.YOUTH, lambda: YouthProfile.objects.values("user_id"))
        roles.register_role_resolver(
            lambda user: {roles.YOUTH} if youth_profile_of(user) is not None else set(),
            grants={roles.YOUTH},
        )
        # Youth participants see their participation on the dashboard; the invitation to
        # join is offered on the profile page, to people who could be eligible only.
        register_panel(
            Panel(
                "youth",
                "youth/panels/youth.html",
                frozenset({roles.YOUTH}),
                context=lambda request: {"youth_profile": youth_profile_of(request.user)},
                order=30,
            )
        )

        def could_join(request) -> bool:
            user = request.user
            return (
                not acting_as_staff(user)
                and not roles_for(user) & {roles.IOM_STAFF, roles.FOCAL_POINT}
                and youth_profile_of(user) is None
            )

        register_profile_section(
            ProfileSection(
                "youth-join",
                "youth/panels/join.html",
                visible=could_join,
                context=lambda request: {"age_range": YouthSettings.current()},
                order=30,
            )
        )
        register_nav_link(NavLink("youth", _("Youth"), "youth:join", order=40))
        register_demo_seeder(20, demo.seed)
        staff = frozenset({roles.IOM_STAFF})
        register_nav_link(
            NavLink(
                "youth-figures",
                _("Youth figures"),
                "youth:figures",
                staff,
                60,
                group=STAFF_YOUTH,
            )
        )
        register_nav_link(
            NavLink(
                "youth-settings",
                _("Youth age range"),
                "youth:settings",
                staff,
                61,
                group=STAFF_YOUTH,
            )
        )

        from .audit_vocabulary import register_audit_vocabulary

        register_audit_vocabulary()

        from .exports import register_exports

        register_exports()
        self._register_stories()
        self._register_indicators()

        from . import record_sections

        record_sections.register()

    def _register_stories(self) -> None:
        """Youth Voices: the public showcase, the author's panel, staff moderation and the
        home page's featured stories."""
        from gdpa.accounts import roles
        from gdpa.portal.registry import (
            STAFF_YOUTH,
            NavLink,
            Panel,
            register_home_facts,
            register_nav_link,
            register_panel,
        )

        from . import story_selectors

        register_nav_link(
            NavLink("youth-voices", _("Youth Voices"), "youth:showcase", order=45, public=True)
        )
        register_panel(
            Panel(
                "youth-stories",
                "youth/stories/panel.html",
                frozenset({roles.YOUTH}),
                context=lambda request: {"counts": story_selectors.story_counts_of(request.user)},
                order=31,
            )
        )
        register_nav_link(
            NavLink(
                "staff-story-moderation",
                _("Story moderation"),
                "youth:moderation_queue",
                frozenset({roles.IOM_STAFF}),
                70,
                group=STAFF_YOUTH,
            )
        )
        register_home_facts(story_selectors.home_facts)

    def _register_indicators(self) -> None:
        """Outcome 2 on the results dashboard and in the donor report."""
        from gdpa.results.registry import OUTCOME_2, Indicator, register_indicator

        from . import indicators

        for key, label, compute, first, order in [
            (
                "youth-participants",
                _("Youth participants"),
                indicators.participants_figures,
                indicators.participants_first_date,
                10,
            ),
            (
                "youth-inputs",
                _("Youth inputs taken up"),
                indicators.inputs_figures,
                indicators.inputs_first_date,
                20,
            ),
            (
                "youth-stories",
                _("Youth Voices stories published"),
                indicators.stories_figures,
                indicators.stories_first_date,
                30,
            ),
        ]:
            register_indicator(
                Indicator(key, label, OUTCOME_2, compute, order=order, first_date=first)
            )
