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
