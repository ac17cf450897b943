"""Comparing rate–distortion curves at one rate: the rate every codec reaches, each
codec's quality there, and the lists of settings a reader may edit.

Used by the chapter "Autoencoders versus JPEG" through :mod:`helpers.measure.codec`,
which passes these names on (counting bits lives there, reading the curves here).
Rates are in bits per pixel, qualities in dB.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_image_batch, finite_array as _finite_array
from ..metrics import PSNR_CAP_DB, mse_per_image, quality_summary


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
    columns = [np.asarray(curve[key], np.float64).ravel()
               for key in ("psnr_db", "median_psnr_db", "pooled_psnr_db")]
    if any(column.shape != bpp.shape for column in columns):
        raise ValueError(
            f"bpp has {bpp.size} points but the curve's PSNR columns have "
            f"{[column.size for column in columns]}; expected one per setting"
        )
    if np.isfinite(rate) and not bpp.min() <= rate <= bpp.max():
        print(
            f"Note: {rate:.2f} bpp lies outside this curve ({bpp.min():.2f}–"
            f"{bpp.max():.2f} bpp), so its quality there is unknown (nan)."
        )
    return _read(bpp, *columns, rate)


def _read(bpp, mean, median, pooled, rate) -> dict:
    """:func:`quality_at_rate` without checks or notes (nan outside the curve), for
    the many resampled curves of :func:`gap_at_rate_interval`."""
    order = np.argsort(bpp, kind="stable")
    bpp, mean, median, pooled = bpp[order], mean[order], median[order], pooled[order]
    if not bpp[0] <= rate <= bpp[-1]:  # also False for a nan rate
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


def with_rate_zero(curve: dict, images, guess) -> dict:
    """``curve`` with one more point, rate 0: nothing is sent and every image is shown
    as ``guess`` (the mean training image), which any codec can do for free, so mixing
    with it reaches every rate below the codec's lowest setting.

    Per-setting values get 0 (bits, step, quality) or the guess's PSNR; per-image rows
    (keys ``per_image_…``, settings × images) get a row of zeros, or of the guess's
    squared errors for ``per_image_mse``.
    """
    images = as_image_batch(images)
    shown = np.broadcast_to(np.asarray(guess, np.float32), images.shape)
    zero = quality_summary(images, shown)
    out = {}
    for key, values in curve.items():
        values = np.asarray(values)
        if not key.startswith("per_image_"):
            out[key] = np.append(values, zero.get(key, 0.0))
            continue
        if values.ndim != 2 or values.shape[1] != len(images):
            raise ValueError(
                f"curve[{key!r}] has shape {values.shape}; expected one row per "
                f"setting and one column for each of the {len(images)} images"
            )
        row = (mse_per_image(images, shown) if key == "per_image_mse"
               else np.zeros(len(images)))
        out[key] = np.vstack([values, row[None]])
    return out


def _per_setting(side, name: str):
    """One side's (bits, squared errors), checked, as float arrays settings × images."""
    try:
        bits, errors = (np.asarray(a, np.float64) for a in side)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a pair (per-image bits, per-image MSE), each settings × "
            "images"
        ) from None
    if bits.ndim != 2 or bits.shape != errors.shape or not (
        np.isfinite(bits).all() and np.isfinite(errors).all()
    ):
        raise ValueError(
            f"{name}'s bits {bits.shape} and squared errors {errors.shape} must be "
            "finite, of one shape: settings × images"
        )
    return bits, errors


def _measures(bits, errors, pixels):
    """Per setting: mean bpp, and mean, median and pooled PSNR of the images given."""
    with np.errstate(divide="ignore"):
        psnr = np.minimum(10 * np.log10(1 / errors), PSNR_CAP_DB)
    pooled = 10 * np.log10(1 / np.maximum(errors.mean(axis=-1), 1e-10))
    return (bits.mean(axis=-1) / pixels, psnr.mean(axis=-1),
            np.median(psnr, axis=-1), pooled)


def gap_at_rate_interval(ours, theirs, rate: float, n_boot: int = 1000,
                         level: float = 0.95, seed: int = 0,
                         pixels: int = 28 * 28) -> dict:
    """How far ``ours`` is above ``theirs`` at ``rate`` bpp (dB), with a paired
    bootstrap interval, so that a gap smaller than the letters' own scatter is not read
    as a win.

    ``ours`` and ``theirs`` are pairs (bits, squared errors), each settings × images,
    for the same images (e.g. a curve's ``per_image_bits`` and ``per_image_mse``).
    Each of ``n_boot`` resamples draws images with replacement, gives both codecs the
    same draw, recomputes every setting's mean bpp and its mean, median and pooled
    PSNR, and reads each at ``rate`` as :func:`quality_at_rate` does.
    Returns ``{"mean"|"median"|"pooled": {"gap", "low", "high"}}``: the gap of the
    whole sample and the central ``level`` interval of the resampled gaps (nan if no
    resample reaches ``rate``).
    """
    (ours_bits, ours_err), (their_bits, their_err) = (
        _per_setting(ours, "ours"), _per_setting(theirs, "theirs"))
    if ours_bits.shape[1] != their_bits.shape[1]:
        raise ValueError(
            f"ours has {ours_bits.shape[1]} images and theirs {their_bits.shape[1]}; "
            "a paired comparison needs the same images on both sides"
        )
    if int(n_boot) != n_boot or n_boot < 1 or not 0 < level < 1:
        raise ValueError(
            f"n_boot must be a whole number ≥ 1 and level in (0, 1); got {n_boot!r}, "
            f"{level!r}"
        )

    def gaps(columns):
        a = _measures(ours_bits[:, columns], ours_err[:, columns], pixels)
        b = _measures(their_bits[:, columns], their_err[:, columns], pixels)
        at_a, at_b = _read(*a, rate), _read(*b, rate)
        return [at_a[k] - at_b[k] for k in ("mean", "median", "pooled")]

    n = ours_bits.shape[1]
    rng = np.random.default_rng(seed)
    point = gaps(np.arange(n))
    draws = np.array([gaps(rng.integers(0, n, n)) for _ in range(int(n_boot))])
    tail = 100 * (1 - level) / 2
    out = {}
    for k, key in enumerate(("mean", "median", "pooled")):
        finite = draws[:, k][np.isfinite(draws[:, k])]
        low, high = (np.percentile(finite, [tail, 100 - tail]) if finite.size
                     else (np.nan, np.nan))
        out[key] = {"gap": float(point[k]), "low": float(low), "high": float(high)}
    return out


def gap_verdict(interval: dict) -> str:
    """The words for one interval of :func:`gap_at_rate_interval`: ahead or behind only
    when the whole interval is on one side of 0."""
    if not np.isfinite([interval["gap"], interval["low"], interval["high"]]).all():
        return "not comparable with"
    if interval["low"] > 0:
        return "ahead of"
    if interval["high"] < 0:
        return "behind"
    return "about level with"
