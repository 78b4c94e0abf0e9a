"""The house's shape, held by tests: no import circles, arrows one way, modules one can read.

The graph comes from grimp (the library import-linter is built on), which reads every import,
including those inside functions, so hiding an import in a function does not hide a circle.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "destinations", "advisories", "publishing", "webhooks")
MAX_MODULE_LINES = 500


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_of_the_project_imports_itself_back_through_others(graph):
    assert _cycles(graph) == []


def test_the_cycle_finder_sees_a_circle_when_there_is_one():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    graph.add_import(importer="destinations.models", imported="advisories.models")
    assert any({"advisories.models", "destinations.models"} <= set(c) for c in _cycles(graph))


def test_destinations_imports_neither_advisories_nor_publishing(graph):
    for upper in ("advisories", "publishing"):
        chains = graph.find_shortest_chains(importer="destinations", imported=upper)
        assert chains == set(), f"destinations reaches {upper} through {chains}"


def test_advisories_never_imports_the_publishing_layer(graph):
    assert graph.find_shortest_chains(importer="advisories", imported="publishing") == set()


def test_the_import_contracts_in_pyproject_hold():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_every_module_outside_migrations_and_tests_reads_in_one_sitting():
    too_long = {
        str(path.relative_to(ROOT)): n
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}
