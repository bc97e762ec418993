import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_to_switch(apps, schema_editor):
    """Permissions granted on SwitchGrant follow it: its content type changes app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="sites", model="switchgrant").update(app_label="switch")


def content_type_to_sites(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="switch", model="switchgrant").update(app_label="sites")


class Migration(migrations.Migration):
    """SwitchGrant moved here from `sites` (sites.0002). Its table already exists, so only
    Django's state is created; the table keeps its name through Meta.db_table."""

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0001_initial"),
        ("sites", "0002_switchgrant_moves_to_switch"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SwitchGrant",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("secret_hash", models.CharField(max_length=64, unique=True)),
                        ("expires_at", models.DateTimeField()),
                        ("redeemed_at", models.DateTimeField(blank=True, null=True)),
                        ("created_ip", models.GenericIPAddressField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "admin",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "customer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="switch_grants",
                                to="customers.customer",
                            ),
                        ),
                        (
                            "site",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="switch_grants",
                                to="sites.site",
                            ),
                        ),
                    ],
                    options={"db_table": "sites_switchgrant"},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_switch, content_type_to_sites),
    ]
