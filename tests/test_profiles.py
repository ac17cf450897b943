"""Profiles and seeds: what a run's size and random numbers are chosen from."""
from __future__ import annotations

import pytest

from helpers import devices, profiles


def test_bad_profile_lists_the_valid_ones(monkeypatch):
    monkeypatch.setenv("BOOK_PROFILE", "huge")
    with pytest.raises(ValueError, match="ci, laptop, full"):
        profiles.get_profile()


def test_unset_profile_is_chosen_by_hardware(monkeypatch):
    monkeypatch.delenv("BOOK_PROFILE", raising=False)
    monkeypatch.setattr(devices, "gpu_visible", lambda: False)
    assert profiles.get_profile().name == "laptop"
    monkeypatch.setattr(devices, "gpu_visible", lambda: True)
    assert profiles.get_profile().name == "full"


def test_pick_returns_the_value_of_the_active_profile():
    assert profiles.PROFILES["ci"].pick(ci=1, laptop=2, full=3) == 1
    assert profiles.PROFILES["full"].pick(ci=1, laptop=2, full=3) == 3


def test_profiles_grow_from_ci_to_full():
    ci, laptop, full = (profiles.PROFILES[n] for n in ("ci", "laptop", "full"))
    assert ci.n_train < laptop.n_train < full.n_train
    assert ci.epochs < laptop.epochs < full.epochs


@pytest.mark.parametrize("value", ["abc", "-3", "1.5"])
def test_bad_seed_says_what_is_expected(monkeypatch, value):
    monkeypatch.setenv("BOOK_SEED", value)
    with pytest.raises(ValueError, match="BOOK_SEED"):
        profiles.get_seed()
