"""Student versions (solutions removed) and clean notebooks (outputs stripped).

The student version is made with nbgrader's own preprocessors (``ClearSolutions`` with
the book's stub, ``ClearOutput``), so ``make student`` and ``nbgrader
generate_assignment`` remove exactly the same text. In both, the book's solution markers
are dropped, the instructors' rubrics are removed, and each exercise, hint and challenge
becomes plain markdown (the hint folded in ``<details>``), which reads better in Jupyter
than raw MyST.
"""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path

from .exercises import (
    ADMONITION_RE,
    CODE_STUB,
    EXERCISE_RE,
    TEXT_STUB,
    cell_source,
    admonition_kind,
    find_exercises,
)


def _body_without_options(body: str) -> str:
    """A directive's body without its ``:option:`` lines."""
    return "\n".join(
        line for line in body.split("\n") if not re.match(r"^:[\w-]+:", line)
    ).strip("\n")


def _plain_exercise(text: str, number: int) -> str:
    """```{exercise} Title ...``` as plain markdown: **Exercise N: Title** and the
    question."""

    def replace(match):
        body = _body_without_options(match["body"])
        title = match["title"].strip()
        heading = f"**Exercise {number}" + (f": {title}**" if title else "**")
        return f"{heading}\n\n{body}"

    return EXERCISE_RE.sub(replace, text, count=1)


def _plain_admonition(text: str, kind: str) -> str:
    """A hint as ``<details><summary>Hint</summary>…</details>`` (folded in Jupyter
    too); a challenge as **Challenge: title** and its text."""

    def replace(match):
        body = _body_without_options(match["body"])
        title = match["title"].strip()
        if kind == "hint":
            summary = f"<summary>{title or 'Hint'}</summary>"
            return f"<details>\n{summary}\n\n{body}\n\n</details>"
        return f"**{title}**\n\n{body}"

    return ADMONITION_RE.sub(replace, text, count=1)


def drop_rubrics(nb):
    """Remove the instructors' rubric cells (``:class: dropdown rubric``): students
    get the challenge, not how it is marked. Changes and returns ``nb``."""
    nb["cells"] = [cell for cell in nb["cells"] if admonition_kind(cell) != "rubric"]
    return nb


def tidy_exercises(nb):
    """Drop the solution markers (and anything but the answer between them) and the
    rubrics; plain exercises, hints and challenges.

    Works on a copy-free basis: the notebook passed in is changed and returned.
    """
    exercises = find_exercises(nb)
    drop = set()
    for number, ex in enumerate(exercises, start=1):
        cell = nb["cells"][ex.question]
        cell["source"] = _plain_exercise(cell_source(cell), number)
        if ex.start is not None and ex.end is not None:
            drop |= {ex.start, ex.end, *ex.others}
    for index, cell in enumerate(nb["cells"]):
        kind = admonition_kind(cell)
        if kind == "rubric":
            drop.add(index)
        elif kind in ("hint", "challenge"):
            cell["source"] = _plain_admonition(cell_source(cell), kind)
    nb["cells"] = [cell for index, cell in enumerate(nb["cells"]) if index not in drop]
    return nb


def _nbgrader_preprocessors():
    from nbgrader.preprocessors import ClearOutput, ClearSolutions

    return [
        ClearSolutions(code_stub={"python": CODE_STUB}, text_stub=TEXT_STUB),
        ClearOutput(),
    ]


def student_cell(cell):
    """One cell as a student sees it (solution regions replaced by the stub)."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata["kernelspec"] = {"language": "python"}
    return student_notebook(nb, tidy=False)["cells"][0]


def student_notebook(nb, tidy: bool = True):
    """The student version: nbgrader's ClearSolutions (book stub) and ClearOutput, then
    tidy."""
    nb = copy.deepcopy(nb)
    for preprocessor in _nbgrader_preprocessors():
        nb, _ = preprocessor.preprocess(nb, {})
    if tidy:
        tidy_exercises(nb)
    nb["metadata"].pop("widgets", None)
    return nb


def write_student_versions(src: Path, dest: Path) -> list[Path]:
    """Write the student version of every notebook in ``src`` to ``dest``; copy its
    asset folders."""
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
            shutil.copytree(
                folder,
                dest / folder.name,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
            )
    return written


# --------------------------------------------------------------------------------------
# Committed notebooks carry no outputs
# --------------------------------------------------------------------------------------
def strip_notebook(nb) -> bool:
    """Clear outputs, execution counts, widget state and cell timings with nbstripout
    (a cell marked ``keep_output`` keeps its outputs); True if it changed."""
    import json

    from nbstripout import strip_output

    before = json.dumps(nb, sort_keys=True)
    strip_output(
        nb,
        keep_output=False,
        keep_count=False,
        keep_id=True,  # nbstripout renumbers ids unless told: the chapters' stay
        extra_keys=["metadata.widgets", "cell.metadata.execution"],
    )
    return json.dumps(nb, sort_keys=True) != before


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
