"""Gunicorn settings for every way the web process runs: Procfile, Dockerfile, compose, bench.

Threaded workers keep a reader's connection open between requests; gunicorn's default sync
worker closes it after each one, so every page would pay a new TCP (and TLS) handshake. Two
threads per process: with more, threads spend their time queueing for the GIL, and cached pages
(a few Redis round trips each) answer later, not sooner. Add processes for more throughput.

Each worker listens on a socket of its own (SO_REUSEPORT), so the kernel spreads new
connections over the processes. On one shared socket the worker that wakes first takes whatever
connections are waiting, and keep-alive lets it keep them: the publishing bench saw every
connection on one of two processes while the other idled. `bench/worker_balance.py` measures the
split (its figures are in the commit that made this change). The cost: a worker that dies drops
the connections queued on its socket before they were accepted (the master restarts it).

`WEB_CONCURRENCY` (processes), `WEB_THREADS`, `WEB_KEEPALIVE_SECONDS` and `WEB_REUSE_PORT` tune it
per machine; the bind address stays on each command line.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "2"))
keepalive = int(os.environ.get("WEB_KEEPALIVE_SECONDS", "5"))
reuse_port = os.environ.get("WEB_REUSE_PORT", "1") not in {"0", "false", "False", ""}
# One JSON line per request comes from config.logs.RequestIdMiddleware instead.
accesslog = None
