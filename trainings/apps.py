from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingsConfig(AppConfig):
    """Training programmes for policy makers and diaspora leaders: offerings,
    enrollment, attendance and certificates. Its models arrive with the trainings issue;
    until then it shows a dashboard section that says plainly none are open."""

    name = "trainings"
    verbose_name = _("Trainings")

    def ready(self) -> None:
        from gdpa.accounts import roles
        from gdpa.portal.registry import Panel, register_panel

        # Learners only: the people trainings are for (staff run them, they don't enroll).
        learners = frozenset(
            {roles.FOCAL_POINT, roles.DIASPORA_LEADER, roles.PARTNER, roles.YOUTH, roles.MEMBER}
        )
        register_panel(Panel("trainings", "trainings/panels/trainings.html", learners, order=40))
