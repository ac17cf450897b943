"""The book's exercise format, read: where each exercise's question, hint, solution and
check are, and how long its exercises take (whether a chapter follows the format:
:mod:`bookkit.teach.validate`).

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
def cell_source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def nbgrader_metadata(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_solution_cell(cell) -> bool:
    meta = nbgrader_metadata(cell)
    return bool(meta.get("solution")) and not meta.get("grade")


def is_check_cell(cell) -> bool:
    meta = nbgrader_metadata(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def admonition_kind(cell) -> str | None:
    """``"hint"``, ``"challenge"`` or ``"rubric"`` for a markdown cell that holds one of
    the exercise section's admonitions (by its ``:class:``), else ``None``."""
    if cell.get("cell_type") != "markdown":
        return None
    match = ADMONITION_RE.search(cell_source(cell))
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
    match = ADMONITION_RE.search(cell_source(cell))
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
        match = EXERCISE_RE.search(cell_source(cell))
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
            start = SOLUTION_START_RE.search(cell_source(cells[following]))
            if start and start["label"] == exercise.label:
                exercise.start = following
        if exercise.start is None:
            continue
        for inner in range(exercise.start + 1, len(cells)):
            inner_cell = cells[inner]
            if inner_cell["cell_type"] == "markdown" and SOLUTION_END_RE.search(
                cell_source(inner_cell)
            ):
                exercise.end = inner
                break
            if inner_cell["cell_type"] == "markdown" and (
                EXERCISE_RE.search(cell_source(inner_cell))
                or SOLUTION_START_RE.search(cell_source(inner_cell))
            ):
                break  # the next exercise began before this one's solution ended
            (
                exercise.answers if is_solution_cell(inner_cell) else exercise.others
            ).append(inner)
        if exercise.end is not None and exercise.end + 1 < len(cells):
            if is_check_cell(cells[exercise.end + 1]):
                exercise.check = exercise.end + 1
                exercise.points = float(
                    nbgrader_metadata(cells[exercise.check]).get("points") or 0
                )
        answer_text = "\n".join(cell_source(cells[i]) for i in exercise.answers)
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
        text = cell_source(cell)
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
                for region in solution_regions(cell_source(nb["cells"][i]))
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
