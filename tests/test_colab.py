"""Every chapter, as a reader opens it in Colab, runs to the end on Colab's own package versions.

What "Colab-like" means here:

* a virtual environment with exactly the versions in ``tests/colab/colab-packages.txt`` (Colab's
  preinstalled TensorFlow, Keras, NumPy, IPython 7, ipywidgets 7, ...), made once and cached
  under ``~/.cache/autoencoders-hands-on/colab-venv/<hash of that file>`` (``$BOOK_COLAB_VENVS``
  moves it), so a fresh clone on the same machine does not download it again; the cached venv
  is never changed: each pytest-xdist worker runs in its own copy of hard links under
  ``_build/colab-venv``;
* the *reader notebook* of the chapter (:mod:`bookkit.publish.reader`), copied alone into an empty
  folder, its setup cell installing the book's helpers from a wheel built from this checkout
  (``--install``) exactly as Colab installs them from the repository;
* every exercise left unanswered, as in the student copy ``make student`` writes: after each
  folded solution, which still runs, comes the answer cell as the student copy has it
  (:func:`bookkit.teach.unanswered.with_every_exercise_unanswered`), so every later cell runs
  with that exercise unanswered (why here: tests/test_student_copies.py);
* ``google.colab`` importable and imported when the kernel starts (a stub in ``tests/colab``:
  ``output.enable_custom_widget_manager()`` records its calls), so the setup cell takes its
  Colab branch;
* the kernel is that venv's Python (a kernelspec in a temporary folder), started with
  ``BOOK_BUILD=1`` and the caller's ``BOOK_PROFILE`` (``ci`` when unset), ``BOOK_SMOKE``,
  ``BOOK_UPDATES_LOG`` and ``BOOK_DATA_DIR``.

``make colab`` runs it with ``BOOK_PROFILE=full BOOK_SMOKE=1``: the full profile's data, sizes
and shapes, 2 epochs of 2 updates, so one execution of each chapter checks both Colab's package
versions and what the full profile builds (the ``ci`` profile's lessons are checked by nbval in
``make test``, on the newest versions). The chapter's first output must name the profile asked
for, so a kernel that silently ran another profile fails.

What must hold: the chapter runs to the end with every exercise unanswered, each check saying
its exercise is not answered yet, no cell writes to stderr, the install in the setup
cell changes no preinstalled package (``pip freeze`` before and after differ by the book's own
package only) and takes under 30 seconds.

Select with ``-m colab`` (deselect with ``-m "not colab"``): creating the venv downloads
TensorFlow once (about 600 MB); each chapter then takes about a minute on 2 CPU cores.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from wheel_source import wheel_source

ROOT = Path(__file__).resolve().parents[1]
COLAB = ROOT / "tests" / "colab"
PACKAGES = COLAB / "colab-packages.txt"
STUB = COLAB / "stub"  # the google.colab stand-in, put on the kernel's PYTHONPATH
#: Where the venvs with Colab's versions are kept between runs and clones (the user's cache).
VENVS = Path(os.environ.get("BOOK_COLAB_VENVS")
             or Path.home() / ".cache" / "autoencoders-hands-on" / "colab-venv")
#: Each worker's copy of the cached venv (hard links), inside this checkout's build folder.
COPIES = ROOT / "_build" / "colab-venv"
BOOK_PACKAGE = "autoencoders-hands-on"

INSTALL_LIMIT_S = 30.0


def _not_on_colab() -> set[str]:
    """Runtime dependencies Colab does not ship (colab-packages.txt, ``# not-on-colab:``):
    the setup cell may add these, at any version, and nothing else."""
    found = re.search(r"^# not-on-colab:(.*)$", PACKAGES.read_text(), re.MULTILINE)
    return {n.strip().lower() for n in found.group(1).split(",")} if found else set()


pytestmark = [pytest.mark.colab, pytest.mark.slow]


def _chapters() -> list[Path]:
    """The chapters, longest first when ``make test`` has timed them under nbval
    (``_build/notebook-seconds.json``): two workers then finish close together instead of
    one waiting for the other's last long chapter."""
    chapters = sorted((ROOT / "book").glob("*.ipynb"))
    timed = ROOT / "_build" / "notebook-seconds.json"
    try:
        seconds = json.loads(timed.read_text())
    except (OSError, ValueError):
        return chapters
    return sorted(chapters, key=lambda p: -float(seconds.get(p.stem, 0.0)))


# ---------------------------------------------------------------------------------------------
# The venv with Colab's versions, cached by the hash of the package list


def _key() -> str:
    return hashlib.sha256(PACKAGES.read_bytes()).hexdigest()[:16]


def _pip_env() -> dict[str, str]:
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONNOUSERSITE="1")
    env.pop("PYTHONPATH", None)
    env.pop("PIP_REQUIRE_VIRTUALENV", None)
    return env


def freeze(python: Path) -> dict[str, str]:
    """``pip freeze`` of the venv as {normalised name: line}."""
    out = subprocess.run([str(python), "-m", "pip", "freeze", "--all"], capture_output=True,
                         text=True, check=True, env=_pip_env()).stdout
    lines = {}
    for line in out.splitlines():
        if line.strip() and not line.startswith("#"):
            name = re.split(r"[=@ ]", line, maxsplit=1)[0].strip().lower().replace("_", "-")
            lines[name] = line.strip()
    return lines


def colab_venv(log=print) -> Path:
    """The cached venv's python; created (``pip install -r colab-packages.txt``) when missing.

    A venv is complete only when its ``.complete`` marker exists, so a download that failed half
    way is made again, not used.
    """
    home = VENVS / _key()
    python = home / "bin" / "python"
    marker = home / ".complete"
    if marker.exists():
        return python
    if home.exists():
        shutil.rmtree(home)
    home.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(home)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", str(PACKAGES)],
                   check=True, env=_pip_env())
    seconds = time.perf_counter() - started
    (home / "creation-seconds.txt").write_text(f"{seconds:.0f}\n")
    marker.write_text(PACKAGES.read_text())
    log(f"Colab venv created in {seconds:.0f} s: {home}")
    return python


# ---------------------------------------------------------------------------------------------
# Fixtures: the venv, the wheel, the kernel


def worker_venv(python: Path, worker: str) -> Path:
    """The venv of one pytest-xdist worker (or of a run without workers): a copy of the
    cached venv made of hard links (``cp -al``: seconds, no extra disk) under
    ``_build/colab-venv``, since each worker installs and removes the book's package while
    its chapter runs, and the cached venv must stay as Colab has it.

    Safe because nothing changes a file of the venv in place: pip and Python's bytecode
    cache write new files and replace names, which only the copy's folders see. A cache on
    another file system than the checkout cannot be hard-linked: it is copied.
    """
    home = python.parent.parent
    copy = COPIES / f"{home.name}-{worker or 'main'}"
    marker = copy / ".copied"  # written last: a copy cut off half way is made again
    if not marker.exists():
        shutil.rmtree(copy, ignore_errors=True)
        copy.parent.mkdir(parents=True, exist_ok=True)
        linked = subprocess.run(["cp", "-al", str(home), str(copy)], capture_output=True)
        if linked.returncode != 0:  # another file system: hard links cannot cross it
            shutil.rmtree(copy, ignore_errors=True)
            subprocess.run(["cp", "-a", str(home), str(copy)], check=True)
        marker.write_text(str(home))
    return copy / "bin" / "python"


@pytest.fixture(scope="session")
def colab_python(request) -> Path:
    python = colab_venv(log=lambda line: _say(request, line))
    python = worker_venv(python, os.environ.get("PYTEST_XDIST_WORKER", ""))
    _uninstall_book(python)  # a run that stopped half-way may have left it
    request.addfinalizer(lambda: _uninstall_book(python))  # the copy is reused next run
    created = python.parent.parent / "creation-seconds.txt"
    RUN["venv"] = f"{created.read_text().strip()} s" if created.exists() else "unknown"
    return python


@pytest.fixture(scope="session")
def baseline(colab_python) -> dict[str, str]:
    """``pip freeze`` of the venv as Colab has it, before the book is installed."""
    return freeze(colab_python)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """The helpers as Colab gets them: a wheel built from this checkout (no dependencies).

    Built once per run: pytest-xdist workers share it (setuptools builds in the checkout's
    ``build/`` folder, so two builds at once trip over each other).
    """
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:
        return _build_wheel(tmp_path_factory.mktemp("dist"))
    dist = ROOT / "_build" / "colab-wheel" / run
    dist.parent.mkdir(parents=True, exist_ok=True)
    with open(dist.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = list(dist.glob("*.whl"))
        if built:
            return built[0]
        for old in dist.parent.iterdir():  # wheels of earlier runs
            if old.is_dir():
                shutil.rmtree(old)
        dist.mkdir()
        return _build_wheel(dist)


def _build_wheel(dist: Path) -> Path:
    source = wheel_source(dist / "source")  # not the checkout: tests/wheel_source.py
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(dist), str(source)], check=True, cwd=source, env=_pip_env())
    [built] = dist.glob("*.whl")
    return built


def _uninstall_book(python: Path) -> None:
    subprocess.run([str(python), "-m", "pip", "uninstall", "--quiet", "--yes", BOOK_PACKAGE],
                   capture_output=True, env=_pip_env())


def _kernel_env(record: Path, ipython_dir: Path, python: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV", "JUPYTER", "IPYTHON", "MPLBACKEND"))}
    env.update(
        PATH=f"{python.parent}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(STUB),
        PYTHONNOUSERSITE="1",
        IPYTHONDIR=str(ipython_dir),
        COLAB_TEST_RECORD=str(record),
        PIP_DISABLE_PIP_VERSION_CHECK="1",  # no "[notice] a new pip" from an outdated venv pip
        PYDEVD_DISABLE_FILE_VALIDATION="1",  # ipykernel 6's debugger: no frozen-modules note in the log
        BOOK_PROFILE=os.environ.get("BOOK_PROFILE", "ci"),
        BOOK_BUILD="1",
    )
    for name in ("BOOK_DATA_DIR", "BOOK_SMOKE", "BOOK_UPDATES_LOG"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    return env


def _kernel_manager(python: Path, home: Path):
    """A kernel of the venv's Python, from a kernelspec in a temporary folder."""
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    spec = home / "kernels" / "colab-like"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (Colab-like)", "language": "python"}))
    return KernelManager(kernel_name="colab-like",
                         kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(home / "kernels")]))


# ---------------------------------------------------------------------------------------------
# The run's table: each chapter's row rides on its test report (``user_properties``), so the
# table is printed once, by tests/conftest.py, also when pytest-xdist workers ran the chapters.

RUN: dict = {"venv": "unknown"}


def _say(request, line: str) -> None:
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)
    else:
        print(line)


# ---------------------------------------------------------------------------------------------
# Tests


def test_the_package_list_names_every_runtime_dependency():
    """Every dependency in pyproject.toml has Colab's version pinned in colab-packages.txt."""
    import tomllib

    def name(requirement: str) -> str:
        return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")

    listed = {name(line) for line in PACKAGES.read_text().splitlines() if line.strip() and not line.startswith("#")}
    wanted = {name(d) for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    assert wanted <= listed | _not_on_colab(), f"colab-packages.txt lacks {sorted(wanted - listed)}"
    assert not listed & _not_on_colab(), "a package 'not on Colab' is pinned as if preinstalled"
    assert all("==" in line for line in PACKAGES.read_text().splitlines()
               if line.strip() and not line.startswith("#")), "pin every package to Colab's version"


def test_installing_the_book_changes_no_preinstalled_package(colab_python, baseline, wheel):
    """pip's own plan for the setup cell's install: the book's package, nothing else."""
    report = subprocess.run([str(colab_python), "-m", "pip", "install", "--dry-run", "--quiet", "--report", "-",
                             str(wheel)], capture_output=True, text=True, env=_pip_env())
    assert report.returncode == 0, report.stderr[-2000:]
    planned = json.loads(report.stdout)["install"]
    names = {item["metadata"]["name"].lower().replace("_", "-"): item["metadata"]["version"] for item in planned}
    others = {n: v for n, v in names.items() if n != BOOK_PACKAGE and n not in _not_on_colab()}
    if others:
        book = next(item for item in planned if item["metadata"]["name"].lower().replace("_", "-") == BOOK_PACKAGE)
        requires = book["metadata"].get("requires_dist", [])
        causes = {n: [r for r in requires if re.split(r"[<>=!~\[ ;(]", r, maxsplit=1)[0].lower()
                      .replace("_", "-") == n] or ["(a dependency of a dependency)"] for n in others}
        pytest.fail("installing the book would change Colab's packages: " + "; ".join(
            f"{n} {baseline.get(n, 'not installed')} -> {v} because of {causes[n]}" for n, v in others.items()))


@pytest.mark.parametrize("chapter", _chapters(), ids=lambda p: p.stem)
def test_chapter_runs_to_the_end_in_a_colab_like_runtime(chapter, colab_python, baseline, wheel, tmp_path,
                                                         request):
    import nbformat
    from nbclient import NotebookClient

    from bookkit.publish.reader import reader_notebook
    from bookkit.teach.unanswered import checks_that_saw_an_answer, with_every_exercise_unanswered

    folder, home, record, ipython_dir = (tmp_path / n for n in ("notebook", "home", "record", "ipython"))
    for made in (folder, home, record, ipython_dir / "profile_default" / "startup"):
        made.mkdir(parents=True)
    shutil.copy(COLAB / "ipython_startup.py", ipython_dir / "profile_default" / "startup" / "00-colab.py")
    notebook = folder / chapter.name  # alone in an empty folder, as a reader's Colab has it
    instructor = nbformat.read(chapter, as_version=4)
    reader = reader_notebook(instructor, name=chapter.name, install=str(wheel))
    nbformat.write(with_every_exercise_unanswered(reader, instructor), notebook)  # a student's run
    _uninstall_book(colab_python)  # a fresh runtime: the setup cell really installs the book

    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(nb, km=_kernel_manager(colab_python, home), timeout=600, allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})
    started = time.perf_counter()
    client.execute(env=_kernel_env(record, ipython_dir, colab_python))
    seconds = time.perf_counter() - started

    errors, stderr = [], []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                errors.append(f"cell {index}: {output.ename}: {output.evalue}"[:500])
            elif output.output_type == "stream" and output.name == "stderr":
                stderr.append(f"cell {index}: {output.text.strip()[:500]}")
    pip_lines = (record / "pip-seconds.txt").read_text().splitlines() if (record / "pip-seconds.txt").exists() else []
    install = float(pip_lines[0].split("\t")[0]) if pip_lines else None
    widget_calls = (record / "widget-manager-calls.txt").read_text().count("\n") \
        if (record / "widget-manager-calls.txt").exists() else 0
    after = freeze(colab_python)
    changed = sorted(f"{name}: {baseline.get(name)} -> {after.get(name)}" for name in set(baseline) | set(after)
                     if name != BOOK_PACKAGE and baseline.get(name) != after.get(name)
                     and not (name in _not_on_colab() and name not in baseline))
    ipywidgets_major = int(re.search(r"==(\d+)", baseline.get("ipywidgets", "==0")).group(1))

    problems = []
    wanted = _kernel_env(record, ipython_dir, colab_python)["BOOK_PROFILE"]
    first = "".join(output.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                    for output in cell.get("outputs", []) if output.output_type == "stream")
    if f"Profile: {wanted} " not in first:
        problems.append(f"no output says 'Profile: {wanted}' (the profile asked for)")
    if os.environ.get("BOOK_SMOKE") == "1" and "Smoke run:" not in first:
        problems.append("BOOK_SMOKE=1 was asked for, but no output says 'Smoke run:'")
    if errors:
        problems.append(f"{len(errors)} cell(s) raised (every exercise unanswered, as in the "
                        "student copy):\n  " + "\n  ".join(errors))
    problems += checks_that_saw_an_answer(nb, instructor)
    if stderr:
        problems.append(f"{len(stderr)} cell(s) wrote to stderr:\n  " + "\n  ".join(stderr))
    if install is None:
        problems.append("the setup cell did not run %pip install (was google.colab imported?)")
    elif install >= INSTALL_LIMIT_S:
        problems.append(f"the setup cell's install took {install:.1f} s (limit {INSTALL_LIMIT_S:.0f} s)")
    if BOOK_PACKAGE not in after:
        problems.append("the book's package is not installed after the setup cell")
    if changed:
        problems.append("the install changed preinstalled packages: " + "; ".join(changed))
    if widget_calls != (1 if ipywidgets_major >= 8 else 0):
        problems.append(f"enable_custom_widget_manager() was called {widget_calls} time(s) with "
                        f"ipywidgets {ipywidgets_major}.x")
    request.node.user_properties.append(("colab_row", dict(
        chapter=chapter.stem, seconds=seconds, install="-" if install is None else f"{install:.1f}",
        venv=str(VENVS / _key()), created=RUN["venv"],
        result="passed" if not problems else f"FAILED ({len(errors)} errors, "
        f"{len(stderr)} stderr, {len(changed)} packages changed)")))
    assert not problems, f"{chapter.name} in the Colab-like runtime:\n" + "\n".join(problems)


if __name__ == "__main__":  # python tests/test_colab.py: make (or find) the venv
    print(colab_venv())
