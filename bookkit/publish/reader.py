"""Reader notebooks: every chapter as it reads and runs outside the book (Colab,
JupyterLab, Jupyter).

The chapters are written for Jupyter Book in MyST: numbers reach the prose through
``{glue:text}`` roles, exercises are sphinx-exercise directives, hidden cells carry the
tag ``remove-cell``. Opened as they are in Colab, a reader would see that syntax raw. A
*reader notebook* is the same chapter, cell for cell, with every MyST construct turned
into something Colab and Jupyter render themselves:

* **Prose that cites computed numbers** becomes a code cell that shows the paragraph,
  filled in from the reader's own run: ``helpers.glue.paragraph(r\"\"\"...
  {ae32_mse:.4f} ...\"\"\")`` (:func:`helpers.glue.paragraph`). Only the part of a
  markdown cell that cites numbers moves into such a cell (from its first citing block
  to its last, within one section); headings stay real markdown cells, so Colab's table
  of contents still lists every section. The cell is a Colab *form* (``# @title``,
  ``cellView: form``) and its source is hidden in JupyterLab and Notebook 7
  (``jupyter.source_hidden``): the reader sees the paragraph, not the code.
* **Exercises** read ``### Exercise N: Title`` (numbered within the chapter) and the
  question. The solution cell stays in place and runs, so *Run all* passes every check
  exactly as the book does, but it is folded away (a form titled "Solution (double-click
  to show)"). Right after it comes an answer cell: the solution's starting point (what
  the student version of nbgrader keeps, the solution region replaced by ``...``),
  commented out. A reader uncomments it, writes an answer and runs it, and the check
  below tests that answer instead of the solution; left alone it changes nothing. A
  one-line note before the solution says so. The design keeps three promises at once:
  *Run all* always works, the solution is one click away but not in sight, and the
  reader never has to insert a cell or find where the check reads its input.
* **Hidden cells** (``remove-cell``: glue and the asserts that keep the chapter's claims
  true) stay and run, folded away as forms titled "Numbers cited in the text" or "Checks
  behind this chapter's claims".
* **Other MyST**: admonitions become block quotes with a bold title, dropdowns
  ``<details><summary>``, ``{ref}``/``{numref}``/``{doc}`` plain text, ``(label)=``
  targets and ``%`` comments disappear, math stays ``$...$``/``$$...$$`` (Colab and
  Jupyter typeset it). A figure's caption (``mystnb`` metadata) follows the figure as a
  line of markdown.
* **Citations** (``{cite:p}``, ``{cite:t}``, ``{cite}``; sphinxcontrib-bibtex's roles)
  read as the book's author-year text, "(Vincent et al., 2008)" or "Vincent et al.
  (2008)", each linked to the work (its DOI, arXiv page or address), because a reader
  in Colab has no references page. Authors and years come from the BibTeX file that
  ``bibtex_bibfiles`` of ``_config.yml`` names (:func:`book_sources`, parsed with
  pybtex, which sphinxcontrib-bibtex uses too); a key missing from it is an error, as
  it is in the strict build.
* A construct with no faithful rendering (a ``{glue:figure}``, a substitution, an
  unknown role) is an error that names the cell, never silently left in.
* The **setup cell** installs the book's helpers in Colab; ``ref`` replaces the version
  it pins (the published copies pin the commit they were built from), ``install`` the
  whole requirement (tests install a wheel built from the checkout).
* The notebook asks Colab for a GPU runtime (T4), opens with a line linking to the
  chapter's page in the rendered book, and has no outputs.

From the command line::

    python -m bookkit.publish.reader SOURCE_DIR OUT_DIR [--ref REF] [--install SPEC]

converts every notebook under ``SOURCE_DIR`` (for example ``book``) into ``OUT_DIR``,
keeping relative paths. The book's Sphinx extension
(:mod:`bookkit.publish.extension`) does the same at the end of every build, into
``_build/reader``, and puts the reader copy behind the page's download button.
"""

from __future__ import annotations

import argparse
import ast
import copy
import functools
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

BOOK_TITLE = "Autoencoders, hands-on"

PARAGRAPH_TITLE = "Paragraph with your numbers"
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

ADMONITIONS = {
    "note": "Note",
    "tip": "Tip",
    "hint": "Hint",
    "important": "Important",
    "warning": "Warning",
    "caution": "Caution",
    "attention": "Attention",
    "danger": "Danger",
    "error": "Error",
    "seealso": "See also",
    "admonition": "",
    "margin": "",
    "sidebar": "",
    "topic": "",
    "epigraph": "",
    "pull-quote": "",
    "highlights": "",
}
BEGIN, END = "BEGIN SOLUTION", "END SOLUTION"

# Placeholders for glue roles while a cell is converted (private-use characters: never
# in prose).
_OPEN, _CLOSE = "\ue000", "\ue001"
_SENTINEL = re.compile(_OPEN + r"(\d+)" + _CLOSE)


class UnsupportedMyST(ValueError):
    """A MyST construct that has no faithful rendering in a plain notebook."""


# --------------------------------------------------------------------------------------
# Blocks of a markdown cell
# --------------------------------------------------------------------------------------
@dataclass
class Block:
    kind: str  #: heading, text, fence, math, directive, target, comment, break
    text: str = ""  #: the block's lines as written (headings: the title)
    level: int = 0  #: headings
    name: str = ""  #: directives
    argument: str = ""
    options: dict = field(default_factory=dict)
    body: str = ""


_FENCE_OPEN = re.compile(
    r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$"
)
_HEADING = re.compile(
    r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<title>.*?))?(?:[ \t]+#+)?[ \t]*$"
)
_TARGET = re.compile(r"^\s*\((?P<label>[^()\s]+)\)=\s*$")
_MATH_CLOSE = re.compile(r"\$\$\s*(?:\((?P<label>[^()\s]+)\))?\s*$")
_OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):(?:\s+(?P<value>.*?))?\s*$")


def parse_blocks(text: str) -> list[Block]:
    """Split MyST markdown into blocks: headings, paragraphs, fences, directives, math,
    targets."""
    lines = text.split("\n")
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush():
        if paragraph:
            blocks.append(Block("text", "\n".join(paragraph)))
            paragraph.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            flush()
            i += 1
            continue
        opening = _FENCE_OPEN.match(line)
        if (
            opening
            and not (opening["fence"][0] == "`" and "`" in opening["info"])
            and not (
                opening["fence"][0] == ":"
                and not opening["info"].strip().startswith("{")
            )
        ):
            fence, info = opening["fence"], opening["info"].strip()
            closing = re.compile(
                r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$"
            )
            end = i + 1
            while end < len(lines) and not closing.match(lines[end]):
                end += 1
            flush()
            inner = lines[i + 1 : end]
            if info.startswith("{"):
                blocks.append(_directive(info, inner))
            else:
                blocks.append(Block("fence", "\n".join(lines[i : end + 1])))
            i = end + 1
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            blocks.append(
                Block(
                    "heading",
                    (heading["title"] or "").strip(),
                    level=len(heading["hashes"]),
                )
            )
            i += 1
            continue
        if _TARGET.match(line):
            flush()
            blocks.append(Block("target", _TARGET.match(line)["label"]))
            i += 1
            continue
        if line.startswith("%"):  # a MyST comment
            flush()
            blocks.append(Block("comment", line))
            i += 1
            continue
        if line.startswith("+++"):  # a MyST block break
            flush()
            blocks.append(Block("break", line))
            i += 1
            continue
        if line.lstrip().startswith("$$"):
            flush()
            end = i
            if not _MATH_CLOSE.search(line.lstrip()[2:]):
                end = i + 1
                while end < len(lines) and not _MATH_CLOSE.search(lines[end]):
                    end += 1
            math = lines[i : end + 1]
            label = _MATH_CLOSE.search(math[-1]) if math else None
            if label and label["label"]:
                math[-1] = math[-1][: label.start()] + "$$"
            blocks.append(
                Block(
                    "math",
                    "\n".join(math),
                    name=label["label"] if label and label["label"] else "",
                )
            )
            i = end + 1
            continue
        paragraph.append(line)
        i += 1
    flush()
    return blocks


def _directive(info: str, inner: list[str]) -> Block:
    match = re.match(r"^\{(?P<name>[^}]+)\}\s*(?P<argument>.*)$", info)
    if not match:
        raise UnsupportedMyST(f"cannot read the directive line {info!r}")
    options: dict[str, str] = {}
    k = 0
    if inner and inner[0].strip() == "---":  # options as a YAML block
        import yaml

        end = next(
            (j for j in range(1, len(inner)) if inner[j].strip() == "---"), len(inner)
        )
        options = {
            str(key): str(value)
            for key, value in (yaml.safe_load("\n".join(inner[1:end])) or {}).items()
        }
        k = end + 1
    else:
        while k < len(inner) and _OPTION.match(inner[k]):
            option = _OPTION.match(inner[k])
            options[option["key"]] = option["value"] or ""
            k += 1
    body = "\n".join(inner[k:]).strip("\n")
    return Block(
        "directive",
        info,
        name=match["name"].strip(),
        argument=match["argument"].strip(),
        options=options,
        body=body,
    )


# --------------------------------------------------------------------------------------
# Sources: the book's BibTeX file, for the cite roles
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """One work of the BibTeX file, as a citation names it."""

    authors: tuple[str, ...]  #: surnames with their "von" part ("van den Oord")
    year: str
    link: str | None = None  #: DOI, arXiv or URL address
    et_al: bool = False  #: the entry ends its author list with "and others"

    def authors_text(self, every: bool = False) -> str:
        """The authors as a citation names them: "Vincent et al.", "Kingma and
        Welling", "Chollet"; with ``every``, all of them ("Burda, Grosse and
        Salakhutdinov")."""
        names = list(self.authors)
        if not every and (len(names) > 2 or (self.et_al and names)):
            return f"{names[0]} et al."
        if self.et_al:
            return ", ".join(names) + " et al."
        if len(names) == 1:
            return names[0]
        return ", ".join(names[:-1]) + " and " + names[-1]

    def linked(self, text: str) -> str:
        if not self.link:
            return text
        # Parentheses in a DOI would end a Markdown link early: percent-encode them.
        return f"[{text}]({self.link.replace('(', '%28').replace(')', '%29')})"


def load_sources(*bibfiles: Path) -> dict[str, Source]:
    """Every entry of the BibTeX files: key → :class:`Source` (pybtex parses them)."""
    from pybtex.database import parse_file

    sources: dict[str, Source] = {}
    for bibfile in bibfiles:
        for key, entry in parse_file(str(bibfile)).entries.items():
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            surnames = []
            for person in people:
                parts = [*person.rich_prelast_names, *person.rich_last_names]
                surnames.append(" ".join(part.render_as("text") for part in parts))
            et_al = bool(surnames) and surnames[-1] == "others"
            surnames = surnames[:-1] if et_al else surnames
            year = entry.fields.get("year", "").strip()
            if not surnames or not year:
                raise ValueError(f"{bibfile}: entry {key} needs an author and a year")
            fields = entry.fields
            link = (
                f"https://doi.org/{fields['doi']}"
                if fields.get("doi")
                else f"https://arxiv.org/abs/{fields['eprint']}"
                if fields.get("eprint")
                else fields.get("url")
            )
            sources[key] = Source(tuple(surnames), year, link, et_al)
    return sources


def book_sources(folder: Path | None = None) -> dict[str, Source]:
    """The sources of the book whose ``_config.yml`` is in ``folder`` or above it
    (default: the working directory, else this checkout), from its
    ``bibtex_bibfiles``."""
    candidates = [folder] if folder else [Path.cwd(), Path(__file__).resolve().parent]
    for candidate in candidates:
        config = find_config(Path(candidate).resolve())
        if config:
            return _sources_of(config)
    raise FileNotFoundError(f"no _config.yml in or above {candidates[0]}")


@functools.lru_cache(maxsize=4)
def _sources_of(config: Path) -> dict[str, Source]:
    import yaml

    bibfiles = (yaml.safe_load(config.read_text()) or {}).get("bibtex_bibfiles") or []
    if isinstance(bibfiles, str):
        bibfiles = [bibfiles]
    if not bibfiles:
        raise ValueError(f"{config} names no bibtex_bibfiles")
    return load_sources(*(config.parent / name for name in bibfiles))


# --------------------------------------------------------------------------------------
# Converting blocks
# --------------------------------------------------------------------------------------
@dataclass
class Context:
    """What the conversion of one notebook knows: labels, exercise numbers, the glue
    roles met."""

    name: str = ""
    #: label → text a reference shows
    labels: dict[str, str] = field(default_factory=dict)
    #: label → number ({numref} "%s")
    numbers: dict[str, str] = field(default_factory=dict)
    #: (name, format spec), by sentinel
    glue: list[tuple[str, str]] = field(default_factory=list)
    exercises: int = 0
    section_level: int = 2  #: level of the last heading that is not an exercise
    where: str = ""  #: "cell 12", for error messages
    #: solution-start / solution-end, in order
    events: list[str] = field(default_factory=list)
    #: BibTeX key → :class:`Source` for the cite roles (``None``: the book's own,
    #: :func:`book_sources`, read at the first citation)
    sources: Mapping[str, Source] | None = None

    def unsupported(self, what: str) -> UnsupportedMyST:
        return UnsupportedMyST(
            f"{self.name or 'notebook'}, {self.where}: {what} has no rendering "
            "outside the book; write it differently or extend bookkit.publish.reader"
        )


@dataclass
class Out:
    """One converted block: markdown (possibly with glue sentinels); headings start
    sections."""

    text: str
    heading: bool = False


_INLINE = re.compile(
    r"(?P<role>\{(?P<name>[A-Za-z][\w:.+-]*)\}(?P<ticks>`+)(?P<content>.+?)(?P=ticks))"
    r"|(?P<code>(?P<cticks>`+).+?(?P=cticks))",
    re.S,
)
_TEXT_AND_LABEL = re.compile(r"^(?P<text>.*?)\s*<(?P<label>[^<>]+)>\s*$", re.S)
_SUBSTITUTION = re.compile(r"\{\{\s*[\w.-]+\s*\}\}")
_INLINE_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$", re.S)


def _glue_sentinel(content: str, role: str, ctx: Context) -> str:
    name, _, spec = content.strip().partition(":")
    if not name.isidentifier():
        raise ctx.unsupported(f"the glue name {name!r} (not a Python identifier)")
    if role == "glue:md":
        spec = ""
    ctx.glue.append((name, spec))
    return f"{_OPEN}{len(ctx.glue) - 1}{_CLOSE}"


def _citation(name: str, content: str, ctx: Context) -> str:
    """A cite role as author-year text: (A et al., 2008; B and C, 2014) or A et al.
    (2008). The ``s`` forms (``cite:ps``, ``cite:ts``) name every author."""
    if ctx.sources is None:
        try:
            ctx.sources = book_sources()
        except (FileNotFoundError, ValueError) as error:
            raise ctx.unsupported(f"the citation {{{name}}}`{content}` ({error})")
    keys = [key.strip() for key in content.split(",") if key.strip()]
    unknown = [key for key in keys if key not in ctx.sources]
    if not keys or unknown:
        raise ctx.unsupported(
            f"the citation {{{name}}}`{content}` (no entry {', '.join(unknown)!s} in "
            "the book's BibTeX file)"
        )
    works = [ctx.sources[key] for key in keys]
    every = name.endswith("s")
    if name.startswith("cite:t"):
        return ", ".join(
            f"{work.authors_text(every)} ({work.linked(work.year)})" for work in works
        )
    inner = "; ".join(
        work.linked(f"{work.authors_text(every)}, {work.year}") for work in works
    )
    return f"({inner})"


def _role(name: str, content: str, ctx: Context) -> str:
    explicit = _TEXT_AND_LABEL.match(content)
    text, label = (
        (explicit["text"], explicit["label"]) if explicit else ("", content.strip())
    )
    if name in ("glue", "glue:", "glue:any", "glue:text", "glue:md"):
        return _glue_sentinel(content, name, ctx)
    if name in ("ref", "any"):
        return text or ctx.labels.get(label, label)
    if name == "numref":
        number = ctx.numbers.get(label, "")
        if text:
            return (
                text.replace("%s", number)
                .replace("{number}", number)
                .replace("{name}", label)
            )
        return ctx.labels.get(label, label)
    if name == "eq":
        return f"({label})"
    if name == "doc":
        return text or Path(label).name
    if name in ("download", "term"):
        return text or label
    if name == "math":
        return f"${content}$"
    if name in (
        "abbr",
        "guilabel",
        "menuselection",
        "file",
        "command",
        "program",
        "dfn",
        "samp",
    ):
        return content
    if name in ("code", "literal"):
        return f"`{content}`"
    if name in ("sub", "sup", "kbd"):
        return f"<{name}>{content}</{name}>"
    if name in ("cite", "cite:p", "cite:t", "cite:ps", "cite:ts"):
        return _citation(name, content, ctx)
    raise ctx.unsupported(f"the role {{{name}}}`{content}`")


def convert_inline(text: str, ctx: Context) -> str:
    """Roles in a run of text: glue becomes a sentinel, the rest plain CommonMark."""

    def replace(match):
        if match["code"]:
            return match["code"]
        return _role(match["name"], match["content"], ctx)

    converted = _INLINE.sub(replace, text)
    outside_math = _INLINE_MATH.sub("", _INLINE.sub("", converted))
    if _SUBSTITUTION.search(outside_math):
        raise ctx.unsupported(
            f"the substitution {_SUBSTITUTION.search(outside_math).group()}"
        )
    return converted


def _quote(text: str) -> str:
    return "\n".join(
        ("> " + line) if line.strip() else ">" for line in text.split("\n")
    )


def _details(summary: str, body: str) -> str:
    return f"<details>\n<summary>{summary}</summary>\n\n{body}\n\n</details>"


def _join(outs: list[Out]) -> str:
    return "\n\n".join(out.text for out in outs if out.text.strip())


def convert_blocks(blocks: list[Block], ctx: Context) -> list[Out]:
    outs: list[Out] = []
    for block in blocks:
        if block.kind in ("target", "comment", "break"):
            continue
        if block.kind == "heading":
            title = convert_inline(block.text, ctx)
            if _SENTINEL.search(title):
                raise ctx.unsupported("a heading that cites a glued value")
            ctx.section_level = block.level
            outs.append(Out("#" * block.level + " " + title, heading=True))
        elif block.kind == "text":
            outs.append(Out(convert_inline(block.text, ctx)))
        elif block.kind in ("fence", "math"):
            outs.append(Out(block.text))
        elif block.kind == "directive":
            outs.extend(convert_directive(block, ctx))
    return outs


def convert_directive(block: Block, ctx: Context) -> list[Out]:
    name, argument, options = block.name, block.argument, block.options
    body = lambda: _join(convert_blocks(parse_blocks(block.body), ctx))  # noqa: E731
    if name == "exercise":
        if "hidden" in options:
            return []
        if "nonumber" in options:
            heading = "Exercise"
        else:
            ctx.exercises += 1
            heading = f"Exercise {ctx.exercises}"
        if argument:
            heading += ": " + convert_inline(argument, ctx)
        level = min(ctx.section_level + 1, 6)
        return [Out("#" * level + " " + heading, heading=True)] + convert_blocks(
            parse_blocks(block.body), ctx
        )
    if name in ("solution-start", "solution-end"):
        ctx.events.append(name)
        return []
    if name == "solution":
        label = argument.split()[0] if argument else ""
        summary = f"Solution to {ctx.labels.get(label, 'the exercise')}"
        return [Out(_details(summary, body()))]
    if name == "dropdown" or (
        name in ADMONITIONS and "dropdown" in options.get("class", "").split()
    ):
        title = (
            convert_inline(argument, ctx)
            if argument
            else (ADMONITIONS.get(name) or "Details")
        )
        return [Out(_details(title, body()))]
    if name in ADMONITIONS:
        title = convert_inline(argument, ctx) if argument else ADMONITIONS[name]
        text = body()
        if title:
            text = f"**{title}**\n\n{text}" if text else f"**{title}**"
        return [Out(_quote(text))]
    if name == "math":
        return [Out("$$\n" + block.body.strip("\n") + "\n$$")]
    if name in ("code-block", "code", "sourcecode"):
        return [Out(f"```{argument}\n{block.body}\n```")]
    if name in ("figure", "image"):
        caption = body() if name == "figure" else ""
        alt = options.get("alt", caption.split("\n")[0] if caption else "")
        picture = f"![{alt}]({argument})"
        return [Out(picture + (f"\n\n*{caption}*" if caption else ""))]
    raise ctx.unsupported(f"the directive {{{name}}}")


def convert_markdown(text: str, ctx: Context) -> list[tuple[str, str]]:
    """One markdown cell as ``[("markdown", text) | ("paragraph", template)]``, in
    order.

    Without glue roles the cell stays one markdown cell. With them, each section (a
    heading and what follows it) keeps its heading and its uncited blocks as markdown,
    and the run of blocks from its first citing block to its last becomes one paragraph
    template.
    """
    first_glue = len(ctx.glue)
    outs = convert_blocks(parse_blocks(text), ctx)
    if len(ctx.glue) == first_glue:
        joined = _join(outs)
        return [("markdown", joined)] if joined.strip() else []
    pieces: list[tuple[str, str]] = []
    sections: list[list[Out]] = []
    for out in outs:
        if out.heading or not sections:
            sections.append([])
        sections[-1].append(out)
    for section in sections:
        citing = [k for k, out in enumerate(section) if _SENTINEL.search(out.text)]
        if not citing:
            pieces.append(("markdown", _join(section)))
            continue
        first, last = citing[0], citing[-1]
        if section[:first]:
            pieces.append(("markdown", _join(section[:first])))
        pieces.append(("paragraph", template(_join(section[first : last + 1]), ctx)))
        if section[last + 1 :]:
            pieces.append(("markdown", _join(section[last + 1 :])))
    merged: list[tuple[str, str]] = []
    for kind, value in pieces:
        if not value.strip():
            continue
        if merged and kind == "markdown" and merged[-1][0] == "markdown":
            merged[-1] = ("markdown", merged[-1][1] + "\n\n" + value)
        else:
            merged.append((kind, value))
    return merged


def template(text: str, ctx: Context) -> str:
    """Markdown with glue sentinels → a :func:`helpers.glue.fill` template (other braces
    doubled)."""
    escaped = text.replace("{", "{{").replace("}", "}}")

    def placeholder(match):
        name, spec = ctx.glue[int(match.group(1))]
        return "{" + name + (":" + spec if spec else "") + "}"

    return _SENTINEL.sub(placeholder, escaped)


def paragraph_source(text: str) -> str:
    """The code of a paragraph cell: a Colab form whose output is the filled-in
    paragraph."""
    if '"""' in text or text.endswith(("\\", '"')):
        literal = repr(text)
    else:
        literal = 'r"""' + text + '"""'
    return (
        f"# @title {PARAGRAPH_TITLE}\nimport helpers.glue\n"
        f"helpers.glue.paragraph({literal})"
    )


def paragraph_template(source: str) -> str | None:
    """The template a paragraph cell shows (``None`` for any other cell); tests read it
    back."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "paragraph"
            and node.args
        ):
            return ast.literal_eval(node.args[0])
    return None


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


# --------------------------------------------------------------------------------------
# Folders
# --------------------------------------------------------------------------------------
def page_url(base_url: str | None, docname: str) -> str | None:
    """The rendered page of ``docname`` (``book/encoder``) under the book's
    ``html.baseurl``."""
    if not base_url:
        return None
    return base_url.rstrip("/") + "/" + docname.strip("/") + ".html"


def find_config(folder: Path) -> Path | None:
    """The book's ``_config.yml``: in ``folder`` or the nearest folder above it."""
    for candidate in [folder, *folder.parents]:
        if (candidate / "_config.yml").is_file():
            return candidate / "_config.yml"
    return None


def _notebooks(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*.ipynb")
        if not any(
            part.startswith((".", "_")) for part in p.relative_to(folder).parts[:-1]
        )
    )


def write_reader_notebooks(
    source: Path,
    dest: Path,
    ref: str | None = None,
    install: str | None = None,
    base_url: str | None = None,
    book_root: Path | None = None,
    book_title: str = BOOK_TITLE,
    sources: Mapping[str, Source] | None = None,
) -> list[Path]:
    """Write the reader notebook of every notebook under ``source`` to the same place
    under ``dest``.

    ``base_url`` and ``book_root`` give each chapter's page address (``base_url`` +
    its path relative to ``book_root``, ``.html``); ``sources``, the works the
    citations name (:func:`reader_notebook`).
    """
    import nbformat

    source, dest = Path(source), Path(dest)
    if not source.is_dir():
        raise ValueError(f"expected a folder of notebooks, got {source}")
    if dest.resolve() == source.resolve():
        raise ValueError(
            "the reader notebooks must go to another folder than the chapters"
        )
    written = []
    for path in _notebooks(source):
        relative = path.relative_to(source)
        docname = (
            (path.relative_to(book_root) if book_root else relative)
            .with_suffix("")
            .as_posix()
        )
        nb = nbformat.read(path, as_version=4)
        reader = reader_notebook(
            nb,
            name=path.name,
            page_url=page_url(base_url, docname),
            ref=ref,
            install=install,
            book_title=book_title,
            sources=sources,
        )
        nbformat.validate(reader)
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(reader, target)
        written.append(target)
    return written


def write_binder_folder(
    root: Path, requirement: str, runtime: Path | None = None
) -> Path:
    """``binder/`` beside the reader notebooks, so that Binder can launch them too.

    The launch buttons share one branch (``repository.branch``): when it is the branch
    that holds the reader notebooks, Binder builds that branch, which has no
    ``pyproject.toml``. Its ``binder/requirements.txt`` is the requirement the setup
    cells install in Colab (the same ref) plus TensorFlow, which Colab has and Binder
    does not, and ``runtime.txt`` is copied from the book's
    own ``binder/``.
    """
    folder = Path(root) / "binder"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "requirements.txt").write_text(
        "# Binder installs the book's helpers (and the chapters' dependencies) at the "
        "ref the\n"
        "# notebooks beside this folder were made for, and TensorFlow as Keras's "
        "backend\n"
        "# (the package itself leaves the backend to its extras).\n"
        + requirement
        + "\ntensorflow>=2.20\n"
    )
    if runtime is not None and Path(runtime).is_file():
        (folder / "runtime.txt").write_text(Path(runtime).read_text())
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bookkit.publish.reader",
        description="Write the reader notebooks (Colab, Jupyter) of the chapters.",
    )
    parser.add_argument(
        "source", type=Path, help="folder of chapter notebooks, e.g. book"
    )
    parser.add_argument(
        "dest", type=Path, help="where the reader notebooks go, e.g. _build/reader/book"
    )
    parser.add_argument(
        "--ref",
        help="git ref the setup cell installs the helpers from (a tag or commit)",
    )
    parser.add_argument(
        "--install", help="requirement the setup cell installs instead (e.g. a wheel)"
    )
    args = parser.parse_args(argv)
    config = find_config(args.source.resolve())
    base_url, title, root, sources = None, BOOK_TITLE, None, None
    if config:
        import yaml

        settings = yaml.safe_load(config.read_text()) or {}
        base_url = (settings.get("html") or {}).get("baseurl") or None
        title = settings.get("title") or BOOK_TITLE
        root = config.parent
        if settings.get("bibtex_bibfiles"):
            sources = book_sources(root)
    try:
        written = write_reader_notebooks(
            args.source.resolve(),
            args.dest,
            ref=args.ref,
            install=args.install,
            base_url=base_url,
            book_root=root,
            book_title=title,
            sources=sources,
        )
    except (ValueError, UnsupportedMyST) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Wrote {len(written)} reader notebooks to {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
