"""Sphinx tweaks for the built book, loaded from ``_config.yml`` (``extra_extensions``).

Jupyter Book 1.x pages log two console errors out of the box: sphinx-thebe registers its
configuration script twice ("Identifier 'THEBE_JS_URL' has already been declared"), and the
theme starts with an empty colour mode ("Got invalid theme mode"). A reader's console should be
clean, and the browser tests demand it, so this extension removes duplicate scripts and sets the
mode to follow the reader's system.
"""
from __future__ import annotations


def _set_default_mode(app, config):
    config.html_context.setdefault("default_mode", "auto")


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = (str(getattr(script, "filename", script) or ""),  # None and "" both mean inline
               str(getattr(script, "attributes", {}).get("body", "")))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app):
    app.connect("config-inited", _set_default_mode)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
