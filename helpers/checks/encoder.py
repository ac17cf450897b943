"""Checks for the exercises of "The encoder"."""
from __future__ import annotations

import numpy as np

from . import ExerciseIncorrect, call_answer, close_to, passed, require_answer

PATTERNS = ("left", "right", "middle", "checker")


def _choice(exercise, value, options, what):
    value = require_answer(exercise, value, what)
    if not isinstance(value, str) or value.strip().lower() not in options:
        raise ExerciseIncorrect(exercise, f"{what} should be one of {', '.join(map(repr, options))}; "
                                f"got {value!r}.")
    return value.strip().lower()


def exercise_1(lost_pattern) -> bool:
    """Which pattern does a three-value code lose when the bump is the faintest?"""
    exercise = "Exercise 1"
    answer = _choice(exercise, lost_pattern, PATTERNS, "lost_pattern")
    if answer == "checker":
        raise ExerciseIncorrect(
            exercise, "the checkerboard was lost in the chapter, but now it is as strong as the ramps.",
            "squared error is largest for the pattern that varies most; which one is faint now?")
    if answer != "middle":
        raise ExerciseIncorrect(
            exercise, f"the {answer} ramp is as strong as before (strength 0.4), so dropping it would "
            "cost much more squared error than dropping a faint pattern.",
            "the encoder keeps the patterns with the most variance and drops the weakest.")
    return passed(exercise, "right: the faint middle bump now carries the least variance, so the "
                  "three-value code drops it.")


def _fake_images(rng, n=6):
    return rng.random((n, 28, 28, 1)).astype(np.float32)


def _reference_pca_reconstruct(images, components, mean):
    flat = images.reshape(len(images), -1) - mean
    return np.clip((flat @ components.T) @ components + mean, 0, 1).reshape(images.shape)


def exercise_2(pca_reconstruct) -> bool:
    """``pca_reconstruct(images, components, mean)`` encodes and decodes with PCA's matrices."""
    exercise = "Exercise 2"
    rng = np.random.default_rng(0)
    images = _fake_images(rng)
    components = np.linalg.qr(rng.normal(size=(784, 5)))[0].T.astype(np.float32)  # (5, 784), orthonormal rows
    mean = (0.3 * rng.random(784)).astype(np.float32)
    got = call_answer(exercise, pca_reconstruct, images, components, mean, what="pca_reconstruct")
    got = np.asarray(got, dtype=np.float64)
    expected = _reference_pca_reconstruct(images, components, mean)
    if got.size == expected.size and got.shape != expected.shape:
        raise ExerciseIncorrect(exercise, f"the result has shape {got.shape}; expected {expected.shape}, "
                                "the shape of the input images.", "reshape with `.reshape(images.shape)`.")
    if got.shape == expected.shape:
        unclipped = (images.reshape(len(images), -1) - mean) @ components.T @ components + mean
        if np.allclose(got.reshape(len(images), -1), unclipped, atol=1e-4) and not np.allclose(unclipped, expected.reshape(len(images), -1)):
            raise ExerciseIncorrect(exercise, f"pixels range from {got.min():.2f} to {got.max():.2f}; "
                                    "they should stay in [0, 1].", "finish with `np.clip(..., 0, 1)`.")
        no_mean = np.clip(images.reshape(len(images), -1) @ components.T @ components, 0, 1)
        if np.allclose(got.reshape(len(images), -1), no_mean, atol=1e-4):
            raise ExerciseIncorrect(exercise, "the result ignores the mean image.",
                                    "subtract `mean` before encoding and add it back after decoding.")
    close_to(exercise, got, expected, what="the reconstruction", atol=1e-4, rtol=1e-3,
             hint="encode with `(x - mean) @ components.T`, decode with `codes @ components + mean`.")
    return passed(exercise, "your PCA encoder and decoder reconstruct exactly like the reference.")


def exercise_3(max_principal_angle) -> bool:
    """``max_principal_angle(a, b)`` in degrees, for bases that need not be orthonormal."""
    from scipy.linalg import subspace_angles

    exercise = "Exercise 3"
    rng = np.random.default_rng(1)
    shared = rng.normal(size=(30, 3))
    a = shared @ rng.normal(size=(3, 3))                      # the same span, skewed basis
    b = shared @ rng.normal(size=(3, 3)) + 0.3 * rng.normal(size=(30, 3))
    expected = float(np.degrees(subspace_angles(a, b)).max())
    got = call_answer(exercise, max_principal_angle, a, b, what="max_principal_angle")
    try:
        got = float(np.asarray(got).squeeze())
    except (TypeError, ValueError):
        raise ExerciseIncorrect(exercise, f"it should return one number; got {type(got).__name__} "
                                f"with shape {np.shape(got)}.", "return the largest angle only.") from None
    if np.isclose(got, np.radians(expected), rtol=1e-3):
        raise ExerciseIncorrect(exercise, f"{got:.4f} looks like radians; expected {expected:.3f} degrees.",
                                "convert with `np.degrees`.")
    min_angle = float(np.degrees(subspace_angles(a, b)).min())
    if np.isclose(got, min_angle, atol=1e-3):
        raise ExerciseIncorrect(exercise, f"{got:.3f}° is the smallest angle; expected the largest, {expected:.3f}°.",
                                "the largest angle belongs to the smallest singular value (cosine).")
    close_to(exercise, got, expected, what="the largest angle (degrees)", atol=1e-3, rtol=1e-4,
             hint="orthonormalise both bases with `np.linalg.qr` first; raw columns give wrong cosines.")
    same = call_answer(exercise, max_principal_angle, a, shared, what="max_principal_angle")
    if not abs(float(np.asarray(same).squeeze())) < 0.1:
        raise ExerciseIncorrect(exercise, f"two bases of the same subspace should be 0° apart; got "
                                f"{float(np.asarray(same).squeeze()):.3f}°.",
                                "orthonormalise both bases with `np.linalg.qr` before comparing.")
    return passed(exercise, f"{got:.3f}°, the same as SciPy's subspace_angles.")


def exercise_4(rotated_reconstructions) -> bool:
    """Rotating the code of a linear autoencoder leaves its reconstructions unchanged."""
    exercise = "Exercise 4"
    answer = _choice(exercise, rotated_reconstructions, ("better", "worse", "the same"),
                     "rotated_reconstructions")
    if answer != "the same":
        raise ExerciseIncorrect(exercise, f"the reconstructions are not {answer}.",
                                "write out W_dec Rᵀ · R W_enc: what is Rᵀ R for a rotation?")
    return passed(exercise, "right: RᵀR = I, so the product of decoder and encoder does not change. "
                  "That is why the linear AE finds PCA's subspace but not PCA's axes.")
