import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def running_sessions_get_their_expiry(apps, schema_editor):
    """Sessions started before this migration: their end is due when they expire, so the
    pruning command records it."""
    SwitchGrant = apps.get_model("switch", "SwitchGrant")
    lifetime = min(settings.SWITCH_TO_SESSION_SECONDS, settings.SESSION_COOKIE_AGE)
    SwitchGrant.objects.filter(redeemed_at__isnull=False).update(
        session_expires_at=F("redeemed_at") + datetime.timedelta(seconds=lifetime)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0002_switchgrant_moves_to_switch"),
        ("switch", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="switchgrant",
            name="end_reason",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="switchgrant",
            name="ended_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="switchgrant",
            name="session_expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="switchgrant",
            name="site",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="switch_grants",
                to="sites.site",
            ),
        ),
        migrations.AddIndex(
            model_name="switchgrant",
            index=models.Index(
                condition=models.Q(
                    ("ended_at__isnull", True), ("session_expires_at__isnull", False)
                ),
                fields=["site"],
                name="switchgrant_running_by_site",
            ),
        ),
        migrations.RunPython(running_sessions_get_their_expiry, migrations.RunPython.noop),
    ]
