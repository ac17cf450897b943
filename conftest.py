"""Markers that split the suite into the fast path and the slow one (pyproject.toml lists them).

``make check`` deselects ``notebook``, ``build``, ``browser``, ``colab`` and ``slow``; ``make
test`` runs everything. Most marks are given here, from what a test needs, so a new test that
executes a chapter or builds the book cannot slip into the fast path by forgetting a marker:

- every cell nbval collects from a chapter (``pytest book --nbval-lax``) is ``notebook``;
- every test that asks for the built book (the ``built_book`` fixture) is ``build``.

Tests that build or drive a browser in another way carry their marker in their own module.
This file sits at the root so that it also applies to ``pytest book``, which loads no
``tests/conftest.py``.
"""
from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        if type(item).__name__ == "IPyNbCell":  # nbval: a chapter's cell
            item.add_marker(pytest.mark.notebook)
        if "built_book" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.build)
