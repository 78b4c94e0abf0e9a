"""Webhooks' own door: fan-out -> sending, opened once the fan-out's rows commit.

A door rather than a direct call so that ``fanout`` need not import ``tasks`` (which imports it);
``wiring`` puts the send task behind it.
"""

from __future__ import annotations

from advisories.handoffs import Door

deliveries_created = Door("webhook deliveries created -> sending")
