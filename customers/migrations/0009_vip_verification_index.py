from django.db import migrations, models


class Migration(migrations.Migration):
    # A plain CREATE INDEX, like the other sort indexes: django-tenants migrates inside a
    # transaction, where CREATE INDEX CONCURRENTLY cannot run. At a million customers the
    # partial index (the VIPs only) builds in about a second.
    dependencies = [
        ("customers", "0008_runs"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("vip", True)),
                fields=["email_verification"],
                name="cust_vip_verif",
            ),
        ),
    ]
