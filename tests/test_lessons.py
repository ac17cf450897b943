"""Lessons stop a chapter where the book is checked and print a note where a reader runs it.

helpers.lessons picks the mode from the environment; these tests pin that choice, the note a
failed lesson prints, the one line an unanswered exercise prints, and, on the primer with a
reader's edit (ten times more draws at the last point of the spread's curve), both behaviours
end to end: the chapter finishes with a note outside the book's checks and fails under nbval.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import helpers.checks
from helpers import lessons
from helpers.checks import ExerciseIncorrect, ExerciseNotDone, NotDone, exercise_check

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ("BOOK_LESSONS", "BOOK_SMOKE", *lessons.CHECKED_BY)


@pytest.fixture
def reader_env(monkeypatch):
    """An environment with none of the variables that choose the mode."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("setting, expected", [
    ({}, "note"),
    ({"BOOK_BUILD": "1"}, "check"),
    ({"CI": "true"}, "check"),
    ({"NBGRADER_EXECUTION": "autograde"}, "check"),
    ({"BOOK_LESSONS": "check"}, "check"),
    ({"CI": "true", "BOOK_LESSONS": "note"}, "note"),
    ({"BOOK_SMOKE": "1", "BOOK_LESSONS": "check"}, "smoke"),
    ({"BOOK_SMOKE": "0"}, "note"),
])
def test_mode_follows_where_the_chapter_runs(reader_env, setting, expected):
    for name, value in setting.items():
        reader_env.setenv(name, value)
    assert lessons.mode() == expected


def test_a_misspelt_mode_says_what_was_expected(reader_env):
    reader_env.setenv("BOOK_LESSONS", "strict")
    with pytest.raises(ValueError, match="'check'.*'note'"):
        lessons.mode()


def _run_cell(source: str, smoke_run: bool = False) -> None:
    tree = lessons.SoftAsserts(smoke_run=smoke_run).visit(ast.parse(source))
    exec(compile(tree, "<cell>", "exec"), {lessons.SoftAsserts.name: lessons.lesson_note})


def test_a_lesson_that_does_not_hold_prints_what_was_expected_and_what_the_run_gave(capsys):
    _run_cell("gap = -1.5\nassert gap > 2, (gap, 'nats')\nassert True\nprint('ran on')")
    out = capsys.readouterr().out
    assert out.startswith("Note: this run does not show the lesson `gap > 2`; this run gave "
                          "(-1.5, 'nats'). That is what changing a setting can do")
    assert out.endswith("ran on\n") and out.count("Note:") == 1


def test_a_lesson_without_a_message_still_names_what_was_expected(capsys):
    _run_cell("assert 1 + 1 == 3")
    out = capsys.readouterr().out
    assert "`1 + 1 == 3`" in out and "this run gave" not in out


def test_a_smoke_run_reports_the_lesson_as_not_checked(capsys):
    _run_cell("assert 1 + 1 == 3, 'arithmetic'\nassert True", smoke_run=True)
    assert capsys.readouterr().out == "Smoke run: lesson not checked (arithmetic)\n"


class _Shell:
    def __init__(self):
        self.ast_transformers, self.user_ns = [], {}


def test_install_rewrites_asserts_only_outside_the_books_checks(reader_env):
    shell = _Shell()
    assert lessons.install(shell) == "note"
    assert lessons.install(shell) == "note"  # a chapter run twice: still one transformer
    assert [type(t) for t in shell.ast_transformers] == [lessons.SoftAsserts]
    reader_env.setenv("BOOK_BUILD", "1")
    assert lessons.install(shell) == "check" and shell.ast_transformers == []


@exercise_check
def _unanswered(value):
    if value is None:
        raise ExerciseNotDone("Exercise demo-ex1", "your answer is not set yet.", "set it.")
    raise ExerciseIncorrect("Exercise demo-ex1", f"{value!r} is not right.")


def test_an_unanswered_exercise_prints_one_line_in_a_readers_runtime(reader_env, capsys):
    result = _unanswered(None)
    assert isinstance(result, NotDone) and not result
    assert capsys.readouterr().out == ("… Exercise demo-ex1: your answer is not set yet.\n"
                                       "  Hint: set it.\n")
    with pytest.raises(ExerciseIncorrect):  # a wrong answer still stops, with its message
        _unanswered(3)


@pytest.mark.parametrize("variable", ["NBGRADER_EXECUTION", "BOOK_BUILD", "CI"])
def test_an_unanswered_exercise_fails_where_it_is_graded_or_checked(reader_env, variable):
    reader_env.setenv(variable, "1")
    with pytest.raises(ExerciseNotDone):
        _unanswered(None)


def test_a_smoke_run_reports_every_failed_check(reader_env, capsys):
    reader_env.setenv("BOOK_SMOKE", "1")
    assert not _unanswered(3)
    assert capsys.readouterr().out.startswith("Smoke run: exercise not checked (✗ Exercise")


def test_every_exercise_check_of_every_chapter_follows_the_mode():
    undecorated = []
    for info in pkgutil.iter_modules(helpers.checks.__path__):
        module = importlib.import_module(f"helpers.checks.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("exercise_") and function.__module__ == module.__name__:
                if not hasattr(function, "__wrapped__"):
                    undecorated.append(f"{module.__name__}.{name}")
    assert not undecorated, f"not decorated with @exercise_check: {undecorated}"


# ------------------------------------------------------------------------------------------
# End to end: the primer with a reader's edit
# ------------------------------------------------------------------------------------------
ORIGINAL = "draw_counts = np.array([10, 100, 1_000, 10_000])"
# A reader who tries more draws: the spread's ratio from 100 to 100,000 draws is about
# 31.6, not the 10 the lesson asserts for 100 to 10,000.
EDITED = "draw_counts = np.array([10, 100, 1_000, 100_000])"
LESSON = "8 < spread[1] / spread[3] < 12.5"


def _edited_primer(folder: Path) -> Path:
    nb = nbformat.read(ROOT / "book" / "primer.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and ORIGINAL in c.source]
    assert len(cells) == 1, f"the primer no longer sets {ORIGINAL!r} in one cell"
    cells[0].source = cells[0].source.replace(ORIGINAL, EDITED)
    # The chapter up to its first code cell after the lesson: enough to show that a
    # reader's run goes on past the note (the primer's first lesson comes after a few
    # seconds of NumPy, so the two runs below cost little more than two kernel starts).
    lesson = next(i for i, c in enumerate(nb.cells)
                  if c.cell_type == "code" and LESSON in c.source)
    after = next(i for i in range(lesson + 1, len(nb.cells))
                 if nb.cells[i].cell_type == "code")
    nb.cells = nb.cells[: after + 1]
    path = folder / "primer_edited.ipynb"
    nbformat.write(nb, path)
    return path


def _environment(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env.setdefault("BOOK_PROFILE", "ci")
    env.update(extra)
    return env


@pytest.mark.notebook  # executes the primer's first cells (ci profile), twice
def test_a_readers_edit_ends_in_a_note_and_the_same_edit_fails_under_nbval(tmp_path):
    from nbclient import NotebookClient

    path = _edited_primer(tmp_path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "book")}})
    client.execute(env=_environment())  # a reader's Jupyter: raises if any cell fails
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                      for o in c.outputs if o.output_type == "stream")
    assert f"Note: this run does not show the lesson `{LESSON}`" in printed
    assert nb.cells[-1].execution_count, "the cell after the lesson did not run"

    # nbval with the book's pytest configuration (the root conftest.py), stopping at the
    # first failing cell: the same edit must fail there.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(path), "--nbval-lax", "-x", "-q",
         "-p", "conftest", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=tmp_path, env=_environment(PYTHONPATH=str(ROOT)), capture_output=True,
        text=True, timeout=600)
    log = result.stdout + result.stderr
    assert result.returncode != 0, "nbval passed the edited chapter:\n" + log[-2000:]
    assert "AssertionError" in log and "spread" in log, log[-3000:]
