from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingsConfig(AppConfig):
    """Training programmes for policy makers, diaspora leaders and youth: programmes,
    offerings (cohorts), enrollment with a waiting list; attendance and certificates come
    in later steps of the trainings issue."""

    name = "trainings"
    verbose_name = _("Trainings")

    def ready(self) -> None:
        from . import personal_data

        personal_data.register()
        from gdpa.accounts import roles
        from gdpa.portal.registry import (
            STAFF_TRAININGS,
            NavLink,
            Panel,
            register_nav_link,
            register_panel,
        )

        # Learners only: the people trainings are for (staff run them, they don't enroll).
        learners = frozenset(
            {roles.FOCAL_POINT, roles.DIASPORA_LEADER, roles.PARTNER, roles.YOUTH, roles.MEMBER}
        )
        from .dashboard import my_trainings_context

        register_panel(
            Panel(
                "trainings",
                "trainings/panels/trainings.html",
                learners,
                my_trainings_context,
                order=40,
            )
        )
        register_nav_link(
            NavLink("trainings", _("Trainings"), "trainings:catalogue", order=30, public=True)
        )
        register_nav_link(
            NavLink(
                "staff-trainings",
                _("Training programmes"),
                "trainings:staff_programmes",
                frozenset({roles.IOM_STAFF}),
                55,
                group=STAFF_TRAININGS,
            )
        )
        register_nav_link(
            NavLink(
                "staff-training-approvals",
                _("Enrollment approvals"),
                "trainings:approval_queue",
                frozenset({roles.IOM_STAFF}),
                56,
                group=STAFF_TRAININGS,
            )
        )

        from gdpa.portal.registry import PeopleAction, register_people_action

        register_people_action(
            PeopleAction(
                "nominate-training",
                _("Nominate to a training"),
                "trainings:staff_nominate_people",
                order=20,
            )
        )

        from alliance.member_directory import ActivitySource, register_activity_source

        from .models import Enrollment

        register_activity_source(
            ActivitySource(
                "training",
                _("Enrolled in a training"),
                lambda: Enrollment.objects.filter(status=Enrollment.Status.ENROLLED),
                "created_at",
                order=20,
            )
        )

        from .audit_vocabulary import register_audit_vocabulary

        register_audit_vocabulary()

        from gdpa.results.registry import OUTCOME_1, Indicator, register_indicator

        from . import indicators

        register_indicator(
            Indicator(
                "trainings-people",
                _("People trained and completing"),
                OUTCOME_1,
                indicators.trainings_figures,
                order=40,
                first_date=indicators.trainings_first_date,
            )
        )

        from . import record_sections

        record_sections.register()
        from .exports import register_exports

        register_exports()
