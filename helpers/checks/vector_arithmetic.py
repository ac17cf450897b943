"""Checks for the exercises of "Latent vector arithmetic"
(book/vector-arithmetic.ipynb)."""

from __future__ import annotations

import numpy as np

from .._validate import number
from . import ExerciseIncorrect, Passed, call_answer, choice, close_to, passed
from . import exercise_check

EX1 = "Exercise vector-arithmetic-ex1"
EX2 = "Exercise vector-arithmetic-ex2"
EX3 = "Exercise vector-arithmetic-ex3"

READINGS = ("regular", "bold")


@exercise_check
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


def _groups(size=30, dims=4, seed=7):
    """Test codes: ``size`` rows with the attribute and ``size`` without, shuffled."""
    rng = np.random.default_rng(seed)
    codes = rng.normal(0.0, 1.0, size=(2 * size, dims))
    has = np.zeros(2 * size, dtype=bool)
    has[rng.permutation(2 * size)[:size]] = True
    codes[has] += np.linspace(2.0, -1.0, dims)
    return codes, has


def _is_one_pair(vector, codes, has) -> bool:
    """Whether ``vector`` is one code with the attribute minus one code without."""
    pairs = codes[has][:, None, :] - codes[~has][None, :, :]
    return bool(np.any(np.all(np.abs(pairs - vector) < 1e-6, axis=-1)))


@exercise_check
def exercise_2(vector_from_few) -> Passed:
    """``vector_from_few(codes, has_attribute, count, seed)``: the mean of ``count``
    codes with the attribute minus the mean of ``count`` codes without, drawn at
    random without replacement with ``np.random.default_rng(seed)``.

    Judged by what any correct drawing must give, not by one particular sequence of
    random numbers: with ``count`` equal to a whole group every code is used once (the
    full difference of means); with ``count=1`` it is one code minus one code; other
    seeds give other vectors and the same seed the same vector.
    """
    codes, has = _groups()
    size = int(has.sum())

    def call(count, seed):
        got = call_answer(EX2, vector_from_few, codes.copy(), has.copy(), count, seed,
                          what="vector_from_few")
        return np.asarray(got, dtype=np.float64)

    whole = call(size, 0)
    expected = codes[has].mean(axis=0) - codes[~has].mean(axis=0)
    if whole.shape != expected.shape:
        raise ExerciseIncorrect(
            EX2,
            f"your vector has shape {whole.shape}; expected one number per code "
            f"dimension, shape {expected.shape}.",
            "average the drawn codes over the glyphs (axis=0), not over dimensions.",
        )
    if np.allclose(whole, -expected, rtol=1e-5):
        raise ExerciseIncorrect(
            EX2,
            "your vector points the wrong way: it is (without − with).",
            "adding the vector should add the attribute.",
        )
    if np.allclose(whole, size * expected, rtol=1e-5):
        raise ExerciseIncorrect(
            EX2,
            "you subtracted sums, not means: the vector's length then grows with "
            "count.",
            "divide by the number of codes drawn.",
        )
    close_to(
        EX2, whole, expected,
        what=f"vector_from_few(codes, has_attribute, count={size}, seed=0), with "
        f"count equal to the size of each group",
        rtol=1e-5, atol=1e-8,
        hint="when count is a whole group, every one of its codes must be drawn "
        "exactly once: draw without replacement.",
    )
    few = [call(3, seed) for seed in (0, 1, 2)]
    if all(np.allclose(v, expected, rtol=1e-5) for v in few):
        raise ExerciseIncorrect(
            EX2,
            "with count=3 your vector equals the one from all the codes: count is "
            "not used.",
            "draw count codes from each group, and average only those.",
        )
    if np.allclose(few[0], few[1]) and np.allclose(few[1], few[2]):
        raise ExerciseIncorrect(
            EX2,
            "seeds 0, 1 and 2 give the same vector: the codes are not drawn at random.",
            "make the random generator from seed and let it choose the rows.",
        )
    if not np.allclose(call(3, 1), few[1]):
        raise ExerciseIncorrect(
            EX2,
            "the same seed gave two different vectors, so a run cannot be repeated.",
            "draw with a generator made from seed inside the function, not with "
            "np.random's global state.",
        )
    single = call(1, 0)
    if single.shape != expected.shape or not _is_one_pair(single, codes, has):
        raise ExerciseIncorrect(
            EX2,
            "with count=1 your vector is not one code with the attribute minus one "
            "code without it.",
            "draw the rows of each group only from that group.",
        )
    return passed(
        EX2,
        "a vector from a few random codes of each group: all of them give the full "
        "difference of means, one of each the difference of one unmatched pair (any "
        "letter, family and slant, unlike the analogy's matched A-bold and A).",
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


@exercise_check
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
            "check that each image's weights sum to 1 and that the covariance is "
            "divided by the variance of the rows, not of the columns."
        ),
    )
    return passed(
        EX3,
        f"your slant reads the test bars as {', '.join(f'{v:+.2f}' for v in got)} "
        "columns per row: upright, leaning right, leaning left, leaning further.",
    )
