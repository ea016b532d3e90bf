"""The global frameworks recommendations are tagged with, by number: the 17 Sustainable
Development Goals (2030 Agenda) and the 23 objectives of the Global Compact for Safe,
Orderly and Regular Migration, with their official short titles in the reader's language.

Recommendations store only the numbers (``Recommendation.sdg_goals`` and
``gcm_objectives``); these titles are what people read next to them."""

from django.utils.translation import gettext_lazy as _

SDG_GOALS = {
    1: _("No poverty"),
    2: _("Zero hunger"),
    3: _("Good health and well-being"),
    4: _("Quality education"),
    5: _("Gender equality"),
    6: _("Clean water and sanitation"),
    7: _("Affordable and clean energy"),
    8: _("Decent work and economic growth"),
    9: _("Industry, innovation and infrastructure"),
    10: _("Reduced inequalities"),
    11: _("Sustainable cities and communities"),
    12: _("Responsible consumption and production"),
    13: _("Climate action"),
    14: _("Life below water"),
    15: _("Life on land"),
    16: _("Peace, justice and strong institutions"),
    17: _("Partnerships for the goals"),
}

GCM_OBJECTIVES = {
    1: _(
        "Collect and utilize accurate and disaggregated data as a basis for evidence-based policies"
    ),
    2: _(
        "Minimize the adverse drivers and structural factors that compel people to leave "
        "their country of origin"
    ),
    3: _("Provide accurate and timely information at all stages of migration"),
    4: _("Ensure that all migrants have proof of legal identity and adequate documentation"),
    5: _("Enhance availability and flexibility of pathways for regular migration"),
    6: _(
        "Facilitate fair and ethical recruitment and safeguard conditions that ensure decent work"
    ),
    7: _("Address and reduce vulnerabilities in migration"),
    8: _("Save lives and establish coordinated international efforts on missing migrants"),
    9: _("Strengthen the transnational response to smuggling of migrants"),
    10: _(
        "Prevent, combat and eradicate trafficking in persons in the context of international migration"
    ),
    11: _("Manage borders in an integrated, secure and coordinated manner"),
    12: _(
        "Strengthen certainty and predictability in migration procedures for appropriate "
        "screening, assessment and referral"
    ),
    13: _("Use migration detention only as a measure of last resort and work towards alternatives"),
    14: _("Enhance consular protection, assistance and cooperation throughout the migration cycle"),
    15: _("Provide access to basic services for migrants"),
    16: _("Empower migrants and societies to realize full inclusion and social cohesion"),
    17: _(
        "Eliminate all forms of discrimination and promote evidence-based public discourse to "
        "shape perceptions of migration"
    ),
    18: _(
        "Invest in skills development and facilitate mutual recognition of skills, "
        "qualifications and competences"
    ),
    19: _(
        "Create conditions for migrants and diasporas to fully contribute to sustainable "
        "development in all countries"
    ),
    20: _(
        "Promote faster, safer and cheaper transfer of remittances and foster financial "
        "inclusion of migrants"
    ),
    21: _(
        "Cooperate in facilitating safe and dignified return and readmission, as well as "
        "sustainable reintegration"
    ),
    22: _(
        "Establish mechanisms for the portability of social security entitlements and earned benefits"
    ),
    23: _(
        "Strengthen international cooperation and global partnerships for safe, orderly and "
        "regular migration"
    ),
}


def sdg_choices() -> list[tuple[int, str]]:
    """``(number, "10. Reduced inequalities")`` for each goal, in the reader's language."""
    return [(n, f"{n}. {title}") for n, title in SDG_GOALS.items()]


def gcm_choices() -> list[tuple[int, str]]:
    return [(n, f"{n}. {title}") for n, title in GCM_OBJECTIVES.items()]
