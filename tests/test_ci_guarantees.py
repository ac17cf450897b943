""".ci/guarantees.py: every guarantee of `.ci/run` is kept, and removing the step that gives one
makes the check fail, naming that guarantee.

Each test copies `.ci/`, the Makefile and pyproject.toml into a temporary folder (the tests
and chapters are linked, not copied), spoils one thing and runs the check there.
"""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("guarantees", ROOT / ".ci" / "guarantees.py")
guarantees = importlib.util.module_from_spec(spec)
sys.modules["guarantees"] = guarantees  # dataclasses look their module up there
spec.loader.exec_module(guarantees)

NAMES = [g.what for g in guarantees.GUARANTEES]


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / ".ci", tmp_path / ".ci")
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    for name in ("tests", "book"):
        (tmp_path / name).symlink_to(ROOT / name)
    return tmp_path


def _broken(root: Path) -> dict[str, list[str]]:
    return {what: missing for what, missing in guarantees.problems(root).items() if missing}


def test_every_guarantee_is_kept_today():
    assert _broken(ROOT) == {}


def test_the_command_prints_every_guarantee_and_exits_0():
    result = subprocess.run([sys.executable, str(ROOT / ".ci" / "guarantees.py")],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    for what in NAMES:
        assert what in result.stdout


def test_ci_runs_the_check_before_any_long_step():
    run = (ROOT / ".ci" / "run").read_text()
    assert run.index(".ci/guarantees.py") < run.index("make test")


@pytest.mark.parametrize("target", sorted({s.target for g in guarantees.GUARANTEES for s in g.steps}))
def test_removing_a_step_from_ci_breaks_the_guarantees_it_gives(tmp_path, target):
    root = _copy(tmp_path)
    run = root / ".ci" / "run"
    lines = run.read_text().splitlines()
    kept = [line for line in lines if not line.split("#")[0].strip().endswith(f"make {target}")]
    assert len(kept) == len(lines) - 1, f".ci/run has no single line that runs make {target}"
    run.write_text("\n".join(kept) + "\n")
    expected = {g.what for g in guarantees.GUARANTEES if any(s.target == target for s in g.steps)}
    broken = _broken(root)
    assert set(broken) == expected
    assert all(f"does not call make {target}" in " ".join(m) for m in broken.values())


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path.name} has no {old!r}"
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("old, new, lost", [
    ("BOOK_PROFILE=full BOOK_SMOKE=1 BOOK_BUILD=1 BOOK_UPDATES_LOG=$(CURDIR)/_build/updates-full.jsonl"
     " \\\n\t  $(BIN)/python -m pytest tests/test_colab.py",
     "BOOK_BUILD=1 $(BIN)/python -m pytest tests/test_colab.py", "full profile's data"),
    ("tests/test_colab.py -m colab", "tests/test_colab.py -m 'colab and not slow'", "Colab's package versions"),
    ('-m "(built_book or browser) and not colab"', '-m "built_book and not colab"',
     "browser and accessibility"),
    ('-m "not colab and not built_book and not browser"',
     '-m "not colab and not built_book and not browser and not notebook"', "nbgrader round trip"),
    ('-m "not colab and not built_book and not browser"',
     '-m "not colab and not built_book and not browser and not notebook"', "every chapter executed"),
    ("pytest book tests", "pytest tests", "every chapter executed"),
    ("--nbval-lax", "", "every chapter executed"),
    ("jupyter-book build . -W", "jupyter-book build .", "strict book build"),
])
def test_a_weakened_recipe_breaks_its_guarantee(tmp_path, old, new, lost):
    root = _copy(tmp_path)
    _edit(root / "Makefile", old, new)
    broken = _broken(root)
    assert any(lost in what for what in broken), broken


def test_a_smoke_run_in_make_test_no_longer_asserts_the_lessons(tmp_path):
    root = _copy(tmp_path)
    _edit(root / "Makefile", "TEST_ENV := BOOK_BUILD=1", "TEST_ENV := BOOK_SMOKE=1 BOOK_BUILD=1")
    assert any("every lesson assert" in what for what in _broken(root))


def test_another_profile_in_ci_breaks_the_ci_profile_guarantee(tmp_path):
    root = _copy(tmp_path)
    _edit(root / ".ci" / "run", "export BOOK_PROFILE=ci", "export BOOK_PROFILE=laptop")
    assert any("in the ci profile" in what for what in _broken(root))


def test_a_test_that_is_gone_or_skipped_is_named(tmp_path):
    root = _copy(tmp_path)
    (root / "tests").unlink()
    shutil.copytree(ROOT / "tests", root / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    _edit(root / "tests" / "test_teach.py", "def test_nbgrader_round_trip_on_a_real_chapter",
          "def test_renamed_round_trip")
    _edit(root / "tests" / "test_workflows.py", "def test_every_workflow_passes_actionlint",
          "@pytest.mark.skip(reason='later')\ndef test_every_workflow_passes_actionlint")
    broken = _broken(root)
    assert "tests/test_teach.py::test_nbgrader_round_trip_on_a_real_chapter is not defined" \
        in broken[next(w for w in NAMES if "nbgrader" in w)]
    assert "tests/test_workflows.py::test_every_workflow_passes_actionlint is skipped outright" \
        in broken[next(w for w in NAMES if "workflow lint" in w)]


@pytest.mark.parametrize("expression, marks, selected", [
    ("not colab", {"notebook"}, True),
    ("not colab", {"colab", "slow"}, False),
    ("colab", {"colab", "slow"}, True),
    ("not notebook and not build", {"build"}, False),
    ("(a or b) and not c", {"b"}, True),
    (None, {"anything"}, True),
])
def test_marker_expressions_select_as_pytest_does(expression, marks, selected):
    assert guarantees.selects(expression, marks) is selected


def test_an_expression_it_cannot_read_is_an_error():
    with pytest.raises(ValueError, match="cannot read the marker expression"):
        guarantees.selects("colab; import os", set())
