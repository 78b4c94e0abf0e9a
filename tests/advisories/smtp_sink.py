"""A real SMTP server on loopback for alert tests: records what it accepts, and answers given
recipients with scripted 4xx/5xx replies so failure handling meets a real SMTP conversation."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class RecordingHandler:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.connections = 0
        self._scripts: dict[str, deque[str]] = defaultdict(deque)
        self.on_data: Callable[[], None] | None = None  # run (in a thread) before accepting

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self.envelopes.clear()
            self._scripts.clear()
            self.connections = 0
            self.on_data = None

    def answer(self, recipient: str, *replies: str) -> None:
        """Reply to RCPT TO for this recipient with these replies, one per attempt, then accept."""
        with self._lock:
            self._scripts[recipient.lower()].extend(replies)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self._lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._lock:
            script = self._scripts.get(address.lower())
            reply = script.popleft() if script else None
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.on_data is not None:
            await asyncio.to_thread(self.on_data)
        message = message_from_bytes(envelope.content, policy=policy.default)
        message.raw = envelope.content  # the bytes as they crossed the wire
        with self._lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def to(self, recipient: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"].lower() == recipient.lower()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
