"""Checks for the exercises of "Latent vector arithmetic"
(book/vector-arithmetic.ipynb)."""

from __future__ import annotations

import numpy as np

from .._validate import number
from . import ExerciseIncorrect, Passed, call_answer, choice, close_to, passed

EX1 = "Exercise vector-arithmetic-ex1"
EX2 = "Exercise vector-arithmetic-ex2"
EX3 = "Exercise vector-arithmetic-ex3"

READINGS = ("regular", "bold")


def exercise_1(prediction, read_as_regular, baseline_regular=0.0) -> Passed:
    """Predict: bold held-out glyphs minus the bold vector — pushed to regular,
    or still bold?

    ``read_as_regular`` is the fraction the style judge reads as regular after the edit,
    and ``baseline_regular`` the fraction it reads as regular when the same glyphs are
    decoded unchanged (both computed in the check cell, so the answer is judged against
    the reader's own run). "regular" is right when the edit adds at least 20 percentage
    points.
    """
    answer = choice(EX1, prediction, READINGS, "prediction")
    rate = number(read_as_regular, "read_as_regular (a fraction)", minimum=0, maximum=1)
    baseline = number(
        baseline_regular, "baseline_regular (a fraction)", minimum=0, maximum=1
    )
    gain = rate - baseline
    expected = "regular" if gain >= 0.2 - 1e-9 else "bold"
    if answer != expected:
        if expected == "regular":
            raise ExerciseIncorrect(
                EX1,
                f"in this run {rate:.0%} of the bold glyphs read as regular after the "
                f"bold vector was subtracted, against {baseline:.0%} decoded "
                "unchanged: most lost their weight.",
                "the vector is a difference of two means: subtracting it moves the "
                "average bold code onto the average regular one, just as adding it "
                "moved regular onto bold.",
            )
        raise ExerciseIncorrect(
            EX1,
            f"in this run only {rate:.0%} of the bold glyphs read as regular after the "
            f"bold vector was subtracted (against {baseline:.0%} unchanged): the edit "
            "did not run backwards here.",
            "look at the pictures: a decoder that never saw thinner-than-regular "
            "glyphs may not be able to go below regular weight.",
        )
    return passed(
        EX1,
        f"{rate:.0%} of bold held-out glyphs read as regular after subtracting the "
        f"bold vector, against {baseline:.0%} decoded unchanged: the direction works "
        "both ways.",
    )


def _reference_vector(codes, has_attribute):
    return codes[has_attribute].mean(axis=0) - codes[~has_attribute].mean(axis=0)


def exercise_2(attribute_vector) -> Passed:
    """``attribute_vector(codes, has_attribute)``: mean code with the attribute minus
    mean code without."""
    rng = np.random.default_rng(7)
    codes = rng.normal(0.0, 1.0, size=(40, 5))
    has = np.zeros(40, dtype=bool)
    has[rng.permutation(40)[:10]] = True  # 10 with, 30 without: sums and means differ
    codes[has] += np.array([2.0, 0.0, -1.0, 0.5, 0.0])
    got = call_answer(
        EX2, attribute_vector, codes.copy(), has.copy(), what="attribute_vector"
    )
    got = np.asarray(got, dtype=np.float64)
    expected = _reference_vector(codes, has)
    if got.shape == (40,) or got.shape == (10,) or got.shape == (30,):
        raise ExerciseIncorrect(
            EX2,
            f"your vector has shape {got.shape}, one number per glyph; "
            f"expected one number per code dimension, shape {expected.shape}.",
            "average over the glyphs (axis=0), not over the code dimensions.",
        )
    if got.shape == expected.shape and np.all(np.isfinite(got)):
        if np.allclose(got, -expected, rtol=1e-5):
            raise ExerciseIncorrect(
                EX2,
                "your vector points the wrong way: it is (without − with).",
                "adding it should add the attribute: mean code *with* minus "
                "mean code *without*.",
            )
        if np.allclose(
            got, codes[has].sum(axis=0) - codes[~has].sum(axis=0), rtol=1e-5
        ):
            raise ExerciseIncorrect(
                EX2,
                "you subtracted sums, not means: the result then depends "
                "on how many glyphs each group has.",
                "use .mean(axis=0).",
            )
        if np.allclose(got, codes[has].mean(axis=0) - codes.mean(axis=0), rtol=1e-5):
            raise ExerciseIncorrect(
                EX2,
                "you subtracted the mean of *all* codes, which still contains "
                "the glyphs with the attribute; the vector comes out too short.",
                "subtract the mean of the glyphs *without* it: codes[~has_attribute].",
            )
    close_to(
        EX2,
        got,
        expected,
        what="attribute_vector(codes, has_attribute)",
        rtol=1e-5,
        atol=1e-8,
        hint="codes[has_attribute].mean(axis=0) − codes[~has_attribute].mean(axis=0).",
    )
    return passed(
        EX2, "the difference of the two mean codes, one number per code dimension."
    )


def _reference_slant(images):
    ink = np.asarray(images, dtype=np.float64)
    if ink.ndim == 4:
        ink = ink[..., 0]
    rows = np.arange(ink.shape[1], dtype=np.float64)[None, :, None]
    cols = np.arange(ink.shape[2], dtype=np.float64)[None, None, :]
    weight = ink / ink.sum(axis=(1, 2), keepdims=True)
    row_mean = (weight * rows).sum(axis=(1, 2), keepdims=True)
    col_mean = (weight * cols).sum(axis=(1, 2), keepdims=True)
    covariance = (weight * (rows - row_mean) * (cols - col_mean)).sum(axis=(1, 2))
    row_variance = (weight * (rows - row_mean) ** 2).sum(axis=(1, 2))
    return -covariance / row_variance


def _bars(shears) -> np.ndarray:
    """Images (N, 28, 28, 1) of one bar each, its top shifted right by ``shear`` pixels
    per row up."""
    images = np.zeros((len(shears), 28, 28, 1), dtype=np.float32)
    for index, shear in enumerate(shears):
        for row in range(4, 24):
            centre = 13.5 + shear * (13.5 - row)
            for col in range(28):
                images[index, row, col, 0] = max(0.0, 1.0 - abs(col - centre) / 1.5)
    return images


def exercise_3(slant) -> Passed:
    """``slant(images)``: how far each digit leans right, in columns per row
    (ink-weighted)."""
    shears = [0.0, 0.3, -0.3, 0.6]
    images = _bars(shears)
    got = call_answer(EX3, slant, images.copy(), what="slant")
    got = np.asarray(got, dtype=np.float64)
    expected = _reference_slant(images)
    if got.shape != expected.shape:
        raise ExerciseIncorrect(
            EX3,
            f"slant returned shape {got.shape}; expected {expected.shape}, "
            "one number per image.",
            "sum over the two pixel axes only (axis=(1, 2)).",
        )
    if not np.all(np.isfinite(got)):
        raise ExerciseIncorrect(
            EX3,
            "slant returned NaN or infinite values for bars of ink.",
            "divide by the ink-weighted variance of the row index, which is > 0 here.",
        )
    if abs(got[0]) > 0.05:
        raise ExerciseIncorrect(
            EX3,
            f"an upright bar should have slant 0; yours gives {got[0]:.3g}.",
            "measure rows and columns from the ink's centre (subtract the means).",
        )
    if np.allclose(got, -expected, atol=0.02):
        raise ExerciseIncorrect(
            EX3,
            "your slant has the wrong sign: a bar whose top leans right "
            f"gives {got[1]:.2f}, expected +{expected[1]:.2f}.",
            "row numbers grow downwards in an image, so leaning right means the "
            "column falls as the row grows: put a minus in front.",
        )
    close_to(
        EX3,
        got,
        expected,
        what="slant(images) of four test bars",
        atol=0.03,
        rtol=0.05,
        hint=(
            "slant = −Σ w (r − r̄)(c − c̄) / Σ w (r − r̄)² with w the ink of each "
            "pixel, normalised to sum to 1 per image."
        ),
    )
    return passed(
        EX3,
        f"your slant reads the test bars as {', '.join(f'{v:+.2f}' for v in got)} "
        "columns per row: upright, leaning right, leaning left, leaning further.",
    )
