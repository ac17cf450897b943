"""The book's Sphinx extension (bookkit.publish.extension), unit by unit, without a Sphinx build:
one box per Keras summary, no duplicate scripts, a colour mode, readable colours, a keyed
execution cache, and a failed build that leaves nothing stale. (tests/test_build_cache.py and
tests/test_reader.py build small books with it.)"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from bookkit.publish import extension

PRE = '<pre style="white-space:pre;overflow-x:auto;line-height:normal;font-family:Menlo,monospace">{}</pre>\n'


def _rich(text: str) -> dict:
    return {"output_type": "display_data", "metadata": {},
            "data": {"text/html": PRE.format(text), "text/plain": text}}


def test_a_keras_summary_is_one_output_box():
    stream = {"output_type": "stream", "name": "stdout", "text": "epoch 1/1\n"}
    outputs = [_rich("Model"), _rich("table"), _rich("Total"), stream, _rich("x")]
    merged = extension.merge_rich_blocks(outputs)
    assert [o["output_type"] for o in merged] == ["display_data", "stream", "display_data"]
    html = merged[0]["data"]["text/html"]
    assert html.count("<pre") == 1 and "Model" in html and "table" in html and "Total" in html
    assert merged[0]["data"]["text/plain"] == "Model\ntable\nTotal"
    assert outputs[0]["data"]["text/plain"] == "Model"  # the cell's own outputs are not changed


def test_a_rich_block_says_how_many_characters_its_widest_line_holds():
    """book.css sizes a Keras summary's font from it, so the table fits the column."""
    table = "\x1b[1mModel\x1b[0m\n┏━━━━━━━━┓\n┃ \x1b[38;5;33mDense\x1b[0m  ┃"
    other = {"output_type": "display_data", "metadata": {}, "data": {"text/html": "<b>x</b>", "text/plain": "x"}}
    outputs = [_rich(table), other]
    sized = extension.size_rich_blocks(outputs)
    assert sized[0]["data"]["text/html"].startswith('<pre style="--book-chars:10;white-space:pre;')
    assert sized[1] == other and outputs[0] == _rich(table)  # the cell's own outputs are not changed
    css = (Path(extension.__file__).parent / "static" / "book.css").read_text()
    assert "var(--book-chars)" in css


def test_other_html_is_not_merged():
    other = {"output_type": "display_data", "metadata": {}, "data": {"text/html": "<b>x</b>", "text/plain": "x"}}
    assert extension.merge_rich_blocks([other, other]) == [other, other]


def _script(filename, body=""):
    return SimpleNamespace(filename=filename, attributes={"body": body} if body else {})


def test_duplicate_scripts_are_dropped_in_order():
    scripts = [_script("a.js"), _script(None, "var X = 1"), _script("a.js"), _script("", "var X = 1"),
               _script(None, "var Y = 2")]
    context = {"script_files": scripts}
    extension._drop_duplicate_scripts(None, "page", "page.html", context, None)
    assert [(s.filename, s.attributes.get("body")) for s in context["script_files"]] == [
        ("a.js", None), (None, "var X = 1"), (None, "var Y = 2")]


def test_the_colour_mode_follows_the_system_unless_set():
    config = SimpleNamespace(html_context={})
    extension._set_default_mode(None, config)
    assert config.html_context == {"default_mode": "auto"}
    config = SimpleNamespace(html_context={"default_mode": "dark"})
    extension._set_default_mode(None, config)
    assert config.html_context["default_mode"] == "dark"


def test_keras_summary_colours_are_darkened_on_the_light_theme_and_code_wraps():
    """The stylesheet the extension adds to every page (after the theme's)."""
    css = (Path(extension.__file__).parent / "static" / "book.css").read_text()
    assert 'html[data-theme="light"] .output span[style*="color: #00d7ff"] {\n  color: #006d80 !important;' in css
    assert "white-space: pre-wrap" in css
    added = []
    app = SimpleNamespace(config=SimpleNamespace(html_static_path=[]), add_css_file=added.append)
    extension._add_the_stylesheet(app)
    assert (Path(app.config.html_static_path[0]) / "book.css").is_file() and added == ["book.css"]


@pytest.mark.parametrize("exception, warnings, strict, failed", [
    (RuntimeError("boom"), 0, False, True),
    (None, 2, True, True),
    (None, 2, False, False),
    (None, 0, True, False),
])
def test_a_build_failed_on_an_error_or_a_warning_in_a_strict_build(exception, warnings, strict, failed):
    app = SimpleNamespace(_warncount=warnings, warningiserror=strict, keep_going=False)
    assert extension._build_failed(app, exception) is failed


@pytest.mark.parametrize("exception, kept", [(None, True), (RuntimeError("boom"), False)])
def test_a_failed_build_forgets_its_environment(tmp_path, exception, kept):
    (tmp_path / "environment.pickle").write_bytes(b"env")
    app = SimpleNamespace(doctreedir=str(tmp_path), _warncount=0, warningiserror=True, keep_going=True)
    extension._forget_a_failed_build(app, exception)
    assert (tmp_path / "environment.pickle").exists() is kept


def test_the_execution_cache_is_keyed_once_under_the_build_folder(tmp_path, monkeypatch, capsys):
    from bookkit.publish import cache

    monkeypatch.setattr(cache, "execution_facts", lambda: {"profile": "ci", "seed": 1, "backend": "jax",
                                                          "environment": {}, "packages": {}, "helpers": "h",
                                                          "data": []})
    app = SimpleNamespace(outdir=str(tmp_path / "_build" / "html"), confdir=str(tmp_path))
    config = SimpleNamespace(nb_execution_cache_path="")
    extension._key_the_execution_cache(app, config)
    keyed = Path(config.nb_execution_cache_path)
    assert keyed.parent == tmp_path / "_build" / ".jupyter_cache"
    assert keyed.name == cache.execution_key(cache.execution_facts())
    extension._key_the_execution_cache(app, config)  # a second call keeps the same folder
    assert Path(config.nb_execution_cache_path) == keyed
    assert "profile ci, seed 1, backend jax" in capsys.readouterr().out
    config = SimpleNamespace(nb_execution_cache_path="cache")  # a folder of the reader's choice
    extension._key_the_execution_cache(app, config)
    assert Path(config.nb_execution_cache_path) == tmp_path / "cache" / ".jupyter_cache" / keyed.name


def test_setup_connects_every_step_and_is_parallel_safe(monkeypatch):
    monkeypatch.setattr(extension, "_merge_rich_blocks_in_myst_nb", lambda: None)
    connected = []
    app = SimpleNamespace(connect=lambda event, handler, priority=500: connected.append((event, handler.__name__)))
    assert extension.setup(app) == {"parallel_read_safe": True, "parallel_write_safe": True}
    assert set(connected) == {
        ("config-inited", "_set_default_mode"), ("config-inited", "_key_the_execution_cache"),
        ("build-finished", "_forget_a_failed_build"), ("build-finished", "_write_reader_notebooks"),
        ("html-page-context", "_drop_duplicate_scripts"), ("builder-inited", "_add_the_stylesheet"),
        ("html-page-context", "_accessible_bibliography")}


def test_bibliography_entries_get_the_role_their_list_requires():
    from bookkit.publish.extension import _accessible_bibliography

    context = {"body": '<div role="list"><div class="citation" role="doc-biblioentry">'}
    _accessible_bibliography(None, "book/references", "page.html", context, None)
    assert context["body"] == '<div role="list"><div class="citation" role="listitem">'


def test_the_myst_nb_patch_merges_rich_blocks_and_is_applied_once(monkeypatch):
    from myst_nb.core import render

    streams_only = render.coalesce_streams
    monkeypatch.setattr(render, "coalesce_streams", streams_only)  # restored afterwards
    extension._merge_rich_blocks_in_myst_nb()
    patched = render.coalesce_streams
    extension._merge_rich_blocks_in_myst_nb()
    assert render.coalesce_streams is patched and patched is not streams_only
    rich = [{"output_type": "display_data", "metadata": {},
             "data": {"text/html": PRE.format(part), "text/plain": part}} for part in ("a", "b")]
    assert len(patched(rich)) == 1
