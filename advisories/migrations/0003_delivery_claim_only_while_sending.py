from django.db import migrations, models
from django.db.models import Q


def clear_stray_claim_tokens(apps, schema_editor):
    """No row should hold a token outside "sending"; clear any that does before the constraint
    is checked, so an old database migrates whatever its history."""
    Delivery = apps.get_model("advisories", "Delivery")
    Delivery.objects.exclude(claim_token="").exclude(state="sending").update(claim_token="")


class Migration(migrations.Migration):
    dependencies = [
        ("advisories", "0002_subscriptions_deliveries_fan_out"),
        ("destinations", "0003_status_change_sequence"),
    ]

    operations = [
        migrations.RunPython(clear_stray_claim_tokens, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.CheckConstraint(
                condition=Q(claim_token="") | Q(state="sending"),
                name="delivery_claim_only_while_sending",
            ),
        ),
    ]
