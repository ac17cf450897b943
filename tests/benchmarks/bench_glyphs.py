"""How long generating 10,000 glyphs takes on one core (the target: at most 5 s, so that the glyphs
set is made on the fly, where the other data sets are downloaded).

A script, not a test: timings on shared CI machines are too noisy to assert. Run it with
    .venv/bin/python tests/benchmarks/bench_glyphs.py
It pins every thread pool to one thread, then times a cold run (fonts rendered to templates,
then jittered) and a warm run (templates already cached in the process).
"""
import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[variable] = "1"

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

if hasattr(os, "sched_setaffinity"):  # one core, really
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

from helpers.data import make_glyphs  # noqa: E402

N = 10_000


def timed(seed):
    wall, cpu = time.perf_counter(), time.process_time()
    make_glyphs(N, seed=seed)
    return time.perf_counter() - wall, time.process_time() - cpu


(cold, cold_cpu), (warm, warm_cpu) = timed(0), timed(1)
print(f"{N:,} glyphs on one core: {cold:.2f} s cold (fonts rendered to templates first; "
      f"{cold_cpu:.2f} s CPU), {warm:.2f} s warm ({warm_cpu:.2f} s CPU); budget 5 s")
print(f"load average while it ran: {os.getloadavg()[0]:.1f} "
      f"(wall times above CPU times mean the core was shared)")
