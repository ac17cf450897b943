"""Student versions, clean notebooks and nbgrader courses for the book's exercises.

Every chapter ends with exercises in one five-cell format (CONTRIBUTING.md): the ``{exercise}``
directive, a ``{solution-start}`` marker, the answer cell (an nbgrader solution cell whose
solution sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION``), a ``{solution-end}``
marker and the graded check cell (``helpers.checks.<chapter>.exercise_N(...)``). This module
reads that format; from the command line it does four things::

    python -m helpers.assignments student SRC_DIR DEST_DIR   # student notebooks, no solutions
    python -m helpers.assignments strip DIR                  # drop outputs before committing
    python -m helpers.assignments course COURSE_DIR          # an nbgrader course of the chapters
    python -m helpers.assignments list DIR                   # the exercises, with a time estimate
    python -m helpers.assignments seed STUDENT_ID            # a per-student BOOK_SEED

The student version is made with nbgrader's own preprocessors (``ClearSolutions`` with the
book's stub, ``ClearOutput``), so ``make student`` and ``nbgrader generate_assignment`` remove
exactly the same text. In both, the book's solution markers are dropped and each exercise
directive becomes plain markdown, which reads better in Jupyter than raw MyST.
"""
from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

#: What replaces a solution region in a code cell. ``...`` keeps the cell runnable: a function
#: whose body is the stub returns ``None``, which the checks report as "not written yet".
CODE_STUB = "# YOUR CODE HERE\n..."
#: What replaces a written (markdown) solution cell.
TEXT_STUB = "YOUR ANSWER HERE"
BEGIN, END = "BEGIN SOLUTION", "END SOLUTION"
COURSE_ID = "autoencoders-hands-on"

#: Notebooks in book/ that are pages, not chapters: they need no exercises.
NOT_CHAPTERS = ("preface", "index", "intro", "data")

_FENCE = r"(?P<fence>`{3,}|:{3,})"
EXERCISE_RE = re.compile(_FENCE + r"\{exercise\}[ \t]*(?P<title>[^\n]*)\n(?P<body>.*?)\n(?P=fence)[ \t]*$",
                         re.S | re.M)
SOLUTION_START_RE = re.compile(_FENCE + r"\{solution-start\}[ \t]+(?P<label>\S+)")
SOLUTION_END_RE = re.compile(_FENCE + r"\{solution-end\}")
LABEL_RE = re.compile(r"^:label:[ \t]*(\S+)[ \t]*$", re.M)
CHECK_RE = re.compile(r"helpers\.checks\.(?P<module>\w+)\.exercise_(?P<number>\d+)\s*\(")
#: Rough minutes a reader needs, by kind of exercise: reading, thinking and writing, plus
#: a few minutes of training (laptop profile) when the solution trains a model.
MINUTES = {"predict": 5, "code": 15, "written": 10, "training": 10}


# --------------------------------------------------------------------------------------------
# Reading the format
# --------------------------------------------------------------------------------------------
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


@dataclass
class Exercise:
    """One exercise: where its five cells are, and what they say."""

    label: str
    title: str
    question: int  #: index of the ``{exercise}`` cell
    start: int | None = None  #: ``{solution-start}``
    answers: list[int] = field(default_factory=list)  #: nbgrader solution cells inside
    others: list[int] = field(default_factory=list)  #: any other cell inside (a violation)
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
        exercise = Exercise(label=label.group(1) if label else "", title=match["title"].strip(),
                            question=index)
        exercises.append(exercise)
        following = index + 1
        if following < len(cells) and cells[following]["cell_type"] == "markdown":
            start = SOLUTION_START_RE.search(_source(cells[following]))
            if start and start["label"] == exercise.label:
                exercise.start = following
        if exercise.start is None:
            continue
        for inner in range(exercise.start + 1, len(cells)):
            inner_cell = cells[inner]
            if inner_cell["cell_type"] == "markdown" and SOLUTION_END_RE.search(_source(inner_cell)):
                exercise.end = inner
                break
            if inner_cell["cell_type"] == "markdown" and (EXERCISE_RE.search(_source(inner_cell))
                                                         or SOLUTION_START_RE.search(_source(inner_cell))):
                break  # the next exercise began before this one's solution ended
            (exercise.answers if is_solution_cell(inner_cell) else exercise.others).append(inner)
        if exercise.end is not None and exercise.end + 1 < len(cells):
            if is_check_cell(cells[exercise.end + 1]):
                exercise.check = exercise.end + 1
                exercise.points = float(_nbgrader(cells[exercise.check]).get("points") or 0)
        answer_text = "\n".join(_source(cells[i]) for i in exercise.answers)
        if "predict" in exercise.title.lower():
            exercise.kind = "predict"
        elif exercise.answers and all(cells[i]["cell_type"] == "markdown" for i in exercise.answers):
            exercise.kind = "written"
        elif re.search(r"^\s*(def|class) ", answer_text, re.M):
            exercise.kind = "code"
        else:
            exercise.kind = "predict" if exercise.answers else "code"
    return exercises


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
        region_lines = {line.strip() for region in regions for line in region.split("\n")}
        inside |= region_lines
        for line in text.split("\n"):
            if line.strip() not in region_lines:
                outside.add(line.strip())
    return {line for line in inside - outside if len(line) >= 4 and line not in ("...", "pass")}


def _assigned_names(code: str) -> set[str]:
    tree = ast.parse(code)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return names


def _python(code: str) -> str:
    """Cell source with IPython magics and shell lines commented out, for ``ast``."""
    return "\n".join("#" + line if line.lstrip().startswith(("%", "!")) else line
                     for line in code.split("\n"))


def validate(nb, chapter: str) -> list[str]:
    """Every way the notebook breaks the exercise format; an empty list when it is right.

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
                problems.append(f"cells {grade_ids[grade_id]} and {index} share grade_id {grade_id!r}")
            grade_ids[grade_id] = index
        text = _source(cell)
        if (BEGIN in text or END in text) and not is_solution_cell(cell):
            problems.append(f"cell {index} has a solution region but no nbgrader solution metadata")
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
            problems.append(f"{name}: the next cell is not ```{{solution-start}} {ex.label}")
            continue
        if ex.end is None:
            problems.append(f"{name}: no ```{{solution-end}} before the next exercise")
            continue
        if len(ex.answers) != 1:
            problems.append(f"{name}: expected exactly one nbgrader solution cell between the "
                            f"solution markers, found {len(ex.answers)}")
        for other in ex.others:
            problems.append(f"{name}: cell {other} sits inside the solution but is not an nbgrader "
                            "solution cell, so nbgrader generate_assignment would hand it to students")
        owned |= set(ex.answers)
        for answer in ex.answers:
            meta = _nbgrader(cells[answer])
            if meta.get("grade_id") != f"{ex.label}-answer":
                problems.append(f"{name}: answer cell {answer} grade_id should be {ex.label}-answer")
            if meta.get("locked"):
                problems.append(f"{name}: answer cell {answer} is locked, so students cannot edit it")
            if cells[answer]["cell_type"] == "code" and not solution_regions(_source(cells[answer])):
                problems.append(f"{name}: answer cell {answer} has no ### BEGIN SOLUTION region, so "
                                "nbgrader replaces the whole cell and the check gets nothing to read")
        if ex.check is None:
            problems.append(f"{name}: the cell after {{solution-end}} is not a graded check cell "
                            "(nbgrader grade: true, solution: false)")
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
            problems.append(f"{name}: check cell {ex.check} does not call "
                            f"helpers.checks.{chapter.replace('-', '_')}.exercise_N(...)")
            continue
        module = chapter.replace("-", "_")  # book/vector-arithmetic.ipynb: helpers.checks.vector_arithmetic
        if call["module"] != module:
            problems.append(f"{name}: the check calls helpers.checks.{call['module']}, "
                            f"not helpers.checks.{module}")
        if int(call["number"]) != number:
            problems.append(f"{name}: the check calls exercise_{call['number']}, expected exercise_{number}")
        problems += _stub_problems(name, [cells[i] for i in ex.answers], check)
    for index, cell in enumerate(cells):
        if _nbgrader(cell) and (is_solution_cell(cell) or is_check_cell(cell)) and index not in owned:
            problems.append(f"cell {index} has nbgrader metadata but belongs to no exercise")
    return problems


def _stub_problems(name: str, answers, check) -> list[str]:
    """The student's answer cell must still define every name its check is given."""
    from nbformat import from_dict

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
            problems.append(f"{name}: the student version of the answer cell is not valid Python "
                            f"({error.msg}); put the solution region where `...` can stand in for it")
            continue
        missing = sorted((passed & instructor_names) - student_names)
        if missing:
            problems.append(f"{name}: the student version no longer defines {', '.join(missing)}, so "
                            "its check fails with NameError; set it to None above ### BEGIN SOLUTION")
    return problems


# --------------------------------------------------------------------------------------------
# Student versions
# --------------------------------------------------------------------------------------------
def _plain_exercise(text: str, number: int) -> str:
    """```{exercise} Title ...``` as plain markdown: **Exercise N: Title** and the question."""
    def replace(match):
        body = "\n".join(line for line in match["body"].split("\n")
                         if not re.match(r"^:[\w-]+:", line)).strip("\n")
        title = match["title"].strip()
        heading = f"**Exercise {number}" + (f": {title}**" if title else "**")
        return f"{heading}\n\n{body}"

    return EXERCISE_RE.sub(replace, text, count=1)


def tidy_exercises(nb):
    """Drop the solution markers (and anything but the answer between them); plain exercises.

    Works on a copy-free basis: the notebook passed in is changed and returned.
    """
    exercises = find_exercises(nb)
    drop = set()
    for number, ex in enumerate(exercises, start=1):
        cell = nb["cells"][ex.question]
        cell["source"] = _plain_exercise(_source(cell), number)
        if ex.start is not None and ex.end is not None:
            drop |= {ex.start, ex.end, *ex.others}
    nb["cells"] = [cell for index, cell in enumerate(nb["cells"]) if index not in drop]
    return nb


def _nbgrader_preprocessors():
    from nbgrader.preprocessors import ClearOutput, ClearSolutions

    return [ClearSolutions(code_stub={"python": CODE_STUB}, text_stub=TEXT_STUB), ClearOutput()]


def student_cell(cell):
    """One cell as a student sees it (solution regions replaced by the stub)."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata["kernelspec"] = {"language": "python"}
    return student_notebook(nb, tidy=False)["cells"][0]


def student_notebook(nb, tidy: bool = True):
    """The student version: nbgrader's ClearSolutions (book stub) and ClearOutput, then tidy."""
    nb = copy.deepcopy(nb)
    for preprocessor in _nbgrader_preprocessors():
        nb, _ = preprocessor.preprocess(nb, {})
    if tidy:
        tidy_exercises(nb)
    nb["metadata"].pop("widgets", None)
    return nb


def write_student_versions(src: Path, dest: Path) -> list[Path]:
    """Write the student version of every notebook in ``src`` to ``dest``; copy its asset folders."""
    import nbformat

    src, dest = Path(src), Path(dest)
    if not src.is_dir():
        raise ValueError(f"expected a folder of notebooks, got {src}")
    if dest.resolve() == src.resolve():
        raise ValueError("the student folder must differ from the source folder")
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(src.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nbformat.write(student_notebook(nb), dest / path.name)
        written.append(dest / path.name)
    for folder in sorted(p for p in src.iterdir() if p.is_dir()):
        if not folder.name.startswith((".", "_")) and folder.name != "__pycache__":
            shutil.copytree(folder, dest / folder.name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return written


# --------------------------------------------------------------------------------------------
# Committed notebooks carry no outputs
# --------------------------------------------------------------------------------------------
def strip_notebook(nb) -> bool:
    """Clear outputs and execution counts (but of ``keep_output`` cells); True if it changed."""
    changed = False
    if "widgets" in nb.get("metadata", {}):
        del nb["metadata"]["widgets"]
        changed = True
    for cell in nb["cells"]:
        metadata = cell.get("metadata", {})
        if "execution" in metadata:  # timings written by nbclient / JupyterLab
            del metadata["execution"]
            changed = True
        if cell["cell_type"] != "code" or metadata.get("keep_output"):
            continue
        if cell.get("outputs"):
            cell["outputs"] = []
            changed = True
        if cell.get("execution_count") is not None:
            cell["execution_count"] = None
            changed = True
    return changed


def strip_folder(folder: Path) -> list[Path]:
    """Strip every notebook under ``folder`` in place; return the ones that changed."""
    import nbformat

    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"expected a folder of notebooks, got {folder}")
    changed = []
    for path in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        nb = nbformat.read(path, as_version=4)
        if strip_notebook(nb):
            nbformat.write(nb, path)
            changed.append(path)
    return changed


# --------------------------------------------------------------------------------------------
# nbgrader
# --------------------------------------------------------------------------------------------
try:  # the nbgrader preprocessor that tidies the book's markers in released notebooks
    from nbgrader.preprocessors import NbGraderPreprocessor as _Base
except ImportError:  # pragma: no cover - nbgrader is optional outside the test/teach extras
    _Base = None

if _Base is not None:
    class TidyExercises(_Base):
        """nbgrader preprocessor: :func:`tidy_exercises` for ``nbgrader generate_assignment``."""

        def preprocess(self, nb, resources):
            return tidy_exercises(nb), resources

    class DropCheckResults(_Base):
        """nbgrader preprocessor: drop the ``True`` a passing check returns, before grading.

        nbgrader reads a graded cell's result as partial credit; ``True`` is not a number, so
        0.9 gives full credit with a warning that future releases may count it as an error.
        The check's printed ✓ line stays in the notebook and the feedback.
        """

        def preprocess_cell(self, cell, resources, index):
            if cell.cell_type == "code" and is_check_cell(cell):
                cell.outputs = [o for o in cell.outputs if not (
                    o.output_type == "execute_result" and o.get("data", {}).get("text/plain") == "True")]
            return cell, resources


NBGRADER_CONFIG = '''\
# nbgrader configuration for "Autoencoders, hands-on",
# written by `python -m helpers.assignments course` (run it again to refresh the chapters).
import os

c = get_config()  # noqa: F821 (nbgrader defines it)
c.CourseDirectory.course_id = "{course_id}"

# The book's stub: `...` keeps a student's cell runnable, and its check then says
# "not written yet" instead of raising NotImplementedError.
c.ClearSolutions.code_stub = {{"python": {code_stub!r}}}
c.ClearSolutions.text_stub = {text_stub!r}

# A chapter trains models: give a cell minutes, not nbgrader's default 30 seconds.
c.Execute.timeout = {timeout}

# Autograde in a small profile unless BOOK_PROFILE is set: the checks do not depend on it,
# and the `ci` profile runs a chapter in about a minute.
os.environ.setdefault("BOOK_PROFILE", "{profile}")
{grade}{tidy}'''

TIDY_CONFIG = '''
# Released notebooks drop the book's solution markers and show plain-markdown exercises.
# Delete these lines to release the chapters exactly as they are; grading works either way.
from nbgrader.converters import GenerateAssignment
from helpers.assignments import TidyExercises

c.GenerateAssignment.preprocessors = (
    [TidyExercises] + list(GenerateAssignment.class_traits()["preprocessors"].default()))
'''

GRADE_CONFIG = '''
# A passing check returns True; nbgrader would try to read it as partial credit. Drop it
# after execution so that a passing check always scores its points.
from nbgrader.converters import Autograde
from nbgrader.preprocessors import Execute
from helpers.assignments import DropCheckResults

_steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
_steps.insert(_steps.index(Execute) + 1, DropCheckResults)
c.Autograde.autograde_preprocessors = _steps
'''


def chapters_with_exercises(book: Path) -> list[Path]:
    import nbformat

    return [path for path in sorted(Path(book).glob("*.ipynb"))
            if find_exercises(nbformat.read(path, as_version=4))]


def make_course(course: Path, book: Path = Path("book"), chapters: list[str] | None = None,
                tidy: bool = True, profile: str = "ci", timeout: int = 900) -> list[Path]:
    """Set up (or refresh) an nbgrader course: ``nbgrader_config.py`` and ``source/<ch>/<ch>.ipynb``.

    The chapters are copied as they are, solutions and all: nbgrader's source is the
    instructor version. Returns the notebooks written.
    """
    course, book = Path(course), Path(book)
    if not book.is_dir():
        raise ValueError(f"expected the book's folder of chapters, got {book}")
    if profile not in ("ci", "laptop", "full"):
        raise ValueError(f"profile must be ci, laptop or full; got {profile!r}")
    available = {path.stem: path for path in chapters_with_exercises(book)}
    names = list(chapters) if chapters else sorted(available)
    unknown = [name for name in names if name not in available]
    if unknown:
        raise ValueError(f"no chapter with exercises called {', '.join(unknown)} in {book}; "
                         f"expected one of: {', '.join(sorted(available)) or '(none yet)'}")
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(
        course_id=COURSE_ID, code_stub=CODE_STUB, text_stub=TEXT_STUB, timeout=int(timeout),
        profile=profile, grade=GRADE_CONFIG, tidy=TIDY_CONFIG if tidy else ""))
    written = []
    for name in names:
        target = course / "source" / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(available[name], target)
        written.append(target)
    return written


def student_seed(student_id: str) -> int:
    """A seed of its own for each student (stable, from the id): ``BOOK_SEED`` for a class."""
    if not isinstance(student_id, str) or not student_id.strip():
        raise ValueError(f"expected a non-empty student id, got {student_id!r}")
    return int(hashlib.sha256(student_id.strip().encode()).hexdigest(), 16) % 1_000_000


def exercise_table(book: Path) -> list[dict]:
    """One row per exercise of the book: chapter, label, title, kind, points, minutes."""
    import nbformat

    rows = []
    for path in chapters_with_exercises(book):
        nb = nbformat.read(path, as_version=4)
        for number, ex in enumerate(find_exercises(nb), start=1):
            trains = any(re.search(r"\bfit\(", region) for i in ex.answers
                         for region in solution_regions(_source(nb["cells"][i])))
            rows.append(dict(chapter=path.stem, number=number, label=ex.label, title=ex.title,
                             kind=ex.kind, points=ex.points, trains=trains,
                             minutes=MINUTES[ex.kind] + (MINUTES["training"] if trains else 0)))
    return rows


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.assignments", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    student = commands.add_parser("student", help="write student versions (solutions removed)")
    student.add_argument("src", type=Path)
    student.add_argument("dest", type=Path)
    strip = commands.add_parser("strip", help="strip outputs and execution counts in place")
    strip.add_argument("dir", type=Path)
    course = commands.add_parser("course", help="set up an nbgrader course of the chapters")
    course.add_argument("course_dir", type=Path)
    course.add_argument("--book", type=Path, default=Path(__file__).resolve().parents[1] / "book")
    course.add_argument("--chapters", nargs="*", help="chapter names (default: all with exercises)")
    course.add_argument("--plain", action="store_true",
                        help="release the chapters as they are (keep the solution markers)")
    course.add_argument("--profile", default="ci", help="BOOK_PROFILE for autograding (default ci)")
    listing = commands.add_parser("list", help="list the exercises and a time estimate")
    listing.add_argument("dir", type=Path, nargs="?", default=Path("book"))
    seed = commands.add_parser("seed", help="print the BOOK_SEED of a student id")
    seed.add_argument("student_id")
    check = commands.add_parser("check", help="check the exercise format of notebooks")
    check.add_argument("notebooks", type=Path, nargs="+")
    args = parser.parse_args(argv)
    try:
        if args.command == "student":
            written = write_student_versions(args.src, args.dest)
            print(f"Wrote {len(written)} student notebooks to {args.dest}")
        elif args.command == "strip":
            changed = strip_folder(args.dir)
            print(f"Stripped outputs from {len(changed)} notebooks" +
                  (": " + ", ".join(p.name for p in changed) if changed else ""))
        elif args.command == "course":
            written = make_course(args.course_dir, args.book, args.chapters, tidy=not args.plain,
                                  profile=args.profile)
            print(f"nbgrader course in {args.course_dir}: {len(written)} assignments "
                  f"({', '.join(p.parent.name for p in written)}). Next: cd {args.course_dir} && "
                  "nbgrader generate_assignment <chapter>")
        elif args.command == "list":
            rows = exercise_table(args.dir)
            for row in rows:
                print(f"{row['chapter']:<18} {row['number']}  {row['kind']:<8} {row['points']:>4g} pt  "
                      f"~{row['minutes']:>2} min  {row['title']}" + ("  (trains a model)" if row["trains"] else ""))
            print(f"{len(rows)} exercises, about {sum(r['minutes'] for r in rows)} minutes in all")
        elif args.command == "seed":
            print(student_seed(args.student_id))
        elif args.command == "check":
            import nbformat

            bad = 0
            for path in args.notebooks:
                problems = validate(nbformat.read(path, as_version=4), path.stem)
                bad += bool(problems)
                for problem in problems:
                    print(f"{path}: {problem}")
            print(f"{len(args.notebooks) - bad} of {len(args.notebooks)} notebooks follow the exercise format")
            return 1 if bad else 0
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
