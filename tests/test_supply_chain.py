"""What a production install gets: the runtime only, on current packaging tools."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
DEVELOPMENT_TOOLS = {"honcho", "aiosmtpd"}


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[=<>~! ]", r, maxsplit=1)[0].lower() for r in requirements}


def test_development_tools_are_not_runtime_dependencies():
    assert _names(PROJECT["dependencies"]) & DEVELOPMENT_TOOLS == set()


def test_make_run_and_the_tests_still_get_the_development_tools():
    local = PROJECT["optional-dependencies"]["local"]
    assert _names(local) >= DEVELOPMENT_TOOLS
    assert "portcullis[local]" in PROJECT["optional-dependencies"]["dev"]


def test_every_install_upgrades_the_packaging_tools_the_interpreter_bundles():
    # A fresh virtualenv carries the interpreter's bundled setuptools, with known advisories.
    for recipe in ("Makefile", "Dockerfile"):
        text = (ROOT / recipe).read_text()
        assert re.search(r"pip install [^\n]*--upgrade pip setuptools wheel", text), recipe
