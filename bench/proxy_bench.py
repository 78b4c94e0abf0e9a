"""Edge benchmark (issue 17): the board through the repo's nginx cache, and from Django alone.

Starts gunicorn (the project's gunicorn.conf.py, SQLite under a temporary directory, the same
1,000 destinations / 50,000 changes as bench/publish_bench.py) and, in front of it, nginx
running deploy/nginx/portcullis.conf with only its upstream, listen address and cache directory
pointed here, plus one extra location that serves the board's own bytes as a file from disk.
wrk drives keep-alive connections that carry no cookie, as a first-time visitor's would. Rounds
alternate between the two sides of each comparison, and the medians are compared, so a slow
moment on this two-core machine does not land on one side only:

    proxy static      nginx serving the board's bytes from a file (the floor)
    proxy cached      "/" answered by nginx from its cache (X-Cache-Status HIT; with the
                      application's own max-age, so an expired copy is refreshed in the
                      background while the stale one is served, as in production)
    whitenoise        the same bytes as a static file served by WhiteNoise inside gunicorn
    django cached     "/" from Django's page cache, through every middleware

Goals: proxy cached >= 0.8x proxy static; django cached >= 0.9x whitenoise.

    python bench/proxy_bench.py [--seconds 5] [--rounds 5] [--clients 8] [--nginx-workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from publish_bench import POPULATE, free_port, measure, start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "deploy" / "nginx" / "portcullis.conf"
HOST = "127.0.0.1"


def _get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": HOST})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def nginx_config(*, base: Path, upstream: str, listen: str, static_file: Path, workers: int) -> str:
    """The deploy config pointed at this run's servers, with a file location for the floor."""
    conf = CONF.read_text()
    for old, new in {
        "server web:8000; # test: upstream": f"server {upstream};",
        "listen 80; # test: listen": f"listen {listen};",
        "/var/cache/nginx/portcullis ": f"{base / 'cache'} ",
    }.items():
        if conf.count(old) != 1:
            raise SystemExit(f"{CONF.name} no longer has `{old}` exactly once")
        conf = conf.replace(old, new)
    floor = (
        f"    location = /bench-static/board.html {{\n"
        f"        alias {static_file};\n"
        f"        default_type text/html;\n"
        f"    }}\n\n    location / {{"
    )
    conf = conf.replace("    location / {", floor, 1)
    temp_paths = "".join(
        f"{kind}_temp_path {base / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes {workers};\nerror_log {base / 'error.log'} warn;\n"
        f"pid {base / 'nginx.pid'};\nevents {{ worker_connections 1024; }}\n"
        f"http {{\naccess_log off;\nsendfile on;\n{temp_paths}{conf}\n}}\n"
    )


def _compare(name_a, paths_a, name_b, paths_b, *, port_a, port_b, options) -> float:
    """Alternating rounds of A (the floor) and B; prints each and returns median(B)/median(A)."""
    floor, tried = [], []
    for round_ in range(1, options.rounds + 1):
        for name, paths, port, figures in (
            (name_a, paths_a, port_a, floor),
            (name_b, paths_b, port_b, tried),
        ):
            result = measure(port, paths, seconds=options.seconds, clients=options.clients)
            figures.append(result)
            print(
                f"{name + f' ({round_})':<26}{result['rps']:>9.0f}{result['p50']:>10.2f}"
                f"{result['p99']:>10.2f}{result['n']:>10}",
                flush=True,
            )
    a = statistics.median(f["rps"] for f in floor)
    b = statistics.median(f["rps"] for f in tried)
    per_round = ", ".join(f"{t['rps'] / f['rps']:.2f}" for f, t in zip(floor, tried, strict=True))
    print(f"  {name_b} / {name_a}: {b:.0f} / {a:.0f} req/s = {b / a:.2f}x (rounds {per_round})\n")
    return b / a


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn process")
    parser.add_argument("--nginx-workers", type=int, default=2)
    options = parser.parse_args()
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if not nginx or not shutil.which("wrk"):
        print("proxy_bench: skipped; it needs nginx and wrk (apt-get install nginx wrk)")
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="portcullis-proxy-bench-"))
    workdir.chmod(0o755)
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}},
        "VAR_DIR": str(workdir / "var"),
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "TRUSTED_PROXIES": "1",
        "API_ANON_RATE": "100000000/minute",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "STATIC_ROOT": str(workdir / "static"),
        "WEB_CONCURRENCY": str(options.workers),
        "WEB_THREADS": str(options.threads),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
        "CACHE_KEY_PREFIX": f"proxybench{os.getpid()}",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    server = proxy = None
    try:
        for command in (["migrate", "--no-input", "-v0"], ["collectstatic", "--no-input", "-v0"]):
            subprocess.run([*manage, *command], env=env, check=True, cwd=ROOT)
        subprocess.run([*manage, "shell", "-c", POPULATE], env=env, check=True, cwd=ROOT)
        web_port, proxy_port = free_port(), free_port()
        server = start_server(env, web_port)
        status, _, board = _get(web_port, "/")
        assert status == 200, status
        (workdir / "static" / "bench-board.html").write_bytes(board)
        stop_server(server)  # WhiteNoise indexes STATIC_ROOT at start: start again to see it
        server = start_server(env, web_port)
        nginx_dir = workdir / "nginx"
        (nginx_dir / "logs").mkdir(parents=True)
        static_file = nginx_dir / "board.html"
        static_file.write_bytes(board)
        conf = nginx_dir / "nginx.conf"
        conf.write_text(
            nginx_config(
                base=nginx_dir,
                upstream=f"{HOST}:{web_port}",
                listen=f"{HOST}:{proxy_port}",
                static_file=static_file,
                workers=options.nginx_workers,
            )
        )
        if os.geteuid() == 0:
            for path in [nginx_dir, *nginx_dir.rglob("*")]:
                shutil.chown(path, "nobody", "nogroup")
        proxy = subprocess.Popen(
            [nginx, "-p", str(nginx_dir), "-c", str(conf), "-g", "daemon off;"],
            stderr=subprocess.PIPE,
        )
        for _ in range(100):
            try:
                if _get(proxy_port, "/bench-static/board.html")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        for _ in range(5):
            status, headers, body = _get(proxy_port, "/")
            if headers.get("X-Cache-Status") == "HIT":
                break
            time.sleep(0.2)
        if headers.get("X-Cache-Status") != "HIT":
            raise SystemExit(f"the proxy does not answer the board from its cache: {headers}")
        # Not byte-identical (the page names the moment it was rendered), the same size.
        if abs(len(body) - len(board)) > len(board) // 100:
            raise SystemExit(f"the cached board is {len(body)} bytes, the file {len(board)}")
        print(
            f"board {len(board) / 1024:.1f} KiB; wrk, {options.clients} connections, no cookies; "
            f"gunicorn {options.workers}x{options.threads}; nginx {options.nginx_workers} "
            f"workers; {options.seconds:.0f} s per round\n"
        )
        print(f"{'scenario':<26}{'req/s':>9}{'p50 ms':>10}{'p99 ms':>10}{'requests':>10}")
        proxy_ratio = _compare(
            "proxy static",
            ["/bench-static/board.html"],
            "proxy cached",
            ["/"],
            port_a=proxy_port,
            port_b=proxy_port,
            options=options,
        )
        django_ratio = _compare(
            "whitenoise",
            ["/static/bench-board.html"],
            "django cached",
            ["/"],
            port_a=web_port,
            port_b=web_port,
            options=options,
        )
        print(
            f"proxy cached / proxy static: {proxy_ratio:.2f}x "
            f"(goal >= 0.80x: {'met' if proxy_ratio >= 0.8 else 'NOT met'})"
        )
        print(
            f"django cached / whitenoise:  {django_ratio:.2f}x "
            f"(goal >= 0.90x: {'met' if django_ratio >= 0.9 else 'NOT met'})"
        )
        return 0
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(timeout=10)
        if server is not None:
            stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
