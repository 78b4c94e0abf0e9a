"""The project's default email backend: Django's SMTP backend, taking ready-made alert bytes.

An alert batch sends thousands of messages whose bytes ``AlertRenderer`` has already written
(``AlertEmail.wire``: envelope and data, exactly what Django would have produced). Re-parsing the
addresses and rebuilding the MIME tree for each would cost more than the SMTP conversation itself,
so this backend hands those bytes to the connection as they are. Every other message takes
Django's own path, and every other backend ignores ``wire``: nothing depends on this one.

``send_ready`` pipelines the envelope where the server offers it (RFC 2920), and lets the
caller work while the server is busy, instead of waiting for it: once while the envelope is in
flight, before any of the message's data is sent (the alert sender writes the previous
message's "sent" mark there), and once while the server takes the data (it builds the next
message there). See ``alerts_service.deliveries_send``.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Callable
from contextlib import suppress

from django.core.mail.backends import smtp
from django.core.mail.message import EmailMessage

from advisories.email_format import Wire

_LEADING_DOT = re.compile(rb"(?m)^\.")  # RFC 5321 4.5.2: a data line starting with "." gets two


class EmailBackend(smtp.EmailBackend):
    def _send(self, email_message: EmailMessage) -> bool:
        wire = getattr(email_message, "wire", None)
        if wire is None:
            return super()._send(email_message)
        try:
            self.send_ready(wire)
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True

    def send_ready(
        self,
        wire: Wire,
        *,
        during_envelope: Callable[[], None] | None = None,
        during_data: Callable[[], None] | None = None,
    ) -> None:
        """Send one ready message over the open connection, as ``smtplib.sendmail`` would.

        Where the server offers PIPELINING (RFC 2920), MAIL FROM, RCPT TO and DATA go out
        together and their replies are read together: two round trips per message instead of
        four. ``during_envelope`` runs after the envelope is on its way and before any reply is
        read: no byte of the message's data has been sent by then, so nothing of this message
        can have been accepted. ``during_data`` runs after the data is sent and before the
        server's verdict is read, so it must not depend on that verdict. If either raises, the
        connection (with replies still due) is dropped and the error propagates.
        SMTP failures raise smtplib's exceptions, as ``sendmail`` raises them.
        """
        connection = self.connection
        if connection is None:
            raise smtplib.SMTPServerDisconnected("The mail connection is not open.")
        connection.ehlo_or_helo_if_needed()
        options = ""
        if connection.does_esmtp and connection.has_extn("size"):
            options = f" size={len(wire.data)}"
        pipelined = connection.does_esmtp and connection.has_extn("pipelining")
        connection.putcmd("mail", f"FROM:{smtplib.quoteaddr(wire.sender)}{options}")
        if pipelined:
            for recipient in wire.recipients:
                connection.putcmd("rcpt", f"TO:{smtplib.quoteaddr(recipient)}")
            connection.putcmd("data")
        self._run(during_envelope)
        if pipelined:
            self._pipelined_envelope(connection, wire)
        else:
            self._stepwise_envelope(connection, wire)
        body = _LEADING_DOT.sub(b"..", wire.data)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        connection.send(body + b".\r\n")
        self._run(during_data)
        code, reply = connection.getreply()
        if code != 250:
            self._abandon(code)
            raise smtplib.SMTPDataError(code, reply)

    def _run(self, work: Callable[[], None] | None) -> None:
        if work is None:
            return
        try:
            work()
        except BaseException:
            self._drop()  # replies are still due: this session is of no further use
            raise

    def _stepwise_envelope(self, connection: smtplib.SMTP, wire: Wire) -> None:
        code, reply = connection.getreply()
        if code != 250:
            self._abandon(code)
            raise smtplib.SMTPSenderRefused(code, reply, wire.sender)
        refused: dict[str, tuple[int, bytes]] = {}
        for recipient in wire.recipients:
            code, reply = connection.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
            if code == 421:
                connection.close()
                raise smtplib.SMTPRecipientsRefused(refused)
        if len(refused) == len(wire.recipients):
            self._abandon(0)
            raise smtplib.SMTPRecipientsRefused(refused)
        code, reply = connection.docmd("data")
        if code != 354:
            self._abandon(code)
            raise smtplib.SMTPDataError(code, reply)

    def _pipelined_envelope(self, connection: smtplib.SMTP, wire: Wire) -> None:
        sender_code, sender_reply = connection.getreply()
        replies = [(recipient, *connection.getreply()) for recipient in wire.recipients]
        data_code, data_reply = connection.getreply()
        refused = {r: (code, reply) for r, code, reply in replies if code not in (250, 251)}
        nothing_to_send = sender_code != 250 or len(refused) == len(wire.recipients)
        if data_code == 354 and nothing_to_send:
            # RFC 2920 asks the server to refuse DATA then; one that did not gets an empty end.
            connection.send(b".\r\n")
            connection.getreply()
        if sender_code != 250:
            self._abandon(sender_code)
            raise smtplib.SMTPSenderRefused(sender_code, sender_reply, wire.sender)
        if any(code == 421 for code, _ in refused.values()):
            connection.close()
            raise smtplib.SMTPRecipientsRefused(refused)
        if nothing_to_send:
            self._abandon(0)
            raise smtplib.SMTPRecipientsRefused(refused)
        if data_code != 354:
            self._abandon(data_code)
            raise smtplib.SMTPDataError(data_code, data_reply)

    def _abandon(self, code: int) -> None:
        """End a refused transaction as sendmail does: 421 closes, anything else resets."""
        if code == 421:
            self.connection.close()
            return
        with suppress(smtplib.SMTPServerDisconnected):
            self.connection.rset()

    def _drop(self) -> None:
        """Close the socket without a word (QUIT would be read as the next pipelined command)."""
        with suppress(OSError):
            self.connection.close()
        self.connection = None
