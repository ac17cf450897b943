"""Checks for the exercises of "A primer" (book/primer.ipynb)."""

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

EX1 = "Exercise primer-ex1"
EX2 = "Exercise primer-ex2"
EX3 = "Exercise primer-ex3"
EX4 = "Exercise primer-ex4"


def _gaussian_kl(mean_q, std_q, mean_p, std_p) -> float:
    """KL(N(mean_q, std_q²) || N(mean_p, std_p²)) in nats."""
    return float(
        np.log(std_p / std_q)
        + (std_q**2 + (mean_q - mean_p) ** 2) / (2 * std_p**2)
        - 0.5
    )


@exercise_check
def exercise_1(kl_narrow_wide) -> Passed:
    answer = choice(
        EX1, kl_narrow_wide, ["smaller", "larger", "equal"], "kl_narrow_wide"
    )
    forward, backward = _gaussian_kl(0, 1, 0, 2), _gaussian_kl(0, 2, 0, 1)
    if answer != "smaller":
        hint = (
            "KL is not symmetric: that is why it is a divergence, not a distance."
            if answer == "equal"
            else "draws from the wide Gaussian often land where the narrow one is "
            "nearly impossible, and each such draw costs many nats."
        )
        raise ExerciseIncorrect(
            EX1,
            f"KL(narrow ‖ wide) = {forward:.3f} nats and KL(wide ‖ narrow) = "
            f"{backward:.3f} nats.",
            hint,
        )
    return passed(
        EX1,
        f"{forward:.3f} nats against {backward:.3f}: a model too narrow for its data "
        "pays more than one too wide.",
    )


@exercise_check
def exercise_2(gaussian_nll) -> Passed:
    rng = np.random.default_rng(0)
    cases = [
        (0.0, 0.0, 1.0),
        (
            np.array([0.2, 1.5, -3.0]),
            np.array([0.0, 1.0, 2.0]),
            np.array([1.0, 0.5, 2.0]),
        ),
        (rng.random((4, 5)), rng.random((4, 5)), 0.1 + rng.random((4, 5))),
    ]
    for x, mean, std in cases:
        expected = (np.asarray(x) - mean) ** 2 / (
            2 * np.asarray(std) ** 2
        ) + 0.5 * np.log(2 * np.pi * np.asarray(std) ** 2)
        got = call_answer(EX2, gaussian_nll, x, mean, std, what="gaussian_nll")
        got_array = np.asarray(got, dtype=np.float64)
        hint = (
            "(x − mean)² / (2·std²) + ½·log(2π·std²), element by element; "
            "std is the standard deviation, not the variance."
        )
        if got_array.shape == np.shape(expected):
            if np.allclose(got_array, -expected, rtol=1e-6, atol=1e-9):
                hint = "that is the log-density: the negative one has the other sign."
            elif np.allclose(got_array, expected / np.log(2), rtol=1e-6, atol=1e-9):
                hint = "that is in bits: use np.log, the natural logarithm, for nats."
            elif np.allclose(
                got_array, (np.asarray(x) - mean) ** 2 / (2 * np.asarray(std) ** 2)
            ):
                hint = "add the normalising term ½·log(2π·std²): it depends on std."
        close_to(
            EX2,
            got_array,
            expected,
            what="gaussian_nll(x, mean, std)",
            rtol=1e-6,
            atol=1e-9,
            hint=hint,
        )
    return passed(
        EX2,
        "at a fixed std, the negative log-density is the squared error scaled, plus "
        "a constant: minimising MSE maximises a Gaussian likelihood.",
    )


def _variance_kept(images, k) -> float:
    flat = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    variances = np.linalg.svd(flat - flat.mean(axis=0), compute_uv=False) ** 2
    return float(variances[:k].sum() / variances.sum())


@exercise_check
def exercise_3(variance_kept) -> Passed:
    rng = np.random.default_rng(1)
    # images with a few strong directions, as digits have
    scales = np.array([[3.0], [2.0], [1.5], [1.0], [0.5], [0.2]])
    basis = rng.standard_normal((6, 784)) * scales
    noise = 0.01 * rng.standard_normal((200, 784))
    images = 0.5 + 0.05 * (rng.standard_normal((200, 6)) @ basis) + noise
    images = images.reshape(200, 28, 28, 1).astype(np.float32)
    flat = images.reshape(200, -1).astype(np.float64)
    plain = np.linalg.svd(flat, compute_uv=False) ** 2  # not centred
    singular = np.linalg.svd(flat - flat.mean(axis=0), compute_uv=False)
    for k in (1, 3, 10):
        got = require_number(
            EX3,
            call_answer(EX3, variance_kept, images.copy(), k, what="variance_kept"),
            f"variance_kept(images, {k})",
            hint="return one share between 0 and 1, e.g. with float(...).",
        )
        expected = _variance_kept(images, k)
        if abs(got - expected) <= 1e-4 * expected + 1e-6:
            continue
        hint = "centre the images (subtract the mean image) before the SVD."
        if np.isclose(got, plain[:k].sum() / plain.sum()):
            hint = "without centring, the first direction is the mean image."
        elif np.isclose(got, singular[:k].sum() / singular.sum()):
            hint = "the variance is the singular value squared, not the value itself."
        raise ExerciseIncorrect(
            EX3,
            f"for k = {k} expected a share of {expected:.4f}; got {got:.4f}.",
            hint,
        )
    return passed(
        EX3,
        "the share kept is the sum of the first k squared singular values over the "
        "sum of all of them.",
    )


@exercise_check
def exercise_4(can_be_negative) -> Passed:
    answer = choice(EX4, can_be_negative, ["yes", "no"], "can_be_negative")
    rng = np.random.default_rng(4)
    draws = 0.1 + rng.standard_normal((10_000, 10))
    estimates = (0.1 * draws - 0.005).mean(axis=1)  # log q − log p, averaged over 10
    share = float(np.mean(estimates < 0))
    if answer != "yes":
        raise ExerciseIncorrect(
            EX4,
            f"of 10,000 estimates from ten draws each, {share:.0%} came out negative.",
            "KL ≥ 0 holds for the expectation; each term 0.1·z − 0.005 is negative "
            "whenever z < 0.05, and ten terms are few.",
        )
    return passed(
        EX4,
        f"{share:.0%} of such ten-draw estimates are negative; only the average over "
        "all of q is guaranteed to be ≥ 0 (the true value is 0.005 nats).",
    )
