"""Shared fixtures: the repository root, the built book, and per-notebook timings.

`make test` runs ``pytest book tests --nbval-lax``: nbval executes every chapter first. The
notebooks it executed successfully are stored in the book's jupyter-cache, under the same
execution key the build computes (:mod:`helpers.book.cache`), so the strict book build that
follows (the ``built_book`` fixture) reuses them instead of executing them again.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD_DIR = ROOT / "_build"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def _nbval_notebooks(session):
    """Group the nbval cell items by notebook: path -> list of items, in order."""
    groups = defaultdict(list)
    for item in session.items:
        if type(item).__name__ == "IPyNbCell":
            groups[Path(str(item.parent.path))].append(item)
    return groups


def _outcomes(config):
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    outcomes = {}
    for key in ("passed", "failed", "error", "skipped"):
        for report in reporter.stats.get(key, []) if reporter else []:
            if report.when == "call" or report.outcome != "passed":
                outcomes.setdefault(report.nodeid, set()).add(report.outcome)
    return outcomes


def cache_executed_notebooks(session) -> list[str]:
    """Put the notebooks nbval ran without a failure into jupyter-cache; return their names."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    from helpers.book.cache import cache_dir

    outcomes = _outcomes(session.config)
    cache = get_cache(str(cache_dir(BUILD_DIR)))  # the folder the build will look in
    cached = []
    for path, items in _nbval_notebooks(session).items():
        results = [outcomes.get(item.nodeid, set()) for item in items]
        if any(not r or r - {"passed"} for r in results) or any(i.test_outputs is None for i in items):
            continue  # not run, or failed: let the build execute it and report the error
        notebook = nbformat.read(path, as_version=4)
        code_cells = [c for c in notebook.cells if c.cell_type == "code"]
        if len(code_cells) != len(items):
            continue
        for count, (cell, item) in enumerate(zip(code_cells, items), start=1):
            cell.outputs = [nbformat.from_dict(dict(o)) for o in item.test_outputs]
            cell.execution_count = count
            for output in cell.outputs:
                if output.get("output_type") == "execute_result":
                    output["execution_count"] = count
        cache.cache_notebook_bundle(CacheBundleIn(notebook, str(path)), check_validity=False,
                                    overwrite=True)
        cached.append(path.name)
    return cached


@pytest.fixture(scope="session")
def built_book(request) -> Path:
    """Build the book once, strictly (warnings are errors), and return ``_build/html``."""
    cached = cache_executed_notebooks(request.session)
    if cached:
        print(f"\nReusing nbval's execution of {len(cached)} notebooks: {', '.join(sorted(cached))}")
    env = dict(os.environ, BOOK_BUILD="1")
    started = time.monotonic()
    result = subprocess.run(
        [str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT), "-W", "--keep-going", "--all"],
        cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    request.config._book_build_seconds = seconds
    log = result.stdout + result.stderr
    (BUILD_DIR).mkdir(exist_ok=True)
    (BUILD_DIR / "build.log").write_text(log)
    if result.returncode != 0:
        pytest.fail(f"jupyter-book build failed (exit {result.returncode}); last lines:\n"
                    + "\n".join(log.splitlines()[-60:]), pytrace=False)
    return BUILD_DIR / "html"


def pytest_terminal_summary(terminalreporter, config):
    """Print how long each chapter took to execute (summed over its cells)."""
    seconds = defaultdict(float)
    for key in ("passed", "failed", "error"):
        for report in terminalreporter.stats.get(key, []):
            if ".ipynb::" in report.nodeid:
                seconds[report.nodeid.split("::")[0]] += report.duration
    if seconds:
        terminalreporter.section("notebook execution times (nbval)")
        for name, total in sorted(seconds.items(), key=lambda kv: -kv[1]):
            terminalreporter.write_line(f"{total:7.1f} s  {name}")
        terminalreporter.write_line(f"{sum(seconds.values()):7.1f} s  all notebooks")
        BUILD_DIR.mkdir(exist_ok=True)  # read by helpers.teach.timings
        (BUILD_DIR / "notebook-seconds.json").write_text(json.dumps(
            {Path(name).stem: round(total, 1) for name, total in seconds.items()}, indent=1))
    build = getattr(config, "_book_build_seconds", None)
    if build is not None:
        terminalreporter.write_line(f"{build:7.1f} s  jupyter-book build (strict)")


@pytest.fixture
def passes(capsys):
    """``passes(check, *args, **kwargs)``: run an exercise check and require that it passed.

    A check's :class:`helpers.checks.Passed` is true whatever happened, so ``assert check(...)``
    could never fail: this asserts what it is instead — a ``Passed`` for the check's own
    exercise label (``EX<n>`` of its module) with one printed ``✓ <label>: …`` line. Returns
    that line, for tests that look at what the feedback says.
    """
    import importlib

    from helpers.checks import Passed

    def run(check, *args, **kwargs) -> str:
        capsys.readouterr()
        result = check(*args, **kwargs)
        printed = capsys.readouterr().out.strip().splitlines()
        label = getattr(importlib.import_module(check.__module__), "EX" + check.__name__.rsplit("_", 1)[-1])
        assert isinstance(result, Passed), f"{check.__name__} returned {result!r}, not Passed"
        assert result.exercise == label, f"{check.__name__} passed as {result.exercise!r}, expected {label!r}"
        assert printed and printed[-1].startswith(f"✓ {label}: "), f"no ✓ line for {label}: {printed}"
        return printed[-1]

    return run
