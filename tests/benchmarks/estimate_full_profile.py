"""How long the `full` profile takes per chapter: counted updates times measured throughput.

Not a test: it prints a table. Inputs, written by the Makefile's runs:

- ``_build/updates-full.jsonl``: every ``fit`` of a smoke run (``make smoke``), with the epochs
  and updates per epoch the ``full`` profile asks for (:func:`helpers.train._log_updates`);
- ``_build/updates-test.jsonl`` and ``_build/notebook-seconds.json``: the same for the ``ci``
  run of ``make test``, with each chapter's measured seconds.

A chapter's CPU throughput is the images its ``ci`` run trained on divided by its whole run
time (so it is a lower bound: loading, plotting and evaluation count as training time). The
CPU estimate divides the ``full`` images by it. The Colab T4 estimate assumes a T4 trains these
small models ``T4_SPEEDUP`` times faster than 2 CPU cores and needs at least ``T4_STEP_SECONDS``
per update (kernel launches dominate small batches); both are assumptions, not measurements.
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

BUILD = Path(__file__).resolve().parents[2] / "_build"
T4_SPEEDUP = 10.0
T4_STEP_SECONDS = 0.004


def _images(path: Path) -> tuple[dict, dict]:
    images, updates = defaultdict(int), defaultdict(int)
    if path.exists():
        for line in path.read_text().splitlines():
            fit = json.loads(line)
            steps = fit["epochs"] * fit["updates_per_epoch"]
            updates[fit["chapter"]] += steps
            images[fit["chapter"]] += steps * (fit["batch_size"] or 32)
    return images, updates


def main() -> None:
    full_images, full_updates = _images(BUILD / "updates-full.jsonl")
    ci_images, _ = _images(BUILD / "updates-test.jsonl")
    seconds_file = BUILD / "notebook-seconds.json"
    ci_seconds = json.loads(seconds_file.read_text()) if seconds_file.exists() else {}
    if not full_updates:
        print("No _build/updates-full.jsonl: run `make smoke` first.")
        return
    print(f"{'chapter':20}{'full updates':>13}{'ci img/s':>10}{'CPU min':>9}{'T4 min':>8}")
    total_cpu = total_t4 = 0.0
    for chapter in sorted(full_updates):
        rate = ci_images.get(chapter, 0) / ci_seconds[chapter] if ci_seconds.get(chapter) else 0
        if not rate:
            print(f"{chapter:20}{full_updates[chapter]:>13,}{'—':>10}{'—':>9}{'—':>8}")
            continue
        cpu = full_images[chapter] / rate / 60
        t4 = max(cpu / T4_SPEEDUP, full_updates[chapter] * T4_STEP_SECONDS / 60)
        total_cpu, total_t4 = total_cpu + cpu, total_t4 + t4
        print(f"{chapter:20}{full_updates[chapter]:>13,}{rate:>10,.0f}{cpu:>9.1f}{t4:>8.1f}")
    print(f"{'whole book':20}{sum(full_updates.values()):>13,}{'':>10}{total_cpu:>9.1f}{total_t4:>8.1f}")


if __name__ == "__main__":
    main()
