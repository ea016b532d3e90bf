from django.db import migrations

from gdpa.portal.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("alliance", "0011_organization_suspension")]

    operations = [trigram_indexes("alliance_organization", ["name", "contact_email"])]
