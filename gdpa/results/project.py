"""The IOM project the alliance belongs to, as IOM's project page names it. The donor
progress report carries these identifiers."""

from django.utils.translation import gettext_lazy as _

PROJECT = {
    "name": "Harnessing Inclusive Global Alliances for Diaspora Engagement",
    "prima_id": "CH10P1170",
    "projects_id": "TK.0042",
    "years": "2023–2025",
    "start_year": 2023,
    "end_year": 2025,
    "type": _("Transfer of migrant knowledge and resources"),
    "coverage": _("Global"),
    "budget_usd": "400,000",
    # The page files the project under the IOM Development Fund ("IDF Region: Global").
    "fund": _("IOM Development Fund (IDF)"),
    "benefiting_member_states": ("SV", "FJ", "GE", "MU", "PE"),
}
