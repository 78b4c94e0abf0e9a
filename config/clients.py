"""Who the client is: one answer for every place that counts clients (API throttles, the
subscribe form's throttle, admin login lockouts).

The peer of the connection, unless TRUSTED_PROXIES of our own stand in front, in which case the
address the outermost of them appended to X-Forwarded-For. DRF's throttles already read it this
way (REST_FRAMEWORK["NUM_PROXIES"] is TRUSTED_PROXIES); this hands their reading to the rest.
"""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle


def client_ip(request: HttpRequest) -> str:
    return BaseThrottle().get_ident(request)
