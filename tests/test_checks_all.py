"""Every exercise check, read from the chapters: blanks and the student stub are "not done",
and each solution that runs outside its chapter passes its check.

The exercises come from the chapters themselves (``bookkit.teach.exercises.find_exercises``),
and the student stub is what nbgrader's ``ClearSolutions`` makes of the answer cell
(``bookkit.teach.student.student_cell``), so no answer is typed twice. A solution that needs
the chapter's trained models or measurements (its check takes a number the chapter measured)
cannot run here: it runs where the chapter runs, under nbval (``make test``).
"""
from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import helpers.checks
from helpers.checks import ExerciseNotDone
from bookkit.teach.exercises import END, cell_source, find_exercises
from bookkit.teach.student import student_cell

BOOK = Path(__file__).resolve().parents[1] / "book"


def _check_modules() -> dict:
    return {info.name: importlib.import_module(f"helpers.checks.{info.name}")
            for info in pkgutil.iter_modules(helpers.checks.__path__)}


def _checks() -> list:
    """Every ``exercise_N`` of every ``helpers.checks`` module, as (module name, N, function)."""
    found = []
    for name, module in sorted(_check_modules().items()):
        for attribute, function in inspect.getmembers(module, inspect.isfunction):
            match = re.fullmatch(r"exercise_(\d+)", attribute)
            if match and function.__module__ == module.__name__:
                found.append((name, int(match.group(1)), function))
    return found


def _chapter_exercises() -> list:
    """Every exercise of every chapter: (label, module, N, answer source, check call)."""
    found = []
    for path in sorted(BOOK.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for exercise in find_exercises(nb):
            if exercise.check is None or len(exercise.answers) != 1:
                continue
            call = ast.parse(cell_source(nb.cells[exercise.check])).body
            calls = [node for stmt in call for node in ast.walk(stmt) if isinstance(node, ast.Call)
                     and re.fullmatch(r"helpers\.checks\.\w+\.exercise_\d+", ast.unparse(node.func))]
            assert len(calls) == 1, f"{path.name} {exercise.label}: the check cell calls {len(calls)} checks"
            _, _, module, function = ast.unparse(calls[0].func).split(".")
            found.append(pytest.param(exercise.label, module, int(function.split("_")[1]),
                                      nb.cells[exercise.answers[0]], calls[0], id=exercise.label))
    return found


CHECKS = _checks()
EXERCISES = _chapter_exercises()

#: What a chapter measures and hands to a check after the student's answer, for the checks
#: that take it (in the order of the check's parameters): plausible values, so that only the
#: blank answer can make the check stop.
MEASURED = {
    ("at_work", 1): (False,),
    ("convolutional", 2): (),  # optional: the held-out images and labels, for the ink bar
    ("denoising", 1): (13.5, 11.0),
    ("discrete_codes", 1): (0.0, 0.40, 0.65),
    ("denoising", 2): ({"median": 18.4, "gaussian": 14.6},),
    ("latent_diffusion", 1): (0.05,),
    ("learned_compression", 1): ({1.0: 9, 64.0: 1},),
    ("looking_inside", 1): ({391: 3, 221: 8, 292: 0, 17: 4, 40: 2},),
    ("sparse", 1): ([20.0, 25.0], ["I", "W"]),
    ("vae", 4): ({"reconstruction": 150.0, "kl": 6.0},),
    ("vector_arithmetic", 1): (0.8,),
}


def _measured(module: str, number: int, function) -> tuple:
    """The values a check needs after the answer (its first parameter)."""
    extra = MEASURED.get((module, number), ())
    needed = [p.name for p in list(inspect.signature(function).parameters.values())[1:]
              if p.default is inspect.Parameter.empty]
    assert len(extra) >= len(needed), (
        f"add plausible measured values for {module}.exercise_{number}: {needed[len(extra):]}")
    return extra


def test_every_check_belongs_to_an_exercise_of_a_chapter_and_is_named_after_its_label():
    in_chapters = {(p.values[1], p.values[2]): p.values[0] for p in EXERCISES}
    in_checks = {(module, number) for module, number, _ in CHECKS}
    assert in_checks == set(in_chapters), (
        f"checks without an exercise: {sorted(in_checks - set(in_chapters))}; "
        f"exercises without a check: {sorted(set(in_chapters) - in_checks)}")
    modules = _check_modules()
    for (module, number), label in in_chapters.items():
        constant = getattr(modules[module], f"EX{number}", None)
        assert constant == f"Exercise {label}", (
            f"helpers.checks.{module}.EX{number} is {constant!r}; expected 'Exercise {label}', "
            "after the exercise's :label: in the chapter")


@pytest.mark.parametrize("blank", [None, ...], ids=["None", "Ellipsis"])
@pytest.mark.parametrize("module, number, check", CHECKS, ids=[f"{m}.exercise_{n}" for m, n, _ in CHECKS])
def test_a_blank_answer_is_not_done(module, number, check, blank):
    with pytest.raises(ExerciseNotDone):
        check(blank, *_measured(module, number, check))


def _run(source: str) -> dict:
    """Run a cell's code in a fresh namespace with what every chapter has imported."""
    import keras
    from keras import layers

    namespace = {"np": np, "keras": keras, "layers": layers, "helpers": helpers}
    exec(compile(source, "<answer cell>", "exec"), namespace)  # noqa: S102 - the book's own cells
    return namespace


def _up_to_the_solution(source: str) -> str:
    """The answer cell up to its solution's end: what follows may use the chapter's state."""
    lines = source.split("\n")
    last = max(i for i, line in enumerate(lines) if END in line or "YOUR CODE HERE" in line)
    if "YOUR CODE HERE" in lines[last]:
        last += 1  # the stub's `...`
    return "\n".join(lines[:last + 1])


@pytest.mark.parametrize("label, module, number, cell, call", EXERCISES)
def test_the_student_stub_is_not_done(label, module, number, cell, call):
    stub = cell_source(student_cell(cell))
    assert "YOUR CODE HERE" in stub, f"{label}: the student version of the answer cell has no stub"
    namespace = _run(_up_to_the_solution(stub))
    answer = namespace[ast.unparse(call.args[0])]
    check = getattr(_check_modules()[module], f"exercise_{number}")
    with pytest.raises(ExerciseNotDone):
        check(answer, *_measured(module, number, check))


def _top_level_names(source: str) -> set[str]:
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def _needs_the_chapter(cell, call) -> set[str]:
    """Names the check call reads that the solution does not define: the chapter's state."""
    defined = _top_level_names(_up_to_the_solution(cell_source(cell)))
    read = {n.id for arg in [*call.args, *(k.value for k in call.keywords)]
            for n in ast.walk(arg) if isinstance(n, ast.Name)}
    return read - defined


STANDALONE = [p for p in EXERCISES if not _needs_the_chapter(p.values[3], p.values[4])]


def test_only_checks_of_measured_values_leave_their_solution_to_the_chapter():
    """A check given only the student's answer is tested here with the chapter's solution; a
    check that also takes the chapter's measurements is run with them by nbval."""
    for param in EXERCISES:
        label, module, number, cell, call = param.values
        if _needs_the_chapter(cell, call):
            assert (module, number) in MEASURED, (
                f"{label}: its check reads the chapter's {sorted(_needs_the_chapter(cell, call))}, "
                "but takes no measured value; give the solution what it needs or list it in MEASURED")


@pytest.mark.parametrize("label, module, number, cell, call", STANDALONE)
def test_the_chapters_solution_passes_its_check(label, module, number, cell, call, passes):
    namespace = _run(_up_to_the_solution(cell_source(cell)))
    args = [eval(ast.unparse(node), namespace) for node in call.args]  # noqa: S307 - the book's own call
    kwargs = {k.arg: eval(ast.unparse(k.value), namespace) for k in call.keywords}  # noqa: S307
    passes(getattr(_check_modules()[module], f"exercise_{number}"), *args, **kwargs)
