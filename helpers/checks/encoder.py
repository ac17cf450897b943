"""Checks for the exercises of "The encoder"."""

from __future__ import annotations

import numpy as np

from . import (
    exercise_check,
    ExerciseIncorrect,
    Passed,
    call_answer,
    choice,
    close_to,
    passed,
    require_number,
)

EX1 = "Exercise encoder-ex1"
EX2 = "Exercise encoder-ex2"
EX3 = "Exercise encoder-ex3"
EX4 = "Exercise encoder-ex4"

PATTERNS = ("left", "right", "middle", "checker")


@exercise_check
def exercise_1(lost_pattern) -> Passed:
    """Which pattern does a three-value code lose when the bump is the faintest?"""
    answer = choice(EX1, lost_pattern, PATTERNS, "lost_pattern")
    if answer == "checker":
        raise ExerciseIncorrect(
            EX1,
            "the checkerboard was lost in the chapter, but now it is as strong as the "
            "ramps.",
            "squared error is largest for the pattern that varies most; which one is "
            "faint now?",
        )
    if answer != "middle":
        raise ExerciseIncorrect(
            EX1,
            f"the {answer} ramp is as strong as before (strength 0.4), so dropping it "
            "would cost much more squared error than dropping a faint pattern.",
            "the encoder keeps the patterns with the most variance and drops the "
            "weakest.",
        )
    return passed(
        EX1,
        "right: the faint middle bump now carries the least variance, so the "
        "three-value code drops it.",
    )


def _fake_images(rng, n=6):
    return rng.random((n, 28, 28, 1)).astype(np.float32)


def _reference_pca_reconstruct(images, components, mean):
    flat = images.reshape(len(images), -1) - mean
    return np.clip((flat @ components.T) @ components + mean, 0, 1).reshape(
        images.shape
    )


@exercise_check
def exercise_2(pca_reconstruct) -> Passed:
    """``pca_reconstruct(images, components, mean)`` encodes and decodes with PCA's
    matrices."""
    rng = np.random.default_rng(0)
    images = _fake_images(rng)
    # (5, 784), orthonormal rows
    components = np.linalg.qr(rng.normal(size=(784, 5)))[0].T.astype(np.float32)
    mean = (0.3 * rng.random(784)).astype(np.float32)
    got = call_answer(
        EX2, pca_reconstruct, images, components, mean, what="pca_reconstruct"
    )
    got = np.asarray(got, dtype=np.float64)
    expected = _reference_pca_reconstruct(images, components, mean)
    if got.size == expected.size and got.shape != expected.shape:
        raise ExerciseIncorrect(
            EX2,
            f"the result has shape {got.shape}; expected {expected.shape}, "
            "the shape of the input images.",
            "reshape with `.reshape(images.shape)`.",
        )
    if got.shape == expected.shape:
        unclipped = (
            images.reshape(len(images), -1) - mean
        ) @ components.T @ components + mean
        if np.allclose(
            got.reshape(len(images), -1), unclipped, atol=1e-4
        ) and not np.allclose(unclipped, expected.reshape(len(images), -1)):
            raise ExerciseIncorrect(
                EX2,
                f"pixels range from {got.min():.2f} to {got.max():.2f}; "
                "they should stay in [0, 1].",
                "finish with `np.clip(..., 0, 1)`.",
            )
        no_mean = np.clip(
            images.reshape(len(images), -1) @ components.T @ components, 0, 1
        )
        if np.allclose(got.reshape(len(images), -1), no_mean, atol=1e-4):
            raise ExerciseIncorrect(
                EX2,
                "the result ignores the mean image.",
                "subtract `mean` before encoding and add it back after decoding.",
            )
    close_to(
        EX2,
        got,
        expected,
        what="the reconstruction",
        atol=1e-4,
        rtol=1e-3,
        hint=(
            "encode with `(x - mean) @ components.T`, "
            "decode with `codes @ components + mean`."
        ),
    )
    return passed(
        EX2, "your PCA encoder and decoder reconstruct exactly like the reference."
    )


@exercise_check
def exercise_3(max_principal_angle) -> Passed:
    """``max_principal_angle(a, b)`` in degrees, for bases that need not be
    orthonormal."""
    from scipy.linalg import subspace_angles

    rng = np.random.default_rng(1)
    shared = rng.normal(size=(30, 3))
    # the same span, skewed basis
    a = shared @ rng.normal(size=(3, 3))
    b = shared @ rng.normal(size=(3, 3)) + 0.3 * rng.normal(size=(30, 3))
    expected = float(np.degrees(subspace_angles(a, b)).max())
    got = call_answer(EX3, max_principal_angle, a, b, what="max_principal_angle")
    got = require_number(
        EX3, got, "max_principal_angle(a, b)", hint="return the largest angle only."
    )
    if np.isclose(got, np.radians(expected), rtol=1e-3):
        raise ExerciseIncorrect(
            EX3,
            f"{got:.4f} looks like radians; expected {expected:.3f} degrees.",
            "convert with `np.degrees`.",
        )
    min_angle = float(np.degrees(subspace_angles(a, b)).min())
    if np.isclose(got, min_angle, atol=1e-3):
        raise ExerciseIncorrect(
            EX3,
            f"{got:.3f}° is the smallest angle; expected the largest, {expected:.3f}°.",
            "the largest angle belongs to the smallest singular value (cosine).",
        )
    close_to(
        EX3,
        got,
        expected,
        what="the largest angle (degrees)",
        atol=1e-3,
        rtol=1e-4,
        hint=(
            "orthonormalise both bases with `np.linalg.qr` first; raw columns give "
            "wrong cosines."
        ),
    )
    same = require_number(
        EX3,
        call_answer(EX3, max_principal_angle, a, shared, what="max_principal_angle"),
        "max_principal_angle(a, b)",
        hint="return the largest angle only.",
    )
    if not abs(same) < 0.1:
        raise ExerciseIncorrect(
            EX3,
            f"two bases of the same subspace should be 0° apart; got {same:.3f}°.",
            "orthonormalise both bases with `np.linalg.qr` before comparing.",
        )
    return passed(EX3, f"{got:.3f}°, the same as SciPy's subspace_angles.")


@exercise_check
def exercise_4(rotated_reconstructions) -> Passed:
    """Rotating the dense encoder's hidden values *before* their ReLU (and undoing it
    in the next layer's weights) changes what the ReLU lets through: worse
    reconstructions."""
    answer = choice(
        EX4,
        rotated_reconstructions,
        ("better", "worse", "the same"),
        "rotated_reconstructions",
    )
    if answer == "the same":
        raise ExerciseIncorrect(
            EX4,
            "Rᵀ undoes R only if nothing acts on the values between them.",
            "here the ReLU stands between R and Rᵀ: is relu(R h) equal to R relu(h)?",
        )
    if answer == "better":
        raise ExerciseIncorrect(
            EX4,
            "training already chose these weights to make the error small.",
            "does a random rotation of pre-activations keep each unit's ReLU doing "
            "what training taught it?",
        )
    return passed(
        EX4,
        "right: the ReLU acts on each value on its own. Reordering the hidden units, "
        "or scaling each by a positive number, passes through it unchanged; a rotation "
        "that mixes units does not: relu(R h) ≠ R relu(h), so Rᵀ no longer undoes R. "
        "The code, which no activation follows before the decoder's first matrix, can "
        "be changed by any invertible matrix for free.",
    )
