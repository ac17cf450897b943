"""The one fit every chapter uses: ``model.fit`` with the book's logging and smoke runs.

A live notebook shows Keras's progress bars; an unattended run (CI, the build) prints a
few epoch lines instead. In a smoke run (``BOOK_SMOKE=1``) a fit runs at most
:data:`~helpers.profiles.SMOKE_EPOCHS` epochs, each cut to
:data:`~helpers.profiles.SMOKE_STEPS` batches of the profile's own shapes.
"""

from __future__ import annotations

import os

from . import config
from .profiles import SMOKE_EPOCHS, SMOKE_STEPS, smoke
from .session import current

#: If set, every ``fit`` appends one JSON line here: chapter, epochs, updates per epoch,
#: batch. ``make smoke`` sets it, so the full profile's updates can be counted without
#: running them.
UPDATES_LOG_VARIABLE = "BOOK_UPDATES_LOG"

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
    path = config.get(UPDATES_LOG_VARIABLE)
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
                    "chapter": current["chapter"],
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
    if smoke():  # the profile's updates are logged above; 2 epochs of 2 updates run
        epochs = min(epochs, SMOKE_EPOCHS)
        if "steps_per_epoch" not in kwargs:
            x, y = _first_batches(x, batch_size), _first_batches(y, batch_size)
            validation_data = _first_batches(validation_data, batch_size)
    callbacks = list(callbacks)
    if verbose == "auto":
        if config.get("CI") or config.get("BOOK_BUILD"):
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
