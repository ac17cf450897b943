"""Every chapter's student copy runs to the end with every exercise unanswered.

``make student`` hands out each chapter with every solution replaced by its stub. A student
who skips an exercise must still see the rest of the chapter: each check prints one "not
answered yet" line and the chapter goes on. A later cell that uses an answer as if it were
always given (``kl_per_dimension(...).mean()``) stops "Run all" with a crash instead.

Where this is run, and why there
================================
CI must stay under 20 minutes on 2 cores (``.ci/run`` took 1,035-1,070 s), so this check may
cost about 60 s. Measured in kernel CPU seconds (the machine was shared with other runs, so
wall seconds said more about the load than about the run; on 2 busy cores, CI's wall time
grows by about half the CPU seconds added):

(b) The student copies, run alone top to bottom in the ``ci`` profile with ``BOOK_SMOKE=1``
    (two epochs of two updates, so hardly any training), on the chapters as committed before
    635c2e1: primer 22.7, vae 30.1, vector-arithmetic 43.8, latent-diffusion 28.6. A smoke
    run still imports Keras, loads and prepares the data, fits PCA, measures and draws
    every figure. Twelve chapters at 23-44 s are 300-400 CPU seconds: 150-200 s more of
    CI, three times the budget, in ``make test``'s first run or anywhere else.
(a) Adding them to ``make colab`` costs as much, or more (a chapter there is a smoke run
    of the ``full`` profile: vae took 46.9 CPU s). That step's only slack is the end of
    its run, where one worker may wait for the other's last chapter; nothing can be
    scheduled into it. The second run of ``make test`` has idle time too (one worker
    builds the book while the other waits), but that whole run took 155 s when it was
    timed (dd8aa13): less than one core for 155 s, not 300-400 CPU seconds.
(c) So the run ``make colab`` already makes plays the student. Each chapter's reader
    notebook there now runs as :func:`bookkit.teach.unanswered.with_every_exercise_unanswered`
    makes it: after each folded solution, the answer cell exactly as the student copy has
    it. The solution still runs (on Colab's versions, as before), and every later cell runs
    with that exercise unanswered, as in the student copy. What it adds: the stub cells (a
    ``def`` or ``x = None``; one in denoising repeats a filter choice on 100 images), and
    later cells that take a student's path instead of the solution's (usually less work):
    on vae (main venv, ``full`` profile, ``BOOK_SMOKE=1``) the five stub cells took 0.03
    CPU s of the run's 46.9. This module adds about 13 CPU s (7 s of CI) to ``make test``
    (and ``make check``): it converts every chapter to its reader notebook and runs the
    small fixtures, and executes no chapter.

What the Colab-like run no longer shows: the cells after an exercise fed the solution's values,
on Colab's versions and the full profile's shapes. ``make test`` still runs them with the
solutions (nbval, ``ci`` profile, newest versions).

That run equals the student copy's where it matters, and the tests here keep it so:

* each student cell binds every name its solution binds, so no name the solution set stays
  in force (:func:`test_a_student_cell_binds_every_name_its_solution_binds`, every chapter);
* every chapter's reader notebook keeps its solution cells' ids, so the stubs land after
  them (:func:`test_every_reader_notebook_takes_the_stubs`, every chapter);
* the checks saw the stubs: each prints its "not answered yet" line, or the run fails
  (:func:`bookkit.teach.unanswered.unanswered_problems`, here and in tests/test_colab.py);
* a cell that uses an unanswered answer fails the run, and the real student copy stops at
  the same cell (:func:`test_a_cell_that_uses_an_unanswered_answer_fails_the_run`, on the
  small fixture tests/fixtures/crash/crash.ipynb);
* ``.ci/guarantees.py`` fails when tests/test_colab.py stops putting the stubs in force or
  reading the checks' lines
  (:func:`test_ci_loses_this_guarantee_when_the_colab_run_stops_playing_the_student`).

The exact student copy of one chapter (``BOOK_STUDENT_CHAPTER``, default primer) still runs
in the ``ci`` profile in tests/test_teach.py.
"""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from bookkit.teach.exercises import NOT_CHAPTERS
from bookkit.teach.student import student_notebook
from bookkit.teach.unanswered import (names_only_the_solution_binds, unanswered_problems,
                                      with_every_exercise_unanswered)

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE = FIXTURES / "fixture.ipynb"
CRASH = FIXTURES / "crash" / "crash.ipynb"

CHAPTERS = [p for p in sorted(BOOK.glob("*.ipynb"))
            if not (p.stem in NOT_CHAPTERS or p.stem.startswith("appendix"))]
CHAPTER_PARAMS = CHAPTERS or [pytest.param(None, marks=pytest.mark.skip(reason="no chapters yet"))]
_MODE_SETTINGS = ("BOOK_LESSONS", "BOOK_SMOKE", "BOOK_BUILD", "CI", "NBGRADER_EXECUTION")


def read(path: Path):
    return nbformat.read(path, as_version=4)


def run_as_a_student(nb, workdir: Path):
    """Run all, in a student's runtime (``BOOK_LESSONS=note``), on past errors; return nb."""
    from nbclient import NotebookClient

    env = {k: v for k, v in os.environ.items() if k not in _MODE_SETTINGS}
    env.update(BOOK_LESSONS="note", PYTHONPATH=os.pathsep.join(
        filter(None, [str(FIXTURES), os.environ.get("PYTHONPATH")])))
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(workdir)}}).execute(env=env)
    return nb


@pytest.mark.parametrize("chapter", CHAPTER_PARAMS, ids=lambda p: getattr(p, "name", "none"))
def test_a_student_cell_binds_every_name_its_solution_binds(chapter):
    extra = names_only_the_solution_binds(read(chapter))
    assert not extra, (f"{chapter.name}: these solution cells set names their student cell does "
                       f"not (set them to None above the solution): {extra}")


@pytest.mark.parametrize("chapter", CHAPTER_PARAMS, ids=lambda p: getattr(p, "name", "none"))
def test_every_reader_notebook_takes_the_stubs(chapter):
    """What ``make colab`` runs: each stub right after its folded solution, before the check."""
    from bookkit.publish.reader import reader_notebook

    instructor = read(chapter)
    played = with_every_exercise_unanswered(reader_notebook(instructor, name=chapter.name), instructor)
    ids = [c.get("id") for c in played.cells]
    student = {c.get("id"): c.source for c in student_notebook(instructor).cells}
    for cell in instructor.cells:
        grader = cell.metadata.get("nbgrader", {})
        if grader.get("solution") and cell.cell_type == "code":
            stub = ids.index(f"{cell.id}-unanswered")
            assert ids[stub - 1] == cell.id and played.cells[stub].source == student[cell.id]
            check = grader["grade_id"].replace("-answer", "-check")
            [check_id] = [c.id for c in instructor.cells
                          if c.metadata.get("nbgrader", {}).get("grade_id") == check]
            assert stub < ids.index(check_id), f"{chapter.name}: the stub comes after its check"


def test_a_notebook_without_the_solution_ids_is_refused():
    instructor = read(FIXTURE)
    renamed = nbformat.from_dict(instructor)
    for cell in renamed.cells:
        cell.id = f"x{cell.id}"
    with pytest.raises(ValueError, match="lacks the solution cells"):
        with_every_exercise_unanswered(renamed, instructor)


def test_the_fixture_runs_to_the_end_with_every_exercise_unanswered(tmp_path):
    instructor = read(FIXTURE)
    played = run_as_a_student(with_every_exercise_unanswered(instructor, instructor), tmp_path)
    assert unanswered_problems(played, instructor) == []


def test_a_cell_that_uses_an_unanswered_answer_fails_the_run(tmp_path):
    instructor = read(CRASH)
    crash = [i for i, c in enumerate(instructor.cells) if c.get("id") == "crash-uses-answer"]
    assert crash, "the fixture lost its crashing cell"
    # the instructor version runs clean: the crash comes from the unanswered exercise alone
    answered = unanswered_problems(run_as_a_student(read(CRASH), tmp_path), instructor)
    assert not [p for p in answered if "raised" in p], answered
    played = run_as_a_student(with_every_exercise_unanswered(instructor, instructor), tmp_path)
    problems = unanswered_problems(played, instructor)
    assert [p for p in problems if "raised" in p] == [
        f"cell {[c.get('id') for c in played.cells].index('crash-uses-answer')} raised "
        "AttributeError: 'NoneType' object has no attribute 'sum'"], problems
    # the student copy itself stops at the same cell, with the same error
    student = run_as_a_student(student_notebook(instructor), tmp_path)
    errors = [(c.get("id"), o.ename) for c in student.cells if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert errors == [("crash-uses-answer", "AttributeError")]


def test_ci_loses_this_guarantee_when_the_colab_run_stops_playing_the_student(tmp_path):
    """.ci/guarantees.py: the Colab-like run must still put the stubs in force and read the
    checks' lines; answering the exercises again there breaks the guarantee, by name."""
    import importlib.util
    import shutil
    import sys

    spec = importlib.util.spec_from_file_location("guarantees", ROOT / ".ci" / "guarantees.py")
    guarantees = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("guarantees", guarantees)  # dataclasses look their module up there
    spec.loader.exec_module(guarantees)
    shutil.copytree(ROOT / ".ci", tmp_path / ".ci")
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "book").symlink_to(BOOK)
    shutil.copytree(ROOT / "tests", tmp_path / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    what = "every chapter's student copy runs to the end with every exercise unanswered"
    assert guarantees.problems(tmp_path)[what] == []
    colab = tmp_path / "tests" / "test_colab.py"
    text = colab.read_text()
    old = "nbformat.write(with_every_exercise_unanswered(reader, instructor), notebook)"
    assert old in text
    colab.write_text(text.replace(old, "nbformat.write(reader, notebook)"))
    assert guarantees.problems(tmp_path)[what] == [
        "tests/test_colab.py::test_chapter_runs_to_the_end_in_a_colab_like_runtime no longer "
        "calls with_every_exercise_unanswered"]
