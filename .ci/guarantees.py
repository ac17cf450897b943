#!/usr/bin/env python3
"""What `.ci/run` guarantees, and the step that gives each guarantee.

`.ci/run` runs this first: it prints each guarantee beside the step and the tests that give
it, and exits 1, naming the guarantee, when a step that gives one is gone. A guarantee is
kept by

- a `make` target that `.ci/run` calls;
- words that target's recipe must hold (`make -n -B TARGET`: what runs, in which profile);
- tests that must exist, not be skipped outright, and be selected by a pytest command of that
  recipe (its paths and its `-m` marker expression);
- functions those tests must call (a test that stopped doing what the guarantee needs).

Read statically (no venv, no pytest, no import of the book's code), so it takes a second and a
removed step fails before the long ones start. Why not collect with pytest: collection imports
every test module, Keras included (about 20 s), and needs the venv that `make test` creates.
tests/test_ci_guarantees.py removes each step in turn and shows that its guarantee fails.
"""
from __future__ import annotations

import ast
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Step:
    """``make target``, called by `.ci/run`, whose recipe has a line with every word in
    ``words`` (and none of ``never``), and whose pytest commands select ``tests``, each of
    which calls every function named in ``calls``."""

    target: str
    words: tuple[str, ...] = ()
    never: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    chapters: bool = False  #: a pytest command runs every chapter's cells under nbval
    calls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Guarantee:
    what: str
    steps: tuple[Step, ...] = field(default_factory=tuple)


BROWSER = "tests/test_browser.py::"
GUARANTEES = (
    Guarantee(
        "every chapter executed with every lesson assert, in the ci profile, "
        "on the newest versions the package allows",
        (Step("test", words=("-m pytest", " book ", "--nbval-lax"),
              never=("BOOK_SMOKE", "BOOK_PROFILE="), chapters=True,
              # a lesson that fails stops the chapter under nbval (it only notes in a reader's)
              tests=("tests/test_lessons.py::"
                     "test_a_readers_edit_ends_in_a_note_and_the_same_edit_fails_under_nbval",)),
         Step("test", words=("pip install", '-e ".[tensorflow,book,test]"'),
              never=(" -c ", "--constraint", " -r "))),
    ),
    Guarantee(
        "every chapter run on Colab's package versions, through its own setup cell, "
        "with nothing preinstalled changed",
        (Step("colab", words=("-m pytest", "tests/test_colab.py"),
              tests=("tests/test_colab.py::test_chapter_runs_to_the_end_in_a_colab_like_runtime",
                     "tests/test_colab.py::"
                     "test_installing_the_book_changes_no_preinstalled_package")),),
    ),
    Guarantee(
        "no raw MyST in the reader copy",
        (Step("test", tests=(
            "tests/test_reader.py::test_no_myst_is_left_in_any_markdown_cell_or_paragraph",)),),
    ),
    Guarantee(
        "every chapter run with the full profile's data, sizes and shapes",
        (Step("colab", words=("BOOK_PROFILE=full", "BOOK_SMOKE=1", "tests/test_colab.py"),
              tests=("tests/test_colab.py::test_chapter_runs_to_the_end_in_a_colab_like_runtime",)),),
    ),
    Guarantee(
        "the strict book build (the README's make book)",
        (Step("book", words=("jupyter-book build", " -W")),
         Step("test", tests=("tests/test_book.py::test_plumbing_cells_are_removed_from_the_page",))),
    ),
    Guarantee(
        "the browser and accessibility tests and the page weights",
        (Step("test", tests=(
            BROWSER + "test_page_loads_with_no_failed_request_or_console_error",
            BROWSER + "test_no_accessibility_violations_at_levels_a_and_aa",
            BROWSER + "test_page_weighs_at_most_500_kb",
            BROWSER + "test_every_static_slider_changes_the_picture",
            BROWSER + "test_book_opens_from_file_url_with_no_network")),),
    ),
    Guarantee(
        "the nbgrader round trip",
        (Step("test", tests=(
            "tests/test_teach.py::test_nbgrader_round_trip_on_a_real_chapter",
            "tests/test_teach.py::"
            "test_nbgrader_gives_the_solutions_full_marks_and_the_blank_release_zero")),),
    ),
    Guarantee(
        "the student versions",
        (Step("test", tests=(
            "tests/test_teach.py::test_student_command_writes_every_notebook",
            "tests/test_teach.py::test_student_version_keeps_no_solution_text",
            "tests/test_teach.py::"
            "test_chapter_student_version_stops_when_checked_and_runs_on_for_a_student")),),
    ),
    Guarantee(
        "every chapter's student copy runs to the end with every exercise unanswered",
        # make colab runs each reader notebook with the student copy's stubs in force
        # (tests/test_student_copies.py says why there); make test checks that this run
        # is the student copy's run, and that a crash after an exercise fails it
        (Step("colab", words=("-m pytest", "tests/test_colab.py"),
              tests=("tests/test_colab.py::test_chapter_runs_to_the_end_in_a_colab_like_runtime",),
              calls=("with_every_exercise_unanswered", "checks_that_saw_an_answer")),
         Step("test", tests=(
             "tests/test_student_copies.py::test_a_cell_that_uses_an_unanswered_answer_fails_the_run",
             "tests/test_student_copies.py::test_a_student_cell_binds_every_name_its_solution_binds",
             "tests/test_student_copies.py::test_every_reader_notebook_takes_the_stubs"))),
    ),
    Guarantee(
        "the reader notebooks",
        (Step("test", tests=(
            "tests/test_reader.py::test_notebook_is_valid_asks_for_a_gpu_and_has_no_outputs",
            "tests/test_reader.py::test_the_real_book_serves_reader_copies")),),
    ),
    Guarantee(
        "the workflow lint",
        (Step("test", tests=("tests/test_workflows.py::test_every_workflow_passes_actionlint",)),),
    ),
)


# ------------------------------------------------------------------------------------------
# Reading .ci/run, the Makefile and the tests

def ci_targets(root: Path) -> list[str]:
    """The `make` targets `.ci/run` calls, in order (comments left out)."""
    targets = []
    for line in (root / ".ci" / "run").read_text().splitlines():
        code = re.sub(r'"[^"]*"', '""', line.split("#", 1)[0])  # not a step's quoted name
        targets += re.findall(r"(?<![\w-])make\s+([A-Za-z][\w-]*)", code)
    return targets


def ci_profile(root: Path) -> str | None:
    found = re.search(r"^\s*export\s+BOOK_PROFILE=(\w+)", (root / ".ci" / "run").read_text(), re.M)
    return found.group(1) if found else None


def recipe(root: Path, target: str) -> list[str]:
    """The command lines ``make -n -B target`` prints (every line, as if nothing were built)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTEST_ARGS", "MAKEFLAGS", "MFLAGS")}
    result = subprocess.run(["make", "-n", "-B", "--no-print-directory", target], cwd=root,
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        return []
    joined = result.stdout.replace("\\\n", " ")  # a recipe line continued with a backslash
    return [" ".join(line.split()) for line in joined.splitlines() if line.strip()]


@dataclass
class PytestCommand:
    env: dict[str, str]
    paths: list[str]
    markers: str | None
    keyword: str | None
    nbval: bool


def pytest_commands(lines: list[str]) -> list[PytestCommand]:
    """The pytest commands in recipe lines: their VAR=value prefixes, paths, -m and -k."""
    commands = []
    segments = [part for line in lines for part in re.split(r";|\|\||&&", line)]
    for segment in segments:
        if "-m pytest" not in segment:
            continue
        words = shlex.split(segment)
        env = {}
        for word in words:
            if re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", word):
                name, value = word.split("=", 1)
                env[name] = value
        after = words[words.index("pytest") + 1:] if "pytest" in words else []
        paths, markers, keyword, skip = [], None, None, False
        for index, word in enumerate(after):
            if skip:
                skip = False
                continue
            if word in ("-m", "-k", "-p", "--durations", "--durations-min", "-n", "--dist"):
                value = after[index + 1] if index + 1 < len(after) else ""
                if word == "-m":
                    markers = value
                elif word == "-k":
                    keyword = value
                skip = True
            elif not word.startswith("-"):
                paths.append(word.rstrip("/"))
        commands.append(PytestCommand(env, paths, markers, keyword,
                                      nbval=any(w.startswith("--nbval") for w in after)))
    return commands


def _mark_names(node: ast.AST) -> set[str]:
    """Marker names in ``pytest.mark.X`` / ``pytest.mark.X(...)`` expressions under node."""
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Attribute) \
                and sub.value.attr == "mark":
            names.add(sub.attr)
    return names


def test_marks(root: Path, test: str) -> set[str] | str:
    """The markers of ``path::function`` read from its module (a str: what is wrong)."""
    path, _, name = test.partition("::")
    file = root / path
    if not file.exists():
        return f"{path} does not exist"
    tree = ast.parse(file.read_text())
    module_marks = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
            module_marks |= _mark_names(node.value)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            marks = set(module_marks)
            for decorator in node.decorator_list:
                marks |= _mark_names(decorator)
            if "skip" in marks:
                return f"{test} is skipped outright"
            if "built_book" in [a.arg for a in node.args.args]:
                marks |= {"build", "built_book"}  # conftest.py marks the book's readers
            return marks
    return f"{test} is not defined"


def test_calls(root: Path, test: str) -> set[str]:
    """The names ``path::function`` calls (``f(...)`` or ``x.f(...)``) in its body."""
    path, _, name = test.partition("::")
    for node in ast.parse((root / path).read_text()).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return {sub.func.id if isinstance(sub.func, ast.Name) else sub.func.attr
                    for sub in ast.walk(node) if isinstance(sub, ast.Call)
                    and isinstance(sub.func, (ast.Name, ast.Attribute))}
    return set()


def selects(expression: str | None, marks: set[str]) -> bool:
    """Whether pytest's ``-m expression`` selects a test with these markers."""
    if not expression:
        return True
    if not re.fullmatch(r"[\w\s()]+", expression):
        raise ValueError(f"cannot read the marker expression {expression!r}")
    names = {w for w in re.findall(r"\w+", expression) if w not in ("and", "or", "not")}
    return bool(eval(expression, {"__builtins__": {}}, {n: n in marks for n in names}))


def _under(test_path: str, paths: list[str]) -> bool:
    return any(test_path == p or test_path.startswith(p + "/") for p in paths)


# ------------------------------------------------------------------------------------------
# The check

def problems(root: Path = ROOT) -> dict[str, list[str]]:
    """Guarantee -> what is missing (an empty list where the guarantee is kept)."""
    called = ci_targets(root)
    recipes: dict[str, list[str]] = {}
    found = {}
    for guarantee in GUARANTEES:
        missing = []
        for step in guarantee.steps:
            if step.target not in called:
                missing.append(f".ci/run does not call make {step.target}")
                continue
            lines = recipes.setdefault(step.target, recipe(root, step.target))
            if not lines:
                missing.append(f"make -n {step.target} prints no recipe")
                continue
            if step.words and not any(
                    all(w in f" {line} " for w in step.words)
                    and not any(n in line for n in step.never) for line in lines):
                missing.append(f"no line of make {step.target} has {' '.join(step.words)!r}"
                               + (f" without {', '.join(step.never)}" if step.never else ""))
            commands = pytest_commands(lines)
            if step.chapters and not any(
                    "book" in c.paths and c.nbval and selects(c.markers, {"notebook"})
                    and not c.keyword for c in commands):
                missing.append(f"no pytest command of make {step.target} runs book/ under "
                               "nbval with the chapters' cells (marker notebook) selected")
            for test in step.tests:
                marks = test_marks(root, test)
                if isinstance(marks, str):
                    missing.append(marks)
                    continue
                file = test.split("::")[0]
                if not any(_under(file, c.paths) and selects(c.markers, marks) and not c.keyword
                           for c in commands):
                    missing.append(f"no pytest command of make {step.target} selects {test} "
                                   f"(markers {sorted(marks)})")
                uncalled = [f for f in step.calls if f not in test_calls(root, test)]
                if uncalled:
                    missing.append(f"{test} no longer calls {', '.join(uncalled)}")
        if "in the ci profile" in guarantee.what and ci_profile(root) != "ci":
            missing.append(".ci/run does not export BOOK_PROFILE=ci")
        found[guarantee.what] = missing
    return found


def main() -> int:
    found = problems(ROOT)
    width = max(len(g.what) for g in GUARANTEES)
    print("What .ci/run guarantees, and the steps that give it:")
    for guarantee in GUARANTEES:
        steps = ", ".join(dict.fromkeys(f"make {s.target}" for s in guarantee.steps))
        mark = "ok" if not found[guarantee.what] else "MISSING"
        print(f"  {mark:<7} {guarantee.what[:width]}  <- {steps}")
        for problem in found[guarantee.what]:
            print(f"          {problem}")
    broken = [what for what, missing in found.items() if missing]
    if broken:
        print(f"{len(broken)} guarantee(s) lost their step: fix .ci/run, the Makefile or the "
              "tests, or change .ci/guarantees.py on purpose.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
