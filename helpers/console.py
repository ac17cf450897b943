"""A clean console: the backends' native start-up notes kept out of the notebook.

Notes such as TensorFlow's oneDNN banner are written by C++ straight to the process's
stderr (file descriptor 2), not through Python's ``sys.stderr``, so they can only be
filtered there: by swapping the descriptor for a file (:func:`quiet_start_up`) or a
pipe read by a thread (:func:`filter_native_stderr`). Everything that is not a known
note is written back to stderr, so a real problem still shows. TensorFlow's Python
logger gets one filter too, for its retracing notes (:func:`drop_retracing_notes`).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile


#: Lines that backends write straight to the process's stderr while they start, all of
#: them notes rather than problems: absl's pre-init banner, oneDNN and CPU-feature
#: notes, CUDA probing on a machine without a GPU, and the TF/XLA plugin registrations.
_START_UP_NOISE = re.compile(
    r"All log messages before absl::InitializeLog|oneDNN custom operations are on"
    r"|cudart_stub\.cc|Could not find cuda drivers|failed call to cuInit"
    r"|cuda_platform\.cc|cuda_diagnostics"
    r"|This TensorFlow binary is optimized to use available CPU instructions"
    r"|rebuild TensorFlow with the appropriate compiler flags"
    r"|Unable to register cu(DNN|FFT|BLAS)"
    r"|computation placer already registered|TF-TRT Warning|Could not find TensorRT"
    r"|E0000 00:00:.*(cuda|CUDA)|An NVIDIA GPU may be present on this machine"
    r"|Unable to initialize backend 'cuda'|Platform 'cuda' is experimental"
    r"|oneDNN supports .* only on platforms with"
    r"|Falling back to the default Eigen-based"
)


def _worth_showing(line: str) -> bool:
    """A stderr line that is not blank and not one of the backend's known notes."""
    return bool(line.strip()) and not _START_UP_NOISE.search(line)


@contextlib.contextmanager
def quiet_start_up():
    """Hide the backend's start-up notes, and only those, from the notebook.

    TensorFlow writes its C++ start-up log (absl banner, oneDNN note, CUDA probing) to
    the process's stderr, where ``TF_CPP_MIN_LOG_LEVEL`` no longer reaches all of it
    (TensorFlow 2.21 logs through absl). In a notebook that text becomes a red stderr
    box, which the strict book build treats as a warning and nbgrader as a failing cell.
    Python-level warnings go to ``sys.stderr`` and are untouched; lines on the process's
    stderr that are not known start-up notes are written back to stderr, so a real
    problem still shows and still fails the build.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        # no real stderr (some embedded hosts)
        yield
        return
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            text = captured.read().decode("utf-8", errors="replace")
    kept = [line for line in text.splitlines() if _worth_showing(line)]
    if kept:
        print("\n".join(kept), file=sys.stderr)


_native_filter = {"installed": False}


def filter_native_stderr() -> None:
    """From now on, drop the backend's known notes from the process's stderr; keep the
    rest.

    TensorFlow's C++ runtime also writes notes later than start-up (the first
    convolution on a CPU without AVX-512 logs "oneDNN supports DT_INT32 only on
    platforms with AVX-512…" as an error line). A thread reads the process's stderr
    through a pipe and passes on every line that is not one of :data:`_START_UP_NOISE`,
    so real messages still reach the notebook (and still fail the strict build) while
    the notes never do. Python's own ``sys.stderr``, where warnings go, is not touched.
    Installed once per process by :func:`start`.
    """
    if _native_filter["installed"]:
        return
    try:
        sys.stderr.flush()
        original = os.dup(2)
    except (OSError, ValueError, AttributeError):
        # no real stderr (some embedded hosts)
        return
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)

    def pump():
        pending = b""
        while True:
            try:
                chunk = os.read(read_end, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                text = line.decode("utf-8", errors="replace")
                if _worth_showing(text):
                    os.write(original, line + b"\n")

    import threading

    threading.Thread(target=pump, name="book-native-stderr-filter", daemon=True).start()
    _native_filter["installed"] = True


class _RetracingNotes:
    """Drops TensorFlow's "triggered tf.function retracing" notes from its logger."""

    def filter(self, record) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


def drop_retracing_notes() -> None:
    """Keep TensorFlow's retracing notes out of the notebook; keep its other warnings.

    ``model.predict`` on batches of new shapes (8 letters for a figure, then 1,000 for a
    table) makes TensorFlow trace its step again, and after five such traces it logs "5
    out of the last 14 calls to <function ...> triggered tf.function retracing", a
    performance hint about the book's own code that a reader can do nothing with. The
    filter sits on the ``tensorflow`` logger (no TensorFlow import needed), once.
    """
    import logging

    logger = logging.getLogger("tensorflow")
    if not any(isinstance(f, _RetracingNotes) for f in logger.filters):
        logger.addFilter(_RetracingNotes())
