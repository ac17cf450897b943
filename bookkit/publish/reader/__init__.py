"""Reader notebooks: every chapter as it reads and runs outside the book (Colab,
JupyterLab, Jupyter).

The chapters are written for Jupyter Book in MyST: numbers reach the prose through
``{glue:text}`` roles, exercises are sphinx-exercise directives, hidden cells carry the
tag ``remove-cell``. Opened as they are in Colab, a reader would see that syntax raw. A
*reader notebook* is the same chapter, cell for cell, with every MyST construct turned
into something Colab and Jupyter render themselves:

* **Prose that cites computed numbers** becomes a code cell that shows the paragraph,
  filled in from the reader's own run: ``helpers.glue.paragraph(r\"\"\"...
  {ae32_mse:.4f} ...\"\"\")`` (:func:`helpers.glue.paragraph`). Only the part of a
  markdown cell that cites numbers moves into such a cell (from its first citing block
  to its last, within one section); headings stay real markdown cells, so Colab's table
  of contents still lists every section. The cell is a Colab *form* (``# @title``,
  ``cellView: form``) and its source is hidden in JupyterLab and Notebook 7
  (``jupyter.source_hidden``): the reader sees the paragraph, not the code.
* **Exercises** read ``### Exercise N: Title`` (numbered within the chapter) and the
  question. The solution cell stays in place and runs, so *Run all* passes every check
  exactly as the book does, but it is folded away (a form titled "Solution (double-click
  to show)"). Right after it comes an answer cell: the solution's starting point (what
  the student version of nbgrader keeps, the solution region replaced by ``...``),
  commented out. A reader uncomments it, writes an answer and runs it, and the check
  below tests that answer instead of the solution; left alone it changes nothing. A
  one-line note before the solution says so. The design keeps three promises at once:
  *Run all* always works, the solution is one click away but not in sight, and the
  reader never has to insert a cell or find where the check reads its input.
* **Hidden cells** (``remove-cell``: glue and the asserts that keep the chapter's claims
  true) stay and run, folded away as forms titled "Numbers cited in the text" or "Checks
  behind this chapter's claims".
* **Other MyST**: admonitions become block quotes with a bold title, dropdowns
  ``<details><summary>``, ``{ref}``/``{numref}``/``{doc}`` plain text, ``(label)=``
  targets and ``%`` comments disappear, math stays ``$...$``/``$$...$$`` (Colab and
  Jupyter typeset it). A figure's caption (``mystnb`` metadata) follows the figure as a
  line of markdown.
* **Citations** (``{cite:p}``, ``{cite:t}``, ``{cite}``; sphinxcontrib-bibtex's roles)
  read as the book's author-year text, "(Vincent et al., 2008)" or "Vincent et al.
  (2008)", each linked to the work (its DOI, arXiv page or address), because a reader
  in Colab has no references page. Authors and years come from the BibTeX file that
  ``bibtex_bibfiles`` of ``_config.yml`` names (:func:`book_sources`, parsed with
  pybtex, which sphinxcontrib-bibtex uses too); a key missing from it is an error, as
  it is in the strict build.
* A construct with no faithful rendering (a ``{glue:figure}``, a substitution, an
  unknown role) is an error that names the cell, never silently left in.
* The **setup cell** installs the book's helpers in Colab; ``ref`` replaces the version
  it pins (the published copies pin the commit they were built from), ``install`` the
  whole requirement (tests install a wheel built from the checkout).
* The notebook asks Colab for a GPU runtime (T4), opens with a line linking to the
  chapter's page in the rendered book, and has no outputs.

From the command line::

    python -m bookkit.publish.reader SOURCE_DIR OUT_DIR [--ref REF] [--install SPEC]

converts every notebook under ``SOURCE_DIR`` (for example ``book``) into ``OUT_DIR``,
keeping relative paths. The book's Sphinx extension
(:mod:`bookkit.publish.extension`) does the same at the end of every build, into
``_build/reader``, and puts the reader copy behind the page's download button.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path

from .blocks import Block, UnsupportedMyST, parse_blocks
from .markdown import (
    PARAGRAPH_TITLE,
    Context,
    convert_markdown,
    paragraph_source,
    paragraph_template,
)
from .notebook import (
    ANSWER_HEADER,
    ANSWER_HEADER_EMPTY,
    ANSWER_HINT,
    BOOK_TITLE,
    NUMBERS_AND_CHECKS_TITLE,
    SOLUTION_TITLE,
    answer_stub,
    note_line,
    pin_setup_cell,
    reader_notebook,
    setup_requirement,
)
from .sources import Source, book_sources, find_config, load_sources

__all__ = [
    "ANSWER_HEADER",
    "ANSWER_HEADER_EMPTY",
    "ANSWER_HINT",
    "BOOK_TITLE",
    "NUMBERS_AND_CHECKS_TITLE",
    "PARAGRAPH_TITLE",
    "SOLUTION_TITLE",
    "Block",
    "Context",
    "Source",
    "UnsupportedMyST",
    "answer_stub",
    "book_sources",
    "convert_markdown",
    "find_config",
    "load_sources",
    "main",
    "note_line",
    "page_url",
    "paragraph_source",
    "paragraph_template",
    "parse_blocks",
    "pin_setup_cell",
    "reader_notebook",
    "setup_requirement",
    "write_binder_folder",
    "write_reader_notebooks",
]


# --------------------------------------------------------------------------------------
# Folders
# --------------------------------------------------------------------------------------
def page_url(base_url: str | None, docname: str) -> str | None:
    """The rendered page of ``docname`` (``book/encoder``) under the book's
    ``html.baseurl``."""
    if not base_url:
        return None
    return base_url.rstrip("/") + "/" + docname.strip("/") + ".html"


def _notebooks(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*.ipynb")
        if not any(
            part.startswith((".", "_")) for part in p.relative_to(folder).parts[:-1]
        )
    )


def write_reader_notebooks(
    source: Path,
    dest: Path,
    ref: str | None = None,
    install: str | None = None,
    base_url: str | None = None,
    book_root: Path | None = None,
    book_title: str = BOOK_TITLE,
    sources: Mapping[str, Source] | None = None,
) -> list[Path]:
    """Write the reader notebook of every notebook under ``source`` to the same place
    under ``dest``.

    ``base_url`` and ``book_root`` give each chapter's page address (``base_url`` +
    its path relative to ``book_root``, ``.html``); ``sources``, the works the
    citations name (:func:`reader_notebook`).
    """
    import nbformat

    source, dest = Path(source), Path(dest)
    if not source.is_dir():
        raise ValueError(f"expected a folder of notebooks, got {source}")
    if dest.resolve() == source.resolve():
        raise ValueError(
            "the reader notebooks must go to another folder than the chapters"
        )
    written = []
    for path in _notebooks(source):
        relative = path.relative_to(source)
        docname = (
            (path.relative_to(book_root) if book_root else relative)
            .with_suffix("")
            .as_posix()
        )
        nb = nbformat.read(path, as_version=4)
        reader = reader_notebook(
            nb,
            name=path.name,
            page_url=page_url(base_url, docname),
            ref=ref,
            install=install,
            book_title=book_title,
            sources=sources,
        )
        nbformat.validate(reader)
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(reader, target)
        written.append(target)
    return written


def write_binder_folder(
    root: Path, requirement: str, runtime: Path | None = None
) -> Path:
    """``binder/`` beside the reader notebooks, so that Binder can launch them too.

    The launch buttons share one branch (``repository.branch``): when it is the branch
    that holds the reader notebooks, Binder builds that branch, which has no
    ``pyproject.toml``. Its ``binder/requirements.txt`` is the requirement the setup
    cells install in Colab (the same ref) plus TensorFlow, which Colab has and Binder
    does not, and ``runtime.txt`` is copied from the book's
    own ``binder/``.
    """
    folder = Path(root) / "binder"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "requirements.txt").write_text(
        "# Binder installs the book's helpers (and the chapters' dependencies) at the "
        "ref the\n"
        "# notebooks beside this folder were made for, and TensorFlow as Keras's "
        "backend\n"
        "# (the package itself leaves the backend to its extras).\n"
        + requirement
        + "\ntensorflow>=2.20\n"
    )
    if runtime is not None and Path(runtime).is_file():
        (folder / "runtime.txt").write_text(Path(runtime).read_text())
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bookkit.publish.reader",
        description="Write the reader notebooks (Colab, Jupyter) of the chapters.",
    )
    parser.add_argument(
        "source", type=Path, help="folder of chapter notebooks, e.g. book"
    )
    parser.add_argument(
        "dest", type=Path, help="where the reader notebooks go, e.g. _build/reader/book"
    )
    parser.add_argument(
        "--ref",
        help="git ref the setup cell installs the helpers from (a tag or commit)",
    )
    parser.add_argument(
        "--install", help="requirement the setup cell installs instead (e.g. a wheel)"
    )
    args = parser.parse_args(argv)
    config = find_config(args.source.resolve())
    base_url, title, root, sources = None, BOOK_TITLE, None, None
    if config:
        import yaml

        settings = yaml.safe_load(config.read_text()) or {}
        base_url = (settings.get("html") or {}).get("baseurl") or None
        title = settings.get("title") or BOOK_TITLE
        root = config.parent
        if settings.get("bibtex_bibfiles"):
            sources = book_sources(root)
    try:
        written = write_reader_notebooks(
            args.source.resolve(),
            args.dest,
            ref=args.ref,
            install=args.install,
            base_url=base_url,
            book_root=root,
            book_title=title,
            sources=sources,
        )
    except (ValueError, UnsupportedMyST) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Wrote {len(written)} reader notebooks to {args.dest}")
    return 0

