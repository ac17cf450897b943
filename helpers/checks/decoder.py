"""Checks for the exercises of "The decoder"."""

from __future__ import annotations

import numpy as np

from . import ExerciseIncorrect, Passed, call_answer, close_to, passed, require_answer
from . import exercise_check

EX1 = "Exercise decoder-ex1"
EX2 = "Exercise decoder-ex2"
EX3 = "Exercise decoder-ex3"


@exercise_check
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
        "right: the decoder is nonlinear, so g((a + b) / 2) need not be "
        "(g(a) + g(b)) / 2, let alone the average of the two images; the figure "
        "below puts both side by side.",
    )


def _nearest(queries, references):
    gaps = queries[:, None, :] - references[None, :, :]
    return np.sqrt((gaps**2).sum(axis=2)).min(axis=1)


def _reference_path(code_a, code_b, steps, references):
    t = np.linspace(0.0, 1.0, steps)[:, None]
    path = (1 - t) * code_a[None, :] + t * code_b[None, :]
    return _nearest(path, references)


@exercise_check
def exercise_2(path_distances) -> Passed:
    """``path_distances(code_a, code_b, steps, references)``: for each of ``steps``
    codes evenly spaced on the line from a to b (ends included), the Euclidean distance
    to the nearest row of ``references``."""
    rng = np.random.default_rng(0)
    references = rng.normal(size=(30, 6))
    code_a, code_b = references[3] + 0.1, references[17] - 0.4
    got = call_answer(
        EX2, path_distances, code_a, code_b, 5, references, what="path_distances"
    )
    got = np.asarray(got, dtype=np.float64).ravel()
    expected = _reference_path(code_a, code_b, 5, references)
    if got.size in (4, 6):
        raise ExerciseIncorrect(
            EX2,
            f"it returned {got.size} distances for 5 steps.",
            "`np.linspace(0, 1, steps)` includes both ends; `np.arange` does not.",
        )
    if got.shape == expected.shape and np.allclose(got, expected[::-1]):
        raise ExerciseIncorrect(
            EX2,
            "the walk goes from code_b to code_a.",
            "the first code should be code_a: weight (1 - t) on code_a, t on code_b.",
        )
    if got.shape == expected.shape and np.allclose(got, expected**2, rtol=1e-4):
        raise ExerciseIncorrect(
            EX2,
            "these are squared distances.",
            "take the square root of the sum of squares.",
        )
    t = np.linspace(0.0, 1.0, 5)[:, None]
    path = (1 - t) * code_a + t * code_b
    mean_gap = np.sqrt(((path[:, None] - references[None]) ** 2).sum(axis=2)).mean(1)
    if got.shape == expected.shape and np.allclose(got, mean_gap, rtol=1e-4):
        raise ExerciseIncorrect(
            EX2,
            "this is the mean distance to all reference codes, not to the nearest.",
            "take the minimum over the references.",
        )
    close_to(
        EX2,
        got,
        expected,
        what="the distances along the path",
        atol=1e-6,
        rtol=1e-5,
        hint="build the codes of the walk first, then measure each one.",
    )
    return passed(
        EX2,
        "now walk from the 4 to the 7 against `train_codes`: where on the path is it "
        "furthest from every training code, and how far, against `real_distance`?",
    )


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


@exercise_check
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
