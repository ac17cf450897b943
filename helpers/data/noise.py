"""Noise for the denoising chapter: Gaussian, salt-and-pepper and masked pixels, each
seeded so that a run can be repeated."""

from __future__ import annotations

import numpy as np

from .._validate import as_image_batch, non_negative, number


def add_gaussian_noise(images, noise_level: float, seed: int = 0) -> np.ndarray:
    """``images`` plus Gaussian noise of standard deviation ``noise_level`` (pixels in
    [0, 1]), clipped back to [0, 1]. Returns a new float32 array of the same shape."""
    images = as_image_batch(images)
    level = non_negative(
        noise_level, "noise_level (a standard deviation, pixels in [0, 1])"
    )
    noise = (
        np.random.default_rng(seed).normal(0.0, level, images.shape).astype(np.float32)
    )
    return np.clip(images + noise, 0.0, 1.0).astype(np.float32)


def _pixel_shape(images: np.ndarray) -> tuple:
    """One random draw per pixel (shared by the channels of a colour pixel)."""
    return images.shape[:3] + (1,) * (images.ndim - 3)


def add_salt_and_pepper(images, amount: float, seed: int = 0) -> np.ndarray:
    """A fraction ``amount`` of the pixels set to white (salt) or black (pepper), half
    each."""
    images = as_image_batch(images)
    amount = number(amount, "amount", minimum=0, maximum=1)
    draw = np.random.default_rng(seed).random(_pixel_shape(images))
    noisy = images.copy()
    noisy = np.where(draw < amount / 2, np.float32(1.0), noisy)
    noisy = np.where((draw >= amount / 2) & (draw < amount), np.float32(0.0), noisy)
    return noisy.astype(np.float32)


def add_mask(images, fraction: float, seed: int = 0) -> np.ndarray:
    """A fraction ``fraction`` of the pixels, chosen at random, set to 0 (missing)."""
    images = as_image_batch(images)
    fraction = number(fraction, "fraction", minimum=0, maximum=1)
    keep = np.random.default_rng(seed).random(_pixel_shape(images)) >= fraction
    return (images * keep).astype(np.float32)
