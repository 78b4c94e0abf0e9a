"""A recording SMTP sink for the alerts benchmark, run in a process of its own.

    python bench/smtp_sink.py PORT RECORD_FILE

Plain SMTP on loopback. Every message is accepted and dropped; its Message-ID is appended to
RECORD_FILE (one line each, written before the 250 reply), so the benchmark can check that each
delivery reached the server exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import re

from aiosmtpd.smtp import SMTP

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class RecordingSink:
    def __init__(self, record) -> None:
        self.record = record

    async def handle_DATA(self, server, session, envelope):
        headers = envelope.original_content.split(b"\r\n\r\n", 1)[0]
        found = _MESSAGE_ID.search(headers)
        self.record.write((found.group(1) if found else b"-") + b"\n")
        self.record.flush()
        return "250 Message accepted for delivery"


async def serve(port: int, record_path: str) -> None:
    with open(record_path, "ab") as record:
        handler = RecordingSink(record)
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="sink.localhost"), "127.0.0.1", port
        )
        async with server:
            await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("record")
    options = parser.parse_args()
    asyncio.run(serve(options.port, options.record))


if __name__ == "__main__":
    main()
