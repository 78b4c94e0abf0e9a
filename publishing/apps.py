from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "Public pages, read API and feeds"

    def ready(self) -> None:
        # Cached public pages are invalidated on commit of anything they show.
        from publishing.caching import connect_signals  # needs the app registry ready

        connect_signals()
