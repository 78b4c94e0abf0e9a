"""Real Celery worker and beat processes for fault tests, each in its own process group.

They run the project's own command line against a broker and database the test names, log JSON
lines to a file the test can read (task outcomes come from config/signals.py), and can be
killed with SIGKILL the way the kernel's OOM killer or a lost machine would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.ops.servers import wait_until

ROOT = Path(__file__).resolve().parents[2]


def service_env(*, database_url: str, redis_url: str, smtp_port: int, var_dir: Path, **extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DEBUG"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        SECRET_KEY="ops-fault-tests-" + "q8Zr4@Lw8^Tn6&Yb3*Hc5(Jd1)Fg0-Se2+Ua9=Ri7_Oq4~Pz3",
        SITE_URL="https://portcullis.example.org",
        VAR_DIR=str(var_dir),
        LOG_FORMAT="json",
        CONN_MAX_AGE="0",
        **{key: str(value) for key, value in extra.items()},
    )
    return env


class _Process:
    name = "process"

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path):
        self.args = args
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "a")  # noqa: SIM115 - the child holds it; closed by the OS
        self.process = subprocess.Popen(
            self.args,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches every child
        )
        log.close()

    def kill(self) -> None:
        """SIGKILL the whole process group: no cleanup, no acknowledgement, nothing flushed."""
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def records(self) -> list[dict]:
        lines = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    lines.append(json.loads(line))
                except ValueError:
                    continue
        return lines

    def finished(self, task: str, outcome: str = "success") -> int:
        return sum(
            1
            for r in self.records()
            if r.get("message") == "task finished"
            and r.get("task_name") == task
            and r.get("outcome") == outcome
        )


class Worker(_Process):
    name = "worker"

    def __init__(self, env: dict[str, str], log_path: Path, *, concurrency: int = 1):
        super().__init__(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel",
                "INFO",
                "--pool",
                "prefork",
                "--concurrency",
                str(concurrency),
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--hostname",
                f"ops-{os.getpid()}@%h",
            ],
            env,
            log_path,
        )

    def start(self) -> None:
        before = self._ready_count()
        super().start()
        wait_until(lambda: self._ready_count() > before, timeout=60, what="celery worker ready")

    def _ready_count(self) -> int:
        if not self.log_path.exists():
            return 0
        return self.log_path.read_text(errors="replace").count(" ready.")


class Beat(_Process):
    name = "beat"

    def __init__(self, env: dict[str, str], log_path: Path, schedule: Path):
        super().__init__(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(schedule),
            ],
            env,
            log_path,
        )
