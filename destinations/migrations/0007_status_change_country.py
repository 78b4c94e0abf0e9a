"""StatusChange.country_code: a copy of the destination's country, back-filled in one UPDATE,
then the index the country lists read a page at a time (see the field's comment)."""

from django.conf import settings
from django.db import migrations, models

# UPDATE ... FROM: PostgreSQL, and SQLite since 3.33. Places without a country keep "".
BACK_FILL = """
UPDATE destinations_statuschange
SET country_code = d.country_code
FROM destinations_destination AS d
WHERE d.id = destinations_statuschange.destination_id AND d.country_code <> ''
"""


class Migration(migrations.Migration):
    dependencies = [
        ("destinations", "0006_read_indexes_filters"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="statuschange",
            name="country_code",
            field=models.CharField(blank=True, editable=False, max_length=2),
        ),
        # Reversed by removing the column (the AddField above), so nothing to undo here.
        migrations.RunSQL(BACK_FILL, reverse_sql=migrations.RunSQL.noop, elidable=False),
        migrations.AddIndex(
            model_name="statuschange",
            index=models.Index(
                fields=["country_code", "-recorded_at", "-id"], name="change_country_recorded_idx"
            ),
        ),
    ]
