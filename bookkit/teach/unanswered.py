"""A chapter run as a student copy runs it: every exercise left unanswered.

``make student`` hands out each chapter with every solution replaced by its stub. A
student who skips an exercise must still see the rest of the chapter, so every cell
after an exercise has to run with that exercise unanswered (the check prints one
"not answered yet" line and the chapter goes on).

:func:`with_every_exercise_unanswered` puts each stub in force in a notebook that keeps
the chapter's cell ids (the chapter itself, or its reader notebook): right after each
solution cell comes the same cell as the student copy has it (the solution region
replaced by the stub, :func:`bookkit.teach.student.student_cell`). The solution still
runs, so a run of this notebook also runs every solution, and then every later cell
sees what a student copy's run sees. ``make colab`` runs the reader notebooks this way
(tests/test_colab.py): why there, with the seconds measured, is said in
tests/test_student_copies.py.

Two things keep that run equal to the student copy's: each student cell binds every
name its solution cell binds (:func:`names_only_the_solution_binds` is empty; else a
name set by the solution would stay in force), and the checks, which see the stubs,
each print their "not answered yet" line (:func:`unanswered_problems`).
"""

from __future__ import annotations

import ast
import copy

from .exercises import cell_source, is_check_cell, is_solution_cell
from .student import student_cell

#: What every check prints for an exercise that is not answered yet (``ExerciseNotDone``
#: in ``helpers.checks``; a smoke run prints it inside its "exercise not checked" note).
NOT_ANSWERED = "… Exercise"


def _id(cell) -> str | None:
    return cell.get("id")


def with_every_exercise_unanswered(notebook, instructor):
    """A copy of ``notebook`` with, after each of ``instructor``'s solution cells, that
    cell as the student copy has it (id ``<id>-unanswered``).

    ``notebook`` must keep the ids of ``instructor``'s solution cells (the chapter does;
    its reader notebook keeps them on the folded solutions): a solution cell it lacks
    is a ValueError, so a change of ids cannot turn this run into the reader's.
    """
    import nbformat

    notebook = copy.deepcopy(notebook)
    solutions = {_id(c): c for c in instructor["cells"] if is_solution_cell(c)
                 and c["cell_type"] == "code"}
    missing = set(solutions) - {_id(c) for c in notebook["cells"]}
    if None in solutions or missing:
        raise ValueError("the notebook lacks the solution cells "
                         f"{sorted(map(str, missing))} (or a solution cell has no id)")
    cells = []
    for cell in notebook["cells"]:
        cells.append(cell)
        if cell["cell_type"] == "code" and _id(cell) in solutions:
            stub = student_cell(copy.deepcopy(solutions[_id(cell)]))
            cells.append(nbformat.v4.new_code_cell(cell_source(stub),
                                                   id=f"{_id(cell)}-unanswered"))
    notebook["cells"] = cells
    return notebook


def unanswered_problems(executed, instructor) -> list[str]:
    """What an executed notebook shows that a student copy's run must not: a cell that
    raised, and a graded check that did not say its exercise is not answered yet."""
    problems = []
    for index, cell in enumerate(executed["cells"]):
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            if output.get("output_type") == "error":
                problems.append(f"cell {index} raised {output.get('ename')}: "
                                f"{str(output.get('evalue'))[:300]}")
    return problems + checks_that_saw_an_answer(executed, instructor)


def checks_that_saw_an_answer(executed, instructor) -> list[str]:
    """The graded checks (found by ``instructor``'s ids) that did not print their "not
    answered yet" line: the stub was not in force when they ran."""
    checks = {_id(c) for c in instructor["cells"] if is_check_cell(c)}
    problems = []
    for index, cell in enumerate(executed["cells"]):
        if cell["cell_type"] == "code" and _id(cell) in checks:
            text = "".join(o.get("text", "") for o in cell.get("outputs", [])
                           if o.get("output_type") == "stream")
            if NOT_ANSWERED not in text:
                check = cell_source(cell).strip()
                problems.append(f"cell {index}, the check `{check}`, did not say "
                                f"'{NOT_ANSWERED} …: … not … yet' (it printed "
                                f"{text[:200]!r})")
    return problems


def _top_level_names(source: str) -> set[str]:
    """Names a cell binds at the top level (assignments, defs, classes, imports)."""
    magic = ("%", "!")
    lines = [line for line in source.split("\n") if not line.lstrip().startswith(magic)]
    names = set()
    for node in ast.parse("\n".join(lines)).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                names.add(sub.id)
    return names


def names_only_the_solution_binds(instructor) -> dict[str, list[str]]:
    """Solution cell id -> the names it binds that its student cell does not (a student
    copy lacks them; after the solution runs they would stay in force)."""
    found = {}
    for cell in instructor["cells"]:
        if cell["cell_type"] == "code" and is_solution_cell(cell):
            extra = _top_level_names(cell_source(cell)) - _top_level_names(
                cell_source(student_cell(copy.deepcopy(cell))))
            if extra:
                found[str(_id(cell))] = sorted(extra)
    return found
