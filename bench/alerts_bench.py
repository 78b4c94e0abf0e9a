"""Benchmark: one change fanned out to 100,000 confirmed subscribers, then sending to a local SMTP
sink with one reused connection vs one connection per message, in the same run.

Goals (issue 6, PostgreSQL): delivery rows created in <= 10 s; sending >= 300 mails/s and
>= 3x the connection-per-message baseline.

Runs against a throw-away database of its own (``portcullis_alerts_bench`` on the server of
DATABASE_URL, created, migrated and dropped here), so it never touches real data:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portcullis python bench/alerts_bench.py

The SMTP sink (bench/smtp_sink.py) is aiosmtpd with a discarding handler, in a process of its
own on loopback so that it does not compete with the sender for this process's interpreter. It
runs three ways, each measured in both modes:

    plain SMTP   no TLS, no login: connecting costs almost nothing on loopback
    STARTTLS     TLS required before mail
    submission   STARTTLS and AUTH required, as a provider's port 587 does, and as production
                 is configured (EMAIL_USE_TLS with EMAIL_HOST_USER/EMAIL_HOST_PASSWORD)
    submission+pipelining   the same, offering PIPELINING (RFC 2920) as real servers do: the
                 sender then sends each envelope in one go (two round trips per mail, not four)

A reused connection saves what opening one costs, so the ratio depends on that cost: on
loopback without TLS it is a few round trips to the sink, and no sender can reach 3x (bare
smtplib, printed for scale, cannot either); with TLS and a login it is a TLS handshake and
three more round trips, as over a real network.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portcullis")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from advisories.mail_backend import EmailBackend  # noqa: E402

NOW = datetime(2025, 7, 16, 12, 0, tzinfo=UTC)
BENCH_DB = "portcullis_alerts_bench"


class ConnectionPerMessage(EmailBackend):
    """The baseline: what a sender that does not keep its connection does (connect, EHLO, send,
    QUIT for every message)."""

    def send_messages(self, email_messages):
        try:
            return super().send_messages(email_messages)
        finally:
            self.close()

    def send_ready(self, wire, **work):
        self.open()
        try:
            super().send_ready(wire, **work)
        finally:
            self.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "sink.pem", directory / "sink.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


SINK = Path(__file__).resolve().parent / "smtp_sink.py"
SUBMISSION_LOGIN = ("portcullis", "bench-password")


def start_sink(
    port: int,
    tls: tuple[Path, Path] | None = None,
    auth: tuple[str, str] | None = None,
    pipelining: bool = False,
) -> subprocess.Popen:
    command = [sys.executable, str(SINK), str(port)]
    if tls:
        command += ["--tls", str(tls[0]), str(tls[1])]
    if auth:
        command += ["--auth", *auth]
    if pipelining:
        command += ["--pipelining"]
    sink = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return sink
        except OSError:
            time.sleep(0.05)
    sink.kill()
    raise SystemExit("the SMTP sink did not start")


def seed(subscribers: int):
    """One zone under North Korea, ``subscribers`` confirmed subscriptions, one alerting change."""
    from advisories.models import Subscription
    from destinations.models import Destination, StatusChange

    country, _ = Destination.objects.get_or_create(
        kind="country", country_code="KP", defaults={"slug": "kp", "name": "North Korea"}
    )
    zone = Destination.objects.create(
        slug="wonsan-kalma", name="Wonsan-Kalma", kind="zone", country_code="KP", parent=country
    )
    scopes = [
        {"scope": "all"},
        {"scope": "country", "country_code": "KP"},
        {"scope": "destination", "destination": zone},
        {"scope": "destination", "destination": country, "include_children": True},
    ]
    Subscription.objects.bulk_create(
        (
            Subscription(
                email=f"reader{i}@example.org",
                frequency="immediate",
                confirmed_at=NOW - timedelta(days=1),
                **scopes[i % len(scopes)],
            )
            for i in range(subscribers)
        ),
        batch_size=5000,
    )
    return StatusChange.objects.create(
        destination=zone,
        status="suspended",
        previous_status="restricted",
        effective_at=NOW - timedelta(days=1),
        recorded_at=NOW,
        summary="Wonsan-Kalma is temporarily not receiving foreign tourists.",
        alters_current=True,
    )


def send_seconds(count: int, batch_size: int) -> float:
    """Seconds to send ``count`` deliveries with the configured backend."""
    from advisories.alerts.service import deliveries_send

    sent = 0
    started = time.perf_counter()
    while sent < count:
        report = deliveries_send(batch_size=min(batch_size, count - sent), now=NOW)
        if report.sent == 0:
            raise SystemExit(f"nothing sent: {report}")
        sent += report.sent
    return time.perf_counter() - started


def raw_smtp_rates(port: int, *, tls: bool, auth: bool, count: int) -> tuple[float, float]:
    """The sink's own ceiling: one prebuilt message sent with bare smtplib, reused connection vs
    connection per message. No database, no rendering: what the wire alone allows."""
    import smtplib
    import ssl

    body = (b"x" * 70 + b"\r\n") * 60
    message = b"From: a@example.org\r\nTo: b@example.org\r\nSubject: bench\r\n\r\n" + body
    context = ssl.create_default_context()

    def connect() -> smtplib.SMTP:
        client = smtplib.SMTP("127.0.0.1", port)
        if tls:
            client.starttls(context=context)
        client.ehlo()
        if auth:
            client.login(*SUBMISSION_LOGIN)
        return client

    started = time.perf_counter()
    client = connect()
    for _ in range(count):
        client.sendmail("a@example.org", ["b@example.org"], message)
    client.quit()
    reused = count / (time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(count):
        client = connect()
        client.sendmail("a@example.org", ["b@example.org"], message)
        client.quit()
    return reused, count / (time.perf_counter() - started)


def measure(
    label: str, port: int, *, tls: bool, auth: bool, mails: int, batch_size: int, rounds: int
):
    """Reused connection vs connection per message against one sink, in alternating rounds so
    that a change in the machine's load during the run weighs on both modes alike."""
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = tls, False
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = SUBMISSION_LOGIN if auth else ("", "")
    reused = f"{EmailBackend.__module__}.EmailBackend"
    per_message = f"{__name__}.ConnectionPerMessage"
    settings.EMAIL_BACKEND = reused
    send_seconds(50, 50)  # warm-up: templates, connections, caches
    chunk = mails // rounds
    totals = {reused: 0.0, per_message: 0.0}
    for _ in range(rounds):
        for backend in totals:
            settings.EMAIL_BACKEND = backend
            totals[backend] += send_seconds(chunk, batch_size)
    ceiling = raw_smtp_rates(port, tls=tls, auth=auth, count=chunk)
    return label, chunk * rounds / totals[reused], chunk * rounds / totals[per_message], ceiling


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--mails", type=int, default=3000, help="sent in each mode")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=4, help="alternations of the two modes")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    if args.subscribers < 8 * (args.mails + 50):
        raise SystemExit("--subscribers must cover eight sending runs of --mails")

    connection.settings_dict["TEST"]["NAME"] = BENCH_DB
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    workdir = Path(tempfile.mkdtemp(prefix="alerts-bench-"))
    certificate = self_signed_certificate(workdir)
    # Django's SMTP backend verifies the server's certificate against the default trust store.
    os.environ["SSL_CERT_FILE"] = str(certificate[0])
    plain_port, tls_port, submission_port, pipelining_port = (free_port() for _ in range(4))
    sinks = [
        start_sink(plain_port),
        start_sink(tls_port, certificate),
        start_sink(submission_port, certificate, SUBMISSION_LOGIN),
        start_sink(pipelining_port, certificate, SUBMISSION_LOGIN, pipelining=True),
    ]
    try:
        from advisories.alerts.service import change_fan_out
        from advisories.models import Delivery

        started = time.perf_counter()
        change = seed(args.subscribers)
        seeded = time.perf_counter() - started

        started = time.perf_counter()
        result = change_fan_out(change_id=change.pk, now=NOW)
        fan_out = time.perf_counter() - started
        assert Delivery.objects.count() == result.created == args.subscribers

        again = time.perf_counter()
        repeat = change_fan_out(change_id=change.pk, now=NOW)
        repeat_seconds = time.perf_counter() - again

        # 200,000 rows were just bulk-loaded: let PostgreSQL's vacuum and statistics catch up
        # now, as autovacuum would shortly after such a load, rather than during the sending
        # measurements (on two cores it otherwise takes a share of them at random).
        from advisories.models import Subscription

        with connection.cursor() as cursor:
            for model in (Delivery, Subscription):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

        sending = {"mails": args.mails, "batch_size": args.batch_size, "rounds": args.rounds}
        runs = [
            measure("plain SMTP", plain_port, tls=False, auth=False, **sending),
            measure("STARTTLS", tls_port, tls=True, auth=False, **sending),
            measure("submission", submission_port, tls=True, auth=True, **sending),
            measure("submission+pipelining", pipelining_port, tls=True, auth=True, **sending),
        ]
    finally:
        for sink in sinks:
            sink.terminate()
            sink.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"subscribers seeded:          {args.subscribers:,} in {seeded:.1f} s")
    print(
        f"fan-out (INSERT ... SELECT): {result.created:,} delivery rows in {fan_out:.2f} s"
        f"  (goal <= 10 s: {'met' if fan_out <= 10 else 'MISSED'})"
    )
    print(f"fan-out repeated:            {repeat.created} rows, {repeat_seconds * 1000:.1f} ms")
    for label, reuse, baseline, (raw_reuse, raw_baseline) in runs:
        ratio = reuse / baseline
        print(
            f"{label}:\n  reused connection {reuse:6,.0f} mails/s"
            f" (goal >= 300: {'met' if reuse >= 300 else 'MISSED'}),"
            f" connection per mail {baseline:6,.0f} mails/s,"
            f" {ratio:.1f}x (goal >= 3x: {'met' if ratio >= 3 else 'MISSED'})"
            f"  [{args.mails:,} mails each]"
        )
        print(
            f"  bare smtplib (no pipelining) to the same sink, for scale: reused {raw_reuse:,.0f}"
            " mails/s,"
            f" per mail {raw_baseline:,.0f} mails/s, {raw_reuse / raw_baseline:.1f}x"
        )


if __name__ == "__main__":
    main()
