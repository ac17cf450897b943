"""Every chapter, one after the other, on the Keras backend that KERAS_BACKEND names.

The Makefile's ``test-backend``, ``backends`` and ``full-gpu`` run it. Each chapter is
executed as nbval executes it (``pytest book --nbval-lax``: one kernel, the cells in
order, the chapter's folder as working directory), and it fails on

- an error in any cell, so every hidden lesson ``assert`` must hold (outside a smoke
  run);
- any output on stderr, which the strict build (``-W``, myst-nb's ``remove-warn``) and
  nbgrader also fail on.

For each chapter it records the seconds, the lesson asserts it checked, and every number
the chapter glued; the executed notebooks and ``results.json`` go to ``--out``.
``--targets`` also prints the full profile's numbers against the targets the chapters
quote. ``--compare A.json B.json ...`` prints the glued numbers of several runs side by
side.

    KERAS_BACKEND=jax BOOK_PROFILE=ci python -m bookkit.run_chapters --out DIR
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

from helpers import config

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"

#: The full profile's targets the chapters quote: (chapter, what, how to read it, test).
TARGETS = (
    ("encoder", "dense AE-32 held-out MSE", "encoder_dense32_mse", "<=", 0.010),
    ("denoising", "DAE sigma=0.5 PSNR on MNIST (dB)", "mnist_dae_psnr_db", ">=", 21.0),
    ("vae", "VAE 2-d latent held-out -ELBO (nats)", "vae_neg_elbo_nats", "<=", 145.0),
)

#: The last cell the runner adds to a chapter: every glued number, and the denoising
#: chapter's MNIST result (glued as a sentence only).
_COLLECT = """
import json as _json
from helpers import glue as _glue
_numbers = {k: v for k, v in _glue.values.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)}
_result = globals().get("mnist_result")
if isinstance(_result, dict) and "DAE PSNR (dB)" in _result:
    _numbers["mnist_dae_psnr_db"] = float(_result["DAE PSNR (dB)"])
print("BOOK-GLUED " + _json.dumps(_numbers))
"""


def chapters() -> list[str]:
    """The chapters in reading order (_toc.yml), then any other notebook in book/."""
    import yaml

    order = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("file"), str):
                order.append(Path(node["file"]).stem)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    present = sorted(p.stem for p in BOOK.glob("*.ipynb"))
    return [c for c in order if c in present] + [c for c in present if c not in order]


def count_asserts(notebook) -> int:
    """The ``assert`` statements in the chapter's code cells (its checked lessons)."""
    total = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(
            "" if line.lstrip().startswith(("%", "!")) else line
            for line in cell.source.splitlines()
        )
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        total += sum(isinstance(node, ast.Assert) for node in ast.walk(tree))
    return total


def run_chapter(name: str, out: Path, timeout: int) -> dict:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = BOOK / f"{name}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    asserts = count_asserts(notebook)
    notebook.cells.append(nbformat.v4.new_code_cell(_COLLECT))
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(BOOK)}},
    )
    began = time.perf_counter()
    error = None
    try:
        client.execute()
    except CellExecutionError as failure:
        error = f"{failure.ename}: {failure.evalue}"[:500]
    except Exception as failure:  # a dead kernel, a timeout
        error = f"{type(failure).__name__}: {failure}"[:500]
    seconds = time.perf_counter() - began
    stderr, glued = [], {}
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") != "stream":
                continue
            if output.get("name") == "stderr":
                stderr.append(f"cell {index}: {output['text'].strip()[:300]}")
            for line in output.get("text", "").splitlines():
                if line.startswith("BOOK-GLUED "):
                    glued = json.loads(line[len("BOOK-GLUED ") :])
    notebook.cells.pop()
    nbformat.write(notebook, out / f"{name}.ipynb")
    return {
        "chapter": name,
        "seconds": round(seconds, 1),
        "asserts": asserts,
        "error": error,
        "stderr": stderr,
        "passed": error is None and not stderr,
        "glued": glued,
    }


def _versions() -> dict:
    from importlib import metadata

    found = {}
    for package in ("keras", "tensorflow", "jax", "jaxlib", "torch", "numpy"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return found


def _check(value, sense, bound) -> bool:
    return value <= bound if sense == "<=" else value >= bound


def print_targets(results: list[dict]) -> bool:
    by_chapter = {r["chapter"]: r for r in results}
    print("\nFull-profile numbers against the chapters' targets")
    print(f"| {'what':40} | {'value':>10} | target | met |")
    print(f"| {'-' * 40} | {'-' * 10} | ------ | --- |")
    met_all = True
    for chapter, what, key, sense, bound in TARGETS:
        value = by_chapter.get(chapter, {}).get("glued", {}).get(key)
        met = value is not None and _check(value, sense, bound)
        met_all &= met
        shown = "not run" if value is None else f"{value:.4g}"
        print(
            f"| {what:40} | {shown:>10} | {sense} {bound:g} "
            f"| {'yes' if met else 'NO'} |"
        )
    return met_all


def compare(paths: list[Path], tolerance: float) -> None:
    """The glued numbers of several runs, where they differ by more than
    ``tolerance``."""
    runs = [json.loads(Path(p).read_text()) for p in paths]
    names = [r["backend"] for r in runs]
    print(f"\n| chapter | {' | '.join(f'{n} s' for n in names)} | lessons |")
    print(f"| --- | {' | '.join('---' for _ in names)} | --- |")
    rows_of = {
        chapter: [
            next((c for c in r["chapters"] if c["chapter"] == chapter), None)
            for r in runs
        ]
        for chapter in runs[0]["order"]
    }
    for chapter, rows in rows_of.items():
        cells = [f"{row['seconds']:.0f}" if row else "-" for row in rows]
        held = [
            ("held" if row["passed"] else "FAILED") + f" ({row['asserts']})"
            if row
            else "-"
            for row in rows
        ]
        print(f"| {chapter} | {' | '.join(cells)} | {' / '.join(held)} |")
    print(f"\nGlued numbers that differ by more than {tolerance:.0%} (relative):")
    for chapter, rows in rows_of.items():
        if not all(rows):
            continue
        for key in sorted(rows[0]["glued"]):
            values = [row["glued"].get(key) for row in rows]
            if any(v is None for v in values):
                continue
            low, high = min(values), max(values)
            scale = max(abs(low), abs(high), 1e-12)
            if (high - low) / scale > tolerance and not math.isclose(low, high):
                shown = ", ".join(f"{n} {v:.4g}" for n, v in zip(names, values))
                print(f"  {chapter}.{key}: {shown}")


def cache_for_build(folder: Path, build_dir: Path) -> list[str]:
    """Put the chapters a run in ``folder`` passed into the book's jupyter-cache, under
    the execution key the build computes in this environment (as tests/conftest.py does
    for nbval's runs), so that ``jupyter-book build`` renders them instead of executing
    them again. A chapter whose code changed since is executed again by the build."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    from bookkit.publish.cache import cache_dir

    results = json.loads((folder / "results.json").read_text())
    if results["backend"] != config.get("KERAS_BACKEND"):
        raise SystemExit(
            f"{folder} ran on {results['backend']}: set KERAS_BACKEND to that backend"
        )
    # the build's _build folder: jupyter-book --path-output OUT builds into OUT/_build
    cache = get_cache(str(cache_dir(build_dir)))
    cached = []
    for chapter in results["chapters"]:
        if not chapter["passed"]:
            continue
        notebook = nbformat.read(folder / f"{chapter['chapter']}.ipynb", as_version=4)
        source = BOOK / f"{chapter['chapter']}.ipynb"
        cache.cache_notebook_bundle(
            CacheBundleIn(notebook, str(source)), check_validity=False, overwrite=True
        )
        cached.append(chapter["chapter"])
    print(f"cached for the build: {', '.join(cached)}")
    return cached


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "chapters", nargs="*", help="chapter names (default: every one)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "chapters")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    parser.add_argument("--targets", action="store_true", help="check the full targets")
    parser.add_argument("--compare", nargs="+", type=Path, metavar="RESULTS_JSON")
    parser.add_argument("--tolerance", type=float, default=0.02)
    parser.add_argument("--cache-for-build", type=Path, metavar="RUN_FOLDER")
    parser.add_argument("--build-dir", type=Path, default=ROOT / "_build")
    args = parser.parse_args(argv)
    if args.cache_for_build:
        cache_for_build(args.cache_for_build, args.build_dir)
        return 0
    if args.compare:
        compare(args.compare, args.tolerance)
        return 0
    os.environ.setdefault("BOOK_BUILD", "1")
    backend = config.get("KERAS_BACKEND")
    names = args.chapters or chapters()
    unknown = sorted(set(names) - set(chapters()))
    if unknown:
        parser.error(f"no chapter named {', '.join(unknown)} in {BOOK}")
    args.out.mkdir(parents=True, exist_ok=True)
    facts = {
        "backend": backend,
        "profile": config.get("BOOK_PROFILE") or "(by hardware)",
        "smoke": config.get("BOOK_SMOKE"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "versions": _versions(),
        "order": names,
        "chapters": [],
    }
    print(f"Keras backend {backend}, profile {facts['profile']}, {facts['versions']}")
    began = time.perf_counter()
    for name in names:
        result = run_chapter(name, args.out, args.timeout)
        facts["chapters"].append(result)
        state = "passed" if result["passed"] else "FAILED"
        print(
            f"{name:18} {result['seconds']:7.1f} s  {result['seconds'] / 60:5.1f} min  "
            f"{state}, {result['asserts']} lesson asserts",
            flush=True,
        )
        if result["error"]:
            print(f"    error: {result['error']}")
        for line in result["stderr"]:
            print(f"    stderr: {line}")
        (args.out / "results.json").write_text(json.dumps(facts, indent=1))
    facts["seconds"] = round(time.perf_counter() - began, 1)
    (args.out / "results.json").write_text(json.dumps(facts, indent=1))
    failed = [r["chapter"] for r in facts["chapters"] if not r["passed"]]
    print(
        f"{len(names) - len(failed)}/{len(names)} chapters passed on {backend} in "
        f"{facts['seconds']:.0f} s ({facts['seconds'] / 60:.1f} min); "
        f"results in {args.out / 'results.json'}"
    )
    ok = not failed
    if args.targets:
        ok &= print_targets(facts["chapters"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
