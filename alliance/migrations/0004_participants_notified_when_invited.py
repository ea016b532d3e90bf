"""Invited participants are up to date with their session's calendar sequence.

From now on an invitation marks ``notified_sequence`` with the session's sequence (it
carries the session as it is), and the periodic sweep treats ``notified_sequence <
sequence`` as a change notice still owed. Rows invited before that carry 0 (publishing
a draft raised the sequence): bring them up to date so the sweep does not tell them of
changes they never missed.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def sync_notified_sequence(apps, schema_editor):
    Participant = apps.get_model("alliance", "Participant")
    AllianceSession = apps.get_model("alliance", "AllianceSession")
    Participant.objects.filter(invitation_sent_at__isnull=False).update(
        notified_sequence=Subquery(
            AllianceSession.objects.filter(pk=OuterRef("session_id")).values("sequence")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("alliance", "0003_sessions"),
    ]

    operations = [
        migrations.RunPython(sync_notified_sequence, migrations.RunPython.noop, elidable=True),
    ]
