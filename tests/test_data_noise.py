"""What helpers.data.noise promises: seeded noise in range that leaves its input alone,
amounts that mean what they say, and clear errors on bad images or amounts."""
from __future__ import annotations

import numpy as np
import pytest

from helpers import data


# --------------------------------------------------------------------------------------
# Noise for the denoising chapter
# --------------------------------------------------------------------------------------
CLEAN = np.random.default_rng(1).random((20, 28, 28, 1)).astype(np.float32)


@pytest.mark.parametrize("noise, knob", [(data.add_gaussian_noise, 0.3), (data.add_salt_and_pepper, 0.2),
                                         (data.add_mask, 0.5)])
def test_noise_is_seeded_in_range_and_leaves_the_input_alone(noise, knob):
    before = CLEAN.copy()
    noisy = noise(CLEAN, knob, seed=4)
    assert noisy.dtype == np.float32 and noisy.shape == CLEAN.shape
    assert noisy.min() >= 0.0 and noisy.max() <= 1.0 and not np.array_equal(noisy, CLEAN)
    assert np.array_equal(noisy, noise(CLEAN, knob, seed=4))
    assert not np.array_equal(noisy, noise(CLEAN, knob, seed=5))
    assert np.array_equal(CLEAN, before)
    assert np.array_equal(noise(CLEAN, 0.0, seed=4), CLEAN)


def test_noise_amounts_mean_what_they_say():
    flat = np.full((50, 28, 28), 0.5, np.float32)
    assert abs(np.std(data.add_gaussian_noise(flat, 0.1, seed=0) - flat) - 0.1) < 0.005
    salted = data.add_salt_and_pepper(flat, 0.2, seed=0)
    assert abs((salted == 1).mean() - 0.1) < 0.01 and abs((salted == 0).mean() - 0.1) < 0.01
    assert abs((data.add_mask(flat, 0.3, seed=0) == 0).mean() - 0.3) < 0.01


@pytest.mark.parametrize("images, message", [
    ((CLEAN * 255).astype(np.uint8), "floats in \\[0, 1\\]"),
    (CLEAN * 2, "pixels in \\[0, 1\\]"),
    (np.full((2, 28, 28), np.nan, np.float32), "NaN"),
    (CLEAN[0, :, :, 0], "shape"),
])
@pytest.mark.parametrize("noise", [data.add_gaussian_noise, data.add_salt_and_pepper, data.add_mask])
def test_noise_rejects_bad_images(noise, images, message):
    with pytest.raises(ValueError, match=message):
        noise(images, 0.1, seed=0)


@pytest.mark.parametrize("noise, bad", [(data.add_gaussian_noise, -0.1), (data.add_gaussian_noise, float("nan")),
                                        (data.add_salt_and_pepper, 1.5), (data.add_mask, -0.2),
                                        (data.add_mask, "half")])
def test_noise_rejects_bad_amounts(noise, bad):
    with pytest.raises(ValueError, match="must be a number"):
        noise(CLEAN, bad, seed=0)


