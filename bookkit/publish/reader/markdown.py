"""MyST blocks turned into what Colab and Jupyter render: admonitions as quotes,
dropdowns as ``<details>``, roles as text, citations as author-year links, and
paragraphs that cite glued numbers as templates for :func:`helpers.glue.paragraph`."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .blocks import Block, UnsupportedMyST, parse_blocks
from .sources import Source, book_sources


PARAGRAPH_TITLE = "Paragraph with your numbers"

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
