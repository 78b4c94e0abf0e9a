"""Gunicorn settings for every way the web process runs: Procfile, Dockerfile, compose, bench.

Threaded workers keep a reader's connection open between requests; gunicorn's default sync
worker closes it after each one, so every page would pay a new TCP (and TLS) handshake. Two
threads per process: with more, threads spend their time queueing for the GIL, and cached pages
(a few Redis round trips each) answer later, not sooner. Add processes for more throughput.

`WEB_CONCURRENCY` (processes) and `WEB_THREADS` tune it per machine; the bind address stays on
each command line.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "2"))
keepalive = int(os.environ.get("WEB_KEEPALIVE_SECONDS", "5"))
# One JSON line per request comes from config.logs.RequestIdMiddleware instead.
accesslog = None
