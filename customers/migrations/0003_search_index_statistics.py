from django.db import migrations


class Migration(migrations.Migration):
    """Finer statistics on the searched expression: PostgreSQL estimates how many rows
    a `LIKE '%term%'` matches from this histogram, and that estimate is what makes it
    pick the trigram index for a rare term and an ordered index walk for a common one.
    With the default 100 buckets any term under 1 % looks the same."""

    dependencies = [
        ("customers", "0002_user_unique_ci_and_name_sort"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER INDEX user_search_trgm ALTER COLUMN 1 SET STATISTICS 1000",
            reverse_sql="ALTER INDEX user_search_trgm ALTER COLUMN 1 SET STATISTICS -1",
        ),
    ]
