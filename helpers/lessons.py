"""What a chapter's lesson asserts and exercise checks do where the chapter runs.

Each chapter asserts the lessons it teaches in hidden cells (``assert conv_nats <
dense_nats, (conv_nats, dense_nats)``). Where the book is checked, a lesson that does
not hold is a fault of the book and must stop the chapter. Where a reader runs it, the
reader has often just changed a setting the chapter invites them to change, and a lesson
that no longer holds is what that change did: stopping with an ``AssertionError`` would
end the experiment instead of showing its result. So the mode depends on where the
chapter runs:

``check``
    asserts stop the chapter, checks raise. The book's build (``BOOK_BUILD``), CI
    (``CI``), nbgrader's autograde (``NBGRADER_EXECUTION``) and pytest (the root
    ``conftest.py`` sets ``BOOK_LESSONS=check``, so nbval's kernels inherit it).
``note``
    a reader's runtime (Colab, Jupyter): a lesson that does not hold prints a short
    note, what was expected and what the run gave, and the chapter runs on; an exercise
    left unanswered prints one line instead of stopping "Run all".
``smoke``
    a smoke run (``BOOK_SMOKE=1``): models are barely trained, so lessons and checks are
    reported, never checked.

``BOOK_LESSONS=check`` or ``BOOK_LESSONS=note`` overrides the choice (a smoke run stays
a smoke run). The rewrite is an IPython AST transformer: the chapter keeps plain
``assert`` statements, which read as what they are.
"""

from __future__ import annotations

import ast

from . import config

MODE_VARIABLE = "BOOK_LESSONS"
SMOKE_VARIABLE = "BOOK_SMOKE"
#: Set where the book is checked: each makes lessons stop the chapter.
CHECKED_BY = ("BOOK_BUILD", "CI", "NBGRADER_EXECUTION")
MODES = ("check", "note", "smoke")


def smoke() -> bool:
    """True in a smoke run (``BOOK_SMOKE=1``): the profile's data, sizes and shapes, 2
    updates an epoch, so what a chapter claims about its models cannot hold."""
    return config.switched_on(SMOKE_VARIABLE)


def mode() -> str:
    """``"check"``, ``"note"`` or ``"smoke"``: see the module's docstring."""
    if smoke():
        return "smoke"
    asked = config.get(MODE_VARIABLE).lower()
    if asked:
        if asked not in ("check", "note"):
            raise ValueError(
                f"{MODE_VARIABLE}={asked!r}: expected 'check' (lessons stop the "
                "chapter) or 'note' (they print a note), or leave it unset"
            )
        return asked
    return "check" if any(config.get(name) for name in CHECKED_BY) else "note"


def lesson_note(holds, expected: str, gave=None, *, smoke_run: bool = False) -> None:
    """What a rewritten ``assert`` calls: nothing when the lesson holds, else a
    note."""
    if holds:
        return
    if smoke_run:
        print(f"Smoke run: lesson not checked ({expected if gave is None else gave})")
        return
    result = "" if gave is None else f"; this run gave {gave!r}"
    print(
        f"Note: this run does not show the lesson `{expected}`{result}. That is what "
        "changing a setting can do: the chapter runs on, and the text around this cell "
        "describes a run with the chapter's own settings."
    )


class SoftAsserts:
    """An IPython AST transformer: ``assert test, message`` becomes
    ``lesson_note(test, "test", message)``, so a lesson that does not hold reports
    instead of raising (``note`` and ``smoke`` modes)."""

    #: the name the notebook's namespace gives :func:`lesson_note` (see :func:`install`)
    name = "_book_lesson_note"

    def __init__(self, smoke_run: bool = False):
        self.smoke_run = smoke_run

    def visit(self, tree):
        name, smoke_run = self.name, self.smoke_run

        class Rewrite(ast.NodeTransformer):
            def visit_Assert(self, node):
                keywords = [ast.keyword("smoke_run", ast.Constant(smoke_run))]
                args = [node.test, ast.Constant(ast.unparse(node.test))]
                if node.msg is not None:
                    args.append(node.msg)
                call = ast.Call(ast.Name(name, ast.Load()), args, keywords)
                return ast.copy_location(ast.Expr(call), node)

        return ast.fix_missing_locations(Rewrite().visit(tree))


def install(shell=None) -> str:
    """Make the running notebook's asserts follow :func:`mode`; return the mode.

    In ``check`` mode nothing changes. Called by ``helpers.start``; outside IPython it
    does nothing.
    """
    current = mode()
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return current
        shell = get_ipython()
    if shell is None:
        return current
    shell.ast_transformers[:] = [
        t for t in shell.ast_transformers if not isinstance(t, SoftAsserts)
    ]
    if current != "check":
        shell.user_ns[SoftAsserts.name] = lesson_note
        shell.ast_transformers.append(SoftAsserts(smoke_run=current == "smoke"))
    return current
