"""The book's build never publishes stale or failed pages.

The ``build`` tests build a one-chapter book in a temporary folder with the real ``_config.yml``
and the real Sphinx extension, so the execution cache key and the failed-build rule are
exercised by Jupyter Book itself (a few seconds of kernel start-up per build); the key itself
(:mod:`bookkit.publish.cache`) is tested without a build.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bookkit.publish import cache

ROOT = Path(__file__).resolve().parents[1]


def _notebook(*sources: str) -> str:
    cells = [{"cell_type": "markdown", "id": "title", "metadata": {}, "source": "# Probe"}]
    cells += [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
               "outputs": [], "source": source} for i, source in enumerate(sources)]
    return json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5, "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}})


def _book(folder: Path, *sources: str) -> Path:
    config = (ROOT / "_config.yml").read_text()
    assert "bookkit.publish.extension: .\n" in config  # the extension, found from the checkout
    (folder / "_config.yml").write_text(
        config.replace("bookkit.publish.extension: .", f"bookkit.publish.extension: {ROOT}"))
    shutil.copy(ROOT / "references.bib", folder / "references.bib")  # _config.yml names it
    (folder / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n  - file: probe\n")
    (folder / "index.md").write_text("# A probe\n")
    (folder / "probe.ipynb").write_text(_notebook(*sources))
    return folder


def _build(folder: Path, **env) -> subprocess.CompletedProcess:
    environment = dict(os.environ, BOOK_BUILD="1", **env)
    return subprocess.run(
        [str(Path(sys.executable).with_name("jupyter-book")), "build", str(folder), "-W", "--keep-going"],
        capture_output=True, text=True, env=environment, cwd=folder)


SETUP = "import helpers\nrun = helpers.start('probe')"


@pytest.mark.build
def test_another_profile_re_executes_and_the_page_names_it(tmp_path):
    book = _book(tmp_path, SETUP)
    first = _build(book, BOOK_PROFILE="ci")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    page = (book / "_build" / "html" / "probe.html")
    assert "Profile: ci" in page.read_text()
    second = _build(book, BOOK_PROFILE="laptop")
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    text = page.read_text()
    assert "Profile: laptop" in text and "Profile: ci" not in text
    assert len(list((book / "_build" / ".jupyter_cache").iterdir())) == 2  # one folder per key


@pytest.mark.build
def test_backend_start_up_notes_do_not_fail_the_strict_build_but_real_stderr_does(tmp_path):
    book = _book(tmp_path, SETUP, "import sys\nprint('a real problem', file=sys.stderr)")
    failed = _build(book, BOOK_PROFILE="ci")
    log = failed.stdout + failed.stderr
    assert failed.returncode != 0, log[-3000:]
    assert "a real problem" in log or "stderr" in log
    assert "oneDNN" not in (book / "_build" / "html" / "probe.html").read_text()
    again = _build(book, BOOK_PROFILE="ci")  # nothing changed: it must not report success
    assert again.returncode != 0, (again.stdout + again.stderr)[-3000:]


def test_the_key_changes_with_profile_seed_backend_helpers_and_data():
    facts = {"profile": "ci", "seed": 42, "backend": "tensorflow", "environment": {},
             "packages": {}, "helpers": "abc", "data": []}
    key = cache.execution_key(facts)
    for change in ({"profile": "laptop"}, {"seed": 1}, {"backend": "jax"}, {"helpers": "abd"},
                   {"data": [["mnist/t10k-images-idx3-ubyte.gz", 1]]}):
        assert cache.execution_key({**facts, **change}) != key, change
    assert cache.execution_key(dict(facts)) == key


def test_the_key_reads_the_environment(monkeypatch):
    monkeypatch.setenv("BOOK_PROFILE", "ci")
    ci = cache.execution_facts()
    monkeypatch.setenv("BOOK_SEED", "7")
    assert cache.execution_key(cache.execution_facts()) != cache.execution_key(ci)
    monkeypatch.setenv("KERAS_BACKEND", "jax")  # not imported: only the recorded variable moves
    assert cache.execution_facts()["environment"]["KERAS_BACKEND"] == "jax"



def test_switching_the_keras_backend_switches_the_key(monkeypatch):
    """The backend Keras actually loaded is in the key, so a chapter executed on TensorFlow
    is never reused for a JAX or PyTorch build (keras.backend.backend() is what a chapter's
    setup cell prints; it is stubbed here, as no other backend need be installed)."""
    import keras

    monkeypatch.setenv("BOOK_PROFILE", "ci")
    keys = {}
    for backend in ("tensorflow", "jax", "torch"):
        monkeypatch.setattr(keras.backend, "backend", lambda backend=backend: backend)
        keys[backend] = cache.execution_key()
        assert keys[backend].startswith(f"ci-{backend}-"), keys[backend]
    assert len({key.split("-")[-1] for key in keys.values()}) == 3, keys
