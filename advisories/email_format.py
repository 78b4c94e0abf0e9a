"""How alert emails become bytes: Django's message, serialised with less repeated work.

An alert batch serialises thousands of near-identical messages, and two steps of the standard
library dominate that cost without changing the result for our messages:

- every header line goes through `email.header.Header`, even a short plain-ASCII one that
  needs neither folding nor encoding and comes out exactly as it went in;
- every multipart message gets a fresh random boundary, checked against the body with a regular
  expression compiled anew for that boundary each time.

`AlertEmail` writes such short ASCII headers directly (anything else still goes through
compat32, Django's policy) and picks its boundary from a secure random token, checked with a
plain substring test.

Even so, building and serialising the MIME tree costs more than everything else an alert does
but the SMTP conversation. Every reader of a change gets the same message except for a few
values (address, links, Message-ID, date), so `WireTemplate` serialises the message once, through
Django, with stand-ins for those values, and each reader's bytes are that template with the
values put in (`Wire`). It only does so where the result is provably the bytes Django would have
written (plain ASCII values, 7bit/8bit parts, no line growing past SMTP's limit); anything else
is left to Django's full path.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message
from email.policy import Compat32

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import RFC5322_EMAIL_LINE_LENGTH_LIMIT, sanitize_address


class QuickFoldPolicy(Compat32):
    """compat32, writing short printable-ASCII header lines as they are.

    compat32 leaves such a line unchanged (tested against it); only the route there is shorter.
    Long lines, non-ASCII text, tabs and line breaks take compat32's own path.
    """

    def fold_binary(self, name: str, value) -> bytes:
        if (
            isinstance(value, str)
            and value.isascii()
            and value.isprintable()
            and (self.max_line_length is None or len(name) + 2 + len(value) <= self.max_line_length)
        ):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


QUICK_FOLD = QuickFoldPolicy()


def _payload_texts(message: Message) -> list[str]:
    """The payloads as they will be written (already transfer-encoded), every part's."""
    if not message.is_multipart():
        payload = message.get_payload()
        return [payload if isinstance(payload, str) else str(payload)]
    return [text for part in message.get_payload() for text in _payload_texts(part)]


def _new_boundary() -> str:
    return f"==============={secrets.token_hex(16)}=="


class AlertEmail(EmailMultiAlternatives):
    """An EmailMultiAlternatives whose MIME message serialises faster (see module docstring).

    ``wire``, when set, is this very message already serialised for SMTP; the project's SMTP
    backend sends it as is. Every other backend, and ``message()``, ignore it. It is written
    once: whoever changes the message afterwards must set it back to None.
    """

    wire: Wire | None = None

    def message(self, *args, **kwargs):
        message = super().message(*args, **kwargs)
        message.policy = QUICK_FOLD
        if message.is_multipart():
            boundary = _new_boundary()
            # A 128-bit random token in a body is not going to happen; if it ever did, the
            # standard library picks (and checks) a boundary of its own as before.
            if not any(boundary in text for text in _payload_texts(message)):
                message.set_boundary(boundary)
        return message


@dataclass(frozen=True)
class Wire:
    """One message as an SMTP server receives it: the envelope and the message's bytes."""

    sender: str
    recipients: list[str]
    data: bytes


# An address Django passes through unchanged (sanitize_address gives it back as it is, tested):
# a dot-atom local part and a plain ASCII domain. Anything else takes Django's full path.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
)
_PLAIN_PARTS = {"7bit", "8bit"}
_CRLF_FOLD = QUICK_FOLD.clone(linesep="\r\n")


class WireTemplate:
    """The serialised message of a group of readers, with stand-ins for each reader's values.

    Built from a message whose per-reader headers (``header_slots``: name -> stand-in, each the
    header's whole value, ``To`` among them as the only recipient) and body text (``body_slots``)
    hold stand-ins: Django writes it once, and ``wire()`` puts one reader's values in.

    Why the result is Django's own output for that reader: headers are written one by one by the
    same policy the generator uses; the parts are 7bit or 8bit, where a value is copied as is, so
    ASCII values for ASCII stand-ins change nothing else; and Django picks another encoding only
    for a line over 998 octets, which ``wire()`` refuses rather than writes.
    """

    def __init__(
        self,
        *,
        headers: list[tuple[str, bytes | str]],
        body: bytes,
        body_slots: Mapping[str, bytes],
        boundary: str,
        sender: str,
    ) -> None:
        self._headers = headers
        self._body = body
        self._body_slots = body_slots
        self.boundary = boundary
        self._sender = sender

    @classmethod
    def build(
        cls, message: AlertEmail, *, header_slots: Mapping[str, str], body_slots: Mapping[str, str]
    ) -> WireTemplate | None:
        """The template of ``message``, or None where one cannot be exact (Django's path then)."""
        mime = message.message()
        boundary = mime.get_boundary()
        if boundary is None or any(
            (part.get("Content-Transfer-Encoding") or "7bit").lower() not in _PLAIN_PARTS
            for part in mime.walk()
            if not part.is_multipart()
        ):
            return None
        names = {slot: name for name, slot in header_slots.items()}
        headers: list[tuple[str, bytes | str]] = []
        for name, value in mime.raw_items():
            if value in names:
                headers.append((name, names[value]))
            elif isinstance(value, str) and any(slot in value for slot in names):
                return None  # a stand-in inside a longer value: not what this template handles
            else:
                headers.append((name, _CRLF_FOLD.fold_binary(name, value)))
        head, blank, body = mime.as_bytes(linesep="\r\n").partition(b"\r\n\r\n")
        if not blank:
            return None
        encoding = message.encoding or settings.DEFAULT_CHARSET
        template = cls(
            headers=headers,
            body=body,
            body_slots={name: slot.encode("ascii") for name, slot in body_slots.items()},
            boundary=boundary,
            sender=sanitize_address(message.from_email, encoding),
        )
        # The header lines rebuilt one by one must be exactly what the generator wrote.
        if template._head(header_slots) != head + b"\r\n":
            return None
        return template

    def _head(self, values: Mapping[str, str]) -> bytes:
        return b"".join(
            line if isinstance(line, bytes) else _CRLF_FOLD.fold_binary(name, values[line])
            for name, line in self._headers
        )

    def wire(self, *, headers: Mapping[str, str], body: Mapping[str, str]) -> Wire | None:
        """One reader's message. ``headers`` and ``body`` map the stand-ins' names, as given to
        ``build``, to this reader's values. None when a value is not one the template can take
        exactly: the caller then lets Django write the message."""
        recipient = headers.get("To", "")
        values = [*headers.values(), *body.values()]
        if (
            not _PLAIN_ADDRESS.fullmatch(recipient)
            or not all(value.isascii() and value.isprintable() for value in values)
            or any(self.boundary in value for value in values)
        ):
            return None
        text = self._body
        for name, slot in self._body_slots.items():
            text = text.replace(slot, body[name].encode("ascii"))
        longest = max(map(len, text.split(b"\r\n"))) if len(text) > len(self._body) else 0
        if longest > RFC5322_EMAIL_LINE_LENGTH_LIMIT:
            return None  # Django would have quoted-printable encoded that part
        return Wire(self._sender, [recipient], self._head(headers) + b"\r\n" + text)
