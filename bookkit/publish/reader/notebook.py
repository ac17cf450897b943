"""A chapter as a reader notebook, cell by cell: paragraphs with the reader's numbers,
folded solutions with an answer cell, hidden cells as titled forms, the setup cell
pinned to a version of the helpers."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping

from .blocks import UnsupportedMyST, parse_blocks
from .markdown import (
    BEGIN,
    END,
    Context,
    _details,
    convert_markdown,
    paragraph_source,
)
from .sources import Source


BOOK_TITLE = "Autoencoders, hands-on"

SOLUTION_TITLE = "Solution (double-click to show)"
CHECKS_TITLE = "Checks behind this chapter's claims"
NUMBERS_TITLE = "Numbers cited in the text"
NUMBERS_AND_CHECKS_TITLE = "Numbers cited in the text, and the checks behind them"
HIDDEN_TITLE = "Behind the scenes (runs with the chapter)"
#: The line above a folded solution, telling the reader where their own answer goes.
ANSWER_HINT = (
    "*Your answer goes in the cell after the folded solution below: run it, then the "
    "check. To read the solution, unfold it (double-click it in Colab, click its ⋯ "
    "in Jupyter).*"
)
ANSWER_HEADER_EMPTY = (
    "# Your answer: write it here and run this cell; the check below then tests "
    "your answer\n# instead of the solution."
)
ANSWER_HEADER = (
    "# Your answer: uncomment the lines below (select them, Ctrl+/), fill them in and "
    "run this cell;\n# the check below then tests your answer instead of the solution."
)

#: Colab form cell: only the title and the output show; JupyterLab and Notebook 7 hide
#: the source.
FORM = {"cellView": "form", "jupyter": {"source_hidden": True}}
NOTEBOOK_METADATA = {
    "accelerator": "GPU",
    "colab": {"gpuType": "T4", "provenance": [], "toc_visible": True},
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


# --------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------
def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _collect_labels(nb, ctx: Context) -> None:
    """Labels a reference may point to, before any is converted (references may look
    ahead)."""
    exercises = figures = 0
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            pending: list[str] = []
            for block in _walk(parse_blocks(_source(cell))):
                if block.kind == "target":
                    pending.append(block.text)
                elif block.kind == "heading":
                    for label in pending:
                        ctx.labels[label] = block.text
                    pending = []
                elif block.kind == "math" and block.name:
                    ctx.labels[block.name] = f"({block.name})"
                elif block.kind == "directive" and block.name == "exercise":
                    if "nonumber" in block.options or "hidden" in block.options:
                        continue
                    exercises += 1
                    label = block.options.get("label")
                    if label:
                        ctx.labels[label] = f"Exercise {exercises}"
                        ctx.numbers[label] = str(exercises)
                elif block.kind == "directive" and block.options.get("label"):
                    ctx.labels.setdefault(
                        block.options["label"], block.argument or block.options["label"]
                    )
                elif block.kind == "directive" and block.options.get("name"):
                    ctx.labels.setdefault(
                        block.options["name"], block.argument or block.options["name"]
                    )
        else:
            figure = (cell.get("metadata", {}).get("mystnb") or {}).get("figure") or {}
            if figure.get("name"):
                figures += 1
                ctx.labels[figure["name"]] = f"Figure {figures}"
                ctx.numbers[figure["name"]] = str(figures)


def _walk(blocks):
    for block in blocks:
        yield block
        if block.kind == "directive" and block.body:
            yield from _walk(parse_blocks(block.body))


def _new_cell(kind: str, source: str, cell_id: str, metadata: dict | None = None):
    import nbformat

    make = (
        nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    )
    cell = make(source=source, metadata=copy.deepcopy(metadata or {}))
    cell["id"] = cell_id
    return cell


def _form(title: str, source: str) -> str:
    return f"# @title {title}\n{source}"


def _without_markers(source: str) -> str:
    return "\n".join(
        line for line in source.split("\n") if BEGIN not in line and END not in line
    )


def answer_stub(source: str) -> str:
    """What a reader starts from: the solution cell with its solution region(s) taken
    out.

    As in nbgrader's student version, an indented region (a function's body) becomes
    ``...``; a region at the top level just goes (what the check reads was set to
    ``None`` above it). Commented out, so that running the cell unchanged (Run all)
    leaves the solution in force.
    """
    lines, stub, inside = source.split("\n"), [], False
    for line in lines:
        if BEGIN in line:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            if indent:
                stub.append(indent + "...")
        elif END in line:
            inside = False
        elif not inside:
            stub.append(line)
    if not any(BEGIN in line for line in lines):
        stub = []
    while stub and not stub[-1].strip():
        stub.pop()
    if not stub:
        return ANSWER_HEADER_EMPTY
    return (
        ANSWER_HEADER
        + "\n"
        + "\n".join(("# " + line) if line.strip() else "#" for line in stub)
    )


def _hidden_title(source: str) -> str:
    checks = re.search(r"^\s*assert\b", source, re.M)
    numbers = "glue(" in source
    if checks and numbers:
        return NUMBERS_AND_CHECKS_TITLE
    if checks:
        return CHECKS_TITLE
    if numbers:
        return NUMBERS_TITLE
    return HIDDEN_TITLE


_INSTALL = re.compile(
    r"(?P<head>%pip install\b[^\n\"']*)"
    r"(?P<quote>[\"'])(?P<requirement>[^\"'\n]+)(?P=quote)"
)


def setup_requirement(source: str) -> str | None:
    """The requirement the setup cell installs in Colab (``None`` when it installs
    nothing)."""
    match = _INSTALL.search(source)
    return match["requirement"] if match else None


def pin_setup_cell(
    source: str, ref: str | None = None, install: str | None = None
) -> str:
    """The setup cell with its install pinned to ``ref`` or replaced by ``install``."""
    if not ref and not install:
        return source
    match = _INSTALL.search(source)
    if not match:
        raise ValueError(
            'the setup cell (the first code cell) has no `%pip install "..."` line '
            "to pin or replace"
        )
    requirement = match["requirement"]
    if install:
        requirement = install
    else:
        git = re.match(
            r"^(?P<base>.*\bgit\+[a-z]+://[^@\s#]+?)(?:@(?P<ref>[^@\s#/]+))?(?P<tail>#\S*)?$",
            requirement.strip(),
        )
        if not git:
            raise ValueError(
                f"the setup cell installs {requirement!r}, not a git+ requirement "
                "whose ref could be replaced; use install= instead"
            )
        requirement = f"{git['base']}@{ref}{git['tail'] or ''}"
    quote = '"' if '"' not in requirement else "'"
    return (
        source[: match.start()]
        + match["head"]
        + quote
        + requirement
        + quote
        + source[match.end() :]
    )


def note_line(page_url: str | None, book_title: str = BOOK_TITLE) -> str:
    """The line under the title: what this notebook is, and where the chapter is
    rendered."""
    chapter = (
        f"[this chapter]({page_url}) of {book_title}"
        if page_url
        else f"a chapter of {book_title}"
    )
    return (
        f"*The runnable copy of {chapter}: run it from the top (in Colab: Runtime → "
        "Run all) and every number and figure comes from your own run.*"
    )


def reader_notebook(
    nb,
    name: str = "",
    page_url: str | None = None,
    ref: str | None = None,
    install: str | None = None,
    book_title: str = BOOK_TITLE,
    sources: Mapping[str, Source] | None = None,
):
    """The reader notebook of chapter ``nb`` (a new notebook; ``nb`` is left as it is).

    ``name`` is used in error messages; ``page_url`` is the chapter's page in the
    rendered book (no link when ``None``); ``ref`` pins the setup cell's install to a
    git ref, ``install`` replaces its requirement altogether (for example a local
    wheel). ``sources`` gives the works the cite roles name (default: the book's
    BibTeX file, :func:`book_sources`).
    """
    import nbformat

    nb = nbformat.from_dict(copy.deepcopy(dict(nb)))
    ctx = Context(name=name, sources=sources)
    _collect_labels(nb, ctx)
    cells, in_solution, solutions = [], False, []
    setup_done = False
    for index, cell in enumerate(nb.cells):
        ctx.where = f"cell {index}"
        cell_id = cell.get("id") or f"cell-{index}"
        metadata = {
            k: v
            for k, v in cell.get("metadata", {}).items()
            if k not in ("nbgrader", "mystnb", "execution", "collapsed", "scrolled")
        }
        source = _source(cell)
        if cell.cell_type == "markdown":
            ctx.events.clear()
            pieces = convert_markdown(source, ctx)
            events = list(ctx.events)
            if "solution-end" in events and in_solution:
                cells.append(
                    _new_cell(
                        "code", answer_stub("\n".join(solutions)), f"{cell_id}-answer"
                    )
                )
                in_solution, solutions = False, []
            for k, (kind, value) in enumerate(pieces):
                piece_id = cell_id if k == 0 else f"{cell_id}-{k}"
                if kind == "markdown":
                    if in_solution:  # a written solution: folded like the code ones
                        value = _details("Solution", value)
                    cells.append(_new_cell("markdown", value, piece_id, metadata))
                else:
                    cells.append(
                        _new_cell("code", paragraph_source(value), piece_id, FORM)
                    )
            if "solution-start" in events:
                cells.append(_new_cell("markdown", ANSWER_HINT, f"{cell_id}-hint"))
                in_solution = True
            continue
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        tags = set(metadata.get("tags", []))
        if not setup_done:
            source = pin_setup_cell(source, ref=ref, install=install)
            setup_done = True
            cells.append(_new_cell("code", source, cell_id, metadata))
        elif in_solution:
            solutions.append(source)
            cells.append(
                _new_cell(
                    "code",
                    _form(SOLUTION_TITLE, _without_markers(source)),
                    cell_id,
                    {**metadata, **FORM},
                )
            )
        elif tags & {"remove-cell", "hide-cell", "remove-input", "hide-input"}:
            cells.append(
                _new_cell(
                    "code",
                    _form(_hidden_title(source), source),
                    cell_id,
                    {**metadata, **FORM},
                )
            )
        else:
            cells.append(_new_cell("code", source, cell_id, metadata))
        figure = (cell.get("metadata", {}).get("mystnb") or {}).get("figure") or {}
        if figure.get("caption"):
            for k, (kind, value) in enumerate(
                convert_markdown(
                    f"**{ctx.labels.get(figure.get('name'), 'Figure')}.** "
                    f"{figure['caption']}",
                    ctx,
                )
            ):
                piece_id = f"{cell_id}-caption" + (f"-{k}" if k else "")
                cells.append(
                    _new_cell("markdown", value, piece_id)
                    if kind == "markdown"
                    else _new_cell("code", paragraph_source(value), piece_id, FORM)
                )
    if in_solution:
        raise UnsupportedMyST(
            f"{name or 'notebook'}: a {{solution-start}} has no {{solution-end}}"
        )
    cells = _title_and_note(cells, page_url, book_title)
    seen: set[str] = set()
    for cell in cells:  # ids unique, stable from build to build
        base, k = cell["id"], 1
        while cell["id"] in seen:
            cell["id"] = f"{base}-{k}"
            k += 1
        seen.add(cell["id"])
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    metadata = {
        k: v
        for k, v in nb.metadata.items()
        if k not in ("widgets", "colab", "accelerator")
    }
    metadata.update(copy.deepcopy(NOTEBOOK_METADATA))
    out = nbformat.v4.new_notebook(cells=cells, metadata=metadata)
    out.nbformat, out.nbformat_minor = 4, max(5, nb.get("nbformat_minor", 5))
    return out


def _title_and_note(cells, page_url, book_title):
    """Split ``# Title`` off the first markdown cell and put the note line under it."""
    first = next((k for k, c in enumerate(cells) if c["cell_type"] == "markdown"), None)
    if first is None:
        return cells
    text = cells[first]["source"]
    match = re.match(r"^\s*(# [^\n]+)\n?(.*)$", text, re.S)
    if not match:
        return cells
    title, rest = match.group(1), match.group(2).strip("\n")
    base = cells[first]["id"]
    new = [
        _new_cell("markdown", title, base),
        _new_cell("markdown", note_line(page_url, book_title), f"{base}-note"),
    ]
    if rest.strip():
        new.append(
            _new_cell("markdown", rest, f"{base}-intro", cells[first].get("metadata"))
        )
    return cells[:first] + new + cells[first + 1 :]
