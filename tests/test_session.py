"""The setup line every chapter prints, and the seeding it does."""
from __future__ import annotations

import numpy as np

from helpers import session


def test_start_prints_profile_backend_device_and_seed(monkeypatch, capsys):
    monkeypatch.setenv("BOOK_PROFILE", "ci")
    monkeypatch.setenv("BOOK_SEED", "7")
    run = session.start("test")
    out = capsys.readouterr().out
    assert run.profile.name == "ci" and run.seed == 7
    for word in ("Profile: ci", "Keras backend:", "device:", "seed: 7"):
        assert word in out


def test_same_seed_gives_same_random_numbers(monkeypatch):
    monkeypatch.setenv("BOOK_PROFILE", "ci")
    monkeypatch.setenv("BOOK_SEED", "3")
    session.start("a")
    first = np.random.rand(5)
    session.start("b")
    assert np.array_equal(first, np.random.rand(5))


def test_a_smoke_run_measures_on_fewer_held_out_images_and_says_so(monkeypatch, capsys):
    """BOOK_SMOKE=1 keeps the full profile's training images (its updates are counted)
    but measures on at most SMOKE_N_TEST held-out images, and the setup line says it."""
    monkeypatch.setenv("BOOK_PROFILE", "full")
    monkeypatch.setenv("BOOK_SMOKE", "1")
    run = session.start("test")
    out = capsys.readouterr().out
    assert run.n_test == session.SMOKE_N_TEST < run.profile.n_test
    assert run.n_train == run.profile.n_train
    assert f"{session.SMOKE_N_TEST:,} held-out images" in out
    monkeypatch.delenv("BOOK_SMOKE")
    assert session.start("test").n_test == run.profile.n_test
