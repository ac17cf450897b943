"""Shared fixtures: the repository root, the built book, and per-notebook timings.

`make test` runs ``pytest book tests --nbval-lax`` in two pytest-xdist workers (every test but
the built book's and the browser's), then the built book's tests. The notebooks nbval executed
successfully are stored in the book's jupyter-cache, under the same execution key the build
computes (:mod:`bookkit.publish.cache`), so the strict book build (the ``built_book`` fixture)
reuses them instead of executing them again.
"""
from __future__ import annotations

import fcntl
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


_CACHED: list[str] = []


def _outcomes(config):
    """nodeid -> outcomes of the tests this process ran (recorded by the root conftest.py)."""
    return config.book_outcomes


def cache_executed_notebooks(session) -> list[str]:
    """Put the notebooks nbval ran without a failure into jupyter-cache; return their names."""
    ran = {path: items for path, items in _nbval_notebooks(session).items()
           if all(i.test_outputs is not None for i in items)}  # not run here: left to the build
    if not ran:
        return []
    BUILD_DIR.mkdir(exist_ok=True)
    with open(BUILD_DIR / ".jupyter_cache.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # xdist workers finish together; one writes at a time
        return _cache(ran, _outcomes(session.config))


def _cache(ran, outcomes) -> list[str]:
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    from bookkit.publish.cache import cache_dir

    cache = get_cache(str(cache_dir(BUILD_DIR)))  # the folder the build will look in
    cached = []
    for path, items in ran.items():
        results = [outcomes.get(item.nodeid, set()) for item in items]
        if any(not r or r - {"passed"} for r in results):
            continue  # failed: let the build execute it and report the error
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
    _CACHED.extend(cached)
    return cached


def pytest_sessionfinish(session):
    """Keep the chapters this process executed for a later build, when no build here did.

    `make test` runs the chapters in pytest-xdist workers, two at a time, then builds the book
    in a second pytest run: each worker stores what it executed as it finishes.
    """
    if not _CACHED and _nbval_notebooks(session):
        cache_executed_notebooks(session)


@pytest.fixture(scope="session")
def built_book(request) -> Path:
    """Build the book once, strictly (warnings are errors), and return ``_build/html``.

    Under pytest-xdist the workers of one run share one build: the first builds (holding a
    lock), the others wait and find its stamp, the run's id that xdist gives every worker.
    """
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run_id:
        return _build_book(request)
    BUILD_DIR.mkdir(exist_ok=True)
    stamp = BUILD_DIR / ".built-by-run"
    with open(BUILD_DIR / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = stamp.read_text().split() if stamp.exists() else []
        if done[:1] == [run_id]:  # one try per run: a failed build is not repeated
            if done[1:] != ["ok"]:
                pytest.fail("the book build failed in another worker (see its error)", pytrace=False)
            return BUILD_DIR / "html"
        try:
            html = _build_book(request)
        except BaseException:
            stamp.write_text(f"{run_id} failed")
            raise
        stamp.write_text(f"{run_id} ok")
        return html


def _build_book(request) -> Path:
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
        BUILD_DIR.mkdir(exist_ok=True)  # read by bookkit.teach.timings
        (BUILD_DIR / "notebook-seconds.json").write_text(json.dumps(
            {Path(name).stem: round(total, 1) for name, total in seconds.items()}, indent=1))
    build = getattr(config, "_book_build_seconds", None)
    if build is not None:
        terminalreporter.write_line(f"{build:7.1f} s  jupyter-book build (strict)")
    _colab_table(terminalreporter)


def _colab_table(terminalreporter) -> None:
    """The Colab-like run's table (tests/test_colab.py), from its reports' user properties."""
    rows = [dict(value) for key in ("passed", "failed") for report in terminalreporter.stats.get(key, [])
            for name, value in getattr(report, "user_properties", ()) if name == "colab_row"]
    if not rows:
        return
    rows.sort(key=lambda row: row["chapter"])
    lines = [f"Colab-like run (venv {rows[0]['venv']}, created in {rows[0]['created']})",
             f"{'chapter':<20} {'seconds':>8} {'pip install s':>14}  result"]
    lines += [f"{r['chapter']:<20} {r['seconds']:>8.0f} {r['install']:>14}  {r['result']}" for r in rows]
    lines.append(f"{'total':<20} {sum(r['seconds'] for r in rows):>8.0f}")
    terminalreporter.section("Colab-like run")
    for line in lines:
        terminalreporter.write_line(line)
    BUILD_DIR.mkdir(exist_ok=True)
    (BUILD_DIR / "colab-run.txt").write_text("\n".join(lines) + "\n")


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
