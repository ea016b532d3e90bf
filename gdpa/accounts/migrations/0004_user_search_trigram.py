from django.db import migrations

from gdpa.portal.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_directory_indexes")]

    operations = [trigram_indexes("accounts_user", ["full_name", "email"])]
