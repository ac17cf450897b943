"""Instructors can hand out the exercises without their solutions, and grade them with nbgrader.

What this file checks, and where the rest is checked:

* Every chapter has at least three exercises in the five-cell format of CONTRIBUTING.md, with
  well-formed nbgrader metadata (unique grade ids, locked graded checks with points, each answer
  followed by its check), and its student version keeps no text from any solution region.
* The student version runs up to its first exercise, where the check says the exercise is not
  answered yet (an ``ExerciseNotDone`` message, not a traceback): executed here for the fixture
  chapter and for ONE real chapter (``BOOK_STUDENT_CHAPTER``, default ``primer``); for the other
  chapters it is checked statically (the student's answer cell still defines what its check reads).
* ``nbgrader generate_assignment`` + ``nbgrader autograde`` give the solutions full marks and the
  blank release zero, on the small fixture chapter (tests/fixtures/fixture.ipynb). Set
  ``BOOK_ROUNDTRIP_CHAPTER=<name>`` to run the same round trip on a real chapter (slow: it
  executes the chapter twice).
* That the instructor version passes every check is not repeated here: ``make test`` executes
  every chapter, solutions included, with nbval, and a failing check fails its cell there.
"""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from bookkit.teach.cli import main
from bookkit.teach.course import make_course, student_seed
from bookkit.teach.exercises import (CODE_STUB, NOT_CHAPTERS, admonition_kind, exercise_table,
                                     find_challenges, find_exercises, solution_lines)
from bookkit.teach.student import (drop_rubrics, strip_folder, strip_notebook, student_notebook,
                                   write_student_versions)
from bookkit.teach.validate import scaffold_problems, validate

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE = FIXTURES / "fixture.ipynb"


def is_chapter(path: Path) -> bool:
    """Chapters need exercises; the preface, the data page and the appendices do not."""
    return not (path.stem in NOT_CHAPTERS or path.stem.startswith("appendix"))


CHAPTERS = [p for p in sorted(BOOK.glob("*.ipynb")) if is_chapter(p)]
CHAPTER_PARAMS = CHAPTERS or [pytest.param(None, marks=pytest.mark.skip(reason="no chapters yet"))]


def read(path: Path):
    return nbformat.read(path, as_version=4)


def sources(nb) -> str:
    return "\n".join(cell.source for cell in nb.cells)


# ------------------------------------------------------------------------------------------
# The format, on every chapter
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("chapter", CHAPTER_PARAMS, ids=lambda p: getattr(p, "name", "none"))
def test_chapter_has_three_exercises_in_the_format(chapter):
    nb = read(chapter)
    exercises = find_exercises(nb)
    assert len(exercises) >= 3, f"{chapter.name} has {len(exercises)} exercises; a chapter ends with at least 3"
    problems = validate(nb, chapter.stem)
    assert not problems, f"{chapter.name} breaks the exercise format:\n  " + "\n  ".join(problems)
    kinds = [e.kind for e in exercises]
    assert "predict" in kinds, f"{chapter.name}: no 'Predict before you run' exercise (titles: " \
        f"{[e.title for e in exercises]})"
    assert set(kinds) - {"predict"}, f"{chapter.name}: every exercise is a prediction; add a code exercise"


@pytest.mark.parametrize("chapter", CHAPTER_PARAMS, ids=lambda p: getattr(p, "name", "none"))
def test_student_version_keeps_no_solution_text(chapter):
    nb = read(chapter)
    secret = solution_lines(nb)
    assert secret, f"{chapter.name} has no solution text to remove"
    student = sources(student_notebook(nb))
    leaked = sorted(line for line in secret if line in student)
    assert not leaked, f"the student version of {chapter.name} still shows: {leaked[:5]}"
    assert "BEGIN SOLUTION" not in student and "solution-start" not in student


def test_exercise_labels_are_unique_across_the_book():
    seen = {}
    for chapter in CHAPTERS:
        for exercise in find_exercises(read(chapter)):
            assert exercise.label not in seen, \
                f"label {exercise.label} is used in {seen.get(exercise.label)} and {chapter.name}"
            seen[exercise.label] = chapter.name


def test_pages_that_are_not_chapters_need_no_exercises():
    for page in sorted(BOOK.glob("*.ipynb")):
        if not is_chapter(page):
            assert not validate(read(page), page.stem)


# ------------------------------------------------------------------------------------------
# The fixture chapter: what the student and instructor versions look like
# ------------------------------------------------------------------------------------------
def test_fixture_follows_the_format():
    nb = read(FIXTURE)
    assert validate(nb, "fixture") == []
    assert [e.kind for e in find_exercises(nb)] == ["predict", "code", "code"]


def test_student_version_replaces_solutions_with_a_runnable_stub():
    instructor = read(FIXTURE)
    student = student_notebook(instructor)
    text = sources(student)
    assert "a secret fixture sentence" in sources(instructor)
    assert "secret fixture" not in text and "np.max(shifted" not in text
    assert text.count(CODE_STUB.split("\n")[0]) == 3
    answers = [c for c in student.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert answers[0].source == 'prediction = None  # "lower" or "higher"\n# YOUR CODE HERE\n...'
    assert answers[1].source.endswith("    # YOUR CODE HERE\n    ...")
    for cell in answers:
        compile(cell.source, "<answer>", "exec")  # still runs
    # the checks and the hidden lesson cells stay as they are
    checks = [c.source for c in student.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert checks == [f"helpers.checks.fixture.exercise_{n}({arg})"
                      for n, arg in ((1, "prediction"), (2, "thicken"), (3, "mse"))]
    assert any("remove-cell" in c.metadata.get("tags", []) for c in student.cells)


def test_student_version_reads_as_plain_markdown():
    student = student_notebook(read(FIXTURE))
    text = sources(student)
    assert "{solution-start}" not in text and "{solution-end}" not in text and "{exercise}" not in text
    assert "**Exercise 2: Thicker strokes**\n\nWrite `thicken(images)`" in text
    # two markers per exercise and the rubric
    assert len(student.cells) == len(read(FIXTURE).cells) - 7
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")


def test_student_version_keeps_hints_and_the_challenge_but_not_the_rubric():
    instructor = read(FIXTURE)
    assert [admonition_kind(c) for c in instructor.cells].count("rubric") == 1
    text = sources(student_notebook(instructor))
    assert "{admonition}" not in text and "Rubric" not in text and "A change is made" not in text
    assert text.count("<details>\n<summary>Hint</summary>") == 3
    assert "Take the maximum of the image" in text  # the hint's words, folded
    assert "**Challenge: a fixture of your own**\n\nChange the fixture" in text


def test_drop_rubrics_keeps_every_other_cell():
    nb = read(FIXTURE)
    assert len(drop_rubrics(copy.deepcopy(nb)).cells) == len(nb.cells) - 1


def test_fixture_has_a_hint_per_exercise_and_one_challenge_with_its_rubric():
    nb = read(FIXTURE)
    assert scaffold_problems(nb) == []
    assert [len(e.hints) for e in find_exercises(nb)] == [1, 1, 1]
    [challenge] = find_challenges(nb)
    assert challenge.title == "a fixture of your own" and challenge.rubric == challenge.cell + 1


def _without(nb, kind, first_only=True):
    nb = copy.deepcopy(nb)
    found = [i for i, c in enumerate(nb.cells) if admonition_kind(c) == kind]
    for index in sorted(found[:1] if first_only else found, reverse=True):
        del nb.cells[index]
    return nb


@pytest.mark.parametrize("kind, message", [
    ("hint", "exercise 1 (fixture-ex1, cell 4): no hint between the {exercise}"),
    ("challenge", "expected exactly one challenge"),
    ("rubric", "is not followed by a rubric"),
])
def test_scaffold_check_says_what_is_missing(kind, message):
    problems = scaffold_problems(_without(read(FIXTURE), kind))
    assert any(message in p for p in problems), problems


def test_scaffold_check_wants_the_challenge_after_the_last_exercise_and_the_rubric_after_it():
    nb = read(FIXTURE)
    [challenge] = find_challenges(nb)
    moved = copy.deepcopy(nb)
    cells = moved.cells[challenge.cell:challenge.cell + 2]
    del moved.cells[challenge.cell:challenge.cell + 2]
    moved.cells[4:4] = cells  # before the first exercise
    assert any("comes before the last exercise" in p for p in scaffold_problems(moved))
    swapped = copy.deepcopy(nb)
    i = challenge.cell
    swapped.cells[i], swapped.cells[i + 1] = swapped.cells[i + 1], swapped.cells[i]
    problems = scaffold_problems(swapped)
    assert any("rubric but follows no challenge" in p for p in problems), problems


def test_student_command_writes_every_notebook(tmp_path):
    (tmp_path / "book").mkdir()
    nb = read(FIXTURE)
    nbformat.write(nb, tmp_path / "book" / "fixture.ipynb")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Data")]),
                   tmp_path / "book" / "data.ipynb")
    (tmp_path / "book" / "images").mkdir()
    (tmp_path / "book" / "images" / "a.svg").write_text("<svg/>")
    assert main(["student", str(tmp_path / "book"), str(tmp_path / "student")]) == 0
    written = sorted(p.name for p in (tmp_path / "student").glob("*.ipynb"))
    assert written == ["data.ipynb", "fixture.ipynb"]
    assert (tmp_path / "student" / "images" / "a.svg").exists()
    assert "secret fixture" not in (tmp_path / "student" / "fixture.ipynb").read_text()
    assert main(["student", str(tmp_path / "nowhere"), str(tmp_path / "s")]) == 2


# ------------------------------------------------------------------------------------------
# The validator names each way a chapter can break the format
# ------------------------------------------------------------------------------------------
def _broken(change) -> list[str]:
    nb = read(FIXTURE)
    change(nb.cells)
    return validate(nb, "fixture")


def _answer(cells, n):
    return [c for c in cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"fixture-ex{n}-answer"][0]


def _check(cells, n):
    return [c for c in cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"fixture-ex{n}-check"][0]


@pytest.mark.parametrize("change, message", [
    (lambda cells: _check(cells, 2).metadata.nbgrader.update(grade_id="fixture-ex1-check"), "share grade_id"),
    (lambda cells: _check(cells, 2).metadata.nbgrader.update(locked=False), "is not locked"),
    (lambda cells: _check(cells, 3).metadata.nbgrader.update(points=0), "has no points"),
    (lambda cells: cells.insert(cells.index(_answer(cells, 1)) + 1,
                                nbformat.v4.new_markdown_cell("Lower, because …")),
     "would hand it to students"),
    (lambda cells: cells.remove(_check(cells, 3)), "is not a graded check cell"),
    (lambda cells: setattr(_answer(cells, 1), "source",
                           '### BEGIN SOLUTION\nprediction = "lower"\n### END SOLUTION'),
     "no longer defines prediction"),
    (lambda cells: setattr(_check(cells, 2), "source", "helpers.checks.fixture.exercise_3(thicken)"),
     "expected exercise_2"),
    (lambda cells: _answer(cells, 2).metadata.pop("nbgrader"), "no nbgrader solution metadata"),
    (lambda cells: setattr(cells[cells.index(_answer(cells, 3)) - 1], "source", "Solution:"),
     "is not ```{solution-start}"),
    (lambda cells: setattr(cells[cells.index(_answer(cells, 2)) - 3], "source",
                           "```{exercise} Thicker strokes\n:label: fixture-thick\n\nWrite it.\n```"),
     "label should be fixture-ex2"),
])
def test_validator_says_what_is_wrong(change, message):
    problems = _broken(change)
    assert any(message in p for p in problems), problems


# ------------------------------------------------------------------------------------------
# Committed notebooks carry no outputs (make clean-notebooks)
# ------------------------------------------------------------------------------------------
def test_strip_clears_outputs_but_keeps_marked_cells(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("1 + 1", execution_count=3,
                                  outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "2"},
                                                                  execution_count=3)]),
        nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint('kept')", execution_count=4,
                                  metadata={"keep_output": True},
                                  outputs=[nbformat.v4.new_output("stream", text="kept\n")]),
    ])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    nb.cells[0].metadata["execution"] = {"iopub.status.busy": "2026-01-01"}
    path = tmp_path / "book" / "chapter.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    assert main(["strip", str(path.parent)]) == 0
    stripped = read(path)
    assert stripped.cells[0].outputs == [] and stripped.cells[0].execution_count is None
    assert stripped.cells[1].outputs[0].text == "kept\n" and stripped.cells[1].execution_count is None
    assert "widgets" not in stripped.metadata and "execution" not in stripped.cells[0].metadata
    before = path.stat().st_mtime_ns
    assert strip_folder(path.parent) == []  # a clean notebook is not rewritten
    assert path.stat().st_mtime_ns == before
    assert not strip_notebook(copy.deepcopy(stripped))


# ------------------------------------------------------------------------------------------
# The student version: where it is checked (nbgrader's autograde, CI) it stops at its first
# exercise, which says it is not answered yet; in a student's runtime "Run all" reaches the
# end, with one line per unanswered exercise (helpers.lessons)
# ------------------------------------------------------------------------------------------
_MODE_SETTINGS = ("BOOK_LESSONS", "BOOK_SMOKE", "BOOK_BUILD", "CI", "NBGRADER_EXECUTION")


def _kernel_env(mode: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _MODE_SETTINGS}
    env["BOOK_LESSONS"] = mode
    return env


def run_to_first_check(nb, workdir: Path):
    """Execute cells up to the first graded check, lessons checked; return (cell index,
    first error or None)."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    first_check = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade"))
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(workdir)}})
    with client.setup_kernel(env=_kernel_env("check")):
        for index, cell in enumerate(nb.cells[:first_check + 1]):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as error:
                return first_check, index, error, cell
    return first_check, None, None, None


def assert_stops_kindly_at_first_exercise(instructor, workdir):
    student = student_notebook(instructor)
    first_check, index, error, cell = run_to_first_check(student, workdir)
    assert error is not None, "the student version ran through its first check without an error"
    assert index == first_check, (f"the student version failed before its first exercise, in cell "
                                  f"{index}: {error.ename}: {error.evalue}")
    assert error.ename == "ExerciseNotDone", f"the first check raised {error.ename}: {error.evalue}"
    assert "not" in error.evalue and "Hint:" in error.evalue, error.evalue
    shown = [o for o in cell.outputs if o.output_type == "error"][0].traceback
    assert shown == [error.evalue.strip()] or len(shown) == 1, "the check showed a traceback"


def assert_runs_to_the_end_with_a_line_per_exercise(instructor, workdir):
    """Run all, as a student would in Jupyter: no cell fails, and each graded check prints
    its one "not answered yet" line (… Exercise NAME: …)."""
    from nbclient import NotebookClient

    student = student_notebook(instructor)
    graded = [c for c in student.cells if c.metadata.get("nbgrader", {}).get("grade")]
    NotebookClient(student, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(workdir)}}).execute(
                       env=_kernel_env("note"))
    lines = []
    for cell in graded:
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        lines += [line for line in text.splitlines() if line.startswith("… Exercise")]
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
    assert len(lines) == len(graded), (len(graded), lines)


def test_fixture_student_version_stops_kindly_at_its_first_exercise(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(FIXTURES), os.environ.get("PYTHONPATH")])))
    assert_stops_kindly_at_first_exercise(read(FIXTURE), tmp_path)


def test_fixture_student_version_runs_to_the_end_in_a_students_runtime(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(FIXTURES), os.environ.get("PYTHONPATH")])))
    assert_runs_to_the_end_with_a_line_per_exercise(read(FIXTURE), tmp_path)


# The cheapest chapter with exercises (about 10 s in the ci profile); another with the variable.
STUDENT_CHAPTER = os.environ.get("BOOK_STUDENT_CHAPTER", "primer")


@pytest.mark.notebook  # executes a chapter up to its first exercise, then all of it
@pytest.mark.skipif(not (BOOK / f"{STUDENT_CHAPTER}.ipynb").exists(),
                    reason=f"book/{STUDENT_CHAPTER}.ipynb does not exist (yet)")
def test_chapter_student_version_stops_when_checked_and_runs_on_for_a_student(tmp_path, monkeypatch):
    """One real chapter (BOOK_STUDENT_CHAPTER, default primer), executed in the ci profile."""
    monkeypatch.setenv("BOOK_PROFILE", os.environ.get("BOOK_PROFILE", "ci"))
    instructor = read(BOOK / f"{STUDENT_CHAPTER}.ipynb")
    assert_stops_kindly_at_first_exercise(instructor, BOOK)
    assert_runs_to_the_end_with_a_line_per_exercise(instructor, BOOK)


# ------------------------------------------------------------------------------------------
# nbgrader: generate_assignment, then autograde the solutions and the blank release
# ------------------------------------------------------------------------------------------
def nbgrader(course: Path, *args: str, env=None) -> str:
    env = dict(os.environ if env is None else env)
    # as on an instructor's machine: nbgrader's own NBGRADER_EXECUTION must be what makes an
    # unanswered exercise fail (a student's runtime would print a line and run on)
    for name in ("BOOK_LESSONS", "BOOK_BUILD", "CI"):
        env.pop(name, None)
    # nbgrader runs `alembic` (beside this Python) to set up its gradebook
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                            capture_output=True, text=True, timeout=1800)
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{log[-3000:]}"
    assert "Exception while loading config" not in log, log[-3000:]
    return log


def round_trip(course: Path, book: Path, chapter: str, env) -> dict[str, tuple[float, float]]:
    """Release the chapter, submit it as two students, autograde; return their (score, max)."""
    from nbgrader.api import Gradebook

    make_course(course, book, [chapter])
    nbgrader(course, "generate_assignment", chapter, env=env)
    release = course / "release" / chapter / f"{chapter}.ipynb"
    released = release.read_text()
    assert "{solution-start}" not in released and '"..."' in released, "the course config was not used"
    for student, notebook in (("solutions", course / "source" / chapter / f"{chapter}.ipynb"),
                              ("blank", release)):
        target = course / "submitted" / student / chapter
        target.mkdir(parents=True)
        (target / notebook.name).write_bytes(notebook.read_bytes())
    log = nbgrader(course, "autograde", chapter, env=env)
    assert "cannot be converted" not in log, "a passing check's True reached nbgrader's partial credit"
    graded = (course / "autograded" / "solutions" / chapter / f"{chapter}.ipynb").read_text()
    assert "\u2713" in graded or "✓" in graded, "the checks' ✓ lines are missing from the graded notebook"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {student: (gradebook.find_submission(chapter, student).score,
                          gradebook.find_submission(chapter, student).max_score)
                for student in ("solutions", "blank")}


@pytest.mark.slow  # nbgrader executes the fixture notebook for two students
def test_nbgrader_gives_the_solutions_full_marks_and_the_blank_release_zero(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(FIXTURES), os.environ.get("PYTHONPATH")])))
    scores = round_trip(tmp_path / "course", FIXTURES, "fixture", env)
    assert scores == {"solutions": (3.0, 3.0), "blank": (0.0, 3.0)}


@pytest.mark.slow  # an nbgrader release and autograde of the fixture
def test_plain_release_keeps_the_book_markup_and_drops_the_solutions(tmp_path):
    """`course --plain`: nbgrader's own pipeline on the chapter exactly as it is."""
    course = tmp_path / "course"
    assert main(["course", str(course), "--book", str(FIXTURES), "--plain"]) == 0
    assert "TidyExercises" not in (course / "nbgrader_config.py").read_text()
    nbgrader(course, "generate_assignment", "fixture")
    release = read(course / "release" / "fixture" / "fixture.ipynb")
    text = sources(release)
    assert "{solution-start} fixture-ex1" in text and "a secret fixture sentence" not in text
    assert ":class: dropdown hint" in text and "Rubric (for instructors)" not in text
    assert not [line for line in solution_lines(read(FIXTURE)) if line in text]


def test_course_command_refuses_unknown_chapters(tmp_path, capsys):
    assert main(["course", str(tmp_path), "--book", str(FIXTURES), "--chapters", "nope"]) == 2
    assert "no chapter with exercises called nope" in capsys.readouterr().err


# The cheapest chapter with exercises (about 10 s a run in the ci profile, so the round trip
# takes about 30 s); another with BOOK_ROUNDTRIP_CHAPTER.
ROUNDTRIP_CHAPTER = os.environ.get("BOOK_ROUNDTRIP_CHAPTER", "primer")


@pytest.mark.notebook  # nbgrader executes a whole chapter, twice
@pytest.mark.slow
def test_nbgrader_round_trip_on_a_real_chapter(tmp_path):
    """generate_assignment + autograde on a real chapter: solutions full marks, blank zero."""
    env = dict(os.environ, BOOK_PROFILE=os.environ.get("BOOK_PROFILE", "ci"))
    scores = round_trip(tmp_path / "course", BOOK, ROUNDTRIP_CHAPTER, env)
    full = scores["solutions"][1]
    assert full >= 3
    assert scores == {"solutions": (full, full), "blank": (0.0, full)}


# ------------------------------------------------------------------------------------------
# Per-student seeds and the exercise list
# ------------------------------------------------------------------------------------------
def test_student_seed_is_stable_and_personal():
    assert student_seed("alice") == student_seed(" alice ")
    assert student_seed("alice") != student_seed("bob")
    assert 0 <= student_seed("alice") < 1_000_000
    with pytest.raises(ValueError, match="student id"):
        student_seed("")


def test_exercise_list_has_a_time_per_exercise_and_counts_hints_and_challenges(capsys):
    rows = exercise_table(FIXTURES)
    assert [(r["kind"], r["minutes"]) for r in rows] == [
        ("predict", 5), ("code", 15), ("code", 15), ("challenge", 45)]
    assert [r["hint"] for r in rows] == [True, True, True, False] and rows[-1]["rubric"]
    assert main(["list", str(FIXTURES)]) == 0
    out = capsys.readouterr().out
    assert "3 exercises, about 35 minutes in all; 3 with a hint" in out
    assert "1 open challenges, about 45 minutes in all; 1 with a rubric" in out
    assert "C  challenge" in out and "a fixture of your own  (rubric)" in out


def test_check_command_reports_a_missing_hint(tmp_path, capsys):
    nbformat.write(_without(read(FIXTURE), "hint"), tmp_path / "fixture.ipynb")
    assert main(["check", str(tmp_path / "fixture.ipynb")]) == 1
    assert "no hint between" in capsys.readouterr().out
    assert main(["check", str(FIXTURE)]) == 0
