"""Feedback for the exercises of "The denoising autoencoder"."""

from __future__ import annotations

import math

from .._validate import number
from . import (
    exercise_check,
    ExerciseIncorrect,
    ExerciseNotDone,
    Passed,
    call_answer,
    choice,
    passed,
    require_number,
)

EX1 = "Exercise denoising-ex1"
EX2 = "Exercise denoising-ex2"
EX3 = "Exercise denoising-ex3"

FILTER_NAMES = ("median", "gaussian", "total variation", "non-local means")

#: Why each filter can come first on salt and pepper: exercise 2 says the winner's.
WHY_IT_WINS = {
    "median": "a median ignores the few pixels set to 0 or 1, while averaging "
    "filters smear them over their neighbours.",
    "gaussian": "a Gaussian average dilutes every speck over its neighbours; in this "
    "run that beat the median, which fails where specks crowd its window.",
    "total variation": "total variation flattens the specks between the edges it "
    "keeps; in this run that beat the median's ignoring of outliers.",
    "non-local means": "non-local means averages pixels whose surroundings look "
    "alike, which a speck's do not; in this run that beat the median.",
}


@exercise_check
def exercise_1(prediction, dae_psnr_db, noisy_psnr_db) -> Passed:
    """At σ = 0.1, below its training level, is the DAE's PSNR "higher" or "lower" than
    that of the noisy letters it is given? Checked against the two measured held-out
    PSNRs (dB)."""
    prediction = choice(EX1, prediction, ("higher", "lower"), "prediction")
    dae, noisy = (
        number(dae_psnr_db, "dae_psnr_db (dB)"),
        number(noisy_psnr_db, "noisy_psnr_db (dB)"),
    )
    truth = "higher" if dae > noisy else "lower"
    if prediction != truth:
        raise ExerciseIncorrect(
            EX1,
            "that is not what this run measures at σ = 0.1; the curve below shows "
            "both at every level.",
            "the autoencoder was trained where the noise spans half the pixel range; "
            "it smooths every input it is given, and at σ = 0.1 there is little noise "
            "to remove.",
        )
    if truth == "lower":
        return passed(
            EX1,
            f"{dae:.1f} dB against {noisy:.1f} dB for the noisy input: the DAE expects "
            "heavy noise and blurs every letter; under light noise the blur costs more "
            "than the noise it removes.",
        )
    return passed(
        EX1,
        f"{dae:.1f} dB against {noisy:.1f} dB for the noisy input: in this run the "
        "DAE still improves lightly noisy letters.",
    )


@exercise_check
def exercise_2(prediction, validation_psnr_db) -> Passed:
    """Which classical filter wins on salt-and-pepper noise? Checked against the
    measured scores.

    ``validation_psnr_db``: filter name -> its best per-image mean PSNR (dB) on the
    validation split, as the solution cell measures it.
    """
    prediction = choice(EX2, prediction, FILTER_NAMES, "prediction")
    if not isinstance(validation_psnr_db, dict) or not validation_psnr_db:
        raise ValueError(
            "validation_psnr_db must map filter names to PSNR in dB, e.g. {'median': "
            "18.2}"
        )
    unknown = set(validation_psnr_db) - set(FILTER_NAMES)
    if unknown:
        raise ValueError(
            f"unknown filter names {sorted(unknown)}; expected {FILTER_NAMES}"
        )
    scores = {
        k: number(v, f"validation_psnr_db[{k!r}] (dB)")
        for k, v in validation_psnr_db.items()
    }
    winner = max(scores, key=scores.get)
    if prediction != winner:
        got = scores.get(prediction)
        gap = (
            f": {got:.1f} dB, {scores[winner] - got:.1f} dB below the best"
            if got is not None
            else ""
        )
        raise ExerciseIncorrect(
            EX2,
            f"{prediction!r} is not the filter that wins in this run{gap}.",
            "salt-and-pepper pixels are outliers: which of the filters ignores "
            "outliers instead of averaging them in?",
        )
    return passed(
        EX2, f"{winner} wins with {scores[winner]:.1f} dB: {WHY_IT_WINS[winner]}"
    )


def clipped_noise_mean(noise_level: float) -> float:
    """E[clip(σ·Z, 0, 1)] for Z ~ N(0, 1): what a black pixel becomes on average
    (exact)."""
    sigma = float(noise_level)
    if sigma == 0:
        return 0.0
    upper = 1.0 / sigma
    density = lambda t: math.exp(-0.5 * t * t) / math.sqrt(2 * math.pi)  # noqa: E731
    tail = 0.5 * math.erfc(upper / math.sqrt(2))  # P(σZ > 1): clipped to 1
    return sigma * (density(0.0) - density(upper)) + tail


@exercise_check
def exercise_3(background_brightness) -> Passed:
    """``background_brightness(noise_level)`` → mean of a black pixel after clipped
    noise."""
    levels = (0.1, 0.3, 0.5, 1.0)
    got = []
    for level in levels:
        value = call_answer(
            EX3, background_brightness, level, what="background_brightness"
        )
        got.append(
            require_number(
                EX3,
                value,
                f"background_brightness({level})",
                hint="return the mean brightness, one number per noise level.",
            )
        )
    expected = [clipped_noise_mean(level) for level in levels]
    worst = max(abs(g - e) for g, e in zip(got, expected))
    if worst <= 0.005:
        return passed(
            EX3,
            f"at σ = 0.5 a black pixel averages {expected[2]:.3f}, not 0: clipping "
            "throws away the negative half of the noise, so the background gets "
            "brighter.",
        )
    if max(abs(g) for g in got) < 1e-3:
        raise ExerciseIncorrect(
            EX3,
            "you return 0: that is the mean of the noise before clipping.",
            "after clip(0 + noise, 0, 1) no pixel is negative, so the mean cannot be "
            "0. Simulate: draw many σ·N(0, 1) values, clip them, average.",
        )
    unclipped_top = [level / math.sqrt(2 * math.pi) for level in levels]
    if max(abs(g - u) for g, u in zip(got, unclipped_top)) <= 0.005:
        raise ExerciseIncorrect(
            EX3,
            f"at σ = 1 you return {got[3]:.3f}, the answer is {expected[3]:.3f}: you "
            "clip at 0 but not at 1.",
            "values above 1 are clipped to 1 too (np.clip(x, 0, 1)).",
        )
    detail = ", ".join(
        f"σ={lv:g}: {g:.3f} (expected {e:.3f})"
        for lv, g, e in zip(levels, got, expected)
    )
    raise ExerciseIncorrect(
        EX3,
        f"off by up to {worst:.3f} ({detail}); tolerance 0.005.",
        "start from a black image (all 0), add σ·N(0, 1) noise, clip to [0, 1], and "
        "average over many pixels (a million keeps the simulation error near 0.0005).",
    )


__all__ = [
    "exercise_1",
    "exercise_2",
    "exercise_3",
    "clipped_noise_mean",
    "ExerciseNotDone",
    "ExerciseIncorrect",
]
