"""The GitHub workflows: valid (actionlint), current, least-privilege, one CI entry point.

GitHub itself is not needed: actionlint checks the syntax, the expressions, the inputs of each
action and whether an action still runs on a deprecated Node runtime; the rest is read from the
YAML. What only GitHub can show (runners, tokens, Pages) is left to the runs themselves.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))

# The actions the workflows may use, each with the oldest major version allowed: the first major
# that runs on Node 24 (Node 20 is deprecated on GitHub's runners). Newer majors, as Dependabot
# proposes them, pass; an action missing here must be added on purpose.
ALLOWED_ACTIONS = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/cache": 5,
    "actions/upload-artifact": 6,
    "actions/download-artifact": 7,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
}


def _load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as the boolean True.
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return workflow


def _workflow(name: str) -> dict:
    return _load(WORKFLOWS / name)


def _steps(workflow: dict):
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def _actionlint() -> str:
    """The actionlint binary: on PATH or beside this Python (the `test` extra installs it)."""
    found = shutil.which("actionlint") or shutil.which("actionlint", path=str(Path(sys.executable).parent))
    if not found:
        message = "actionlint not found: install the test extra (pip install -e '.[test]')"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def _run_actionlint(*files: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    # No shellcheck or pyflakes: the result must not depend on what else the machine has.
    return subprocess.run([_actionlint(), "-no-color", "-oneline", "-shellcheck=", "-pyflakes=",
                           *map(str, files)], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_the_workflows_are_there():
    names = {path.name for path in WORKFLOW_FILES}
    assert {"ci.yml", "gpu.yml", "pages.yml", "release.yml"} <= names, names


def test_every_workflow_passes_actionlint():
    result = _run_actionlint(*WORKFLOW_FILES)
    assert result.returncode == 0, f"actionlint found problems:\n{result.stdout}{result.stderr}"


def test_actionlint_fails_on_a_broken_workflow(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\n"
        "jobs:\n"
        "  test:\n"                                   # no runs-on
        "    steps:\n"
        "      - uses: actions/checkout@v7\n"
        "      - run: echo ${{ github.event.no_such_thing.title }}\n"
        "      - uses: actions/cache@v6\n"            # without its required key and path
    )
    result = _run_actionlint(broken, cwd=tmp_path)
    assert result.returncode != 0, "actionlint accepted a broken workflow"
    assert "runs-on" in result.stdout and "broken.yml" in result.stdout, result.stdout


def test_actionlint_flags_an_action_that_runs_on_a_deprecated_node(tmp_path):
    old = tmp_path / "old.yml"
    old.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - uses: actions/checkout@v4\n")
    result = _run_actionlint(old, cwd=tmp_path)
    assert result.returncode != 0 and "node20" in result.stdout, result.stdout


def _uses():
    for path in WORKFLOW_FILES:
        workflow = _load(path)
        for job_id, job in workflow["jobs"].items():
            if "uses" in job:
                yield path.name, job_id, job["uses"]
            for step in job.get("steps", []):
                if "uses" in step:
                    yield path.name, job_id, step["uses"]


def _hashed_patterns(text: str) -> list[str]:
    """The path patterns inside every ``hashFiles(...)`` of a workflow's text."""
    return [pattern for call in re.findall(r"hashFiles\(([^)]*)\)", text)
            for pattern in re.findall(r"'([^']+)'", call)]


def test_every_hashed_path_exists():
    """A cache key over a file that is gone hashes nothing, so the key never changes and the
    cache is never renewed (ci.yml once keyed the data cache on helpers/data.py after it moved)."""
    missing = [f"{path.name}: {pattern}" for path in WORKFLOW_FILES
               for pattern in _hashed_patterns(path.read_text())
               if not any(ROOT.glob(pattern.lstrip("/")))]
    assert not missing, f"hashFiles of paths that match no file: {missing}"


def test_a_hash_of_a_missing_path_is_caught():
    text = "key: data-${{ hashFiles('helpers/data.py', 'pyproject.toml') }}"
    assert _hashed_patterns(text) == ["helpers/data.py", "pyproject.toml"]
    assert not any(ROOT.glob("helpers/data.py")) and any(ROOT.glob("pyproject.toml"))


def test_every_action_is_allowed_and_pinned_to_a_current_major_version():
    problems = []
    for name, job_id, uses in _uses():
        action, _, ref = uses.partition("@")
        if action not in ALLOWED_ACTIONS:
            problems.append(f"{name} ({job_id}): {action} is not in ALLOWED_ACTIONS")
            continue
        match = re.fullmatch(r"v(\d+)", ref)
        if not match:
            problems.append(f"{name} ({job_id}): {uses} is not pinned to a major version (vN)")
        elif int(match.group(1)) < ALLOWED_ACTIONS[action]:
            problems.append(f"{name} ({job_id}): {uses} is older than v{ALLOWED_ACTIONS[action]}")
    assert list(_uses()), "no action found: the workflows were not read"
    assert not problems, "\n".join(problems)


def test_every_workflow_has_top_level_permissions_and_every_job_a_timeout():
    for path in WORKFLOW_FILES:
        workflow = _load(path)
        assert "permissions" in workflow, f"{path.name} has no top-level permissions"
        assert workflow["permissions"] != "write-all", path.name
        for job_id, job in workflow["jobs"].items():
            assert "timeout-minutes" in job, f"{path.name}: job {job_id} has no timeout-minutes"


def test_write_permissions_only_in_the_jobs_that_need_them():
    writes = set()
    for path in WORKFLOW_FILES:
        workflow = _load(path)
        scopes = [(None, workflow.get("permissions"))]
        scopes += [(job_id, job.get("permissions")) for job_id, job in workflow["jobs"].items()]
        for job_id, permissions in scopes:
            if isinstance(permissions, dict):
                writes |= {(path.name, job_id, scope) for scope, level in permissions.items()
                           if level == "write"}
            else:
                assert permissions in (None, {}), f"{path.name} {job_id}: permissions {permissions!r}"
    assert writes == {
        ("pages.yml", "deploy", "pages"),
        ("pages.yml", "deploy", "id-token"),
        ("pages.yml", "colab", "contents"),
        ("release.yml", "release", "contents"),
    }


def test_ci_runs_the_one_entry_point_with_read_only_permissions():
    ci = _workflow("ci.yml")
    runs = [step["run"].strip() for _, step in _steps(ci) if "run" in step]
    assert "bash .ci/run" in runs, runs
    assert not [r for r in runs if re.search(r"\bmake\b|\bpytest\b|jupyter-book", r)], \
        f"ci.yml runs tests outside .ci/run: {runs}"
    assert ci["permissions"] == {"contents": "read"}
    assert set(ci["on"]) >= {"push", "pull_request"}


def test_ci_cancels_superseded_pull_request_runs_only():
    concurrency = _workflow("ci.yml")["concurrency"]
    assert "pull_request.number" in concurrency["group"]
    assert concurrency["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


def _caches(workflow):
    return {step["with"]["path"]: step["with"]["key"] for _, step in _steps(workflow)
            if step.get("uses", "").startswith("actions/cache@")}


def test_ci_caches_pip_the_data_and_the_executed_notebooks():
    caches = _caches(_workflow("ci.yml"))
    assert "hashFiles('pyproject.toml')" in caches["~/.cache/pip"]
    assert "~/.cache/autoencoders-hands-on" in caches
    notebooks = caches["_build/.jupyter_cache"]
    for pattern in ("book/**", "helpers/**", "pyproject.toml"):
        assert pattern in notebooks, notebooks


def test_ci_keeps_the_built_book_of_a_pull_request():
    uploads = [step for _, step in _steps(_workflow("ci.yml"))
               if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert len(uploads) == 1 and uploads[0]["with"]["path"] == "_build/html"
    assert "pull_request" in uploads[0]["if"]


def test_gpu_workflow_skips_with_a_notice_when_no_gpu_runner_is_configured():
    gpu = _workflow("gpu.yml")
    assert set(gpu["on"]) == {"push", "workflow_dispatch"} and gpu["on"]["push"]["branches"] == ["main"]
    first = gpu["jobs"]["runner"]
    assert first["runs-on"] == "ubuntu-latest"
    script = first["steps"][0]["run"]
    assert "::notice" in script and "GITHUB_OUTPUT" in script
    assert "vars.GPU_RUNNER_LABEL" in first["steps"][0]["env"]["LABEL"]
    full = gpu["jobs"]["full"]
    assert full["needs"] == "runner" and "needs.runner.outputs.label" in full["if"]


def test_gpu_workflow_runs_nbval_in_the_full_profile_in_the_pinned_tensorflow_image():
    full = _workflow("gpu.yml")["jobs"]["full"]
    assert full["container"]["image"] == "tensorflow/tensorflow:2.20.0-gpu"
    assert "--gpus all" in full["container"]["options"]
    assert full["env"]["BOOK_PROFILE"] == "full" and full["timeout-minutes"] <= 360
    runs = " ".join(step.get("run", "") for step in full["steps"])
    assert 'pip install -e ".[book,test]"' in runs
    assert "pytest book" in runs and "--nbval-lax" in runs
    assert "jupyter-book build . -W --keep-going" in runs
    assert "~/.cache/pip" in _caches({"jobs": {"full": full}})
    uploads = {step["with"]["name"]: step["with"]["path"] for step in full["steps"]
               if step.get("uses", "").startswith("actions/upload-artifact@")}
    assert uploads["book-html-full"] == "_build/html"


def test_pages_deploys_the_gpu_book_when_there_is_one_and_builds_on_cpu_otherwise():
    pages = _workflow("pages.yml")
    assert pages["on"]["push"]["branches"] == ["main"]
    assert pages["on"]["workflow_run"]["workflows"] == [_workflow("gpu.yml")["name"]]
    steps = pages["jobs"]["build"]["steps"]
    downloads = [s for s in steps if s.get("uses", "").startswith("actions/download-artifact@")]
    assert any(s["with"]["name"] == "book-html-full" and "run-id" in s["with"] for s in downloads)
    assert any(s.get("run") == "make book" for s in steps)
    assert (ROOT / ".github" / "scripts" / "gpu-book-run.sh").is_file()


def test_pages_publishes_the_reader_notebooks_to_the_colab_branch():
    colab = _workflow("pages.yml")["jobs"]["colab"]
    assert colab["permissions"] == {"contents": "write"}
    script = " ".join(step.get("run", "") for step in colab["steps"])
    assert "origin HEAD:colab" in script
    build = _workflow("pages.yml")["jobs"]["build"]
    assert any(s.get("with", {}).get("path") == "_build/reader" for s in build["steps"])


def test_release_on_a_tag_attaches_the_pdf():
    release = _workflow("release.yml")
    assert release["on"] == {"push": {"tags": ["v*"]}}
    job = release["jobs"]["release"]
    runs = " ".join(step.get("run", "") for step in job["steps"])
    assert "python -m bookkit.publish.pdf _build/html" in runs
    assert "gh release create" in runs and '"$PDF"' in runs
    assert "release_notes.py" in runs


def test_dependabot_updates_the_actions_and_pip_weekly():
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text())
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(updates) == {"github-actions", "pip"}
    assert all(u["schedule"]["interval"] == "weekly" for u in updates.values())


def _fake_gh(tmp_path: Path, runs: str, artifacts: dict[str, str]) -> dict:
    """A `gh` that answers the two API calls of gpu-book-run.sh from the given text."""
    cases = "".join(f"  *runs/{run}/artifacts*) printf '{out}' ;;\n" for run, out in artifacts.items())
    gh = tmp_path / "gh"
    gh.write_text(f"#!/usr/bin/env bash\ncase \"$2\" in\n  *workflows/gpu.yml/runs*) printf '{runs}' ;;\n"
                  f"{cases}esac\n")
    gh.chmod(0o755)
    return dict(os.environ, PATH=f"{tmp_path}:{os.environ['PATH']}", GITHUB_REPOSITORY="owner/repo")


def test_gpu_book_run_picks_the_newest_run_that_still_has_the_book(tmp_path):
    script = ROOT / ".github" / "scripts" / "gpu-book-run.sh"
    env = _fake_gh(tmp_path, runs="333\\n222\\n111\\n", artifacts={"333": "", "222": "9\\n", "111": "8\\n"})
    found = subprocess.run(["bash", str(script), "abc123"], env=env, capture_output=True, text=True)
    assert (found.returncode, found.stdout) == (0, "222\n"), found.stderr
    env = _fake_gh(tmp_path, runs="333\\n", artifacts={"333": ""})
    none = subprocess.run(["bash", str(script), "abc123"], env=env, capture_output=True, text=True)
    assert (none.returncode, none.stdout) == (0, ""), none.stderr


def test_backends_workflow_runs_every_chapter_on_jax_and_torch_on_each_push_to_main():
    backends = _workflow("backends.yml")
    assert backends["on"]["push"]["branches"] == ["main"]
    assert backends["permissions"] == {"contents": "read"}
    job = backends["jobs"]["chapters"]
    assert job["strategy"]["matrix"]["backend"] == ["jax", "torch"]
    assert job["env"]["KERAS_BACKEND"] == "${{ matrix.backend }}" and job["env"]["BOOK_PROFILE"] == "ci"
    runs = [step.get("run", "") for step in job["steps"]]
    assert "make test-backend BACKEND=${{ matrix.backend }} NICE=" in runs
    assert "make build-backend BACKEND=jax NICE=" in runs
    # the same make targets a developer runs, installed from the project's extras
    makefile = (ROOT / "Makefile").read_text()
    assert 'pip install --quiet -e ".[$*,test]"' in makefile
    assert "download.pytorch.org/whl/cpu" in makefile
