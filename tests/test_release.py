"""What a release ships: the book as one PDF, a changelog, a citation, the licences, Binder.

The PDF tests print a two-page fake book with Debian's Chromium (skipped where there is no
Chromium, failed under CI), and the real book when ``_build/html`` has been built.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest
import yaml

from bookkit.publish import pdf

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REAL_BOOK = ROOT / "_build" / "html"

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title} &#8212; Fake book</title></head>
<body>
<header class="bd-header">HEADER-OF-THE-SITE</header>
<div class="bd-sidebar-primary">NAVIGATION-SIDEBAR</div>
<div class="bd-container" style="display: flex; justify-content: center">
<div class="bd-container__inner" style="display: flex">
<main class="bd-main" style="display: flex; flex-direction: column"><article class="bd-article">
<h1>{title}</h1>
<p>{text}</p>
<pre>{code}</pre>
<p><a href="{link}">a link to the other chapter</a></p>
</article>
<div class="prev-next-area">{next}</div>
</main>
</div></div>
</body></html>
"""


def _fake_book(root: Path) -> Path:
    """A built site of two pages, the shape Jupyter Book writes: a redirecting index.html."""
    html = root / "html"
    (html / "book").mkdir(parents=True)
    (html / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=book/first.html" />')
    long_text = "FIRST-CHAPTER-TEXT " + "An autoencoder learns to copy its input. " * 40
    # A code line far wider than the paper, as a model summary can be.
    long_code = "model = keras.Sequential([" + ", ".join(["layers.Dense(64)"] * 30) + "])"
    (html / "book" / "first.html").write_text(PAGE.format(
        title="First", text=long_text, code=long_code, link="second.html",
        next='<a class="right-next" href="second.html">next</a>'))
    (html / "book" / "second.html").write_text(PAGE.format(
        title="Second", text="SECOND-CHAPTER-TEXT", code="x = 1", link="first.html#top", next=""))
    return html


def _chromium_or_skip() -> str:
    try:
        return pdf.find_chromium()
    except pdf.BookPdfError as error:
        if os.environ.get("CI"):
            pytest.fail(str(error))
        pytest.skip(str(error))


# --- reading order (no browser) ------------------------------------------------------------


def test_reading_order_starts_at_the_redirect_and_follows_the_next_links(tmp_path):
    assert pdf.reading_order(_fake_book(tmp_path)) == ["book/first.html", "book/second.html"]


def test_reading_order_names_a_next_page_that_is_missing(tmp_path):
    html = _fake_book(tmp_path)
    (html / "book" / "second.html").unlink()
    with pytest.raises(pdf.BookPdfError, match="book/first.html links to book/second.html"):
        pdf.reading_order(html)


def test_reading_order_refuses_a_loop(tmp_path):
    html = _fake_book(tmp_path)
    (html / "book" / "second.html").write_text('<a class="right-next" href="first.html">next</a>')
    with pytest.raises(pdf.BookPdfError, match="loop"):
        pdf.reading_order(html)


def test_the_command_says_to_build_the_book_first(tmp_path, capsys):
    assert pdf.main([str(tmp_path / "nothing"), str(tmp_path / "book.pdf")]) == 1
    assert "make book" in capsys.readouterr().err
    assert not (tmp_path / "book.pdf").exists()


def test_a_missing_chromium_is_named_with_the_package_to_install(tmp_path):
    with pytest.raises(pdf.BookPdfError, match="apt-get install chromium"):
        pdf.find_chromium(str(tmp_path / "no-chromium"))


# --- printing (Chromium) -------------------------------------------------------------------


@pytest.mark.browser  # Chromium prints the pages
def test_two_page_book_prints_to_one_pdf_without_the_navigation(tmp_path):
    from pypdf import PdfReader

    _chromium_or_skip()
    output = tmp_path / "pdf" / "book.pdf"
    printed = pdf.build_pdf(_fake_book(tmp_path), output, base_url="https://example.org/book")
    reader = PdfReader(output)
    assert len(reader.pages) >= 2
    assert [p.title for p in printed] == ["First", "Second"]
    assert [item.title for item in reader.outline] == ["First", "Second"]
    assert reader.metadata.title == "Fake book"
    text = "".join(page.extract_text() for page in reader.pages)
    assert "FIRST-CHAPTER-TEXT" in text and "SECOND-CHAPTER-TEXT" in text
    assert "NAVIGATION-SIDEBAR" not in text and "HEADER-OF-THE-SITE" not in text
    # Nothing is cut off at the edges of the paper: every line starts inside the page.
    for page in reader.pages:
        starts = []
        page.extract_text(visitor_text=lambda text, cm, tm, *_: text.strip() and starts.append(
            cm[0] * tm[4] + cm[2] * tm[5] + cm[4]))
        assert starts and min(starts) >= 0 and max(starts) < float(page.mediabox.width), starts
    links = [annotation.get_object().get("/A", {}).get("/URI", "")
             for page in reader.pages for annotation in page.get("/Annots") or []]
    assert "https://example.org/book/book/second.html" in links
    assert not [link for link in links if "127.0.0.1" in link], links


@pytest.mark.build
def test_the_real_book_prints_every_page_of_the_toc_in_order(built_book, tmp_path):
    """The executed book (the strict build of this test run) as one PDF, in reading order."""
    from pypdf import PdfReader

    from test_layout import toc_files

    _chromium_or_skip()
    expected = [entry + ".html" for entry in toc_files()]
    assert pdf.reading_order(REAL_BOOK) == expected
    output = tmp_path / "autoencoders-hands-on.pdf"
    printed = pdf.build_pdf(REAL_BOOK, output)
    reader = PdfReader(output)
    assert [p.path for p in printed] == expected
    assert len(reader.pages) == sum(p.pages for p in printed) >= len(expected)
    assert len(reader.outline) == len(expected)


# --- changelog, citation, licences ----------------------------------------------------------


def _release_script():
    spec = importlib.util.spec_from_file_location("release_notes", ROOT / ".github" / "scripts" / "release_notes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _changelog():
    return _release_script().changelog_sections((ROOT / "CHANGELOG.md").read_text())


def test_changelog_follows_keep_a_changelog_newest_first():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert text.startswith("# Changelog") and "keepachangelog.com" in text
    sections = _changelog()
    versions = list(sections)
    assert versions[:2] == ["0.2.0", "0.1.0"], versions
    as_numbers = [tuple(map(int, v.split("."))) for v in versions]
    assert as_numbers == sorted(as_numbers, reverse=True), "versions are not newest first"
    for version, (date, body) in sections.items():
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}|Unreleased", date), f"[{version}] - {date}"
        assert re.search(r"^### (Added|Changed|Deprecated|Removed|Fixed|Security)$", body, re.M), version
        assert f"[{version}]: https://" in text, f"no link reference for [{version}]"


def test_the_newest_changelog_entry_is_the_project_version():
    assert next(iter(_changelog())) == PROJECT["version"]


def test_citation_is_valid_cff_and_agrees_with_the_project():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "version", "license", "repository-code"):
        assert citation.get(key), f"CITATION.cff has no {key}"
    assert citation["title"] == CONFIG["title"] == "Autoencoders, hands-on"
    assert citation["authors"] == [{"name": "The Autoencoders, hands-on authors"}]
    assert str(citation["version"]) == PROJECT["version"], "CITATION.cff and pyproject.toml disagree"
    assert citation["license"] == PROJECT["license"] == "MIT"
    assert citation["repository-code"] == CONFIG["repository"]["url"]
    book = citation["preferred-citation"]
    assert book["type"] == "book" and book["license"] == "CC-BY-4.0" and book["authors"]


def test_text_and_figures_are_cc_by_and_the_code_mit():
    content = (ROOT / "LICENSE-CONTENT").read_text()
    assert "Creative Commons Attribution 4.0 International" in content
    assert "https://creativecommons.org/licenses/by/4.0/legalcode" in content
    assert "MIT" in content and "LICENSE" in content
    assert "MIT License" in (ROOT / "LICENSE").read_text()


def test_release_notes_are_the_tag_section_and_mismatched_tags_are_refused(tmp_path):
    script = _release_script()
    version = next(iter(_changelog()))  # the newest entry, whatever pyproject.toml says today
    (tmp_path / "pyproject.toml").write_text(f'[project]\nversion = "{version}"\n')
    citation = (ROOT / "CITATION.cff").read_text()
    (tmp_path / "CITATION.cff").write_text(re.sub(r"^version: .*$", f"version: {version}", citation, flags=re.M))
    shutil.copy(ROOT / "CHANGELOG.md", tmp_path / "CHANGELOG.md")
    with pytest.raises(script.ReleaseError, match="pyproject.toml"):
        script.release_notes("v99.0.0", tmp_path)
    with pytest.raises(script.ReleaseError, match="v1.2.3"):
        script.release_notes(version, tmp_path)
    # The section of the version must be dated before it can be released.
    changelog = tmp_path / "CHANGELOG.md"
    text = re.sub(rf"^## \[{re.escape(version)}\] - .*$", f"## [{version}] - Unreleased",
                  changelog.read_text(), flags=re.M)
    changelog.write_text(text)
    with pytest.raises(script.ReleaseError, match="release date"):
        script.release_notes(f"v{version}", tmp_path)
    changelog.write_text(text.replace(f"## [{version}] - Unreleased", f"## [{version}] - 2027-01-31"))
    notes = script.release_notes(f"v{version}", tmp_path)
    assert notes.startswith("### ") and "## [" not in notes and "]: https://" not in notes


# --- Binder ----------------------------------------------------------------------------------


def test_binder_uses_python_311_and_installs_the_package():
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    lines = [line.split("#")[0].strip() for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines()]
    # Keras's backend is an extra: Binder's is TensorFlow, the book's default
    assert [line for line in lines if line] == [".[tensorflow]"]


NETWORK_ERRORS = ("NewConnectionError", "Temporary failure in name resolution", "Max retries exceeded",
                  "ConnectionError", "ReadTimeoutError", "Network is unreachable")


@pytest.mark.slow  # pip resolves every requirement of the Binder image
def test_binder_requirements_resolve_with_pip(tmp_path):
    """What repo2docker runs (pip install -r binder/requirements.txt from the repository root),
    as a dry run in a fresh venv: every requirement resolves on the package index. Needs the
    package index (about 40 s); skipped, not failed, when the index cannot be reached."""
    home = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(home)
    report = tmp_path / "report.json"
    result = subprocess.run(
        [str(home / "bin" / "python"), "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
         "--disable-pip-version-check", "--report", str(report), "-r", "binder/requirements.txt"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    if result.returncode != 0 and any(error in result.stderr for error in NETWORK_ERRORS):
        pytest.skip("the package index cannot be reached: " + result.stderr.strip().splitlines()[-1])
    assert result.returncode == 0, result.stderr[-3000:]
    resolved = {re.sub(r"[-_.]+", "-", item["metadata"]["name"]).lower()
                for item in json.loads(report.read_text())["install"]}
    assert {"autoencoders-hands-on", "tensorflow", "keras", "ipywidgets"} <= resolved, sorted(resolved)
