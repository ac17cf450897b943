"""An nbgrader course of the chapters, and a seed of its own for each student."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from .exercises import CODE_STUB, COURSE_ID, TEXT_STUB, chapters_with_exercises
from .student import drop_rubrics, tidy_exercises


try:  # the nbgrader preprocessor that tidies the book's markers in released notebooks
    from nbgrader.preprocessors import NbGraderPreprocessor as _Base
# nbgrader is optional outside the test/teach extras
except ImportError:  # pragma: no cover
    _Base = None

if _Base is not None:

    class TidyExercises(_Base):
        """nbgrader preprocessor: :func:`tidy_exercises` for ``nbgrader
        generate_assignment``."""

        def preprocess(self, nb, resources):
            return tidy_exercises(nb), resources

    class DropRubrics(_Base):
        """nbgrader preprocessor: :func:`drop_rubrics`, for a release that keeps the
        book's markup (``course --plain``) but not the instructors' rubrics."""

        def preprocess(self, nb, resources):
            return drop_rubrics(nb), resources


#: The repository that holds :mod:`bookkit`. The tools are run from a checkout, not
#: installed, so the course's nbgrader configuration puts this folder on its path to
#: load the preprocessors below.
KIT_ROOT = Path(__file__).resolve().parents[2]

NBGRADER_CONFIG = """\
# nbgrader configuration for "Autoencoders, hands-on",
# written by `python -m bookkit.teach course` (run it again to refresh the chapters).
import os

c = get_config()  # noqa: F821 (nbgrader defines it)
c.CourseDirectory.course_id = "{course_id}"

# The book's stub: `...` keeps a student's cell runnable, and its check then says
# "not written yet" instead of raising NotImplementedError.
c.ClearSolutions.code_stub = {{"python": {code_stub!r}}}
c.ClearSolutions.text_stub = {text_stub!r}

# A chapter trains models: give a cell minutes, not nbgrader's default 30 seconds.
c.Execute.timeout = {timeout}

# Autograde in a small profile unless BOOK_PROFILE is set: the checks do not depend on
# it, and the `ci` profile runs a chapter in about a minute.
os.environ.setdefault("BOOK_PROFILE", "{profile}")
{tidy}"""

TIDY_CONFIG = """
# Released notebooks drop the book's solution markers and the instructors' rubrics, and
# show plain-markdown exercises, hints and challenges. Grading works either way.
from nbgrader.converters import GenerateAssignment
import sys

sys.path.insert(0, {kit!r})  # the book's repository: bookkit is not pip-installed
from bookkit.teach.course import TidyExercises  # noqa: E402

c.GenerateAssignment.preprocessors = [TidyExercises] + list(
    GenerateAssignment.class_traits()["preprocessors"].default()
)
"""

PLAIN_CONFIG = """
# Released notebooks keep the book's markup as it is, but not the instructors' rubrics.
from nbgrader.converters import GenerateAssignment
import sys

sys.path.insert(0, {kit!r})  # the book's repository: bookkit is not pip-installed
from bookkit.teach.course import DropRubrics  # noqa: E402

c.GenerateAssignment.preprocessors = [DropRubrics] + list(
    GenerateAssignment.class_traits()["preprocessors"].default()
)
"""


def make_course(
    course: Path,
    book: Path = Path("book"),
    chapters: list[str] | None = None,
    tidy: bool = True,
    profile: str = "ci",
    timeout: int = 900,
) -> list[Path]:
    """Set up (or refresh) an nbgrader course: ``nbgrader_config.py`` and
    ``source/<ch>/<ch>.ipynb``.

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
        raise ValueError(
            f"no chapter with exercises called {', '.join(unknown)} in {book}; "
            f"expected one of: {', '.join(sorted(available)) or '(none yet)'}"
        )
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(
        NBGRADER_CONFIG.format(
            course_id=COURSE_ID,
            code_stub=CODE_STUB,
            text_stub=TEXT_STUB,
            timeout=int(timeout),
            profile=profile,
            tidy=(TIDY_CONFIG if tidy else PLAIN_CONFIG).format(kit=str(KIT_ROOT)),
        )
    )
    written = []
    for name in names:
        target = course / "source" / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(available[name], target)
        written.append(target)
    return written


def student_seed(student_id: str) -> int:
    """A seed of its own for each student (stable, from the id): ``BOOK_SEED`` for a
    class."""
    if not isinstance(student_id, str) or not student_id.strip():
        raise ValueError(f"expected a non-empty student id, got {student_id!r}")
    return int(hashlib.sha256(student_id.strip().encode()).hexdigest(), 16) % 1_000_000
