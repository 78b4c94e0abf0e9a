"""What every browser test shares: Debian's chromium, found or explained, and axe's verdict."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# Screenshots the browser tests take, kept as CI artifacts (var/ is git-ignored).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str:
    """Debian's chromium; in CI its absence fails the run, elsewhere the test skips, saying why."""
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("chromium is required in CI: apt-get install -y chromium (.ci/run does)")
    pytest.skip("Debian chromium is not installed (apt-get install -y chromium); CI runs this")


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
