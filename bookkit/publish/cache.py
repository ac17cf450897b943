"""Which executed notebooks may be reused: the execution cache's key.

jupyter-cache, which the book's build and ``make test`` use to execute each chapter
once, keys a notebook on its code cells only. The same cells give other outputs under
another profile, seed, Keras backend, ``helpers`` code or data source, so the book would
publish stale pages ("Profile: ci" in a laptop build). Every executed notebook therefore
lives in a cache folder named after everything that changes its outputs:
:func:`execution_key`.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

#: Environment variables that change what a chapter computes or prints.
VARIABLES = (
    "BOOK_PROFILE",
    "BOOK_SEED",
    "BOOK_SMOKE",
    "BOOK_DATA_DIR",
    "BOOK_OFFLINE",
    "KERAS_BACKEND",
    "BOOK_BUILD",
    "CI",
)
#: Packages whose version changes the numbers.
PACKAGES = (
    "keras",
    "tensorflow",
    "jax",
    "torch",
    "numpy",
    "scikit-learn",
    "scikit-image",
)


def _helpers_digest() -> str:
    """A digest of the ``helpers`` code the chapters run (editable install or not).

    The build and teaching tools live outside ``helpers`` (in :mod:`bookkit`), so a
    change to how pages are rendered does not execute every chapter again.
    """
    import helpers

    package = Path(helpers.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _data_listing() -> list:
    """Names and sizes of the data files the chapters would read (not their bytes:
    fast)."""
    from helpers.data import files as data

    listing = []
    for directory in data._search_dirs():
        if directory.is_dir():
            listing += sorted(
                (str(p.relative_to(directory)), p.stat().st_size)
                for p in directory.rglob("*")
                if p.is_file()
            )
    return listing


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def execution_facts() -> dict:
    """Everything the key is made of, resolved as a chapter would resolve it."""
    from helpers import config, console, profiles

    with console.quiet_start_up():
        import keras

        # unset: chosen by hardware, as the chapters do
        profile = profiles.get_profile().name
        backend = keras.backend.backend()
    return {
        "profile": profile,
        "seed": profiles.get_seed(),
        "backend": backend,
        "environment": {name: config.get(name) for name in VARIABLES},
        "packages": {name: _version(name) for name in PACKAGES},
        "helpers": _helpers_digest(),
        "data": _data_listing(),
    }


def execution_key(facts: dict | None = None) -> str:
    """A short name for the facts: ``<profile>-<backend>-<12 hex digits>``."""
    facts = execution_facts() if facts is None else facts
    digest = hashlib.sha256(
        json.dumps(facts, sort_keys=True, default=str).encode()
    ).hexdigest()
    return f"{facts['profile']}-{facts['backend']}-{digest[:12]}"


def cache_dir(build_dir: Path | str, facts: dict | None = None) -> Path:
    """The jupyter-cache folder for this execution key under ``build_dir``."""
    return Path(build_dir) / ".jupyter_cache" / execution_key(facts)
