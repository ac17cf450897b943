"""Training profiles, seeds and the one fit-with-progress every chapter uses.

A *profile* says how big a run is. The same chapter runs in 90 seconds on two CPU cores
(``ci``), in a few minutes on a laptop (``laptop``) or at full size on a GPU (``full``).
It is chosen by the environment variable ``BOOK_PROFILE``; unset, it is ``full`` where a
GPU is visible and ``laptop`` elsewhere. ``BOOK_SEED`` changes the seed so that a run
can be repeated with other random numbers.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import sys
import tempfile
from dataclasses import dataclass

from . import lessons

PROFILE_VARIABLE = "BOOK_PROFILE"
SEED_VARIABLE = "BOOK_SEED"
SMOKE_VARIABLE = lessons.SMOKE_VARIABLE
DEFAULT_SEED = 42
#: Updates per epoch in a smoke run (``BOOK_SMOKE=1``).
SMOKE_STEPS = 2
#: If set, every ``fit`` appends one JSON line here: chapter, epochs, updates per epoch,
#: batch. ``make smoke`` sets it, so the full profile's updates can be counted without
#: running them.
UPDATES_LOG_VARIABLE = "BOOK_UPDATES_LOG"
_chapter = {"name": None}


@dataclass(frozen=True)
class Profile:
    """Sizes shared by every chapter; ``pick`` chooses a chapter's own numbers."""

    name: str
    n_train: int  #: training images a chapter loads
    n_test: int  #: held-out images a chapter measures on
    epochs: int  #: a typical chapter's epochs; chapters may ``pick`` their own
    batch_size: int
    description: str

    def pick(self, *, ci, laptop, full):
        """Return the value given for this profile: ``run.pick(ci=3, laptop=15,
        full=50)``."""
        return {"ci": ci, "laptop": laptop, "full": full}[self.name]


PROFILES = {
    "ci": Profile(
        "ci",
        n_train=4000,
        n_test=1000,
        epochs=4,
        batch_size=128,
        description="small: each chapter runs in about a minute on 2 CPU cores",
    ),
    "laptop": Profile(
        "laptop",
        n_train=8000,
        n_test=1000,
        epochs=15,
        batch_size=128,
        description="middle: a few minutes a chapter on a laptop CPU",
    ),
    "full": Profile(
        "full",
        n_train=60000,
        n_test=10000,
        epochs=50,
        batch_size=256,
        description="full: every image and epoch; meant for a GPU",
    ),
}


def gpu_visible() -> bool:
    """True when the active Keras backend can see a GPU (asked without importing
    others)."""
    return _accelerator_name() is not None


def _count(name: str, how_many: int) -> str:
    return name if how_many == 1 else f"{how_many} × {name}"


def _tensorflow_accelerator() -> str | None:
    """TensorFlow's first GPU by its model name, e.g. "GPU (Tesla T4)"."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return None
    details = tf.config.experimental.get_device_details(gpus[0]) or {}
    # Apple's tensorflow-metal plugin names no device: say which kind it is
    default = "Apple Metal" if platform.system() == "Darwin" else gpus[0].name
    return f"GPU ({_count(details.get('device_name') or default, len(gpus))})"


def _jax_accelerator() -> str | None:
    """JAX's default device unless it is the CPU, e.g. "GPU (NVIDIA H100 80GB HBM3)"."""
    import jax

    devices = jax.devices()
    device = devices[0]
    if device.platform == "cpu":
        return None
    gpu = device.platform in ("gpu", "cuda", "rocm")
    kind = "GPU" if gpu else device.platform.upper()
    return f"{kind} ({_count(device.device_kind, len(devices))})"


def _torch_accelerator() -> str | None:
    """PyTorch's CUDA (or ROCm) GPU by name, or Apple's MPS (Keras uses it if there)."""
    import torch

    if torch.cuda.is_available():
        name = torch.cuda.get_device_name(0)
        return f"GPU ({_count(name, torch.cuda.device_count())})"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return f"GPU (Apple MPS, {platform.machine()})"
    return None


_ACCELERATORS = {
    "tensorflow": _tensorflow_accelerator,
    "jax": _jax_accelerator,
    "torch": _torch_accelerator,
}


def _accelerator_name() -> str | None:
    """The accelerator the active Keras backend computes on, named, or None on a CPU."""
    import keras

    ask = _ACCELERATORS.get(keras.backend.backend())
    if ask is None:  # the NumPy or OpenVINO backend: always the CPU
        return None
    try:
        return ask()
    except Exception:  # a broken accelerator stack must not stop a CPU run
        return None


def device_name() -> str:
    """A short, human description of where the computation runs: the accelerator's
    model name on every backend (``GPU (Tesla T4)``, ``GPU (Apple MPS, arm64)``), else
    the CPU with its cores."""
    return _accelerator_name() or f"CPU ({os.cpu_count()} cores, {platform.machine()})"


def get_profile(name: str | None = None) -> Profile:
    """The profile named by ``name`` or by ``$BOOK_PROFILE``; unset chooses by
    hardware."""
    if name is None:
        name = os.environ.get(PROFILE_VARIABLE, "").strip()
    if not name:
        return PROFILES["full" if gpu_visible() else "laptop"]
    if name not in PROFILES:
        raise ValueError(
            f"{PROFILE_VARIABLE}={name!r} is not a profile; expected one of "
            f"{', '.join(PROFILES)} (or leave it unset to choose by hardware)"
        )
    return PROFILES[name]


def smoke() -> bool:
    """True in a smoke run (``BOOK_SMOKE=1``): the profile's data, sizes and shapes, 2
    updates an epoch.

    A smoke run finds size and shape errors of a big profile in minutes on a CPU, before
    a GPU reader does. Its models are barely trained, so what a chapter claims about
    them cannot hold: in a smoke run the chapters' hidden ``assert`` lessons and the
    exercise checks report instead of stopping the chapter (:mod:`helpers.lessons`).
    """
    return lessons.smoke()


def get_seed() -> int:
    """The seed from ``$BOOK_SEED``, or the book's default, so runs repeat exactly."""
    value = os.environ.get(SEED_VARIABLE, "").strip()
    if not value:
        return DEFAULT_SEED
    try:
        seed = int(value)
    except ValueError:
        raise ValueError(
            f"{SEED_VARIABLE}={value!r} is not a whole number; expected e.g. 42"
        ) from None
    if seed < 0:
        raise ValueError(
            f"{SEED_VARIABLE}={seed} is negative; expected a whole number ≥ 0"
        )
    return seed


@dataclass(frozen=True)
class Run:
    """What a chapter's setup cell returns: the profile, the seed, and where it runs."""

    chapter: str
    profile: Profile
    seed: int
    backend: str
    device: str

    def pick(self, *, ci, laptop, full):
        """Shortcut for ``run.profile.pick``."""
        return self.profile.pick(ci=ci, laptop=laptop, full=full)

    @property
    def epochs(self) -> int:
        return self.profile.epochs

    @property
    def n_train(self) -> int:
        return self.profile.n_train

    @property
    def n_test(self) -> int:
        return self.profile.n_test

    @property
    def batch_size(self) -> int:
        return self.profile.batch_size

    @property
    def smoke(self) -> bool:
        return smoke()

    def __str__(self) -> str:
        text = (
            f"Profile: {self.profile.name} ({self.profile.description})\n"
            f"Keras backend: {self.backend} · device: {self.device} · seed: {self.seed}"
        )
        if self.smoke:
            text += (
                f"\nSmoke run: {SMOKE_STEPS} updates per epoch; "
                "the lessons are reported, not checked"
            )
        return text


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


def _enable_colab_widgets() -> None:
    """In Colab, ipywidgets 8 renders only through Colab's custom widget manager; 7.x
    needs none."""
    if "google.colab" not in sys.modules:
        return
    try:
        import ipywidgets
        from google.colab import output
    except ImportError:
        return
    if int(ipywidgets.__version__.split(".")[0]) >= 8:
        output.enable_custom_widget_manager()


def start(chapter: str) -> Run:
    """Set up a chapter: pick the profile, seed every generator, and say what ran.

    Prints one block that every chapter shows as its first output, so a reader (and a
    grader) can tell which profile, backend, device and seed produced the numbers.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    filter_native_stderr()
    import keras

    profile = get_profile()
    device = device_name()
    seed = get_seed()
    keras.utils.set_random_seed(seed)  # seeds Python, NumPy and the backend together
    _chapter["name"] = chapter
    _enable_colab_widgets()
    lessons.install()  # lessons stop the chapter where the book is checked; else a note
    run = Run(
        chapter=chapter,
        profile=profile,
        seed=seed,
        backend=keras.backend.backend(),
        device=device,
    )
    print(run)
    return run


#: Most epoch lines a non-interactive run prints (the first, the last and evenly
#: between).
LOG_LINES = 8


def _epoch_logger(epochs: int):
    """A Keras callback that prints a few one-line epoch summaries, for logs and the
    book."""
    import keras

    every = max(1, -(-epochs // LOG_LINES))  # ceil: at most LOG_LINES lines

    class EpochLog(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            done = epoch + 1
            if done == 1 or done == epochs or done % every == 0:
                numbers = " · ".join(
                    f"{k} {float(v):.4g}" for k, v in (logs or {}).items()
                )
                print(
                    f"epoch {done:>{len(str(epochs))}}/{epochs}: {numbers}", flush=True
                )

    return EpochLog()


def _log_updates(x, epochs, batch_size, steps_per_epoch) -> None:
    """Append the updates this ``fit`` makes (unshortened) to ``$BOOK_UPDATES_LOG``, if
    set."""
    path = os.environ.get(UPDATES_LOG_VARIABLE, "").strip()
    if not path:
        return
    import json
    import math

    if steps_per_epoch is None:
        if hasattr(x, "__getitem__") and hasattr(x, "num_batches"):  # a keras PyDataset
            steps_per_epoch, batch_size = len(x), getattr(x, "batch_size", batch_size)
        else:
            steps_per_epoch = math.ceil(len(x) / (batch_size or 32))
    from pathlib import Path

    # a fresh clone has no _build yet
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as log:
        log.write(
            json.dumps(
                {
                    "chapter": _chapter["name"],
                    "run": os.getpid(),  # chapters run side by side share the log
                    "epochs": epochs,
                    "updates_per_epoch": int(steps_per_epoch),
                    "batch_size": batch_size,
                }
            )
            + "\n"
        )


def _first_batches(data, batch_size):
    """The first ``SMOKE_STEPS`` batches of ``data`` (an array, a tuple of arrays or a
    Keras ``PyDataset``), for a smoke run.

    Why not ``steps_per_epoch``: with it, Keras carries one iterator across the
    epochs, so data of fewer than ``epochs × SMOKE_STEPS`` batches runs out, stops
    training early and warns on stderr. Shorter data keeps every epoch whole, with the
    profile's shapes.
    """
    import keras

    if data is None:
        return None
    if isinstance(data, keras.utils.PyDataset):
        return _FirstBatches.of(data, SMOKE_STEPS)
    if isinstance(data, (tuple, list)):
        return type(data)(_first_batches(part, batch_size) for part in data)
    if isinstance(data, dict):
        return {key: _first_batches(part, batch_size) for key, part in data.items()}
    if hasattr(data, "shape") and hasattr(data, "__getitem__"):  # NumPy or a tensor
        return data[: SMOKE_STEPS * (batch_size or 32)]
    return data


class _FirstBatches:
    """A ``PyDataset`` that serves the first ``batches`` batches of another one (the
    class is made on first use, so that importing this module does not import Keras)."""

    _made = None

    @classmethod
    def of(cls, data, batches):
        if cls._made is None:
            import keras

            class FirstBatches(keras.utils.PyDataset):
                def __init__(self, data, batches):
                    super().__init__()
                    self.data, self.batches = data, min(batches, len(data))

                def __len__(self):
                    return self.batches

                def __getitem__(self, index):
                    return self.data[index]

                def on_epoch_end(self):
                    self.data.on_epoch_end()

            cls._made = FirstBatches
        return cls._made(data, batches)


def fit(
    model,
    x,
    y=None,
    *,
    epochs: int,
    batch_size: int | None = 128,
    validation_data=None,
    verbose: int | str = "auto",
    callbacks=(),
    **kwargs,
):
    """``model.fit`` with the book's defaults: a progress bar live, a short log in the
    book.

    In an interactive notebook Keras draws one progress bar per epoch. When the chapter
    runs unattended (``$CI`` or ``$BOOK_BUILD`` set: CI, ``make test``, the book build)
    it prints at most ``LOG_LINES`` one-line summaries instead, so a 40-epoch run does
    not fill a page. ``batch_size`` is ignored by Keras when ``x`` is a ``PyDataset``
    (which batches itself). Returns the Keras ``History`` so that ``plots.loss_curve``
    can draw it.
    """
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    _log_updates(x, epochs, batch_size, kwargs.get("steps_per_epoch"))
    if smoke() and "steps_per_epoch" not in kwargs:  # the profile's epochs, 2 updates
        x, y = _first_batches(x, batch_size), _first_batches(y, batch_size)
        validation_data = _first_batches(validation_data, batch_size)
    callbacks = list(callbacks)
    if verbose == "auto":
        if os.environ.get("CI") or os.environ.get("BOOK_BUILD"):
            verbose = 0
            callbacks.append(_epoch_logger(epochs))
        else:
            verbose = 1
    return model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation_data,
        verbose=verbose,
        callbacks=callbacks,
        **kwargs,
    )
