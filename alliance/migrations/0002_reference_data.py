"""The alliance's working-group sectors and the Dublin Declaration's four diaspora capitals.

They are data, not code: IOM staff may add sectors later in the admin.
"""

from django.db import migrations

SECTORS = [
    ("health", 1, "Health and Well-being", "Santé et bien-être", "Salud y bienestar"),
    ("gender-youth", 2, "Gender and Youth", "Genre et jeunesse", "Género y juventud"),
    ("climate", 3, "Climate Action", "Action climatique", "Acción climática"),
]

CAPITALS = [
    (
        "human",
        1,
        ("Human capital", "Capital humain", "Capital humano"),
        (
            "Skills, knowledge and experience that diaspora members share with their countries of origin and residence.",
            "Les compétences, les savoirs et l'expérience que les membres de la diaspora partagent avec leurs pays d'origine et de résidence.",
            "Las habilidades, los conocimientos y la experiencia que los miembros de la diáspora comparten con sus países de origen y de residencia.",
        ),
    ),
    (
        "economic",
        2,
        ("Economic capital", "Capital économique", "Capital económico"),
        (
            "Remittances, savings, investment, trade and entrepreneurship that drive development.",
            "Les envois de fonds, l'épargne, l'investissement, le commerce et l'entrepreneuriat au service du développement.",
            "Las remesas, el ahorro, la inversión, el comercio y el emprendimiento que impulsan el desarrollo.",
        ),
    ),
    (
        "social",
        3,
        ("Social capital", "Capital social", "Capital social"),
        (
            "Networks, trust and relationships that connect communities, institutions and countries.",
            "Les réseaux, la confiance et les relations qui relient les communautés, les institutions et les pays.",
            "Las redes, la confianza y las relaciones que conectan comunidades, instituciones y países.",
        ),
    ),
    (
        "cultural",
        4,
        ("Cultural capital", "Capital culturel", "Capital cultural"),
        (
            "Languages, heritage, values and identities that bridge societies.",
            "Les langues, le patrimoine, les valeurs et les identités qui relient les sociétés.",
            "Las lenguas, el patrimonio, los valores y las identidades que unen a las sociedades.",
        ),
    ),
]


def load(apps, schema_editor):
    Sector = apps.get_model("alliance", "Sector")
    DiasporaCapital = apps.get_model("alliance", "DiasporaCapital")
    for slug, position, en, fr, es in SECTORS:
        Sector.objects.update_or_create(
            slug=slug, defaults={"position": position, "name_en": en, "name_fr": fr, "name_es": es}
        )
    for slug, position, names, descriptions in CAPITALS:
        DiasporaCapital.objects.update_or_create(
            slug=slug,
            defaults={
                "position": position,
                **dict(zip(("name_en", "name_fr", "name_es"), names, strict=True)),
                **dict(
                    zip(("description_en", "description_fr", "description_es"), descriptions, strict=True)
                ),
            },
        )


def unload(apps, schema_editor):
    apps.get_model("alliance", "Sector").objects.filter(slug__in=[s[0] for s in SECTORS]).delete()
    apps.get_model("alliance", "DiasporaCapital").objects.filter(
        slug__in=[c[0] for c in CAPITALS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("alliance", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
