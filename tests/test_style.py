"""Code a reader sees fits the rendered column and reads in short steps.

``ruff check helpers bookkit book`` (settings in pyproject.toml: 88 characters, pyflakes) covers
helpers/ and the chapters' code cells; a chapter's code cell holds at most 15 lines
(CONTRIBUTING.md), so each cell does one thing the markdown above it explains. Hidden
cells count too: Colab and Jupyter readers unfold them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))
MAX_CELL_LINES = 15


def _ruff() -> list[str]:
    """ruff from the venv that runs the tests (installed by the `test` extra)."""
    beside = Path(sys.executable).with_name("ruff")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("ruff")
    assert found, "ruff is not installed: pip install -e '.[test]'"
    return [found]


def test_helpers_and_chapter_code_pass_ruff():
    result = subprocess.run(
        _ruff() + ["check", "--no-cache", "helpers", "bookkit", "book"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_ruff_catches_a_long_line(tmp_path):
    """The check above can fail: a 100-character line in a notebook cell is reported."""
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("x = " + "1 + " * 24 + "1")]
    )
    nbformat.write(nb, tmp_path / "long.ipynb")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    result = subprocess.run(
        _ruff() + ["check", "--no-cache", "long.ipynb"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "E501" in result.stdout, result.stdout


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_code_cells_are_short(path):
    nb = nbformat.read(path, as_version=4)
    long = [
        (index, len(cell.source.splitlines()))
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and len(cell.source.splitlines()) > MAX_CELL_LINES
    ]
    assert not long, (
        f"{path.name}: cells (index, lines) over {MAX_CELL_LINES} lines: {long}"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_glue_and_assert_cells_are_hidden_on_the_page(path):
    """What a page shows is the chapter's code; the glue() and assert plumbing is tagged
    ``remove-cell`` (the built-page test checks the same in the HTML, minutes later)."""
    import re

    nb = nbformat.read(path, as_version=4)
    shown = [
        index
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and re.search(r"(^|\n)\s*(glue\(|assert\b)", cell.source)
        and not {"remove-cell", "remove-input"} & set(cell.metadata.get("tags", []))
    ]
    assert not shown, f"{path.name}: glue/assert cells shown on the page: {shown}"


def _stray_dollars(markdown: str) -> list[str]:
    """Text that MyST's parser (the book's own) leaves with a ``$`` in it: an inline formula
    that a line break cut apart, for example by a wrapped line that starts with ``+ `` and
    so opens a list in the middle of the formula."""
    from bookkit.publish.reader.blocks import _parser

    return [child.content for token in _parser().parse(markdown) if token.type == "inline"
            for child in token.children or [] if child.type == "text" and "$" in child.content]


@pytest.mark.parametrize("path", CHAPTERS + sorted((ROOT / "book").glob("*.md")),
                         ids=lambda p: p.name)
def test_every_inline_formula_reaches_the_page_whole(path):
    if path.suffix == ".md":
        cells = [path.read_text()]
    else:
        cells = [c.source for c in nbformat.read(path, as_version=4).cells
                 if c.cell_type == "markdown"]
    stray = [text for source in cells for text in _stray_dollars(source)]
    assert not stray, f"a formula falls apart on the page (reflow the line): {stray}"


def test_a_formula_cut_by_a_wrapped_plus_is_caught():
    cut = "with $a = b\n+ c$. Then more."
    assert _stray_dollars(cut) and not _stray_dollars("with $a = b + c$. Then more.")


def _shows_a_history(source: str) -> bool:
    """A cell that ends with a bare ``fit(...)`` call: its value, Keras's History, is printed
    as ``<keras.src.callbacks.history.History at 0x...>`` under the cell."""
    import ast

    try:
        body = ast.parse(source).body
    except SyntaxError:  # IPython magics
        return False
    last = body[-1] if body else None
    called = getattr(getattr(last, "value", None), "func", None)
    name = getattr(called, "id", None) or getattr(called, "attr", None)
    return isinstance(last, ast.Expr) and name == "fit" and not source.rstrip().endswith(";")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_cell_prints_a_training_history_object(path):
    cells = nbformat.read(path, as_version=4).cells
    found = [i for i, c in enumerate(cells) if c.cell_type == "code" and _shows_a_history(c.source)]
    assert not found, f"cells {found} end with a bare fit(...): end the line with ';'"


def test_a_bare_fit_is_caught():
    assert _shows_a_history("model.compile('sgd', 'mse')\nfit(model, x, x, epochs=2)")
    assert not _shows_a_history("fit(model, x, x, epochs=2);")
    assert not _shows_a_history("history = fit(model, x, x, epochs=2)")
