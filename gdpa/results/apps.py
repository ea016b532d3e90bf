from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    """The results dashboard of the project's two outcomes and the donor progress report,
    assembled from the indicators the apps register."""

    name = "gdpa.results"
    label = "results"
    verbose_name = _("Results")
