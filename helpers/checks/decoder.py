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


def _reference_per_class(originals, reconstructions, labels, n_classes):
    per_image = (
        ((originals - reconstructions) ** 2).reshape(len(originals), -1).mean(axis=1)
    )
    return np.array(
        [
            per_image[labels == k].mean() if np.any(labels == k) else np.nan
            for k in range(n_classes)
        ]
    )


def exercise_3(per_class_mse) -> Passed:
    """``per_class_mse(originals, reconstructions, labels, n_classes)``: mean MSE per
    pixel by class."""
    rng = np.random.default_rng(2)
    originals = rng.random((12, 28, 28, 1)).astype(np.float32)
    reconstructions = np.clip(
        originals + rng.normal(0, 0.1, originals.shape), 0, 1
    ).astype(np.float32)
    # some much worse images, all in class 0
    reconstructions[:3] = rng.random((3, 28, 28, 1))
    labels = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2])
    n_classes = 4  # class 3 has no image
    got = call_answer(
        EX3,
        per_class_mse,
        originals,
        reconstructions,
        labels,
        n_classes,
        what="per_class_mse",
    )
    got = np.asarray(got, dtype=np.float64).ravel()
    expected = _reference_per_class(originals, reconstructions, labels, n_classes)
    if got.shape != expected.shape:
        raise ExerciseIncorrect(
            EX3,
            f"it returned {got.size} numbers; expected {n_classes}, one per class.",
            "loop over `range(n_classes)`.",
        )
    if np.all(np.isfinite(got[:3])):
        per_image = (
            ((originals - reconstructions) ** 2)
            .reshape(len(originals), -1)
            .mean(axis=1)
        )
        sums = np.array([per_image[labels == k].sum() for k in range(3)])
        if np.allclose(got[:3], sums, rtol=1e-4):
            raise ExerciseIncorrect(
                EX3,
                "these are sums over each class, not means.",
                "divide by the number of images in the class (or use `.mean()`).",
            )
        if np.allclose(got[:3], sums / len(originals), rtol=1e-4):
            raise ExerciseIncorrect(
                EX3,
                "each class's total is divided by the number of all images.",
                "divide by the number of images in that class.",
            )
    if not np.isnan(got[3]):
        raise ExerciseIncorrect(
            EX3,
            f"class 3 has no image but got {got[3]!r}; expected nan.",
            "check `np.any(labels == k)` before taking the mean.",
        )
    close_to(
        EX3,
        got[:3],
        expected[:3],
        what="the per-class MSE",
        atol=1e-6,
        rtol=1e-4,
        hint=(
            "first the MSE of each image over its pixels, "
            "then the mean over the images of a class."
        ),
    )
    return passed(
        EX3, "the mean error of each class, with nan for a class with no image."
    )
