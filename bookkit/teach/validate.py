"""Does a chapter follow the exercise format? Every way it breaks it, said in words.

:func:`validate` checks each exercise's cells (question, hint, solution markers,
nbgrader metadata, check call) and that a student's version of every answer cell still
defines what its check is given; :func:`scaffold_problems` checks what surrounds the
exercises (a folded hint before each solution, one open challenge with its rubric).
``python -m bookkit.teach check`` and ``tests/test_layout.py`` report both.
"""

from __future__ import annotations

import ast
import copy

from .exercises import (
    ADMONITION_RE,
    BEGIN,
    CHECK_RE,
    CLASS_RE,
    END,
    admonition_kind,
    admonition_title,
    cell_source,
    find_challenges,
    find_exercises,
    is_check_cell,
    is_solution_cell,
    nbgrader_metadata,
    solution_regions,
)
from .student import student_cell


def scaffold_problems(nb) -> list[str]:
    """What a chapter's exercise section lacks around its exercises: a folded hint
    before every solution, and exactly one open challenge, after the last exercise,
    followed by its rubric. An empty list when nothing is missing.

    Kept apart from :func:`validate`: nbgrader needs none of it, and a chapter whose
    hints are still being written stays gradable.
    """
    cells = nb["cells"]
    problems = []
    exercises = find_exercises(nb)
    attached = {hint for ex in exercises for hint in ex.hints}
    for number, ex in enumerate(exercises, start=1):
        name = f"exercise {number} ({ex.label or 'no label'}, cell {ex.question})"
        if not ex.hints:
            problems.append(
                f"{name}: no hint between the {{exercise}} and its {{solution-start}} "
                "(```{admonition} Hint with :class: dropdown hint)"
            )
        for hint in ex.hints:
            body = ADMONITION_RE.search(cell_source(cells[hint]))["body"]
            classes = CLASS_RE.search(body)
            if "dropdown" not in classes["classes"].split():
                problems.append(f"{name}: hint cell {hint} is not folded (dropdown)")
    challenges = find_challenges(nb)
    if len(challenges) != 1:
        problems.append(
            "expected exactly one challenge (```{admonition} Challenge: <title> "
            f"with :class: challenge), found {len(challenges)}"
        )
    last_check = max((ex.check or ex.question for ex in exercises), default=-1)
    rubrics = set()
    for challenge in challenges:
        if not admonition_title(cells[challenge.cell]).startswith("Challenge:"):
            problems.append(
                f"challenge cell {challenge.cell}: its title should start with "
                "'Challenge:'"
            )
        if challenge.cell < last_check:
            problems.append(
                f"challenge cell {challenge.cell} comes before the last exercise; it "
                "ends the Exercises section"
            )
        if challenge.rubric is None:
            problems.append(
                f"challenge {challenge.title!r} (cell {challenge.cell}) is not "
                "followed by a rubric (```{admonition} Rubric (for instructors) "
                "with :class: dropdown rubric)"
            )
        else:
            rubrics.add(challenge.rubric)
    for index, cell in enumerate(cells):
        kind = admonition_kind(cell)
        if kind == "hint" and index not in attached:
            problems.append(
                f"cell {index} is a hint but sits right before no {{solution-start}}"
            )
        if kind == "rubric" and index not in rubrics:
            problems.append(f"cell {index} is a rubric but follows no challenge")
        if kind == "rubric" and "dropdown" not in (
            CLASS_RE.search(ADMONITION_RE.search(cell_source(cell))["body"])["classes"]
        ).split():
            problems.append(f"rubric cell {index} is not folded (dropdown)")
    return problems


def _assigned_names(code: str) -> set[str]:
    tree = ast.parse(code)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {
                (alias.asname or alias.name).split(".")[0] for alias in node.names
            }
    return names


def _python(code: str) -> str:
    """Cell source with IPython magics and shell lines commented out, for ``ast``."""
    return "\n".join(
        "#" + line if line.lstrip().startswith(("%", "!")) else line
        for line in code.split("\n")
    )


def validate(nb, chapter: str) -> list[str]:
    """Every way the notebook breaks the exercise format; an empty list when it is
    right.

    Checks nbgrader's own metadata validator, then the five-cell layout, the grade ids,
    the points, the check call, and that the student version of each answer cell still
    defines what its check is given (so the check can say "not answered yet").
    """
    problems = []
    try:
        from nbgrader.nbgraderformat import MetadataValidator

        MetadataValidator().validate_nb(copy.deepcopy(nb))
    except ImportError:  # pragma: no cover - nbgrader is in the test extra
        pass
    except Exception as error:
        problems.append(f"nbgrader metadata does not validate: {error}")
    cells = nb["cells"]
    grade_ids: dict[str, int] = {}
    for index, cell in enumerate(cells):
        grade_id = nbgrader_metadata(cell).get("grade_id")
        if grade_id:
            if grade_id in grade_ids:
                problems.append(
                    f"cells {grade_ids[grade_id]} and {index} share grade_id "
                    f"{grade_id!r}"
                )
            grade_ids[grade_id] = index
        text = cell_source(cell)
        if (BEGIN in text or END in text) and not is_solution_cell(cell):
            problems.append(
                f"cell {index} has a solution region but no nbgrader solution metadata"
            )
    exercises = find_exercises(nb)
    owned = set()
    labels = [e.label for e in exercises]
    for number, ex in enumerate(exercises, start=1):
        name = f"exercise {number} ({ex.label or 'no label'}, cell {ex.question})"
        if not ex.label:
            problems.append(f"{name}: the {{exercise}} directive has no :label:")
        elif labels.count(ex.label) > 1:
            problems.append(f"{name}: label {ex.label!r} is used more than once")
        elif ex.label != f"{chapter}-ex{number}":
            problems.append(f"{name}: label should be {chapter}-ex{number}")
        if ex.start is None:
            problems.append(
                f"{name}: the next cell (after any hint) is not "
                f"```{{solution-start}} {ex.label}"
            )
            continue
        if ex.end is None:
            problems.append(f"{name}: no ```{{solution-end}} before the next exercise")
            continue
        if len(ex.answers) != 1:
            problems.append(
                f"{name}: expected exactly one nbgrader solution cell between the "
                f"solution markers, found {len(ex.answers)}"
            )
        for other in ex.others:
            problems.append(
                f"{name}: cell {other} sits inside the solution but is not an nbgrader "
                "solution cell, "
                "so nbgrader generate_assignment would hand it to students"
            )
        owned |= set(ex.answers)
        for answer in ex.answers:
            meta = nbgrader_metadata(cells[answer])
            if meta.get("grade_id") != f"{ex.label}-answer":
                problems.append(
                    f"{name}: answer cell {answer} grade_id should be {ex.label}-answer"
                )
            if meta.get("locked"):
                problems.append(
                    f"{name}: answer cell {answer} is locked, "
                    "so students cannot edit it"
                )
            if cells[answer]["cell_type"] == "code" and not solution_regions(
                cell_source(cells[answer])
            ):
                problems.append(
                    f"{name}: answer cell {answer} has no ### BEGIN SOLUTION region, "
                    "so nbgrader replaces the whole cell and the check gets nothing "
                    "to read"
                )
        if ex.check is None:
            problems.append(
                f"{name}: the cell after {{solution-end}} is not a graded check cell "
                "(nbgrader grade: true, solution: false)"
            )
            continue
        owned.add(ex.check)
        check = cells[ex.check]
        meta = nbgrader_metadata(check)
        if meta.get("grade_id") != f"{ex.label}-check":
            problems.append(f"{name}: check cell grade_id should be {ex.label}-check")
        if not meta.get("locked"):
            problems.append(f"{name}: check cell {ex.check} is not locked")
        if not ex.points > 0:
            problems.append(f"{name}: check cell {ex.check} has no points")
        call = CHECK_RE.search(cell_source(check))
        if check["cell_type"] != "code" or not call:
            problems.append(
                f"{name}: check cell {ex.check} does not call "
                f"helpers.checks.{chapter.replace('-', '_')}.exercise_N(...)"
            )
            continue
        # book/vector-arithmetic.ipynb: helpers.checks.vector_arithmetic
        module = chapter.replace("-", "_")
        if call["module"] != module:
            problems.append(
                f"{name}: the check calls helpers.checks.{call['module']}, "
                f"not helpers.checks.{module}"
            )
        if int(call["number"]) != number:
            problems.append(
                f"{name}: the check calls exercise_{call['number']}, expected "
                f"exercise_{number}"
            )
        problems += _stub_problems(name, [cells[i] for i in ex.answers], check)
    for index, cell in enumerate(cells):
        if (
            nbgrader_metadata(cell)
            and (is_solution_cell(cell) or is_check_cell(cell))
            and index not in owned
        ):
            problems.append(
                f"cell {index} has nbgrader metadata but belongs to no exercise"
            )
    return problems


def _stub_problems(name: str, answers, check) -> list[str]:
    """The student's answer cell must still define every name its check is given."""
    from nbformat import from_dict

    problems = []
    try:
        call = ast.parse(_python(cell_source(check)))
    except SyntaxError as error:
        return [f"{name}: the check cell is not valid Python ({error.msg})"]
    passed = {node.id for node in ast.walk(call) if isinstance(node, ast.Name)}
    for answer in answers:
        if answer["cell_type"] != "code":
            continue
        student = student_cell(from_dict(copy.deepcopy(dict(answer))))
        try:
            instructor_names = _assigned_names(_python(cell_source(answer)))
            student_names = _assigned_names(_python(cell_source(student)))
        except SyntaxError as error:
            problems.append(
                f"{name}: the student version of the answer cell is not valid Python "
                f"({error.msg}); "
                "put the solution region where `...` can stand in for it"
            )
            continue
        missing = sorted((passed & instructor_names) - student_names)
        if missing:
            problems.append(
                f"{name}: the student version no longer defines {', '.join(missing)}, "
                "so its check fails with NameError; "
                "set it to None above ### BEGIN SOLUTION"
            )
    return problems
