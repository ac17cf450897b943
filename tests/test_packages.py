"""What a reader installs (``helpers``) against what makes and teaches the book (``bookkit``).

Readers pip-install ``helpers`` in every Colab setup cell; the build, reader-notebook, PDF,
nbgrader and chapter-running tools stay in the repository. These checks read the source, so
they run in ``make check``; ``tests/test_install.py`` checks the built wheel itself.
"""
from __future__ import annotations

import ast
import json
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Imported by the book's tooling only; a reader's runtime has none of them.
#: (``helpers.glue`` uses myst-nb's glue when a build provides it, and works without it.)
TOOLING = ("bookkit", "sphinx", "jupyter_book", "nbgrader", "pypdf", "playwright", "nbformat",
           "nbclient", "jupyter_cache")


def imported_roots(source: str) -> set[str]:
    """The top-level names of every module ``source`` imports (absolute imports only)."""
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", sorted((ROOT / "helpers").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_helpers_imports_none_of_the_book_tooling(path):
    found = imported_roots(path.read_text()) & set(TOOLING)
    assert not found, f"{path.relative_to(ROOT)} imports {sorted(found)}, which readers lack"


@pytest.mark.parametrize("notebook", sorted((ROOT / "book").glob("*.ipynb")), ids=lambda p: p.stem)
def test_chapters_import_none_of_the_book_tooling(notebook):
    found = set()
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] == "code":
            lines = "".join(cell["source"]).splitlines()
            # IPython's ! and % lines are not Python: a `pass` keeps their block
            python = [line[: len(line) - len(line.lstrip())] + "pass"
                      if line.lstrip().startswith(("!", "%")) else line for line in lines]
            found |= imported_roots("\n".join(python)) & set(TOOLING)
    assert not found, f"{notebook.name} imports {sorted(found)}"


def test_the_package_ships_helpers_alone():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    assert include == ["helpers*"], f"the wheel must hold helpers only, includes {include}"
    assert not (ROOT / "helpers" / "book").exists() and not (ROOT / "helpers" / "teach").exists()


def test_the_detector_sees_an_import_of_the_tooling():
    assert imported_roots("import bookkit.teach\nfrom sphinx.util import logging\n") >= {
        "bookkit", "sphinx"}
    assert imported_roots("from . import train\n") == set()


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module → the modules of the same package it imports, anywhere in its code (an
    import inside a function is still an arrow)."""
    modules = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    graph = {}
    for name, (path, is_package) in modules.items():
        here = name.split(".") if is_package else name.split(".")[:-1]
        arrows = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(here[:len(here) - node.level + 1] + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                           for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            arrows |= {t for t in targets if t in modules and t != name}
        graph[name] = arrows
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle, as the path that closes it."""
    found = []
    for start in graph:
        stack = [[start]]
        while stack:
            path = stack.pop()
            for target in graph[path[-1]]:
                if target == start:
                    found.append(path + [start])
                elif target not in path and target > start:  # each circle once
                    stack.append(path + [target])
    return found


@pytest.mark.parametrize("package", ["helpers", "bookkit"])
def test_imports_point_one_way(package):
    """No import circles: each module can be read, and tested, after the ones it uses."""
    found = circles(import_graph(ROOT / package))
    assert not found, "import circles: " + "; ".join(" → ".join(c) for c in found)


def test_the_circle_finder_finds_a_circle_through_a_function_level_import(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from .b import thing\n")
    (package / "b.py").write_text("def f():\n    from . import a\n")
    (package / "c.py").write_text("from pkg import a\n")
    assert import_graph(package) == {"pkg": set(), "pkg.a": {"pkg.b"}, "pkg.b": {"pkg.a"},
                                     "pkg.c": {"pkg.a"}}
    assert circles(import_graph(package)) == [["pkg.a", "pkg.b", "pkg.a"]]


def test_modules_stay_short_enough_to_read():
    lengths = {str(p.relative_to(ROOT)): len(p.read_text().splitlines())
               for package in ("helpers", "bookkit") for p in (ROOT / package).rglob("*.py")}
    too_long = {path: n for path, n in lengths.items() if n > 400}
    assert not too_long, f"over 400 lines: split by role, {too_long}"
