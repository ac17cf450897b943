"""Sphinx tweaks for the built book, loaded from ``_config.yml`` (``extra_extensions``).

Jupyter Book 1.x pages log two console errors out of the box: sphinx-thebe registers its
configuration script twice ("Identifier 'THEBE_JS_URL' has already been declared"), and
the theme starts with an empty colour mode ("Got invalid theme mode"). A reader's
console should be clean, and the browser tests demand it, so this extension removes
duplicate scripts and sets the mode to follow the reader's system.

The executed notebooks are cached in a folder named after the profile, seed, backend,
``helpers`` code and data (:mod:`bookkit.publish.cache`), so a build never shows another
profile's outputs; a build that failed forgets its environment, so the next build reads
every page again and cannot report success over the failed one.

Keras prints ``model.summary()`` through rich, whose bright cyan, blue and green fail
WCAG AA contrast on the light theme's grey output boxes; ``static/book.css`` sets the
same hues, darkened, and the book's other style rules.
"""

from __future__ import annotations

import copy
import re


def _set_default_mode(app, config):
    config.html_context.setdefault("default_mode", "auto")


def _key_the_execution_cache(app, config):
    """Point jupyter-cache at the folder for this run's execution key.

    ``nb_execution_cache_path`` is an 'env' setting, so a new key also makes Sphinx read
    every page again instead of keeping pages rendered from another profile's outputs.
    """
    from pathlib import Path

    from .cache import cache_dir, execution_facts, execution_key

    facts = execution_facts()
    configured = config.nb_execution_cache_path or str(
        Path(app.outdir).parent / ".jupyter_cache"
    )
    base = Path(configured)
    if not base.is_absolute():
        base = Path(app.confdir) / base
    if base.parent.name == ".jupyter_cache":  # already keyed, by an earlier call
        base = base.parent
    elif base.name != ".jupyter_cache":
        # a custom folder: the keyed folders go inside it
        base = base / ".jupyter_cache"
    config.nb_execution_cache_path = str(cache_dir(base.parent, facts))
    print(
        f"Execution cache: {execution_key(facts)} (profile {facts['profile']}, seed "
        f"{facts['seed']}, backend {facts['backend']})"
    )


#: How rich starts each HTML block it prints in Jupyter (Keras' ``model.summary()`` uses
#: rich).
_RICH_PRE = (
    '<pre style="white-space:pre;overflow-x:auto;line-height:normal;font-family:Menlo'
)


def _is_rich_block(output) -> bool:
    data = output.get("data", {}) if output.get("output_type") == "display_data" else {}
    return set(data) == {"text/html", "text/plain"} and data["text/html"].startswith(
        _RICH_PRE
    )


def merge_rich_blocks(outputs: list) -> list:
    """Consecutive rich HTML blocks of one cell as one output (one box per model
    summary).

    In a notebook rich prints each ``console.print`` as its own display, so one Keras
    summary is five outputs; myst-nb's ``nb_merge_streams`` merges text streams only,
    and the page then shows five boxes. Jupyter stacks them without gaps, so only the
    book needs this.
    """
    merged = []
    for output in outputs:
        if merged and _is_rich_block(output) and _is_rich_block(merged[-1]):
            previous = merged[-1] = copy.deepcopy(merged[-1])
            html = output["data"]["text/html"]
            previous["data"]["text/html"] = (
                previous["data"]["text/html"]
                .removesuffix("</pre>\n")
                .removesuffix("</pre>")
                + html[html.index(">") + 1 :]
            )
            previous["data"]["text/plain"] += "\n" + output["data"]["text/plain"]
        else:
            merged.append(output)
    return merged


#: The ANSI colour codes in rich's ``text/plain`` twin, which take no room on the page.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def size_rich_blocks(outputs: list) -> list:
    """Each rich HTML block says how many characters its widest line holds.

    A Keras summary is a box-drawn table as wide as the kernel's terminal (76 to 120
    characters), which at the page's monospace size is wider than the text column.
    ``static/book.css`` reads ``--book-chars`` to shrink such a block's font until its
    widest line fits the column, instead of leaving the reader a sideways scroll bar.
    """
    sized = []
    for output in outputs:
        if _is_rich_block(output):
            output = copy.deepcopy(output)
            lines = _ANSI.sub("", output["data"]["text/plain"]).splitlines() or [""]
            widest = max(len(line) for line in lines)
            html = output["data"]["text/html"]
            output["data"]["text/html"] = (
                f'<pre style="--book-chars:{widest};' + html[len('<pre style="') :]
            )
        sized.append(output)
    return sized


def _merge_rich_blocks_in_myst_nb() -> None:
    """Have myst-nb's stream merging (``nb_merge_streams``) merge rich's blocks too.

    Why a patch: myst-nb's extension point for outputs is a renderer plugin, found
    through a package's ``myst_nb.renderers`` entry point (``nb_render_plugin``), and
    bookkit is run from the repository, not installed, so it has no entry point. The
    patch wraps the one function that merges a cell's outputs, keeps what it does, and
    is marked so that it is applied once (``tests/test_book_extension.py``).
    """
    from myst_nb.core import render

    if getattr(render.coalesce_streams, "merges_rich_blocks", False):
        return
    streams_only = render.coalesce_streams

    def coalesce(outputs):
        return size_rich_blocks(merge_rich_blocks(streams_only(outputs)))

    coalesce.merges_rich_blocks = True
    render.coalesce_streams = coalesce


def _build_failed(app, exception) -> bool:
    """An exception, or a warning in a strict (``-W``/``--keep-going``) build."""
    return exception is not None or bool(
        getattr(app, "_warncount", 0) and (app.warningiserror or app.keep_going)
    )


def _forget_a_failed_build(app, exception):
    """After a failed or warning build, drop the saved environment so nothing stale
    survives."""
    from pathlib import Path

    if _build_failed(app, exception):
        pickle = Path(app.doctreedir) / "environment.pickle"
        pickle.unlink(missing_ok=True)


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = (
            # None and "" both mean inline
            str(getattr(script, "filename", script) or ""),
            str(getattr(script, "attributes", {}).get("body", "")),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def _accessible_bibliography(app, pagename, templatename, context, doctree):
    """Docutils marks each bibliography entry ``role="doc-biblioentry"``, an ARIA
    role that is deprecated and that a ``role="list"`` may not contain (axe: two
    violations on the references page); ``listitem`` is what the list requires."""
    body = context.get("body")
    if isinstance(body, str) and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def _add_the_stylesheet(app):
    """``static/book.css`` (rich's colours darkened, code that wraps, readable links in
    admonitions) on every page, after the theme's."""
    from pathlib import Path

    app.config.html_static_path.append(str(Path(__file__).parent / "static"))
    app.add_css_file("book.css")


def _write_reader_notebooks(app, exception):
    """After a good HTML build, the reader notebook of every chapter
    (:mod:`bookkit.publish.reader`).

    They go to ``_build/reader/<page>.ipynb`` (the Pages workflow publishes that folder
    on the ``colab`` branch, where the launch buttons open them) and replace
    ``_sources/<page>.ipynb``, the file behind the theme's download button, so a
    downloaded chapter reads clean in Jupyter too. ``BOOK_READER_REF`` (the Pages
    workflow sets the commit) pins the setup cell's install; unset, it keeps the release
    the chapters pin.
    """
    import shutil
    from pathlib import Path

    if _build_failed(app, exception) or app.builder.format != "html":
        return
    import nbformat
    from sphinx.util import logging

    from helpers import config as book_config

    from .reader import (
        UnsupportedMyST,
        page_url,
        reader_notebook,
        setup_requirement,
        write_binder_folder,
    )

    logger = logging.getLogger(__name__)
    root = Path(app.outdir).parent / "reader"
    ref = book_config.get("BOOK_READER_REF") or None
    shutil.rmtree(root, ignore_errors=True)  # nothing left from chapters that are gone
    requirement = None
    for docname in sorted(app.env.found_docs):
        source = Path(app.env.doc2path(docname))
        if source.suffix != ".ipynb":
            continue
        try:
            reader = reader_notebook(
                nbformat.read(source, as_version=4),
                name=source.name,
                page_url=page_url(app.config.html_baseurl, docname),
                ref=ref,
                book_title=app.config.html_title or app.config.project,
            )
        except (UnsupportedMyST, ValueError) as error:
            logger.warning(f"no reader notebook for {docname}: {error}")
            continue
        for target in (
            root / f"{docname}.ipynb",
            Path(app.outdir) / "_sources" / f"{docname}.ipynb",
        ):
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(reader, target)
        code = next((c for c in reader.cells if c.cell_type == "code"), None)
        requirement = requirement or (setup_requirement(code.source) if code else None)
    if requirement:
        write_binder_folder(
            root, requirement, Path(app.confdir) / "binder" / "runtime.txt"
        )


def setup(app):
    _merge_rich_blocks_in_myst_nb()
    app.connect("config-inited", _set_default_mode)
    app.connect("config-inited", _key_the_execution_cache)
    app.connect("builder-inited", _add_the_stylesheet)
    app.connect("build-finished", _forget_a_failed_build)
    app.connect("build-finished", _write_reader_notebooks)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    app.connect("html-page-context", _accessible_bibliography)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
