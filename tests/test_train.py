"""Profiles, seeds and the setup line every chapter prints."""
from __future__ import annotations

import numpy as np
import pytest

from helpers import train


def test_bad_profile_lists_the_valid_ones(monkeypatch):
    monkeypatch.setenv("BOOK_PROFILE", "huge")
    with pytest.raises(ValueError, match="ci, laptop, full"):
        train.get_profile()


def test_unset_profile_is_chosen_by_hardware(monkeypatch):
    monkeypatch.delenv("BOOK_PROFILE", raising=False)
    monkeypatch.setattr(train, "gpu_visible", lambda: False)
    assert train.get_profile().name == "laptop"
    monkeypatch.setattr(train, "gpu_visible", lambda: True)
    assert train.get_profile().name == "full"


def test_pick_returns_the_value_of_the_active_profile():
    assert train.PROFILES["ci"].pick(ci=1, laptop=2, full=3) == 1
    assert train.PROFILES["full"].pick(ci=1, laptop=2, full=3) == 3


def test_profiles_grow_from_ci_to_full():
    ci, laptop, full = (train.PROFILES[n] for n in ("ci", "laptop", "full"))
    assert ci.n_train < laptop.n_train < full.n_train
    assert ci.epochs < laptop.epochs < full.epochs


@pytest.mark.parametrize("value", ["abc", "-3", "1.5"])
def test_bad_seed_says_what_is_expected(monkeypatch, value):
    monkeypatch.setenv("BOOK_SEED", value)
    with pytest.raises(ValueError, match="BOOK_SEED"):
        train.get_seed()


def test_start_prints_profile_backend_device_and_seed(monkeypatch, capsys):
    monkeypatch.setenv("BOOK_PROFILE", "ci")
    monkeypatch.setenv("BOOK_SEED", "7")
    run = train.start("test")
    out = capsys.readouterr().out
    assert run.profile.name == "ci" and run.seed == 7
    for word in ("Profile: ci", "Keras backend:", "device:", "seed: 7"):
        assert word in out


def test_same_seed_gives_same_random_numbers(monkeypatch):
    monkeypatch.setenv("BOOK_PROFILE", "ci")
    monkeypatch.setenv("BOOK_SEED", "3")
    train.start("a")
    first = np.random.rand(5)
    train.start("b")
    assert np.array_equal(first, np.random.rand(5))


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
