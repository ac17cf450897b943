"""Checks for the exercises of "Autoencoders at work" (book/at-work.ipynb)."""

from __future__ import annotations

import numpy as np

from . import ExerciseIncorrect, Passed, call_answer, choice, passed, require_number
from . import exercise_check

EX1 = "Exercise at-work-ex1"
EX2 = "Exercise at-work-ex2"
EX3 = "Exercise at-work-ex3"


@exercise_check
def exercise_1(prediction, faint_flagged) -> Passed:
    """Predict whether the MSE threshold flags most letters dimmed to 30%.

    The run decides: ``faint_flagged`` is what the chapter measured.
    """
    answer = choice(EX1, prediction, ("yes", "no"), "prediction")
    actual = "yes" if bool(faint_flagged) else "no"
    if answer != actual:
        if actual == "no":
            hint = (
                "a faint letter has little ink, so even where the decoder gets it "
                "wrong each "
                "pixel's mistake is small: the same reason the MNIST ones slip through."
            )
        else:
            hint = (
                "this decoder has only seen full-strength letters: it paints the "
                "faint letter back at full strength, and the difference over every "
                "stroke costs more than "
                "the threshold allows."
            )
        raise ExerciseIncorrect(
            EX1,
            "that is not what this run measures.",
            hint,
        )
    return passed(
        EX1,
        "a faint letter has little to get wrong, so the MSE score lets it through."
        if actual == "no"
        else "the decoder restores full-strength strokes, and the "
        "difference is flagged.",
    )


def _cases():
    rng = np.random.default_rng(7)
    return [
        (rng.normal(size=200), 0.05),
        (rng.exponential(size=1000), 0.01),
        (np.arange(20, dtype=float), 0.1),
    ]


@exercise_check
def exercise_2(threshold_for_rate) -> Passed:
    """A threshold flagging (score > threshold) at most ``rate`` of normal scores.

    And no fewer: exactly ⌊rate · n⌋ of n scores (the cases have no ties).
    """
    for scores, rate in _cases():
        got = require_number(
            EX2,
            call_answer(
                EX2, threshold_for_rate, scores.copy(), rate, what="threshold_for_rate"
            ),
            "threshold_for_rate(scores, rate)",
            hint="return one threshold.",
        )
        flagged = float(np.mean(scores > got))
        if flagged > rate + 1e-12:
            hint = (
                "the threshold sits near the (1 − rate) quantile of the normal scores."
            )
            if abs(got - np.quantile(scores, rate)) < 1e-9 * max(1.0, abs(got)) + 1e-9:
                hint = (
                    "that is the rate quantile; "
                    "the threshold is the (1 − rate) quantile."
                )
            raise ExerciseIncorrect(
                EX2,
                f"with rate {rate} your threshold {got:.4g} flags "
                f"{flagged:.1%} of the normal scores.",
                hint,
            )
        most = int(np.floor(round(rate * len(scores), 9)))  # ⌊rate · n⌋ (no ties here)
        if np.sum(scores > got) < most:
            raise ExerciseIncorrect(
                EX2,
                f"with rate {rate} your threshold {got:.4g} flags only "
                f"{np.sum(scores > got)} of the {len(scores)} normal scores, "
                f"where {most} may be flagged: it is higher than needed.",
                "to flag the k = ⌊rate · n⌋ largest scores, put the threshold on the "
                "score just below them: np.sort(scores)[n - k - 1]. "
                "np.quantile(scores, 1 - rate, method='higher') is one score too high "
                "when rate · n is a whole number.",
            )
    return passed(
        EX2, "the threshold flags the chosen share of normal images, and no more."
    )


def _auc(normal, outlier) -> float:
    normal, outlier = np.asarray(normal, float), np.asarray(outlier, float)
    greater = outlier[:, None] > normal[None, :]
    ties = outlier[:, None] == normal[None, :]
    return float(np.mean(greater + 0.5 * ties))


@exercise_check
def exercise_3(auc_by_counting) -> Passed:
    """The AUC: share of (outlier, normal) pairs where the outlier wins (ties ½)."""
    rng = np.random.default_rng(3)
    cases = [
        (np.array([1.0, 3.0]), np.array([2.0, 4.0])),
        (np.array([0.5, 0.5, 0.2]), np.array([0.5, 0.9])),
        (rng.normal(size=50), rng.normal(1.0, size=40)),
    ]
    for normal, outlier in cases:
        got = require_number(
            EX3,
            call_answer(
                EX3,
                auc_by_counting,
                normal.copy(),
                outlier.copy(),
                what="auc_by_counting",
            ),
            "auc_by_counting(normal, outlier)",
            hint="return one number from 0 to 1.",
        )
        expected = _auc(normal, outlier)
        if abs(got - expected) > 1e-9:
            hint = (
                "compare every outlier score with every normal score "
                "(broadcasting: [:, None])."
            )
            if abs(got - (1 - expected)) < 1e-9:
                hint = (
                    "the other way round: "
                    "count the pairs where the outlier scores higher."
                )
            elif abs(got - float(np.mean(outlier[:, None] > normal[None, :]))) < 1e-9:
                hint = "a tie counts one half, not zero."
            raise ExerciseIncorrect(
                EX3,
                f"for normal {np.round(normal[:4], 3).tolist()}… and outliers "
                f"{np.round(outlier[:4], 3).tolist()}… expected {expected:.4f}; "
                f"got {got:.4f}.",
                hint,
            )
    return passed(
        EX3,
        "the AUC is the chance that an outlier outscores a normal image, "
        "the same number as sklearn.metrics.roc_auc_score.",
    )
