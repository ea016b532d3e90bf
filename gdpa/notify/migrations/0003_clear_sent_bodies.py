from django.db import migrations, models
from django.db.models import F


def clear_sent_bodies(apps, schema_editor):
    """Rows sent before bodies were cleared on sending lose them now (they hold live links)."""
    OutboundEmail = apps.get_model("notify", "OutboundEmail")
    OutboundEmail.objects.filter(status="sent").update(
        body_text="", body_html="", attachment_content="", bodies_cleared_at=F("sent_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0002_attachment"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboundemail",
            name="bodies_cleared_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="content removed"),
        ),
        migrations.RunPython(clear_sent_bodies, migrations.RunPython.noop, elidable=True),
    ]
