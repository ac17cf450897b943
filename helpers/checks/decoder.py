"""Checks for the exercises of "The decoder"."""

from __future__ import annotations

import numpy as np

from . import ExerciseIncorrect, Passed, call_answer, close_to, passed, require_answer

EX1 = "Exercise decoder-ex1"
EX2 = "Exercise decoder-ex2"
EX3 = "Exercise decoder-ex3"


def exercise_1(same_as_average_image) -> Passed:
    """Decoding the average code is not the average image: the decoder is nonlinear."""
    value = require_answer(EX1, same_as_average_image, "same_as_average_image")
    if not isinstance(value, (bool, np.bool_)):
        raise ExerciseIncorrect(
            EX1, f"same_as_average_image should be True or False; got {value!r}."
        )
    if value:
        raise ExerciseIncorrect(
            EX1,
            "not what the decoder does.",
            "the decoder has ReLU and sigmoid layers; for which kind of function g "
            "is g((a + b) / 2) always (g(a) + g(b)) / 2? Run both and look.",
        )
    return passed(
        EX1,
        "right: the decoder is nonlinear, so the average code decodes to a new "
        "shape, not to a double exposure of the two digits.",
    )


def _reference_interpolation(code_a, code_b, steps):
    t = np.linspace(0.0, 1.0, steps)[:, None]
    return (1 - t) * code_a[None, :] + t * code_b[None, :]


def exercise_2(interpolate_codes) -> Passed:
    """``interpolate_codes(code_a, code_b, steps)``: ``steps`` codes from a to b, both
    ends included."""
    rng = np.random.default_rng(0)
    code_a, code_b = rng.normal(size=6), rng.normal(size=6)
    got = call_answer(
        EX2, interpolate_codes, code_a, code_b, 5, what="interpolate_codes"
    )
    got = np.asarray(got, dtype=np.float64)
    expected = _reference_interpolation(code_a, code_b, 5)
    if got.shape == expected.T.shape:
        raise ExerciseIncorrect(
            EX2,
            f"the result has shape {got.shape}; expected {expected.shape}, "
            "one row per step.",
            "transpose it, or build it with `t[:, None]`.",
        )
    if got.shape == (4, 6) or got.shape == (6, 6):
        raise ExerciseIncorrect(
            EX2,
            f"the result has {got.shape[0]} rows for 5 steps.",
            "`np.linspace(0, 1, steps)` includes both ends; `np.arange` does not.",
        )
    if got.shape == expected.shape and np.allclose(got, expected[::-1]):
        raise ExerciseIncorrect(
            EX2,
            "the walk goes from code_b to code_a.",
            "the first row should be code_a: weight (1 - t) on code_a, t on code_b.",
        )
    close_to(
        EX2,
        got,
        expected,
        what="the interpolated codes",
        atol=1e-6,
        rtol=1e-5,
        hint=(
            "row i is (1 - t_i) * code_a + t_i * code_b "
            "with t = np.linspace(0, 1, steps)."
        ),
    )
    return passed(EX2, "five evenly spaced codes from code_a to code_b, ends included.")


def _per_image(originals, reconstructions):
    """Each image's squared error and ink, both summed over its pixels."""
    flat = np.asarray(originals, dtype=np.float64).reshape(len(originals), -1)
    decoded = np.asarray(reconstructions, dtype=np.float64).reshape(len(flat), -1)
    return ((flat - decoded) ** 2).sum(axis=1), flat.sum(axis=1)


def _by_class(per_image, labels, n_classes):
    return np.array(
        [
            per_image[labels == k].mean() if np.any(labels == k) else np.nan
            for k in range(n_classes)
        ]
    )


def _reference_relative_error(originals, reconstructions, labels, n_classes):
    error, ink = _per_image(originals, reconstructions)
    return _by_class(error / ink, labels, n_classes)


def exercise_3(relative_error_per_class) -> Passed:
    """``relative_error_per_class(originals, reconstructions, labels, n_classes)``: the
    mean over each class of every image's squared error per unit of its ink, so that a
    digit with little ink is not called easy for that reason alone."""
    rng = np.random.default_rng(2)
    # images with very different amounts of ink, and one class of worse reconstructions
    ink_scale = np.array([1.0, 0.2, 0.6, 0.2, 1.0, 0.4, 0.8, 0.3, 0.9, 0.5, 0.7, 0.2])
    originals = (rng.random((12, 28, 28, 1)) * ink_scale[:, None, None, None]).astype(
        np.float32
    )
    reconstructions = np.clip(
        originals + rng.normal(0, 0.1, originals.shape), 0, 1
    ).astype(np.float32)
    reconstructions[:3] = rng.random((3, 28, 28, 1))
    labels = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2])
    n_classes = 4  # class 3 has no image
    got = call_answer(
        EX3,
        relative_error_per_class,
        originals,
        reconstructions,
        labels,
        n_classes,
        what="relative_error_per_class",
    )
    got = np.asarray(got, dtype=np.float64).ravel()
    expected = _reference_relative_error(originals, reconstructions, labels, n_classes)
    if got.shape != expected.shape:
        raise ExerciseIncorrect(
            EX3,
            f"it returned {got.size} numbers; expected {n_classes}, one per class.",
            "loop over `range(n_classes)`.",
        )
    if not np.isnan(got[3]):
        raise ExerciseIncorrect(
            EX3,
            f"class 3 has no image but got {got[3]!r}; expected nan.",
            "check `np.any(labels == k)` before taking the mean.",
        )
    error, ink = _per_image(originals, reconstructions)
    plain = [_by_class(error / scale, labels, 3) for scale in (1, originals[0].size)]
    if any(np.allclose(got[:3], value, rtol=1e-4) for value in plain):
        raise ExerciseIncorrect(
            EX3,
            "that is the plain error per class, as in the chapter: the ink is not "
            "taken out yet.",
            "divide each image's error by that image's ink before averaging.",
        )
    pooled = np.array(
        [error[labels == k].sum() / ink[labels == k].sum() for k in range(3)]
    )
    if np.allclose(got[:3], pooled, rtol=1e-4):
        raise ExerciseIncorrect(
            EX3,
            "this divides a class's total error by its total ink, so images with more "
            "ink weigh more.",
            "take the ratio per image first, then the mean over the class.",
        )
    close_to(
        EX3,
        got[:3],
        expected[:3],
        what="the error per unit of ink, by class",
        atol=1e-6,
        rtol=1e-4,
        hint=(
            "sum the squared error and the ink over each image's pixels, divide, "
            "then average over the images of a class."
        ),
    )
    return passed(
        EX3,
        "the error per unit of ink of each class. Run it on `test.images` and "
        "`reconstructions`: is the hardest digit still the same?",
    )
