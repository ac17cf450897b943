"""Comparing rate–distortion curves at one rate: the rate every codec reaches, each
codec's quality there, and the lists of settings a reader may edit.

Used by the chapter "Autoencoders versus JPEG" through :mod:`helpers.measure.codec`,
which passes these names on (counting bits lives there, reading the curves here).
Rates are in bits per pixel, qualities in dB.
"""

from __future__ import annotations

import numpy as np

from .._validate import finite_array as _finite_array


def usable_settings(values, name: str, valid, default) -> list:
    """A list of settings a reader may edit (quantisation steps, JPEG qualities), made
    safe to sweep: values that ``valid`` refuses (it raises ``ValueError``) are left out
    with a printed note, and a list left empty is replaced by ``default``, with a note,
    so the chapter runs on instead of stopping deep inside a curve."""
    try:
        values = list(values)
    except TypeError:  # one value instead of a list
        values = [values]
    kept = []
    for value in values:
        try:
            valid(value)
        except (TypeError, ValueError) as refused:
            shown = value.item() if isinstance(value, np.generic) else value
            print(f"Note: {name} value {shown!r} left out: {refused}")
        else:
            kept.append(value)
    if not kept:
        kept = list(default)
        print(f"Note: {name} has no usable value; using {np.round(kept, 3).tolist()}")
    return kept


def comparison_rate(measured_bpp, at_least: float = 0.5) -> float:
    """The rate at which to compare codecs: the lowest that every curve in
    ``measured_bpp`` reaches with a measured setting (rate-0 points left out), rounded
    up to a tenth, and at least ``at_least`` bits per pixel.

    Curves that share no rate (one's lowest setting above another's highest) have no
    fair comparison point: a note says so and the rate is ``nan``.
    """
    curves = [_finite_array(bpp, "bpp").astype(np.float64).ravel() for bpp in
              measured_bpp]
    floor = max(bpp.min() for bpp in curves)
    ceiling = min(bpp.max() for bpp in curves)
    rate = max(at_least, np.ceil(10 * floor - 1e-9) / 10)
    if rate <= ceiling:
        return float(rate)
    if floor <= ceiling:
        return float(floor)
    print(
        f"Note: no rate is reached by every curve: the lowest settings need up to "
        f"{floor:.2f} bpp, the highest reach only {ceiling:.2f} bpp. Add a smaller "
        "step or a lower JPEG quality to compare the codecs."
    )
    return float("nan")


def quality_at_rate(bpp, curve: dict, rate: float) -> dict:
    """A codec's quality at ``rate`` bits per pixel, each measure read the way a real
    mix of its measured settings would reach it.

    ``bpp`` and ``curve`` (with ``psnr_db``, ``median_psnr_db``, ``pooled_psnr_db``) are
    one point per setting. Sending some images with one setting and the rest with the
    next reaches any rate between them; that mix's mean PSNR and its mean squared error
    are the straight lines between the two, so ``mean`` interpolates the mean PSNR and
    ``pooled`` the pooled MSE (then back to dB). A mix's median is no such line:
    ``median`` is the best median of a measured setting within the budget, and
    ``median_bpp`` that setting's rate. Outside the curve every value is ``nan``, with a
    note.
    """
    bpp = _finite_array(bpp, "bpp").astype(np.float64).ravel()
    order = np.argsort(bpp, kind="stable")
    bpp = bpp[order]
    mean, median, pooled = (
        np.asarray(curve[key], np.float64).ravel()[order]
        for key in ("psnr_db", "median_psnr_db", "pooled_psnr_db")
    )
    if not bpp[0] <= rate <= bpp[-1]:  # also False for a nan rate
        if np.isfinite(rate):
            print(
                f"Note: {rate:.2f} bpp lies outside this curve ({bpp[0]:.2f}–"
                f"{bpp[-1]:.2f} bpp), so its quality there is unknown (nan)."
            )
        return dict.fromkeys(("mean", "median", "pooled", "median_bpp"), float("nan"))
    pooled_mse = np.interp(rate, bpp, 10 ** (-pooled / 10))
    within = bpp <= rate + 1e-12
    best = int(np.argmax(np.where(within, median, -np.inf)))
    return {
        "mean": float(np.interp(rate, bpp, mean)),
        "median": float(median[best]),
        "pooled": float(10 * np.log10(1 / pooled_mse)),
        "median_bpp": float(bpp[best]),
    }
