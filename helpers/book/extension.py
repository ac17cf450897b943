"""Sphinx tweaks for the built book, loaded from ``_config.yml`` (``extra_extensions``).

Jupyter Book 1.x pages log two console errors out of the box: sphinx-thebe registers its
configuration script twice ("Identifier 'THEBE_JS_URL' has already been declared"), and the
theme starts with an empty colour mode ("Got invalid theme mode"). A reader's console should be
clean, and the browser tests demand it, so this extension removes duplicate scripts and sets the
mode to follow the reader's system.

Keras prints ``model.summary()`` through rich, whose bright cyan, blue and green fail WCAG AA
contrast on the light theme's grey output boxes; the same hues, darkened, are set here.
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


#: rich's colours in Keras summaries → the same hues dark enough for 4.5:1 contrast on light grey.
_READABLE_RICH_COLOURS = {"#00d7ff": "#006d80", "#0087ff": "#0055aa", "#00af00": "#006400",
                          "#af00af": "#8a008a", "#d7d700": "#6b6b00", "#ff0000": "#b00000"}
_STYLE = "<style>" + "".join(
    f'html[data-theme="light"] .output span[style*="color: {bright}"]{{color:{dark}!important}}'
    for bright, dark in _READABLE_RICH_COLOURS.items()) + "</style>"


def _readable_output_colours(app, pagename, templatename, context, doctree):
    context["metatags"] = context.get("metatags", "") + _STYLE


def setup(app):
    app.connect("config-inited", _set_default_mode)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    app.connect("html-page-context", _readable_output_colours)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
