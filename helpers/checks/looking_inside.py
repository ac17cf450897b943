"""Checks for the exercises of "Looking inside a network: a sparse autoencoder opens a
classifier" (book/looking-inside.ipynb)."""

from __future__ import annotations

import numpy as np

from . import ExerciseIncorrect, Passed, call_answer, choice, close_to, passed
from . import exercise_check

EX1 = "Exercise looking-inside-ex1"
EX2 = "Exercise looking-inside-ex2"
EX3 = "Exercise looking-inside-ex3"

#: The two outcomes of exercise 1: a latent found again as one latent of the wider
#: dictionary, or split into several.
OUTCOMES = ("one", "several")


def _split(split) -> dict:
    """{latent: wide latents inside it}, checked: at least one, whole counts ≥ 0."""
    if not isinstance(split, dict) or not split:
        raise ValueError("split must be a dict {latent: number of wide latents inside "
                         f"it}} with at least one latent; got {split!r}")
    for latent, count in split.items():
        if isinstance(count, bool) or int(count) != count or count < 0:
            raise ValueError(f"each count must be a whole number ≥ 0; got {count!r} "
                             f"for latent {latent!r}")
    return {latent: int(count) for latent, count in split.items()}


@exercise_check
def exercise_1(prediction, split) -> Passed:
    """Predict: in a dictionary twice as wide, is a typical latent found again as one
    latent or split into several? Judged on the run's counts ``split`` {latent:
    wide latents inside it}: "several" when the median count is two or more."""
    answer = choice(EX1, prediction, OUTCOMES, "prediction")
    counts = _split(split)
    several = sum(count >= 2 for count in counts.values())
    median = float(np.median(list(counts.values())))
    expected = "several" if median >= 2 else "one"
    if answer.lower() != expected:
        raise ExerciseIncorrect(
            EX1,
            "that is not what this run measures.",
            "with twice the atoms and the same k, can each latent afford to cover as "
            "many inputs as before?",
        )
    return passed(
        EX1,
        f"{several} of the {len(counts)} latents have two or more latents of the "
        f"wide dictionary inside them (median {median:g}). A dictionary's features "
        "depend on its size: a wider one splits them into narrower ones.",
    )


def _variance_explained(a, r):
    a, r = np.asarray(a, np.float64), np.asarray(r, np.float64)
    return 1 - np.sum((a - r) ** 2) / np.sum((a - a.mean(axis=0)) ** 2)


@exercise_check
def exercise_2(variance_explained) -> Passed:
    """1 − Σ‖a − â‖² / Σ‖a − ā‖², ā the per-column mean."""
    rng = np.random.default_rng(3)
    a = rng.gamma(1.0, 1.0, (200, 6)) * np.arange(1, 7)
    r = a + rng.normal(0, 0.5, a.shape)
    for what, recon, expected in (
            ("the mean", np.broadcast_to(a.mean(axis=0), a.shape).copy(), 0.0),
            ("a perfect reconstruction", a.copy(), 1.0)):
        got = call_answer(EX2, variance_explained, a.copy(), recon,
                          what="variance_explained")
        close_to(EX2, got, expected, what=f"variance_explained of {what}", atol=1e-6,
                 hint="ā is the mean of each column: activations.mean(axis=0).")
    offset = a + 0.7  # a reconstruction off by a constant: its own mean is not ā
    got = call_answer(EX2, variance_explained, a.copy(), offset,
                      what="variance_explained")
    close_to(EX2, got, _variance_explained(a, offset),
             what="variance_explained(a, a + c)", rtol=1e-6,
             hint="ā is the mean of the activations, not of the reconstruction.")
    got = call_answer(EX2, variance_explained, a.copy(), r.copy(),
                      what="variance_explained")
    scalar = np.sum((a - r) ** 2) / np.sum((a - a.mean()) ** 2)
    if np.isclose(float(np.asarray(got)), 1 - scalar, rtol=1e-6):
        raise ExerciseIncorrect(EX2, "that subtracts one mean over every number, not "
                                "each column's own mean.", "use axis=0.")
    close_to(EX2, got, _variance_explained(a, r), what="variance_explained(a, â)",
             rtol=1e-6, hint="sum the squares over rows and columns alike.")
    return passed(EX2, "0 for the mean, 1 for a perfect copy: the baseline is each "
                  "unit's own mean, so units that barely vary do not flatter the "
                  "score.")


def _top_k(pre, k):
    pre = np.asarray(pre, np.float64)
    keep = np.argsort(-pre, axis=1, kind="stable")[:, :k]
    out = np.zeros_like(pre)
    np.put_along_axis(out, keep, np.take_along_axis(pre, keep, axis=1), axis=1)
    return np.maximum(out, 0)


@exercise_check
def exercise_3(top_k_latents) -> Passed:
    """The k largest pre-activations of each row, 0 elsewhere, then ReLU."""
    rng = np.random.default_rng(7)
    pre = rng.normal(size=(50, 40))
    pre[0, :] = -np.abs(pre[0, :])  # a row with no positive value: all zero after ReLU
    k = 5
    got = np.asarray(call_answer(EX3, top_k_latents, pre.copy(), k,
                                 what="top_k_latents"), dtype=np.float64)
    expected = _top_k(pre, k)
    if got.shape == expected.shape and np.allclose(
            got, np.where(pre >= np.sort(pre, axis=1)[:, -k:-k + 1], pre, 0)):
        if not np.allclose(got, expected):
            raise ExerciseIncorrect(EX3, "negative values are kept.",
                                    "apply the ReLU after TopK: np.maximum(…, 0).")
    if got.shape == expected.shape and (got > 0).sum(axis=1).max() > k:
        raise ExerciseIncorrect(EX3, "some rows keep more than k values.",
                                "keep the k largest of each row (axis=1), not of all.")
    close_to(EX3, got, expected, what=f"top_k_latents(pre, {k})", atol=1e-9,
             hint="the k largest of each row, then np.maximum(…, 0).")
    return passed(EX3, "at most k latents per input, none negative: L0 ≤ k by "
                  "construction, with no penalty to tune.")
