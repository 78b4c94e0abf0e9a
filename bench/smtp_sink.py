"""A discarding SMTP server for the alerts benchmark, run in a process of its own.

    python bench/smtp_sink.py PORT [--tls CERT KEY] [--auth USER PASSWORD] [--pipelining]

With --tls it offers STARTTLS and refuses mail before it; with --auth as well it also requires
AUTH (PLAIN or LOGIN) over TLS before accepting mail: what a mail provider's submission port
(587) asks of a sender. With --pipelining it offers PIPELINING (RFC 2920), as Postfix and the
big providers' servers do; aiosmtpd reads pipelined commands correctly but does not offer the
extension on its own. Messages are accepted and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import ssl
import warnings

from aiosmtpd.handlers import Sink
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class PipeliningSink(Sink):
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]


def _authenticator(user: bytes, password: bytes):
    def check(server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            user,
            password,
        )
        return AuthResult(success=ok, handled=False)

    return check


async def serve(
    port: int, tls: tuple[str, str] | None, auth: tuple[str, str] | None, pipelining: bool
) -> None:
    options: dict = {}
    if tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*tls)
        options.update(tls_context=context, require_starttls=True)
    if auth:
        options.update(
            auth_required=True,
            auth_require_tls=True,
            authenticator=_authenticator(auth[0].encode(), auth[1].encode()),
        )
    handler = PipeliningSink if pipelining else Sink
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler(), hostname="sink.localhost", **options), "127.0.0.1", port
    )
    async with server:
        await server.serve_forever()


def main() -> None:
    # aiosmtpd 1.4 warns about its own legacy attribute on every successful AUTH.
    warnings.filterwarnings("ignore", message="Session.login_data is deprecated")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--auth", nargs=2, metavar=("USER", "PASSWORD"))
    parser.add_argument("--pipelining", action="store_true")
    options = parser.parse_args()
    asyncio.run(serve(options.port, options.tls, options.auth, options.pipelining))


if __name__ == "__main__":
    main()
