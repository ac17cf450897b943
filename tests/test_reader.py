"""Reader notebooks (bookkit.publish.reader): every chapter reads clean outside the book.

Fast: nothing is executed. Every markdown cell and every paragraph template of every chapter's
reader notebook is rendered as CommonMark (markdown-it-py), and no MyST may be left in the
result. That the notebooks also *run* on Colab's package versions is tests/test_colab.py.
"""
from __future__ import annotations

import json
import re
import string
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from markdown_it import MarkdownIt

import helpers.glue
from bookkit.publish import reader
from bookkit.publish.reader import (Context, UnsupportedMyST, answer_stub, convert_markdown, paragraph_source,
                                 paragraph_template, pin_setup_cell, reader_notebook, setup_requirement)

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))
COMMONMARK = MarkdownIt("commonmark")

#: What must never reach a reader: the MyST syntax of the book, as CommonMark leaves it in HTML.
LEFTOVERS = {
    "a role": re.compile(r"\{[\w:.+-]+\}(`|<code>)"),
    "a directive fence": re.compile(r"```\{|~~~\{|:::|language-\{"),
    "a directive option": re.compile(r"(^|\n|<p>)\s*:(label|class|name|nonumber|hidden):", re.M),
    "a (label)= target": re.compile(r"(^|\n|<p>)\([\w.:-]+\)=\s*($|\n|</p>)", re.M),
    "a glue reference": re.compile(r"\{glue"),
    "a substitution": re.compile(r"\{\{\s*[\w.-]+\s*\}\}"),
    "a conversion placeholder": re.compile("[\ue000\ue001]"),
}


class _AnyNumber:
    """A glued value of any kind: formats with any spec (``.2f``, ``d``, none)."""

    def __format__(self, spec):
        return "1.25"


class _EveryName(dict):
    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return _AnyNumber()


def _leftovers(markdown: str) -> list[str]:
    html = COMMONMARK.render(markdown)
    return [what for what, pattern in LEFTOVERS.items() if pattern.search(html) or pattern.search(markdown)]


def _reader(path: Path, **kwargs):
    return reader_notebook(nbformat.read(path, as_version=4), name=path.name, **kwargs)


def _source_text(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def _cited(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"\{glue(?::\w*)?\}`([A-Za-z_]\w*)", text)]


@pytest.fixture(scope="module")
def readers():
    return {path.stem: _reader(path) for path in CHAPTERS}


def test_there_are_chapters_to_convert():
    assert len(CHAPTERS) >= 9, [p.name for p in CHAPTERS]


# ---------------------------------------------------------------------------------------------
# Every chapter


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_no_myst_is_left_in_any_markdown_cell_or_paragraph(chapter, readers, monkeypatch):
    monkeypatch.setattr(helpers.glue, "values", _EveryName())
    problems = []
    for index, cell in enumerate(readers[chapter.stem].cells):
        if cell.cell_type == "markdown":
            texts = [cell.source]
        else:
            template = paragraph_template(cell.source)
            texts = [] if template is None else [helpers.glue.fill(template)]
        for text in texts:
            problems += [f"cell {index}: {what}: {text[:120]!r}" for what in _leftovers(text)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_paragraph_cites_only_what_the_chapter_cites(chapter, readers):
    source = nbformat.read(chapter, as_version=4)
    cited = set(_cited(_source_text(source)))
    in_templates = set()
    for cell in readers[chapter.stem].cells:
        template = paragraph_template(cell.source) if cell.cell_type == "code" else None
        if template is not None:
            in_templates |= {field for _, field, _, _ in string.Formatter().parse(template) if field}
    assert in_templates == cited


def _computed_by(code: str) -> tuple[set[str], list[re.Pattern]]:
    """Names a code cell glues: literal names, f-string patterns, and names passed through a
    variable (``for name, value in dict(a=..., b=...).items(): glue(name, value)``)."""
    literal = set(re.findall(r"\bglue\(\s*[\"']([A-Za-z_]\w*)[\"']", code))
    patterns = [re.compile("^" + re.sub(r"\\\{[^}]*\\\}", r"\\w+", re.escape(m)) + "$")
                for m in re.findall(r"\bglue\(\s*f[\"']([^\"']+)[\"']", code)]
    if re.search(r"\bglue\(\s*[A-Za-z_]\w*\s*,", code):
        literal |= set(re.findall(r"[\"']([A-Za-z_]\w*)[\"']", code))
        literal |= set(re.findall(r"\b([A-Za-z_]\w*)\s*=(?!=)", code))
    return literal, patterns


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_cited_number_is_glued_by_a_code_cell_above_it(chapter):
    """A paragraph cell runs where the prose stands: what it cites must be computed before."""
    cells = nbformat.read(chapter, as_version=4).cells
    names, patterns, missing = set(), [], []
    for index, cell in enumerate(cells):
        if cell.cell_type == "code":
            more_names, more_patterns = _computed_by(cell.source)
            names |= more_names
            patterns += more_patterns
            continue
        for name in _cited(cell.source):
            if name not in names and not any(p.match(name) for p in patterns):
                missing.append(f"cell {index} cites {name!r}")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_exercises_are_numbered_headings_as_many_as_in_the_chapter(chapter, readers):
    source = _source_text(nbformat.read(chapter, as_version=4))
    expected = len(re.findall(r"^(`{3,}|:{3,})\{exercise\}", source, re.M))
    headings = [int(m.group(1)) for c in readers[chapter.stem].cells if c.cell_type == "markdown"
                for m in re.finditer(r"^#{2,6} Exercise (\d+)\b", c.source, re.M)]
    assert headings == list(range(1, expected + 1))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_solutions_run_folded_and_an_answer_cell_follows_each(chapter, readers):
    cells = readers[chapter.stem].cells
    solutions = [k for k, c in enumerate(cells) if c.source.startswith(f"# @title {reader.SOLUTION_TITLE}")]
    expected = len(re.findall(r"\{solution-start\}", _source_text(nbformat.read(chapter, as_version=4))))
    assert len(solutions) == expected
    for k in solutions:
        assert cells[k].metadata["cellView"] == "form" and cells[k].metadata["jupyter"]["source_hidden"]
        assert "BEGIN SOLUTION" not in cells[k].source and "nbgrader" not in cells[k].metadata
        assert cells[k - 1].cell_type == "markdown" and cells[k - 1].source == reader.ANSWER_HINT
        answer = cells[k + 1]
        assert answer.cell_type == "code" and answer.source.startswith("# Your answer")
        assert all(line.startswith("#") for line in answer.source.split("\n")), \
            "an answer cell must change nothing until the reader writes in it"
        assert cells[k + 2].cell_type == "code" and "helpers.checks." in cells[k + 2].source


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_hidden_cells_stay_and_run_as_folded_forms(chapter, readers):
    source = nbformat.read(chapter, as_version=4)
    hidden = [c.source for c in source.cells if "remove-cell" in c.metadata.get("tags", [])]
    folded = {c.source.split("\n", 1)[1] for c in readers[chapter.stem].cells
              if c.cell_type == "code" and c.metadata.get("cellView") == "form"
              and c.source.startswith("# @title ") and "\n" in c.source}
    assert all(text in folded for text in hidden)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_notebook_is_valid_asks_for_a_gpu_and_has_no_outputs(chapter, readers):
    nb = readers[chapter.stem]
    nbformat.validate(nb)
    assert nb.metadata["accelerator"] == "GPU"
    assert nb.metadata["colab"] == {"gpuType": "T4", "provenance": [], "toc_visible": True}
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in nb.cells if c.cell_type == "code")
    assert nb.cells[0].source.startswith("# ") and "\n" not in nb.cells[0].source
    assert nb.cells[1].source.startswith("*The runnable copy of")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_headings_stay_markdown_cells(chapter, readers):
    """Colab's table of contents lists markdown headings only: none may move into a paragraph."""
    source = _source_text(nbformat.read(chapter, as_version=4))
    expected = [line for line in source.split("\n") if re.match(r"^#{1,6} ", line)]
    nb = readers[chapter.stem]
    headings = [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.split("\n")
                if re.match(r"^#{1,6} ", line) and not re.match(r"^#+ Exercise \d", line)]
    assert headings == expected


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_setup_cell_keeps_the_release_pin_or_takes_a_ref_or_a_wheel(chapter):
    source = nbformat.read(chapter, as_version=4)
    first = next(c for c in source.cells if c.cell_type == "code").source
    pinned = setup_requirement(first)
    assert pinned and re.search(r"@v\d+\.\d+\.\d+$", pinned), pinned

    def setup(**kwargs):
        return next(c for c in _reader(chapter, **kwargs).cells if c.cell_type == "code").source

    assert setup_requirement(setup()) == pinned
    assert setup_requirement(setup(ref="0123abc")) == re.sub(r"@v[\d.]+$", "@0123abc", pinned)
    wheel = "/tmp/dist/autoencoders_hands_on-0.2.0-py3-none-any.whl"
    assert setup_requirement(setup(install=wheel)) == wheel
    assert "google.colab" in setup(install=wheel)


# ---------------------------------------------------------------------------------------------
# The converter, on small cells


def _convert(text: str):
    ctx = Context(name="test.ipynb", where="cell 0")
    return convert_markdown(text, ctx), ctx


def _fill(template: str, **values) -> str:
    saved = dict(helpers.glue.values)
    helpers.glue.values.clear()
    helpers.glue.values.update(values)
    try:
        return helpers.glue.fill(template)
    finally:
        helpers.glue.values.clear()
        helpers.glue.values.update(saved)


def test_latex_braces_beside_a_glue_role_survive_the_template():
    text = r"unit $j$ is active when $c_{j} > $ {glue:text}`threshold:.1f`, and $\frac{a}{b}$ {glue:md}`word`."
    [(kind, template)], _ = _convert(text)
    assert kind == "paragraph"
    assert template == r"unit $j$ is active when $c_{{j}} > $ {threshold:.1f}, and $\frac{{a}}{{b}}$ {word}."
    from IPython.display import Markdown
    assert _fill(template, threshold=0.1, word=Markdown("**wins**")) == \
        r"unit $j$ is active when $c_{j} > $ 0.1, and $\frac{a}{b}$ **wins**."


def test_a_cell_without_glue_stays_one_markdown_cell():
    text = "## Title\n\nSome $x^{2}$ text.\n\n### Sub\n\nMore."
    pieces, _ = _convert(text)
    assert pieces == [("markdown", text)]


def test_only_the_citing_blocks_of_a_section_become_a_paragraph_and_headings_stay_markdown():
    text = ("## Results\n\nIntro without numbers.\n\n$$\na^{2}\n$$\n\nThe error is {glue:text}`mse:.3f`.\n\n"
            "Still {glue}`n` images.\n\nClosing words.\n\n## Next\n\nNothing cited.")
    pieces, _ = _convert(text)
    assert pieces == [
        ("markdown", "## Results\n\nIntro without numbers.\n\n$$\na^{2}\n$$"),
        ("paragraph", "The error is {mse:.3f}.\n\nStill {n} images."),
        ("markdown", "Closing words.\n\n## Next\n\nNothing cited."),
    ]


def test_a_role_inside_inline_code_is_left_as_code():
    pieces, _ = _convert("Write `{glue:text}`name`` in a chapter.")
    assert pieces == [("markdown", "Write `{glue:text}`name`` in a chapter.")]


def test_exercise_becomes_a_numbered_heading_one_level_below_its_section():
    ctx = Context(name="t")
    convert_markdown("## Exercises", ctx)
    first = convert_markdown("```{exercise} Predict\n:label: t-ex1\n\nWill it be *lower*?\n```", ctx)
    second = convert_markdown("````{exercise}\n:label: t-ex2\n:class: tip\n\nCode:\n\n```python\nx = 1\n```\n````",
                              ctx)
    assert first == [("markdown", "### Exercise 1: Predict\n\nWill it be *lower*?")]
    assert second == [("markdown", "### Exercise 2\n\nCode:\n\n```python\nx = 1\n```")]


def test_solution_markers_disappear_and_are_reported_as_events():
    ctx = Context()
    assert convert_markdown("```{solution-start} t-ex1\n:class: dropdown\n```", ctx) == []
    assert convert_markdown("```{solution-end}\n```", ctx) == []
    assert ctx.events == ["solution-start", "solution-end"]


def test_admonitions_dropdowns_math_targets_and_references_render_as_commonmark():
    text = ("(sec-idea)=\n## The idea\n\n```{note}\nA *note* with $x$.\n```\n\n"
            ":::{admonition} Why it works\n:class: dropdown\nBecause.\n:::\n\n"
            "```{tip}\nTry it.\n```\n\n"
            "```{dropdown} More\nHidden text.\n```\n\n"
            "```{math}\n:label: eq-loss\nL = \\sum_i x_i\n```\n\n"
            "$$\ny = x\n$$ (eq-y)\n\n"
            "See {ref}`sec-idea`, {ref}`that section <sec-idea>`, {numref}`Exercise %s <t-ex1>`, "
            "{doc}`the data <data>`, {eq}`eq-y` and {math}`a^2`.\n\n% a comment\n+++\n")
    ctx = Context(labels={"sec-idea": "The idea", "t-ex1": "Exercise 1"}, numbers={"t-ex1": "1"})
    [(kind, markdown)] = convert_markdown(text, ctx)
    assert kind == "markdown"
    assert markdown == (
        "## The idea\n\n> **Note**\n>\n> A *note* with $x$.\n\n"
        "<details>\n<summary>Why it works</summary>\n\nBecause.\n\n</details>\n\n"
        "> **Tip**\n>\n> Try it.\n\n"
        "<details>\n<summary>More</summary>\n\nHidden text.\n\n</details>\n\n"
        "$$\nL = \\sum_i x_i\n$$\n\n$$\ny = x\n$$\n\n"
        "See The idea, that section, Exercise 1, the data, (eq-y) and $a^2$.")
    assert not _leftovers(markdown)


def test_hint_and_rubric_fold_and_the_challenge_reads_as_a_block():
    hint, _ = _convert("```{admonition} Hint\n:class: dropdown hint\n\nLook at *the ink*.\n```")
    challenge, _ = _convert("```{admonition} Challenge: train on digits\n:class: challenge\n\n"
                            "Score letters with a digit model.\n```")
    rubric, _ = _convert("```{admonition} Rubric (for instructors)\n:class: dropdown rubric\n\n"
                         "- a number\n- a reason\n```")
    assert hint == [("markdown", "<details>\n<summary>Hint</summary>\n\nLook at *the ink*.\n\n</details>")]
    assert challenge == [("markdown", "> **Challenge: train on digits**\n>\n> Score letters with a digit model.")]
    assert rubric == [("markdown", "<details>\n<summary>Rubric (for instructors)</summary>\n\n"
                                   "- a number\n- a reason\n\n</details>")]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_hints_and_rubrics_stay_folded_in_the_reader_notebook(chapter, readers):
    from bookkit.teach.exercises import admonition_kind
    source = nbformat.read(chapter, as_version=4)
    kinds = [admonition_kind(c) for c in source.cells]
    text = _source_text(readers[chapter.stem])
    assert text.count("<summary>Hint</summary>") == kinds.count("hint")
    assert text.count("<summary>Rubric (for instructors)</summary>") == kinds.count("rubric")
    assert text.count("> **Challenge: ") == kinds.count("challenge")


def test_an_admonition_citing_a_number_becomes_one_paragraph():
    [(kind, template)], _ = _convert("```{warning}\nOnly {glue:text}`n:d` images {here}.\n```")
    assert kind == "paragraph"
    assert template == "> **Warning**\n>\n> Only {n:d} images {{here}}."


@pytest.mark.parametrize("text", ["```{glue:figure} fig\n```", "{cite}x` nothing", "Hello {{ name }}",
                                  "```{tab-set}\n```", "{unknownrole}`x`", "## Title {glue:text}`x`"])
def test_constructs_with_no_rendering_are_errors_that_name_the_cell(text):
    if text == "{cite}x` nothing":  # not a role at all: left alone
        assert _convert(text)[0] == [("markdown", text)]
        return
    with pytest.raises(UnsupportedMyST, match="test.ipynb, cell 0"):
        _convert(text)


#: A BibTeX file with one author, two, three (one with a "von" part), "and others", a
#: DOI with parentheses and a LaTeX accent.
_BIB = r"""
@misc{one, author = {Chollet, Fran{\c{c}}ois}, title = {Post}, year = {2016},
  url = {https://example.org/post}}
@inproceedings{two, author = {Kingma, Diederik P. and Welling, Max}, title = {Paper},
  year = {2014}, eprint = {1312.6114}}
@inproceedings{three, author = {van den Oord, Aaron and Vinyals, Oriol and Kavukcuoglu, Koray},
  title = {Paper}, year = {2017}}
@article{doi, author = {Rudin, Leonid and Osher, Stanley}, title = {Paper}, year = {1992},
  doi = {10.1016/0167-2789(92)90242-F}}
@article{others, author = {Bricken, Trenton and others}, title = {Paper}, year = {2023}}
@article{latex, author = {Ball{\'e}, Johannes}, title = {Paper}, year = {2017}}
"""


@pytest.fixture
def sources(tmp_path):
    (tmp_path / "refs.bib").write_text(_BIB)
    return reader.load_sources(tmp_path / "refs.bib")


def _cite(text: str, sources) -> str:
    [(kind, markdown)] = convert_markdown(text, Context(name="test.ipynb", where="cell 0", sources=sources))
    assert kind == "markdown"
    return markdown


@pytest.mark.parametrize("role, text", [
    ("{cite:p}`one`", "([Chollet, 2016](https://example.org/post))"),
    ("{cite}`two`", "([Kingma and Welling, 2014](https://arxiv.org/abs/1312.6114))"),
    ("{cite:p}`three`", "(van den Oord et al., 2017)"),
    ("{cite:t}`two`", "Kingma and Welling ([2014](https://arxiv.org/abs/1312.6114))"),
    ("{cite:t}`three`", "van den Oord et al. (2017)"),
    ("{cite:ts}`three`", "van den Oord, Vinyals and Kavukcuoglu (2017)"),
    ("{cite:p}`others`", "(Bricken et al., 2023)"),
    ("{cite:p}`latex`", "(Ballé, 2017)"),
    ("{cite:p}`three, others`", "(van den Oord et al., 2017; Bricken et al., 2023)"),
    ("{cite:p}`doi`", "([Rudin and Osher, 1992](https://doi.org/10.1016/0167-2789%2892%2990242-F))"),
])
def test_citations_read_as_author_and_year_linked_to_the_work(role, text, sources):
    assert _cite(f"As shown {role}.", sources) == f"As shown {text}."


def test_a_citation_renders_as_a_plain_link_with_no_myst_left(sources):
    markdown = _cite("Denoising {cite:p}`doi` works.", sources)
    html = COMMONMARK.render(markdown)
    assert '<a href="https://doi.org/10.1016/0167-2789%2892%2990242-F">Rudin and Osher, 1992</a>' in html
    assert not _leftovers(markdown)


def test_a_citation_in_a_paragraph_with_numbers_survives_the_template(sources):
    ctx = Context(name="test.ipynb", where="cell 0", sources=sources)
    [(kind, text)] = convert_markdown("It reaches {glue:text}`psnr:.1f` dB {cite:p}`two`.", ctx)
    assert kind == "paragraph"
    assert _fill(text, psnr=20.04) == (
        "It reaches 20.0 dB ([Kingma and Welling, 2014](https://arxiv.org/abs/1312.6114)).")


def test_a_key_missing_from_the_bibtex_file_is_an_error_that_names_the_cell(sources):
    with pytest.raises(UnsupportedMyST, match=r"test.ipynb, cell 0: the citation .*nokey"):
        _cite("{cite:p}`nokey`", sources)


def test_an_entry_without_a_year_is_refused(tmp_path):
    (tmp_path / "refs.bib").write_text("@misc{x, author = {Ng, Andrew}, title = {Notes}}")
    with pytest.raises(ValueError, match="x needs an author and a year"):
        reader.load_sources(tmp_path / "refs.bib")


def test_every_key_the_chapters_cite_is_in_the_books_bibtex_file():
    book = reader.book_sources(ROOT)
    cited = {key.strip() for chapter in CHAPTERS
             for roles in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", _source_text(nbformat.read(chapter, 4)))
             for key in roles.split(",")}
    assert cited <= set(book), f"not in references.bib: {sorted(cited - set(book))}"


def test_paragraph_source_round_trips_through_ast_even_with_quotes_and_backslashes():
    for template in ['plain {x:.2f}', 'ends with a backslash \\', 'has """ inside', 'ends with "quote"',
                     r'LaTeX $\frac{{a}}{{b}}$ {x}']:
        source = paragraph_source(template)
        assert source.startswith(f"# @title {reader.PARAGRAPH_TITLE}\n")
        assert paragraph_template(source) == template


def test_answer_stub_keeps_the_starting_point_commented_out():
    prediction = 'lost = None  # "a" or "b"\n### BEGIN SOLUTION\nlost = "a"\n### END SOLUTION'
    function = 'def f(x):\n    """Doc."""\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION'
    assert answer_stub(prediction) == reader.ANSWER_HEADER + '\n# lost = None  # "a" or "b"'
    assert answer_stub(function) == reader.ANSWER_HEADER + '\n# def f(x):\n#     """Doc."""\n#     ...'
    assert answer_stub("x = 1") == reader.ANSWER_HEADER_EMPTY


def test_pin_setup_cell_replaces_the_ref_or_the_whole_requirement():
    cell = ('import sys\nif "google.colab" in sys.modules:\n'
            '    %pip install -q "pkg @ git+https://github.com/o/r@v1.0.0"\nimport helpers')
    assert 'git+https://github.com/o/r@abc123"' in pin_setup_cell(cell, ref="abc123")
    assert '%pip install -q "/w/p.whl"\n' in pin_setup_cell(cell, install="/w/p.whl")
    assert pin_setup_cell(cell) == cell
    unpinned = cell.replace("@v1.0.0", "")
    assert setup_requirement(pin_setup_cell(unpinned, ref="main")) == "pkg @ git+https://github.com/o/r@main"
    with pytest.raises(ValueError, match="no `%pip install"):
        pin_setup_cell("import helpers", ref="abc")


def _tiny_chapter():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tiny\n\nIntro."),
        nbformat.v4.new_code_cell('import sys\nif "google.colab" in sys.modules:\n'
                                  '    %pip install -q "p @ git+https://github.com/o/r@v1.0.0"\nimport helpers'),
        nbformat.v4.new_code_cell("x = 2", metadata={"mystnb": {"figure": {"caption": "A {glue:text}`n` plot.",
                                                                          "name": "fig-a"}}}),
        nbformat.v4.new_code_cell('glue("n", 3)\nassert x == 2', metadata={"tags": ["remove-cell"]}),
        nbformat.v4.new_markdown_cell("As {numref}`fig-a` shows, n = {glue:text}`n`."),
        nbformat.v4.new_markdown_cell("```{exercise} Guess\n:label: tiny-ex1\n\nGuess n.\n```"),
        nbformat.v4.new_markdown_cell("```{solution-start} tiny-ex1\n:class: dropdown\n```"),
        nbformat.v4.new_code_cell("guess = None\n### BEGIN SOLUTION\nguess = 3\n### END SOLUTION",
                                  metadata={"nbgrader": {"solution": True, "grade": False}}),
        nbformat.v4.new_markdown_cell("```{solution-end}\n```"),
        nbformat.v4.new_code_cell("assert guess == 3"),
    ]
    return nb


def test_a_tiny_chapter_reads_in_order_and_runs_under_run_all():
    nb = reader_notebook(_tiny_chapter(), name="tiny.ipynb", page_url="https://example.org/book/tiny.html")
    kinds = [(c.cell_type, c.source.split("\n")[0]) for c in nb.cells]
    assert kinds == [
        ("markdown", "# Tiny"),
        ("markdown", reader.note_line("https://example.org/book/tiny.html")),
        ("markdown", "Intro."),
        ("code", "import sys"),
        ("code", "x = 2"),
        ("code", f"# @title {reader.PARAGRAPH_TITLE}"),  # the caption cites a number
        ("code", f"# @title {reader.NUMBERS_AND_CHECKS_TITLE}"),
        ("code", f"# @title {reader.PARAGRAPH_TITLE}"),
        ("markdown", "## Exercise 1: Guess"),  # one level below the last section, "# Tiny"
        ("markdown", reader.ANSWER_HINT),
        ("code", f"# @title {reader.SOLUTION_TITLE}"),
        ("code", reader.ANSWER_HEADER.split("\n")[0]),
        ("code", "assert guess == 3"),
    ]
    assert "https://example.org/book/tiny.html" in nb.cells[1].source
    assert paragraph_template(nb.cells[7].source) == "As Figure 1 shows, n = {n}."
    assert len({c.id for c in nb.cells}) == len(nb.cells)
    nbformat.validate(nb)
    # Run all, in this interpreter: the folded solution answers, the check passes.
    namespace = {"glue": helpers.glue.glue}
    for cell in nb.cells[4:]:
        if cell.cell_type == "code" and paragraph_template(cell.source) is None:
            exec(cell.source, namespace)
    assert namespace["guess"] == 3


def test_the_source_notebook_is_not_changed():
    nb = _tiny_chapter()
    before = json.dumps(nb, sort_keys=True)
    reader_notebook(nb, ref="abc")
    assert json.dumps(nb, sort_keys=True) == before


def test_command_line_writes_every_chapter_and_links_pages_under_the_baseurl(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    (tmp_path / "_config.yml").write_text("title: Tiny book\nhtml:\n  baseurl: https://example.org/tiny/\n")
    nbformat.write(_tiny_chapter(), book / "tiny.ipynb")
    out = tmp_path / "_build" / "reader" / "book"
    result = subprocess.run([sys.executable, "-m", "bookkit.publish.reader", str(book), str(out), "--ref", "abc123"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    written = nbformat.read(out / "tiny.ipynb", as_version=4)
    assert "[this chapter](https://example.org/tiny/book/tiny.html) of Tiny book" in written.cells[1].source
    assert "git+https://github.com/o/r@abc123" in written.cells[3].source


def test_command_line_refuses_to_overwrite_the_chapters(tmp_path):
    nbformat.write(_tiny_chapter(), tmp_path / "tiny.ipynb")
    result = subprocess.run([sys.executable, "-m", "bookkit.publish.reader", str(tmp_path), str(tmp_path)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and "another folder" in result.stderr


# ---------------------------------------------------------------------------------------------
# The Sphinx extension: reader copies at the end of a build, behind the buttons


def _colab_href(html: str) -> str:
    return re.search(r'href="(https://colab\.research\.google\.com/[^"]+)"', html).group(1)


@pytest.mark.build
def test_a_built_book_publishes_reader_copies_behind_the_download_and_colab_buttons(tmp_path):
    """A two-page book built with the extension: the reader copy is written to _build/reader and
    is the file the download button serves; the Colab button opens the copy on the colab branch."""
    book = tmp_path / "tinybook"
    (book / "book").mkdir(parents=True)
    (book / "binder").mkdir()
    (book / "binder" / "runtime.txt").write_text("python-3.11\n")
    (book / "_config.yml").write_text(
        "title: Tiny book\nexecute:\n  execute_notebooks: 'off'\n"
        "repository:\n  url: https://github.com/o/r\n  path_to_book: ''\n  branch: colab\n"
        "launch_buttons:\n  colab_url: https://colab.research.google.com\n  binderhub_url: https://mybinder.org\n"
        "html:\n  baseurl: https://o.github.io/r/\n  use_download_button: true\n"
        "sphinx:\n  extra_extensions: [sphinx_exercise]\n"
        f"  local_extensions:\n    bookkit.publish.extension: {ROOT}\n")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: book/tiny\n")
    (book / "intro.md").write_text("# Tiny book\n\nA page.\n")
    nb = _tiny_chapter()
    nb.cells = [c for c in nb.cells if "glue" not in c.source and "numref" not in c.source]
    for cell in nb.cells:
        cell.metadata.pop("mystnb", None)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, book / "book" / "tiny.ipynb")
    env = {k: v for k, v in __import__("os").environ.items() if k != "BOOK_READER_REF"}
    env["BOOK_READER_REF"] = "abc123"
    result = subprocess.run([str(Path(sys.executable).with_name("jupyter-book")), "build", str(book)],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    build = book / "_build"
    # the extension's stylesheet is copied and linked on every page
    assert "006d80" in (build / "html" / "_static" / "book.css").read_text()
    assert 'href="../_static/book.css' in (build / "html" / "book" / "tiny.html").read_text()
    published = nbformat.read(build / "reader" / "book" / "tiny.ipynb", as_version=4)
    assert published.cells[0].source == "# Tiny"
    assert "[this chapter](https://o.github.io/r/book/tiny.html) of Tiny book" in published.cells[1].source
    assert any(c.source.startswith("## Exercise 1: Guess") for c in published.cells)
    assert "git+https://github.com/o/r@abc123" in next(c for c in published.cells if c.cell_type == "code").source
    download = (build / "html" / "_sources" / "book" / "tiny.ipynb").read_text()
    assert download == (build / "reader" / "book" / "tiny.ipynb").read_text()
    page = (build / "html" / "book" / "tiny.html").read_text()
    assert 'href="../_sources/book/tiny.ipynb"' in page, "the download button links elsewhere"
    assert _colab_href(page) == "https://colab.research.google.com/github/o/r/blob/colab/book/tiny.ipynb"
    assert "https://mybinder.org/v2/gh/o/r/colab?urlpath=" in page
    binder = build / "reader" / "binder"
    lines = [line for line in (binder / "requirements.txt").read_text().splitlines()
             if line and not line.startswith("#")]
    assert lines == ["p @ git+https://github.com/o/r@abc123", "tensorflow>=2.20"]
    assert (binder / "runtime.txt").read_text() == "python-3.11\n"


@pytest.mark.build
def test_the_real_book_serves_reader_copies(built_book):
    """After `make book`: every chapter's download is its reader copy, and _build/reader has them all."""
    for chapter in CHAPTERS:
        download = built_book / "_sources" / "book" / chapter.name
        published = built_book.parent / "reader" / "book" / chapter.name
        assert download.read_text() == published.read_text()
        assert "{glue:" not in download.read_text() and "```{exercise}" not in download.read_text()
        page = (built_book / "book" / chapter.with_suffix(".html").name).read_text()
        assert f'href="../_sources/book/{chapter.name}"' in page
