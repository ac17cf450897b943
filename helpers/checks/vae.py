"""Checks for the exercises of "The variational autoencoder" (book/vae.ipynb)."""

from __future__ import annotations

import math

import numpy as np

from . import (
    exercise_check,
    ExerciseIncorrect,
    Passed,
    call_answer,
    choice,
    close_to,
    passed,
    require_answer,
    require_number,
)

EX1 = "Exercise vae-ex1"
EX2 = "Exercise vae-ex2"
EX3 = "Exercise vae-ex3"
EX4 = "Exercise vae-ex4"
EX5 = "Exercise vae-ex5"

DIRECTIONS = ("lower", "higher")


@exercise_check
def exercise_1(prediction) -> Passed:
    """Predict: with β = 4 instead of 1, is the held-out KL lower or higher? The
    reconstruction term?"""
    require_answer(EX1, prediction, "prediction")
    if not isinstance(prediction, dict):
        raise ExerciseIncorrect(
            EX1,
            f"prediction should be a dict like "
            '{"kl": "lower", "reconstruction": "higher"}; '
            f"got {type(prediction).__name__}.",
        )
    kl = choice(EX1, prediction.get("kl"), DIRECTIONS, 'prediction["kl"]')
    reconstruction = choice(
        EX1,
        prediction.get("reconstruction"),
        DIRECTIONS,
        'prediction["reconstruction"]',
    )
    wrong = []
    if kl != "lower":
        wrong.append(
            "the KL: β multiplies the KL in the loss; what does an optimiser do with a "
            "term whose every nat now costs four times as much?"
        )
    if reconstruction != "higher":
        wrong.append(
            "the reconstruction term: if the codes move towards the prior, how much "
            "can they still tell the decoder about each image?"
        )
    if wrong:
        raise ExerciseIncorrect(
            EX1,
            "not quite — think again about " + "; and about ".join(wrong) + ".",
            "the loss is reconstruction + β·KL; ask which term gets more expensive.",
        )
    return passed(
        EX1,
        "β trades reconstruction for KL: KL lower, reconstruction higher. "
        "Exercise 4 measures by how much.",
    )


def _reference_kl(z_mean, z_log_var):
    return 0.5 * (z_mean**2 + np.exp(z_log_var) - 1.0 - z_log_var)


@exercise_check
def exercise_2(kl_per_dimension) -> Passed:
    """The analytic KL(N(μ, σ²) ‖ N(0, 1)) of each dimension, from z_mean and z_log_var
    (NumPy)."""
    rng = np.random.default_rng(0)
    z_mean = rng.normal(0.0, 1.5, size=(6, 3))
    z_log_var = rng.normal(-1.0, 1.0, size=(6, 3))
    got = call_answer(
        EX2, kl_per_dimension, z_mean.copy(), z_log_var.copy(), what="kl_per_dimension"
    )
    got = np.asarray(got, dtype=np.float64)
    expected = _reference_kl(z_mean, z_log_var)
    if got.shape == (6,) and np.allclose(got, expected.sum(axis=1), rtol=1e-4):
        raise ExerciseIncorrect(
            EX2,
            "you summed over the latent dimensions: the total is right, but "
            "the exercise asks for one KL per dimension, shape (N, latent_size).",
            "drop the sum over the last axis.",
        )
    if got.shape == expected.shape and np.all(np.isfinite(got)):
        if np.allclose(got, 2 * expected, rtol=1e-4):
            raise ExerciseIncorrect(
                EX2,
                "your values are exactly twice the KL.",
                "the formula starts with ½: ½(μ² + σ² − 1 − log σ²).",
            )
        with np.errstate(all="ignore"):  # z_log_var taken for σ, or for σ²
            as_sigma = 0.5 * (z_mean**2 + z_log_var**2 - 1 - np.log(z_log_var**2))
            as_variance = 0.5 * (z_mean**2 + z_log_var - 1 - np.log(np.abs(z_log_var)))
        if np.allclose(got, as_sigma, rtol=1e-4) or np.allclose(
            got, as_variance, rtol=1e-4, equal_nan=True
        ):
            raise ExerciseIncorrect(
                EX2,
                "you treated z_log_var as if it were σ (or σ²) itself.",
                "z_log_var is log σ²: σ² = exp(z_log_var), and log σ² is z_log_var.",
            )
        if np.allclose(got, -expected, rtol=1e-4):
            raise ExerciseIncorrect(
                EX2, "your KL has the wrong sign: a KL divergence is never negative."
            )
    close_to(
        EX2,
        got,
        expected,
        what="kl_per_dimension(z_mean, z_log_var)",
        rtol=1e-4,
        hint="use the KL formula of 'The idea' with σ² = exp(z_log_var) and "
        "log σ² = z_log_var, element by element: no sum, no mean.",
    )
    zero = np.asarray(
        call_answer(
            EX2,
            kl_per_dimension,
            np.zeros((2, 4)),
            np.zeros((2, 4)),
            what="kl_per_dimension",
        ),
        dtype=np.float64,
    )
    close_to(
        EX2,
        zero,
        np.zeros((2, 4)),
        what="the KL at μ = 0, σ = 1 (the prior itself)",
        atol=1e-6,
        hint="when q equals the prior the KL must be exactly zero.",
    )
    return passed(
        EX2, "the analytic KL matches, dimension by dimension, and is 0 at the prior."
    )


def _reference_iw(log_weights):
    log_weights = np.asarray(log_weights, dtype=np.float64)
    top = log_weights.max(axis=0)
    return -(top + np.log(np.mean(np.exp(log_weights - top), axis=0)))


@exercise_check
def exercise_3(importance_weighted) -> Passed:
    """−log of the mean of exp(log_weights) over the k samples (axis 0), computed
    stably."""
    rng = np.random.default_rng(1)
    k, n = 100, 5
    # like a real VAE: exp underflows to 0 in float32
    log_weights = rng.normal(-150.0, 3.0, size=(k, n))
    log_weights[:, 0] -= 900.0  # exp underflows to exactly 0 even in float64
    got = np.asarray(
        call_answer(
            EX3, importance_weighted, log_weights.copy(), what="importance_weighted"
        ),
        dtype=np.float64,
    )
    expected = _reference_iw(log_weights)
    if got.shape != expected.shape:
        raise ExerciseIncorrect(
            EX3,
            f"the result has shape {got.shape}; expected one number per "
            f"image, shape {expected.shape} (the k samples are axis 0).",
            "reduce over axis=0, not over everything.",
        )
    if not np.all(np.isfinite(got)):
        raise ExerciseIncorrect(
            EX3,
            "some results are infinite or NaN: exp(log_weights) underflowed "
            "to 0 (log weights of a 784-pixel image lie around −150 to −300: exp "
            "gives 0 in float32 below about −104, and below about −745 even in "
            "float64; one test image's weights lie near −1050).",
            "subtract the largest log weight first: "
            "log Σ exp(a) = m + log Σ exp(a − m).",
        )
    if np.allclose(got, expected - math.log(k), rtol=1e-6, atol=1e-6):
        raise ExerciseIncorrect(
            EX3,
            f"every value is log k = {math.log(k):.3f} too low: that is the "
            "log of the sum, not of the mean.",
            "subtract log k from the log-sum-exp.",
        )
    if np.allclose(got, -expected, rtol=1e-6, atol=1e-6):
        raise ExerciseIncorrect(
            EX3,
            "the sign is flipped: the estimate of −log p(x) is positive here.",
            "return minus the log-mean-exp.",
        )
    if np.allclose(got, -log_weights.mean(axis=0), rtol=1e-6, atol=1e-6):
        raise ExerciseIncorrect(
            EX3,
            "you averaged the log weights: that is the ELBO estimate, not the "
            "importance-weighted one.",
            "average the weights, then take the log.",
        )
    close_to(
        EX3,
        got,
        expected,
        what="importance_weighted(log_weights)",
        rtol=1e-6,
        atol=1e-6,
        hint="take each image's largest log weight out before exp and add it back "
        "after the log; a mean over the k samples, and a minus sign for −log p(x).",
    )
    return passed(
        EX3, "stable log-mean-exp: no overflow, no underflow, one estimate per image."
    )


def _terms(name: str, result, what: str) -> tuple[float, float]:
    if not isinstance(result, dict) or not {"reconstruction", "kl"} <= set(result):
        raise ExerciseIncorrect(
            name,
            f"{what} should be a dict with keys 'reconstruction' and 'kl' "
            f"(nats per image); got {result!r:.80}.",
        )
    values = []
    for key in ("reconstruction", "kl"):
        value = require_number(name, result[key], f"{what}[{key!r}]", finite=False)
        if not math.isfinite(value) or value < 0:
            raise ExerciseIncorrect(
                name,
                f"{what}[{key!r}] is {value}; both terms are finite and ≥ 0 "
                "in nats per image.",
            )
        values.append(value)
    return values[0], values[1]


@exercise_check
def exercise_4(measure_beta, baseline, beta: float = 4.0) -> Passed:
    """Measure the held-out reconstruction and KL at β = ``beta``; compare them
    with β = 1."""
    base_reconstruction, base_kl = _terms(EX4, baseline, "the β = 1 baseline")
    result = call_answer(EX4, measure_beta, beta, what=f"measure_beta({beta:g})")
    reconstruction, kl = _terms(EX4, result, f"measure_beta({beta:g})")
    if abs(kl - base_kl) < 1e-6 and abs(reconstruction - base_reconstruction) < 1e-6:
        raise ExerciseIncorrect(
            EX4,
            "your numbers are exactly the β = 1 numbers: did you train a new "
            "model with the new β, or measure the old one?",
            "build_vae(2, beta=beta), fit it, then elbo_terms on the held-out images.",
        )
    if kl >= base_kl:
        raise ExerciseIncorrect(
            EX4,
            f"at β = {beta:g} the KL is {kl:.2f} nats, not below β = 1's "
            f"{base_kl:.2f}.",
            "check that β reaches the loss (build_vae(..., beta=beta)) "
            "and that you report the KL without the factor β.",
        )
    if reconstruction <= base_reconstruction:
        raise ExerciseIncorrect(
            EX4,
            f"at β = {beta:g} the reconstruction term is {reconstruction:.2f} "
            f"nats, not above β = 1's {base_reconstruction:.2f}.",
            "train for as many epochs as the β = 1 model, and measure on the same "
            "held-out images.",
        )
    return passed(
        EX4,
        f"β = {beta:g}: KL {kl:.2f} nats (β = 1: {base_kl:.2f}), reconstruction "
        f"{reconstruction:.2f} nats (β = 1: {base_reconstruction:.2f}). The bound "
        f"reconstruction + KL went from {base_reconstruction + base_kl:.2f} to "
        f"{reconstruction + kl:.2f}.",
    )


#: (image shape, latent size) pairs the check asks about: a colour image, the chapter's
#: MNIST at two latent sizes, and a larger grey one.
_SHAPES = (((32, 32, 3), 64), ((28, 28, 1), 2), ((28, 28, 1), 32), ((64, 64, 1), 16))


@exercise_check
def exercise_5(effective_beta) -> Passed:
    """The β hidden in a loss that averages both terms: BCE over the image's values, KL
    over the latent dimensions. The answer is a function of (image_shape,
    latent_size)."""
    for shape, latent_size in _SHAPES:
        got = require_number(
            EX5,
            call_answer(EX5, effective_beta, shape, latent_size,
                        what=f"effective_beta({shape}, {latent_size})"),
            f"effective_beta({shape}, {latent_size})",
        )
        values, width = math.prod(shape), shape[0] * shape[1]
        expected = values / latent_size
        if math.isclose(got, expected, rel_tol=1e-6):
            continue
        if math.isclose(got, values, rel_tol=1e-6):
            raise ExerciseIncorrect(
                EX5,
                f"effective_beta({shape}, {latent_size}) is {got:g}: right for a KL "
                "summed over the latent dimensions, but this loss averages the KL too.",
                "write both averages as sums divided by a count, then multiply the "
                "whole loss by the reconstruction's count.",
            )
        if got > 0 and math.isclose(got * expected, 1.0, rel_tol=1e-6):
            raise ExerciseIncorrect(
                EX5,
                f"effective_beta({shape}, {latent_size}) is {got:g}, below 1 where "
                "it should not be: which of the two terms does averaging shrink more?",
                "β multiplies the KL once the reconstruction is a sum over values.",
            )
        if shape[2] > 1 and math.isclose(got, width / latent_size, rel_tol=1e-6):
            raise ExerciseIncorrect(
                EX5,
                f"effective_beta({shape}, {latent_size}) is {got:g}: a colour image "
                "has more values than pixels.",
                "the mean runs over every value of the image, channels included.",
            )
        raise ExerciseIncorrect(
            EX5,
            f"effective_beta({shape}, {latent_size}) is {got:g}; that is not the "
            "weight the KL gets once the loss is rescaled to a summed reconstruction.",
            "write both averages as sums divided by a count, then multiply the whole "
            "loss by the reconstruction's count.",
        )
    return passed(
        EX5,
        "averaging hides a β: multiply the loss back to a summed reconstruction and "
        "read off the weight on the summed KL.",
    )
