"""What the book's wheel is built from, copied out of the checkout.

setuptools builds in a checkout's ``build/`` folder and packs what it finds there, so
modules since moved or deleted (``helpers/book``, ``helpers/teach``) would still ship
from a checkout that built a wheel before. A copy of the sources has no such folder.
"""
from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def wheel_source(folder: Path) -> Path:
    """``folder`` with the files the wheel is built from: pyproject, readme, licence,
    ``helpers``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, folder / name)
    shutil.copytree(ROOT / "helpers", folder / "helpers", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return folder
