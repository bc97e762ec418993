from django.db import migrations, models


class Migration(migrations.Migration):
    # Existing runs get an empty list and an empty dict: their jobs read customer_ids.
    dependencies = [
        ("customers", "0009_vip_verification_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="run",
            name="items",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="run",
            name="options",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="run",
            name="kind",
            field=models.CharField(
                choices=[
                    ("vip-tag", "Tag VIP"),
                    ("vip-untag", "Untag VIP"),
                    ("delete", "Delete customers"),
                    ("delete-one", "Delete a customer"),
                    ("sites-create", "Create sites"),
                ],
                max_length=20,
            ),
        ),
    ]
