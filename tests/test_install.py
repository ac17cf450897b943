"""A chapter runs on its own, as in Colab: the notebook alone in an empty folder, with `helpers`
installed (not editable) from the repository into a fresh virtual environment."""
from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from wheel_source import wheel_source

#: A fresh venv and a wheel of the repository, then a chapter executed in it.
pytestmark = [pytest.mark.slow, pytest.mark.notebook]

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "book" / "data.ipynb"  # the smallest chapter


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory) -> Path:
    """A new venv with `helpers` pip-installed from a wheel built from the repository.

    Its dependencies (TensorFlow and friends) come from the test environment through a `.pth`
    line, so the test needs no network; the `.pth` line adds those packages but not the editable
    `helpers` hook of the development install, so `import helpers` finds the installed copy.
    """
    home = tmp_path_factory.mktemp("fresh-venv")
    venv.EnvBuilder(with_pip=False).create(home)
    python = home / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    # from a copy of the sources, not the checkout (tests/wheel_source.py says why)
    source = wheel_source(tmp_path_factory.mktemp("source"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", purelib, str(source)], check=True, cwd=home)
    return python


def test_helpers_is_installed_as_a_package_not_from_the_checkout(fresh_env, tmp_path):
    where = subprocess.run([str(fresh_env), "-c", "import helpers, helpers.data, helpers.checks; print(helpers.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, check=True).stdout.strip()
    assert str(ROOT) not in where, f"helpers was imported from the checkout: {where}"


def test_a_chapter_copied_alone_runs_its_setup_cell_and_to_the_end(fresh_env, tmp_path):
    if not NOTEBOOK.exists():
        pytest.fail(f"{NOTEBOOK.name} is missing")
    copy = tmp_path / NOTEBOOK.name
    copy.write_text(NOTEBOOK.read_text())
    env = dict(os.environ, BOOK_PROFILE="ci")
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [str(fresh_env), "-m", "nbconvert", "--to", "notebook", "--execute", "--inplace",
         "--ExecutePreprocessor.timeout=300", str(copy)],
        capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    cells = json.loads(copy.read_text())["cells"]
    first_output = "".join(
        "".join(o.get("text", "")) for o in next(c for c in cells if c["cell_type"] == "code")["outputs"])
    for word in ("Profile: ci", "Keras backend:", "device:", "seed:"):
        assert word in first_output, f"the setup cell did not print {word!r}: {first_output!r}"


def test_the_wheel_holds_what_chapters_import_and_no_book_tooling(fresh_env, tmp_path):
    """Every module of the installed ``helpers`` imports on its own (none reaches for the
    checkout), and neither the build nor the teaching tools (``bookkit``) were installed."""
    script = (
        "import importlib, pkgutil, sys, sysconfig, pathlib, helpers\n"
        "names = [m.name for m in pkgutil.walk_packages(helpers.__path__, 'helpers.')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "site = pathlib.Path(sysconfig.get_paths()['purelib'])\n"
        "print(' '.join(names))\n"
        "print(' '.join(sorted(p.name for p in site.iterdir() if p.is_dir())))\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('bookkit', 'sphinx', 'myst_nb', 'nbgrader', 'jupyter_book'))))\n")
    env = dict(os.environ, BOOK_PROFILE="ci")
    env.pop("PYTHONPATH", None)
    result = subprocess.run([str(fresh_env), "-c", script], capture_output=True, text=True,
                            cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    modules, installed, tooling = (line.split() for line in result.stdout.splitlines()[-3:])
    assert {"helpers.data.loader", "helpers.train", "helpers.checks.vae"} <= set(modules), modules
    assert not [m for m in modules if m.startswith(("helpers.book", "helpers.teach"))], modules
    assert "helpers" in installed and "bookkit" not in installed, installed
    assert tooling == [], f"importing every helpers module loaded the book's tooling: {tooling}"
