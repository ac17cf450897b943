"""The book's structure: table of contents, clean notebooks, one repository URL, one list of needs."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def chapter_notebooks() -> list[Path]:
    return sorted(BOOK.glob("*.ipynb"))


def test_every_toc_entry_exists():
    for entry in toc_files():
        matches = [p for p in (ROOT / (entry + ext) for ext in (".ipynb", ".md")) if p.exists()]
        assert matches, f"_toc.yml lists {entry!r} but neither {entry}.ipynb nor {entry}.md exists"


def test_every_notebook_is_in_the_toc():
    listed = set(toc_files())
    for notebook in chapter_notebooks():
        entry = str(notebook.relative_to(ROOT).with_suffix(""))
        assert entry in listed, f"{notebook.name} is not listed in _toc.yml"


def _tracked_notebooks() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return chapter_notebooks()
    return [ROOT / p for p in out] or chapter_notebooks()


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(notebook):
    """Outputs belong to the build; a cell keeps its output only for nbval to compare."""
    cells = json.loads(notebook.read_text())["cells"]
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code" or cell.get("metadata", {}).get("keep_output"):
            continue
        assert not cell.get("outputs"), f"{notebook.name} cell {index} has outputs; run make clean-notebooks"
        assert cell.get("execution_count") is None, f"{notebook.name} cell {index} has an execution count"


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.name)
def test_every_cell_has_its_own_id(notebook):
    """nbformat 4.5 gives every cell an id: the student copies and nbgrader find cells by
    it, and a cell without one warns in every tool that reads the chapter."""
    book = json.loads(notebook.read_text())
    ids = [cell.get("id") for cell in book["cells"]]
    assert (book["nbformat"], book["nbformat_minor"]) >= (4, 5), notebook.name
    missing = [index for index, cell_id in enumerate(ids) if not cell_id]
    assert not missing, f"{notebook.name}: cells {missing} have no id"
    assert len(set(ids)) == len(ids), f"{notebook.name}: cell ids repeat"


def _repository_url() -> str:
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def _version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.name)
def test_setup_cell_installs_the_pinned_release_from_the_configured_repository(notebook):
    """Colab installs the helpers of the book's own version, not whatever main is today."""
    cells = [c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    first = "".join(cells[0]["source"])
    urls = re.findall(r"git\+(\S+?)[\"']", first)
    expected = f"{_repository_url()}@v{_version()}"
    assert urls == [expected], (
        f"{notebook.name}: the setup cell must install helpers from {expected} "
        f"(_config.yml repository.url, pyproject.toml version); found {urls}")
    assert "helpers.start(" in first
    assert "sys.path" not in json.dumps(cells), f"{notebook.name} touches sys.path"


def test_package_version_is_written_once():
    import helpers

    assert helpers.__version__ == _version()


def _requirement_name(text: str) -> str:
    return re.split(r"[<>=!~\[ ;]", text.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_runtime_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_requirement_name(d) for d in project["dependencies"]}
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed = set()
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            listed |= {_requirement_name(p) for p in entry.get("pip", []) if not p.startswith("-")}
        else:
            listed.add(_requirement_name(entry))
    listed -= {"python", "pip"}
    missing = wanted - listed
    assert not missing, f"environment.yml lacks {sorted(missing)} that pyproject.toml needs"
    # Besides the runtime, environment.yml may carry tools of the `book` extra (Binder builds
    # the book from it), but nothing that pyproject.toml does not name.
    book = {_requirement_name(d) for d in project["optional-dependencies"]["book"]}
    # One Keras backend, the default one, as pyproject.toml's `tensorflow` extra bounds it.
    backend = project["optional-dependencies"]["tensorflow"]
    assert {_requirement_name(d) for d in backend} <= listed, "environment.yml has no backend"
    pip = next(e for e in environment["dependencies"] if isinstance(e, dict))["pip"]
    assert set(backend) <= set(pip), f"environment.yml's TensorFlow is not {backend}"
    backends = {_requirement_name(d) for extra in ("tensorflow", "jax", "torch")
                for d in project["optional-dependencies"][extra]}
    runtime_extra = listed - wanted - book - backends
    assert not runtime_extra, f"environment.yml lists {sorted(runtime_extra)} that pyproject.toml does not"
    assert {"jupyter-book", "sphinxcontrib-bibtex"} <= listed, "environment.yml cannot build the book"


def _readme_commands() -> list[list[str]]:
    """The command lines of the README's "Two commands" block, comments dropped."""
    section = (ROOT / "README.md").read_text().split("## Two commands", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line.split("#", 1)[0].split() for line in block.splitlines() if line.split("#", 1)[0].strip()]


def _run_ci_with_a_fake_make(tmp_path, fail_on: str = "") -> tuple[subprocess.CompletedProcess, list[list[str]]]:
    """Run .ci/run with `make` (and `chromium`) replaced by scripts that record their arguments."""
    fake = tmp_path / "bin"
    fake.mkdir()
    log = tmp_path / "make.log"
    # `make -n` (.ci/guarantees.py reading the recipes) goes to the real make; the rest is logged.
    (fake / "make").write_text(f"""#!/bin/sh
if [ "$1" = "-n" ]; then exec {shutil.which("make")} "$@"; fi
echo "$BOOK_PROFILE $*" >> {log}
[ "$1" != "{fail_on}" ]
""")
    (fake / "chromium").write_text("#!/bin/sh\n")
    for script in fake.iterdir():
        script.chmod(0o755)
    env = {"PATH": f"{fake}:/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(["bash", str(ROOT / ".ci" / "run")], env=env, capture_output=True, text=True,
                            timeout=60)
    calls = [line.split() for line in log.read_text().splitlines()] if log.exists() else []
    return result, calls


def test_ci_runs_the_readme_commands_in_the_ci_profile(tmp_path):
    """CI is what the README promises a reader: its two commands, run as written."""
    commands = _readme_commands()
    assert ["make", "book"] in commands and ["make", "test"] in commands, commands
    result, calls = _run_ci_with_a_fake_make(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    run = [["make", *call[1:]] for call in calls]
    assert {call[0] for call in calls} == {"ci"}, f"CI must run every step with BOOK_PROFILE=ci: {calls}"
    missing = [command for command in commands if command not in run]
    assert not missing, f"CI runs {run}, not the README's {missing}"


def test_ci_stops_at_the_first_failing_command(tmp_path):
    result, calls = _run_ci_with_a_fake_make(tmp_path, fail_on="test")
    assert result.returncode != 0
    assert [call[1:] for call in calls] == [["test"]], f"CI went on after make test failed: {calls}"


#: Words about how the book was made, which mean nothing to a reader ("the seed's model" reads
#: as the random seed): name the model or the paper instead.
PROJECT_HISTORY = re.compile(r"\bthe seed(?:'s| of this| skipped)|\bseed(?:'s)? model\b|\bwe hoped\b"
                             r"|when we planned|while writing (?:it|this)", re.IGNORECASE)
#: A profile's name in prose is a claim about one run beside numbers that may come from another
#: ("the short training of the `ci` profile" on a page built in the laptop profile). Glue what
#: depends on the run; the profiles themselves are described in the appendix on running the book.
PROFILE_NAMES = re.compile(r"`(?:ci|laptop|full)`|\b(?:ci|laptop|full)`?(?:\s+and\s+`?(?:ci|laptop|full)`?)?"
                           r"\s+profiles?\b", re.IGNORECASE)
GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`[^`]*`")


def _prose(cell: dict) -> str:
    """A cell's words as the reader sees them: markdown, figure caption and alt text."""
    text = "".join(cell["source"]) if cell["cell_type"] == "markdown" else ""
    return text + json.dumps(cell.get("metadata", {}).get("mystnb", {}), ensure_ascii=False)


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.name)
def test_prose_speaks_of_autoencoders_not_of_how_the_book_was_made(notebook):
    found = []
    for index, cell in enumerate(json.loads(notebook.read_text())["cells"]):
        found += [f"cell {index}: {m.group(0)!r}" for m in PROJECT_HISTORY.finditer(_prose(cell))]
    assert not found, f"{notebook.name}: " + "; ".join(found)


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.name)
def test_prose_names_no_profile_but_glues_what_depends_on_the_run(notebook):
    found = []
    for index, cell in enumerate(json.loads(notebook.read_text())["cells"]):
        text = GLUE_ROLE.sub("", _prose(cell))
        found += [f"cell {index}: {m.group(0)!r}" for m in PROFILE_NAMES.finditer(text)]
    assert not found, f"{notebook.name}: " + "; ".join(found)


@pytest.mark.parametrize("sentence", [
    "at 32 values the short training of the `ci` profile does not settle",
    "It runs in the `laptop` and `full` profiles, or when",
    "### The MNIST benchmark (full profile)",
    "the laptop profile trains longer",
])
def test_profile_names_in_prose_are_caught(sentence):
    assert PROFILE_NAMES.search(sentence)


@pytest.mark.parametrize("sentence", [
    "the {glue:text}`vae_profile` run", "full MNIST", "the book's CI points it at a folder",
    "on a laptop CPU", "`run.pick(ci=4, laptop=15, full=30)`", "the quickest profile stays fast",
])
def test_ordinary_words_are_not_profile_names(sentence):
    assert not PROFILE_NAMES.search(GLUE_ROLE.sub("", sentence))


def _chapters_with_exercises() -> list[Path]:
    from bookkit.teach.exercises import NOT_CHAPTERS

    return [p for p in chapter_notebooks()
            if p.stem not in NOT_CHAPTERS and not p.stem.startswith("appendix")]


@pytest.mark.parametrize("notebook", _chapters_with_exercises(), ids=lambda p: p.name)
def test_every_exercise_has_a_hint_and_the_chapter_one_challenge_with_a_rubric(notebook):
    """Hint before each solution, one open challenge after the exercises, its rubric right after
    (CONTRIBUTING.md, Exercises)."""
    import nbformat

    from bookkit.teach.validate import scaffold_problems

    problems = scaffold_problems(nbformat.read(notebook, as_version=4))
    assert not problems, f"{notebook.name}:\n  " + "\n  ".join(problems)


_LOADS = re.compile(r"load_(?:sample|dataset)\(\s*\\?[\"'](mnist|notmnist|glyphs)\\?[\"']")
# A load through a variable (`load_sample(name, ...)` over a dict or list of set names)
# loads every set that the same cell names in quotes.
_LOADS_THROUGH_A_NAME = re.compile(r"load_(?:sample|dataset)\(\s*[A-Za-z_]")
_SET_NAME = re.compile(r"[\"'](mnist|notmnist|glyphs)[\"']")
_DOC_TARGET = re.compile(r"\{doc\}`[^`<]*<([^>`]+)>`")


def _chapters_by_set_in_the_data_table() -> dict[str, set[str]]:
    """The data chapter's "Which chapter uses which" table: set name -> linked chapters."""
    cells = json.loads((BOOK / "data.ipynb").read_text())["cells"]
    table = next("".join(c["source"]) for c in cells
                 if "".join(c["source"]).startswith("## Which chapter uses which"))
    rows = {}
    for line in table.splitlines():
        match = re.match(r"\|\s*`(\w+)`\s*\|(.*)\|\s*$", line)
        if match:
            rows[match[1]] = set(_DOC_TARGET.findall(match[2]))
    return rows


def test_the_data_chapters_table_names_every_chapter_that_loads_each_set():
    loaded: dict[str, set[str]] = {}
    for notebook in chapter_notebooks():
        if notebook.stem == "data":
            continue
        names = set(_LOADS.findall(notebook.read_text()))
        for cell in json.loads(notebook.read_text())["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and _LOADS_THROUGH_A_NAME.search(source):
                names |= set(_SET_NAME.findall(source))
        for name in names:
            loaded.setdefault(name, set()).add(notebook.stem)
    table = _chapters_by_set_in_the_data_table()
    assert set(table) == set(loaded), (sorted(table), sorted(loaded))
    for name in loaded:
        assert table[name] == loaded[name], (
            f"data.ipynb's table for {name!r}: missing {sorted(loaded[name] - table[name])}, "
            f"extra {sorted(table[name] - loaded[name])}")
