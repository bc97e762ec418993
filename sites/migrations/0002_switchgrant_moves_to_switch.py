from django.db import migrations


class Migration(migrations.Migration):
    """SwitchGrant now belongs to the `switch` app. Only Django's idea of the model moves;
    the table `sites_switchgrant` and its rows stay (switch.0001 takes them over)."""

    dependencies = [
        ("sites", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SwitchGrant")],
            database_operations=[],
        ),
    ]
