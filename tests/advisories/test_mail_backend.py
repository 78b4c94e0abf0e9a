"""The project's SMTP backend sends an alert's ready bytes as they are, everything else as Django
does, against a real SMTP server on loopback."""

from __future__ import annotations

import smtplib
import socket
import threading

import pytest
from django.core.mail import EmailMessage, get_connection

from advisories.email_format import AlertEmail, Wire

READY = (
    b"From: Portcullis <alerts@portcullis.example.org>\r\n"
    b"To: reader@example.org\r\n"
    b"Subject: ready bytes\r\n"
    b"\r\n"
    b"Sent exactly as written.\r\n"
)


def _ready_email(to: str = "reader@example.org") -> AlertEmail:
    message = AlertEmail(subject="built by Django", body="Not these bytes.", to=[to])
    message.wire = Wire("alerts@portcullis.example.org", [to], READY.replace(b"reader@", b"x@"))
    return message


def test_a_message_with_ready_bytes_is_sent_as_they_are(smtp):
    assert get_connection().send_messages([_ready_email()]) == 1
    [received] = smtp.messages
    assert received.raw.rstrip(b"\r\n") == READY.replace(b"reader@", b"x@").rstrip(b"\r\n")


def test_ready_bytes_go_to_the_envelope_recipient_of_the_wire(smtp):
    get_connection().send_messages([_ready_email("envelope@example.org")])
    [received] = smtp.messages
    assert received["Subject"] == "ready bytes"
    assert smtp.envelopes == [("alerts@portcullis.example.org", ["envelope@example.org"])]


def test_a_message_without_ready_bytes_is_built_by_django(smtp):
    message = EmailMessage(subject="plain", body="Built here.", to=["reader@example.org"])
    assert get_connection().send_messages([message]) == 1
    [received] = smtp.messages
    assert received["Subject"] == "plain"
    assert received.get_content().strip() == "Built here."


def test_a_refused_ready_message_raises_unless_failing_silently(smtp):
    smtp.answer("refused@example.org", "550 no such user", "550 no such user")
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        get_connection().send_messages([_ready_email("refused@example.org")])
    assert (
        get_connection(fail_silently=True).send_messages([_ready_email("refused@example.org")]) == 0
    )


def _connection():
    backend = get_connection()
    backend.open()
    return backend


@pytest.mark.parametrize("pipelining", [False, True])
def test_work_during_the_envelope_runs_before_the_server_has_any_data(smtp, pipelining):
    smtp.pipelining = pipelining
    seen_by_then = []
    backend = _connection()

    backend.send_ready(
        _ready_email().wire, during_envelope=lambda: seen_by_then.append(len(smtp.messages))
    )
    backend.close()

    assert seen_by_then == [0]
    assert len(smtp.messages) == 1


class WorkFailed(Exception):
    pass


def _fail():
    raise WorkFailed


def test_when_work_during_the_envelope_fails_nothing_is_sent_and_the_error_propagates(smtp):
    backend = _connection()
    with pytest.raises(WorkFailed):
        backend.send_ready(_ready_email().wire, during_envelope=_fail)

    assert backend.connection is None
    assert smtp.messages == []


def test_work_during_the_data_runs_only_for_a_message_whose_data_was_sent(smtp):
    smtp.answer("gone@example.org", "550 no such user")
    calls = []
    backend = _connection()

    backend.send_ready(_ready_email().wire, during_data=lambda: calls.append("data"))
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        backend.send_ready(
            _ready_email("gone@example.org").wire, during_data=lambda: calls.append("refused")
        )
    backend.close()

    assert calls == ["data"]  # a refused envelope sends no data, so there is nothing to overlap
    assert len(smtp.messages) == 1


@pytest.mark.parametrize("pipelining", [False, True])
def test_a_refused_recipient_leaves_the_connection_ready_for_the_next_message(smtp, pipelining):
    smtp.pipelining = pipelining
    smtp.answer("gone@example.org", "550 5.1.1 No such user here")
    backend = _connection()

    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        backend.send_ready(_ready_email("gone@example.org").wire)
    backend.send_ready(_ready_email("next@example.org").wire)
    backend.close()

    assert refused.value.recipients["gone@example.org"][0] == 550
    assert smtp.envelopes == [("alerts@portcullis.example.org", ["next@example.org"])]
    assert smtp.connections == 1


def _strict_pipelining_server(transcript: list[bytes]) -> tuple[int, threading.Thread]:
    """An SMTP server that offers PIPELINING and answers MAIL, RCPT and DATA only once it has
    all three: a client that waits for each reply before the next command waits forever."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with listener, listener.accept()[0] as client:
            client.settimeout(5)
            stream = client.makefile("rwb")

            def reply(text: bytes) -> None:
                stream.write(text)
                stream.flush()

            reply(b"220 strict.example ESMTP\r\n")
            transcript.append(stream.readline())  # EHLO
            reply(b"250-strict.example\r\n250 PIPELINING\r\n")
            transcript.extend(stream.readline() for _ in range(3))
            reply(b"250 sender ok\r\n250 recipient ok\r\n354 go ahead\r\n")
            while (line := stream.readline()) not in (b".\r\n", b""):
                transcript.append(line)
            reply(b"250 queued\r\n")
            transcript.append(stream.readline())  # QUIT
            reply(b"221 bye\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener.getsockname()[1], thread


def test_where_the_server_offers_pipelining_the_envelope_goes_out_in_one_go(settings):
    transcript: list[bytes] = []
    port, server = _strict_pipelining_server(transcript)
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 3
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_BACKEND = "advisories.mail_backend.EmailBackend"
    backend = _connection()

    backend.send_ready(_ready_email().wire)
    backend.close()
    server.join(timeout=5)

    assert [line.upper() for line in transcript[1:4]] == [
        b"MAIL FROM:<ALERTS@PORTCULLIS.EXAMPLE.ORG>\r\n",
        b"RCPT TO:<READER@EXAMPLE.ORG>\r\n",
        b"DATA\r\n",
    ]
    assert b"Sent exactly as written.\r\n" in transcript
