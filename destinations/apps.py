from django.apps import AppConfig


class DestinationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "destinations"
    verbose_name = "Destinations and status history"

    def ready(self) -> None:
        # Cached public pages are invalidated on commit of anything they show.
        from destinations.caching import connect_signals

        connect_signals()
