"""The book's fit: a short log when unattended, two updates an epoch in a smoke run."""
from __future__ import annotations

import os

import numpy as np
import pytest

from helpers import session, train



def test_unattended_fit_prints_a_few_epoch_lines_not_a_progress_bar(monkeypatch, capsys):
    import keras

    monkeypatch.setenv("BOOK_BUILD", "1")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).random((32, 3)).astype("float32")
    history = train.fit(model, x, x[:, :1], epochs=40, batch_size=8)
    lines = [l for l in capsys.readouterr().out.splitlines() if l.startswith("epoch")]
    assert len(history.history["loss"]) == 40
    assert 2 <= len(lines) <= train.LOG_LINES + 1
    assert lines[0].startswith("epoch  1/40: loss") and lines[-1].startswith("epoch 40/40")


def test_fit_refuses_zero_epochs():
    with pytest.raises(ValueError, match="at least 1"):
        train.fit(None, None, epochs=0)


def test_smoke_fit_makes_two_updates_per_epoch(monkeypatch):
    import keras

    monkeypatch.setenv("BOOK_SMOKE", "1")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile("sgd", "mse")
    history = train.fit(model, np.zeros((1000, 4)), np.zeros((1000, 2)), epochs=2, batch_size=10,
                        verbose=0)
    assert model.optimizer.iterations.numpy() == 2 * train.SMOKE_STEPS
    assert len(history.history["loss"]) == 2


def test_smoke_fit_on_fewer_batches_than_updates_keeps_every_epoch_quietly(monkeypatch, capfd):
    """Data of 3 batches, 5 epochs, validation of 1 batch: with ``steps_per_epoch`` Keras would
    run out of data after the second epoch and warn on stderr."""
    import keras

    class Batches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.shuffles = 0

        def __len__(self):
            return 3

        def __getitem__(self, index):
            return np.full((8, 4), index, "float32"), np.zeros((8, 2), "float32")

        def on_epoch_end(self):
            self.shuffles += 1

    monkeypatch.setenv("BOOK_SMOKE", "1")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile("sgd", "mse")
    data = Batches()
    validation = (np.zeros((8, 4), "float32"), np.zeros((8, 2), "float32"))
    history = train.fit(model, data, epochs=5, validation_data=validation, verbose=0)
    assert train.SMOKE_EPOCHS * train.SMOKE_STEPS > len(data)  # more updates than batches
    assert model.optimizer.iterations.numpy() == train.SMOKE_EPOCHS * train.SMOKE_STEPS
    assert len(history.history["val_loss"]) == train.SMOKE_EPOCHS
    assert data.shuffles >= 1  # the chapter's shuffling still happens between epochs
    assert "ran out of data" not in capfd.readouterr().err


def test_smoke_fit_runs_two_epochs_but_logs_the_profiles_updates(monkeypatch, tmp_path):
    import json

    import keras

    log = tmp_path / "updates.jsonl"
    monkeypatch.setenv("BOOK_SMOKE", "1")
    monkeypatch.setenv("BOOK_UPDATES_LOG", str(log))
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile("sgd", "mse")
    history = train.fit(model, np.zeros((1000, 4)), np.zeros((1000, 2)), epochs=30,
                        batch_size=10, verbose=0)
    assert len(history.history["loss"]) == train.SMOKE_EPOCHS == 2
    assert model.optimizer.iterations.numpy() == 2 * train.SMOKE_STEPS
    logged = json.loads(log.read_text().splitlines()[-1])
    assert (logged["epochs"], logged["updates_per_epoch"]) == (30, 100)


def test_the_updates_log_is_written_where_no_folder_exists_yet(monkeypatch, tmp_path):
    import json

    log = tmp_path / "fresh" / "_build" / "updates.jsonl"
    monkeypatch.setenv("BOOK_UPDATES_LOG", str(log))
    train._log_updates(np.zeros((300, 4)), epochs=3, batch_size=128, steps_per_epoch=None)
    assert json.loads(log.read_text()) == {"chapter": session.current["chapter"], "run": os.getpid(),
                                           "epochs": 3, "updates_per_epoch": 3, "batch_size": 128}
