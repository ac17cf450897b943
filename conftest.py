"""Markers that split the suite into the fast path and the slow one (pyproject.toml lists them).

``make check`` deselects ``notebook``, ``build``, ``browser``, ``colab`` and ``slow``; ``make
test`` runs everything. Most marks are given here, from what a test needs, so a new test that
executes a chapter or builds the book cannot slip into the fast path by forgetting a marker:

- every cell nbval collects from a chapter (``pytest book --nbval-lax``) is ``notebook``;
- every test that asks for the built book (the ``built_book`` fixture) is ``build`` and
  ``built_book``: ``make test`` runs those after the chapters, when the book can be built from
  their executions.

Tests that build or drive a browser in another way carry their marker in their own module.
This file sits at the root so that it also applies to ``pytest book``, which loads no
``tests/conftest.py``.
"""
from __future__ import annotations

import os

import pytest

# Lessons stop a chapter under pytest (nbval's kernels inherit this), as in the build and in
# CI; in a reader's runtime they print a note instead (helpers.lessons). A test that runs a
# chapter as a reader would sets the variable to "note" for that kernel.
os.environ.setdefault("BOOK_LESSONS", "check")


#: nodeid -> outcomes of the tests this process ran. Recorded here, at the root, because a
#: report of a chapter's cell (under book/) reaches no hook of tests/conftest.py; an xdist
#: worker has no terminal reporter whose stats could be read instead. tests/conftest.py reads
#: it as ``config.book_outcomes`` to cache the chapters that passed for the build.
OUTCOMES: dict[str, set[str]] = {}


def pytest_configure(config):
    config.book_outcomes = OUTCOMES


def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        OUTCOMES.setdefault(report.nodeid, set()).add(report.outcome)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    for item in items:
        if type(item).__name__ == "IPyNbCell":  # nbval: a chapter's cell
            item.add_marker(pytest.mark.notebook)
        if "built_book" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.build)
            item.add_marker(pytest.mark.built_book)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "visit" in params:  # tests/test_browser.py: one page's tests share one visit
            item.add_marker(pytest.mark.xdist_group(f"visit {params['visit']}"))
