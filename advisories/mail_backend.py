"""The project's default email backend: Django's SMTP backend, taking ready-made alert bytes.

An alert batch sends thousands of messages whose bytes ``AlertRenderer`` has already written
(``AlertEmail.wire``: envelope and data, exactly what Django would have produced). Re-parsing the
addresses and rebuilding the MIME tree for each would cost more than the SMTP conversation itself,
so this backend hands those bytes to the connection as they are. Every other message takes
Django's own path, and every other backend ignores ``wire``: nothing depends on this one.
"""

from __future__ import annotations

import smtplib

from django.core.mail.backends import smtp
from django.core.mail.message import EmailMessage


class EmailBackend(smtp.EmailBackend):
    def _send(self, email_message: EmailMessage) -> bool:
        wire = getattr(email_message, "wire", None)
        if wire is None:
            return super()._send(email_message)
        try:
            self.connection.sendmail(wire.sender, wire.recipients, wire.data)
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True
