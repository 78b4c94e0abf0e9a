"""Celery entry points of the advisories app.

Each concern keeps its thin tasks in its own module, registered under an explicit
`advisories.tasks.<name>` so the beat schedule and queued messages never depend on where a task
is defined. Importing them here is what lets Celery's autodiscovery find them.
"""
