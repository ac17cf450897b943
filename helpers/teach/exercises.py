"""The book's exercise format, read: where each exercise's question, hint, solution and
check are, whether a chapter follows the format, and how long its exercises take.

Every chapter ends with exercises in one format (CONTRIBUTING.md): the ``{exercise}``
directive, a folded hint (an ``{admonition} Hint`` with ``:class: dropdown hint``), a
``{solution-start}`` marker, the answer cell (an nbgrader solution cell whose solution
sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION``), a ``{solution-end}``
marker and the graded check cell (``helpers.checks.<chapter>.exercise_N(...)``). Its
Exercises section ends with one open challenge (``{admonition} Challenge: …``, ``:class:
challenge``), which no check grades, followed by a rubric for instructors
(``{admonition} Rubric (for instructors)``, ``:class: dropdown rubric``), which student
versions drop.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass, field
from pathlib import Path


#: What replaces a solution region in a code cell. ``...`` keeps the cell runnable: a
#: function whose body is the stub returns ``None``, which the checks report as "not
#: written yet".
CODE_STUB = "# YOUR CODE HERE\n..."
#: What replaces a written (markdown) solution cell.
TEXT_STUB = "YOUR ANSWER HERE"
BEGIN, END = "BEGIN SOLUTION", "END SOLUTION"
COURSE_ID = "autoencoders-hands-on"

#: Notebooks in book/ that are pages, not chapters: they need no exercises.
NOT_CHAPTERS = ("preface", "index", "intro", "data")

_FENCE = r"(?P<fence>`{3,}|:{3,})"
EXERCISE_RE = re.compile(
    _FENCE + r"\{exercise\}[ \t]*(?P<title>[^\n]*)\n(?P<body>.*?)\n(?P=fence)[ \t]*$",
    re.S | re.M,
)
SOLUTION_START_RE = re.compile(_FENCE + r"\{solution-start\}[ \t]+(?P<label>\S+)")
SOLUTION_END_RE = re.compile(_FENCE + r"\{solution-end\}")
LABEL_RE = re.compile(r"^:label:[ \t]*(\S+)[ \t]*$", re.M)
#: An ``{admonition}`` directive with its title, its ``:class:`` list and its body.
ADMONITION_RE = re.compile(
    _FENCE
    + r"\{admonition\}[ \t]*(?P<title>[^\n]*)\n(?P<body>.*?)\n(?P=fence)[ \t]*$",
    re.S | re.M,
)
CLASS_RE = re.compile(r"^:class:[ \t]*(?P<classes>[^\n]*)$", re.M)
CHECK_RE = re.compile(
    r"helpers\.checks\.(?P<module>\w+)\.exercise_(?P<number>\d+)\s*\("
)
#: Rough minutes a reader needs, by kind of exercise: reading, thinking and writing,
#: plus a few minutes of training (laptop profile) when the solution trains a model.
MINUTES = {"predict": 5, "code": 15, "written": 10, "training": 10}
#: Rough minutes for a chapter's open challenge: a small experiment and a paragraph.
CHALLENGE_MINUTES = 45


# --------------------------------------------------------------------------------------
# Reading the format
# --------------------------------------------------------------------------------------
def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_solution_cell(cell) -> bool:
    meta = _nbgrader(cell)
    return bool(meta.get("solution")) and not meta.get("grade")


def is_check_cell(cell) -> bool:
    meta = _nbgrader(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def admonition_kind(cell) -> str | None:
    """``"hint"``, ``"challenge"`` or ``"rubric"`` for a markdown cell that holds one of
    the exercise section's admonitions (by its ``:class:``), else ``None``."""
    if cell.get("cell_type") != "markdown":
        return None
    match = ADMONITION_RE.search(_source(cell))
    if not match:
        return None
    classes = CLASS_RE.search(match["body"])
    names = set(classes["classes"].split()) if classes else set()
    for kind in ("hint", "challenge", "rubric"):
        if kind in names:
            return kind
    return None


def admonition_title(cell) -> str:
    """The title of a cell's ``{admonition}`` ("Challenge: …" for a challenge)."""
    match = ADMONITION_RE.search(_source(cell))
    return match["title"].strip() if match else ""


@dataclass
class Exercise:
    """One exercise: where its five cells are, and what they say."""

    label: str
    title: str
    question: int  #: index of the ``{exercise}`` cell
    start: int | None = None  #: ``{solution-start}``
    answers: list[int] = field(default_factory=list)  #: nbgrader solution cells inside
    #: any other cell inside (a violation)
    others: list[int] = field(default_factory=list)
    hints: list[int] = field(default_factory=list)  #: hint cells before the solution
    end: int | None = None  #: ``{solution-end}``
    check: int | None = None  #: the graded check cell right after the end marker
    kind: str = "code"  #: "predict", "code" or "written"
    points: float = 0.0


def find_exercises(nb) -> list[Exercise]:
    """The exercises of a notebook, in order, read from the five-cell format."""
    cells = nb["cells"]
    exercises = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        match = EXERCISE_RE.search(_source(cell))
        if not match:
            continue
        label = LABEL_RE.search(match["body"])
        exercise = Exercise(
            label=label.group(1) if label else "",
            title=match["title"].strip(),
            question=index,
        )
        exercises.append(exercise)
        following = index + 1
        while following < len(cells) and admonition_kind(cells[following]) == "hint":
            exercise.hints.append(following)
            following += 1
        if following < len(cells) and cells[following]["cell_type"] == "markdown":
            start = SOLUTION_START_RE.search(_source(cells[following]))
            if start and start["label"] == exercise.label:
                exercise.start = following
        if exercise.start is None:
            continue
        for inner in range(exercise.start + 1, len(cells)):
            inner_cell = cells[inner]
            if inner_cell["cell_type"] == "markdown" and SOLUTION_END_RE.search(
                _source(inner_cell)
            ):
                exercise.end = inner
                break
            if inner_cell["cell_type"] == "markdown" and (
                EXERCISE_RE.search(_source(inner_cell))
                or SOLUTION_START_RE.search(_source(inner_cell))
            ):
                break  # the next exercise began before this one's solution ended
            (
                exercise.answers if is_solution_cell(inner_cell) else exercise.others
            ).append(inner)
        if exercise.end is not None and exercise.end + 1 < len(cells):
            if is_check_cell(cells[exercise.end + 1]):
                exercise.check = exercise.end + 1
                exercise.points = float(
                    _nbgrader(cells[exercise.check]).get("points") or 0
                )
        answer_text = "\n".join(_source(cells[i]) for i in exercise.answers)
        if "predict" in exercise.title.lower():
            exercise.kind = "predict"
        elif exercise.answers and all(
            cells[i]["cell_type"] == "markdown" for i in exercise.answers
        ):
            exercise.kind = "written"
        elif re.search(r"^\s*(def|class) ", answer_text, re.M):
            exercise.kind = "code"
        else:
            exercise.kind = "predict" if exercise.answers else "code"
    return exercises


@dataclass
class Challenge:
    """A chapter's open challenge: no check grades it; its rubric is for instructors."""

    title: str
    cell: int  #: index of the challenge cell
    rubric: int | None = None  #: index of the rubric cell right after it


def find_challenges(nb) -> list[Challenge]:
    """The challenges of a notebook, each with the rubric cell that follows it."""
    cells = nb["cells"]
    found = []
    for index, cell in enumerate(cells):
        if admonition_kind(cell) != "challenge":
            continue
        title = admonition_title(cell)
        challenge = Challenge(title.split(":", 1)[-1].strip(), index)
        if index + 1 < len(cells) and admonition_kind(cells[index + 1]) == "rubric":
            challenge.rubric = index + 1
        found.append(challenge)
    return found


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
            body = ADMONITION_RE.search(_source(cells[hint]))["body"]
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
            CLASS_RE.search(ADMONITION_RE.search(_source(cell))["body"])["classes"]
        ).split():
            problems.append(f"rubric cell {index} is not folded (dropdown)")
    return problems


def solution_regions(text: str) -> list[str]:
    """The text inside each ``BEGIN SOLUTION`` / ``END SOLUTION`` region of a cell."""
    regions, current = [], None
    for line in text.split("\n"):
        if BEGIN in line:
            current = []
        elif END in line and current is not None:
            regions.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return regions


def solution_lines(nb) -> set[str]:
    """Lines that appear only inside solutions: none of them may reach a student.

    A line that also appears outside every solution region (``return x``, a blank line)
    proves nothing and is left out.
    """
    inside, outside = set(), set()
    for cell in nb["cells"]:
        text = _source(cell)
        regions = solution_regions(text)
        if is_solution_cell(cell) and not regions:  # a whole-cell solution
            regions = [text]
        region_lines = {
            line.strip() for region in regions for line in region.split("\n")
        }
        inside |= region_lines
        for line in text.split("\n"):
            if line.strip() not in region_lines:
                outside.add(line.strip())
    return {
        line
        for line in inside - outside
        if len(line) >= 4 and line not in ("...", "pass")
    }


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
        grade_id = _nbgrader(cell).get("grade_id")
        if grade_id:
            if grade_id in grade_ids:
                problems.append(
                    f"cells {grade_ids[grade_id]} and {index} share grade_id "
                    f"{grade_id!r}"
                )
            grade_ids[grade_id] = index
        text = _source(cell)
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
            meta = _nbgrader(cells[answer])
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
                _source(cells[answer])
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
        meta = _nbgrader(check)
        if meta.get("grade_id") != f"{ex.label}-check":
            problems.append(f"{name}: check cell grade_id should be {ex.label}-check")
        if not meta.get("locked"):
            problems.append(f"{name}: check cell {ex.check} is not locked")
        if not ex.points > 0:
            problems.append(f"{name}: check cell {ex.check} has no points")
        call = CHECK_RE.search(_source(check))
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
            _nbgrader(cell)
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

    from .student import student_cell  # here: student imports this module

    problems = []
    try:
        call = ast.parse(_python(_source(check)))
    except SyntaxError as error:
        return [f"{name}: the check cell is not valid Python ({error.msg})"]
    passed = {node.id for node in ast.walk(call) if isinstance(node, ast.Name)}
    for answer in answers:
        if answer["cell_type"] != "code":
            continue
        student = student_cell(from_dict(copy.deepcopy(dict(answer))))
        try:
            instructor_names = _assigned_names(_python(_source(answer)))
            student_names = _assigned_names(_python(_source(student)))
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


def chapters_with_exercises(book: Path) -> list[Path]:
    import nbformat

    return [
        path
        for path in sorted(Path(book).glob("*.ipynb"))
        if find_exercises(nbformat.read(path, as_version=4))
    ]


def exercise_table(book: Path) -> list[dict]:
    """One row per exercise of the book: chapter, label, title, kind, points,
    minutes, whether it has a hint; then one row per open challenge (kind
    ``"challenge"``, no points, whether it has a rubric)."""
    import nbformat

    rows = []
    for path in chapters_with_exercises(book):
        nb = nbformat.read(path, as_version=4)
        for number, ex in enumerate(find_exercises(nb), start=1):
            trains = any(
                re.search(r"\bfit\(", region)
                for i in ex.answers
                for region in solution_regions(_source(nb["cells"][i]))
            )
            rows.append(
                dict(
                    chapter=path.stem,
                    number=number,
                    label=ex.label,
                    title=ex.title,
                    kind=ex.kind,
                    points=ex.points,
                    trains=trains,
                    minutes=MINUTES[ex.kind] + (MINUTES["training"] if trains else 0),
                    hint=bool(ex.hints),
                )
            )
        for challenge in find_challenges(nb):
            rows.append(
                dict(
                    chapter=path.stem,
                    number="C",
                    label="",
                    title=challenge.title,
                    kind="challenge",
                    points=0.0,
                    trains=False,
                    minutes=CHALLENGE_MINUTES,
                    hint=False,
                    rubric=challenge.rubric is not None,
                )
            )
    return rows
