"""Open-data export: the whole public history and the current statuses as files (docs/export.md).

columns.py   the versioned column sets
rows.py      the portable writer (ORM rows, Python text)
copy.py      the PostgreSQL writer (COPY ... TO STDOUT), byte-identical to the portable one
streaming.py the three exports and which writer serves them
snapshots.py dated gzip snapshots in the `exports` storage, and their retention
tasks.py     the beat task that writes and prunes them
api.py       the routes under /api/v1/export/ (urls.py)
"""
