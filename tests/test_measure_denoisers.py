"""The classical denoisers of helpers.measure.denoisers, the baselines of the denoising chapter:
shapes and ranges kept, the knob tuned on validation pairs, and bad settings refused."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.data import add_salt_and_pepper
from helpers.measure import denoisers as denoise
from helpers.metrics import psnr


def _letters(n=6, seed=0):
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 28, 28, 1), np.float32)
    for i in range(n):
        r, c = rng.integers(4, 12, 2)
        images[i, r:r + 12, c:c + 4] = 1.0  # a bar: a crude letter stroke
    return images


@pytest.mark.parametrize("name", list(denoise.FILTERS))
def test_every_filter_keeps_shape_and_range(name):
    clean = _letters()
    noisy = np.clip(clean + 0.3 * np.random.default_rng(1).standard_normal(clean.shape), 0, 1).astype(np.float32)
    out = denoise.apply_filter(name, noisy, denoise.FILTERS[name][1][0])
    assert out.shape == noisy.shape and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    assert denoise.apply_filter(name, noisy[..., 0], denoise.FILTERS[name][1][0]).shape == (6, 28, 28)


def test_choose_filter_keeps_the_best_value_on_validation():
    clean = _letters()
    rng = np.random.default_rng(2)
    noisy = clean.copy()
    speckles = rng.random(clean.shape) < 0.1
    noisy[speckles] = 1.0 - noisy[speckles]  # isolated outliers: a 3×3 median removes them
    chosen = denoise.choose_filter("median", clean, noisy, values=(3, 7))
    assert chosen.value == 3 and chosen.parameter == "size"
    assert chosen.validation_psnr_db[3] > chosen.validation_psnr_db[7]
    assert chosen.label == "median (size=3)"
    assert np.array_equal(chosen(noisy), denoise.apply_filter("median", noisy, 3))


def test_choose_filters_tunes_every_filter_on_the_noisy_images_and_each_one_helps():
    """Salt-and-pepper letters: each filter, at its chosen setting, brings them closer to the
    clean letters than the noise left them, and the median (which ignores outliers) wins."""
    clean = _letters(8)
    noisy = add_salt_and_pepper(clean, 0.1, seed=3)
    chosen = denoise.choose_filters(clean, noisy, names=["median", "gaussian"])
    assert list(chosen) == ["median", "gaussian"]
    before = psnr(clean, noisy)
    for name, filtered in chosen.items():
        scores = filtered.validation_psnr_db
        assert set(scores) == set(denoise.FILTERS[name][1]), name  # the whole grid was tried
        assert scores[filtered.value] == max(scores.values()), name
        assert psnr(clean, filtered(noisy)) == pytest.approx(scores[filtered.value])
        assert scores[filtered.value] > before + 1.0, (name, scores, before)
    assert chosen["median"].validation_psnr_db[chosen["median"].value] > \
        chosen["gaussian"].validation_psnr_db[chosen["gaussian"].value]


@pytest.mark.parametrize("name, value, message", [
    ("wiener", 1, "unknown filter"),
    ("median", 4, "odd whole number"),
    ("gaussian", -1, "positive number"),
    ("total variation", float("nan"), "positive number"),
    ("non-local means", "0.2", "positive number"),
])
def test_bad_filter_settings_say_what_was_expected(name, value, message):
    with pytest.raises(ValueError, match=message):
        denoise.apply_filter(name, _letters(2), value)


def test_bad_images_are_refused():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        denoise.apply_filter("median", _letters(2) * 255, 3)
    with pytest.raises(ValueError, match="same shape"):
        denoise.choose_filter("median", _letters(2), _letters(3))
    with pytest.raises(ValueError, match="at least one"):
        denoise.choose_filter("median", _letters(2), _letters(2), values=())


def test_stretch_levels_maps_the_lifted_background_and_lowered_ink_back():
    levels = np.array([0.0, 0.2, 0.5, 0.8, 1.0], np.float32)
    assert np.allclose(denoise.stretch_levels(levels, 0.2), [0.0, 0.0, 0.5, 1.0, 1.0])
    assert np.array_equal(denoise.stretch_levels(levels, 0.0), levels)
    for bad in (-0.1, 0.5, float("nan")):
        with pytest.raises(ValueError, match="background"):
            denoise.stretch_levels(levels, bad)


def test_the_background_knob_is_tuned_and_helps_on_clipped_gaussian_noise():
    """Clipped noise greys a black background: a Gaussian filter that may also stretch the
    levels back beats the same filter without that knob, and keeps both settings."""
    clean = _letters(8)
    noisy = np.clip(clean + 0.5 * np.random.default_rng(4).standard_normal(clean.shape),
                    0, 1).astype(np.float32)
    plain = denoise.choose_filter("gaussian", clean, noisy)
    tuned = denoise.choose_filter("gaussian", clean, noisy,
                                  backgrounds=denoise.BACKGROUND_LEVELS)
    assert plain.background == 0.0 and tuned.background > 0.0
    assert set(tuned.grid_psnr_db) == {(v, b) for v in denoise.FILTERS["gaussian"][1]
                                       for b in denoise.BACKGROUND_LEVELS}
    best = tuned.grid_psnr_db[tuned.value, tuned.background]
    assert best == max(tuned.grid_psnr_db.values())
    assert best > plain.validation_psnr_db[plain.value] + 1.0
    assert psnr(clean, tuned(noisy)) == pytest.approx(best)
    assert tuned.label.endswith(f", background={tuned.background:g})")
    alone = tuned.without_background()
    assert (alone.value, alone.background) == (plain.value, 0.0)
    assert psnr(clean, alone(noisy)) == pytest.approx(plain.validation_psnr_db[plain.value])
    with pytest.raises(ValueError, match="at least one level"):
        denoise.choose_filter("gaussian", clean, noisy, backgrounds=())
