"""Load every ISO 3166 country so the gazetteer works out of the box."""

from django.db import migrations


def load(apps, schema_editor):
    from destinations.services import countries_load

    countries_load(
        destination_model=apps.get_model("destinations", "Destination"),
        alias_model=apps.get_model("destinations", "DestinationAlias"),
    )


class Migration(migrations.Migration):
    dependencies = [("destinations", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
