"""Numbers computed in the run, shown in the prose around them.

A chapter computes a number in a code cell and *glues* it: ``glue("ae32_mse", mse)``.
Where the chapter is read decides how the number reaches the paragraph that cites it:

* in the rendered book, myst-nb's ``{glue:text}`` role puts it in the prose;
  :func:`glue` hands the value to :func:`myst_nb.glue` whenever myst-nb is installed
  (the book's build has it);
* in a reader notebook (Colab, JupyterLab, classic Jupyter: see
  :mod:`bookkit.publish.reader`) a paragraph that cites numbers is shown by
  :func:`paragraph`, which fills them in from :data:`values`, the same numbers the
  reader's own run glued.

Why not myst-nb alone: myst-nb brings Sphinx and SQLAlchemy with it, and a Colab runtime
should not install a documentation tool to run a chapter.
"""

from __future__ import annotations

import string
from typing import Any

#: Every value glued in this kernel, by name (the reader notebooks' paragraphs read it).
values: dict[str, Any] = {}


def _as_text(value: Any) -> Any:
    """IPython ``Markdown``/``HTML`` objects become their text; numbers stay numbers."""
    data = getattr(value, "data", None)
    return data if isinstance(data, str) else value


def glue(name: str, value: Any, display: bool = False) -> None:
    """Remember ``value`` as ``name`` for the prose, and for the book's build when it
    runs.

    ``display=True`` also shows the value under the cell, as myst-nb's ``glue`` does.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(
            f"glue name must be a Python identifier such as 'ae32_mse', got {name!r}"
        )
    if getattr(value, "shape", None) == () and hasattr(value, "item"):
        # NumPy scalars become Python numbers: myst-nb formats a glued number from its
        # repr, and NumPy 2 writes np.float64(0.79), which a format such as :.2f rejects
        value = value.item()
    values[name] = value
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # a reader's runtime (Colab) without the book's build tools
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)


class _Missing(KeyError):
    pass


class _Formatter(string.Formatter):
    def get_value(self, key, args, kwargs):
        if key not in values:
            raise _Missing(key)
        return _as_text(values[key])


def fill(template: str) -> str:
    """``template`` with ``{name}`` / ``{name:.2f}`` replaced by glued values (``{{`` is
    a brace)."""
    try:
        return _Formatter().format(template)
    except _Missing as missing:
        name = missing.args[0]
        raise KeyError(
            f"the paragraph cites {name!r}, which this run has not computed yet: run "
            "the cells above this one first (Runtime → Run before, or Run All)"
        ) from None


def paragraph(template: str):
    """Show a paragraph of Markdown with the run's numbers filled in (reader
    notebooks).

    A number this run has not computed (a cell above not run yet, or an exercise left
    unanswered, whose numbers never come) shows a note in the paragraph's place instead
    of stopping the notebook: a student who skips an exercise still runs the rest.
    """
    from IPython.display import Markdown, display

    try:
        text = fill(template)
    except KeyError:
        names = sorted(_missing_names(template))
        text = (
            f"*This paragraph cites {', '.join(f'`{n}`' for n in names)}, which this "
            "run has not computed: it comes from a cell above that has not run yet, or "
            "from an exercise above that is not answered yet. Run the cells above "
            "(Runtime → Run before) or answer the exercise, then run this cell again.*"
        )
    display(Markdown(text))


def _missing_names(template: str) -> set[str]:
    """The names ``template`` cites that no cell has glued yet."""
    return {
        name
        for _, name, _, _ in string.Formatter().parse(template)
        if name and name not in values
    }
