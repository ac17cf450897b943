"""Every environment variable the book reads, with its default and what it does.

No other module reads ``os.environ`` for the book: each asks :func:`get` or
:func:`switched_on` by name, so :data:`VARIABLES` is the whole list, an unknown name
fails at once, and CONTRIBUTING's table is checked against it
(``tests/test_config.py``).
A variable is read when asked, not once at import: a test, or a reader who sets
``BOOK_SEED`` in a notebook before ``helpers.start``, changes what the next call sees.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Variable:
    """One environment variable; ``default`` is what it reads as when unset or blank."""

    name: str
    default: str
    what: str


VARIABLES = {
    v.name: v
    for v in (
        Variable("BOOK_PROFILE", "", "ci, laptop or full (unset: by hardware)"),
        Variable("BOOK_SEED", "42", "the seed of Python, NumPy and the backend"),
        Variable(
            "BOOK_SMOKE",
            "",
            "1: 2 epochs of 2 updates, 400 held-out images; lessons reported, "
            "not asserted",
        ),
        Variable("BOOK_LESSONS", "", "check or note: how a lesson that fails shows"),
        Variable("BOOK_BUILD", "", "set by make: short fit logs, widgets' static twin"),
        Variable("CI", "", "set by CI services: short fit logs, lessons checked"),
        Variable("NBGRADER_EXECUTION", "", "set by nbgrader's autograde"),
        Variable("BOOK_DATA_DIR", "", "the data cache (unset: the user's cache)"),
        Variable("BOOK_OFFLINE", "", "1: never touch the network"),
        Variable("BOOK_UPDATES_LOG", "", "a file where every fit appends its updates"),
        Variable("BOOK_READER_REF", "", "the commit the reader copies install"),
        Variable("BOOK_CHROMIUM", "/usr/bin/chromium", "the Chromium that prints"),
        Variable("KERAS_BACKEND", "tensorflow", "Keras's backend: jax, torch too"),
    )
}


def get(name: str) -> str:
    """The value of ``name``, stripped, or its default when it is unset or blank."""
    try:
        variable = VARIABLES[name]
    except KeyError:
        raise KeyError(
            f"{name} is not one of the book's variables ({', '.join(VARIABLES)}); "
            "add it to helpers.config.VARIABLES"
        ) from None
    return os.environ.get(name, "").strip() or variable.default


def switched_on(name: str) -> bool:
    """True when ``name`` is set to anything but blank, ``0``, ``false`` or ``no``."""
    return get(name).lower() not in ("", "0", "false", "no")
