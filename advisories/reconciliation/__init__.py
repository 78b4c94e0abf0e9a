"""Claims -> status changes: what each destination's status history must be, given its claims.

Owns: the pure decision (``policy`` over ``types``, with its steps in ``events`` and
``history``), the database side (``service`` runs batches under row locks, ``loading`` and
``writing`` move data in and out), curators' actions (``curation``), the explanation of a
decision (``explanation``), and their adapters (``tasks``, ``api``, ``admin``).
May import: ``advisories.models``, ``advisories.handoffs``, ``destinations``. Never ingest,
extraction (claims arrive as rows), alerts (changes leave through ``handoffs.change_recorded``)
or the publishing layer.
"""
