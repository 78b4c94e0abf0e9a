"""The project's SMTP backend sends an alert's ready bytes as they are, everything else as Django
does, against a real SMTP server on loopback."""

from __future__ import annotations

import smtplib

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
