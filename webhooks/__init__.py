"""Signed webhooks: every published status change POSTed to the endpoints whose scope covers it.

It sits above publishing (whose change representation it sends) and advisories (whose change
rows and door it uses); nothing below imports it. Stages, one module each: ``registration``
(endpoints and their secrets), ``fanout`` (change -> delivery rows), ``sending`` (claim, sign,
POST, record), ``outcomes`` (what an answer means: pure), ``health`` (disabling a failing
endpoint and telling its owner), ``sweep`` (the beat's safety net). ``WebhooksConfig.ready`` is
the one place it is wired to the pipeline.
"""
