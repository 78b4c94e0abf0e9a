"""An SMTP server in the test process that records every message it accepts.

A message counts as delivered only once the sink answered 250 to it, exactly like a real relay;
`hold_after(n)` makes the sink stall on message n+1 (the test decides when to let it go), which
is how a test catches a sender in the middle of a batch.
"""

from __future__ import annotations

import asyncio
import email
import threading
from collections import Counter

from aiosmtpd.controller import Controller

from tests.ops.servers import free_port


class _Handler:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        sink = self.sink
        with sink.lock:
            hold = sink.hold_at is not None and sink.arrivals == sink.hold_at
            sink.arrivals += 1
        if hold:
            sink.holding.set()
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, sink.release.wait, 60)
            return "451 4.3.0 try again later"
        message = email.message_from_bytes(envelope.content)
        with sink.lock:
            sink.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


class SmtpSink:
    def __init__(self):
        self.port = free_port()
        self.lock = threading.Lock()
        self.messages: list[tuple[list[str], email.message.Message]] = []
        self.arrivals = 0
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._controller.stop()

    def hold_after(self, accepted: int) -> None:
        """Accept `accepted` messages, then stall the next one until `release` is set."""
        self.hold_at = accepted

    def per_recipient(self) -> Counter:
        with self.lock:
            return Counter(rcpt for rcpts, _ in self.messages for rcpt in rcpts)

    def subjects_to(self, address: str) -> list[str]:
        with self.lock:
            return [m["Subject"] for rcpts, m in self.messages if address in rcpts]
