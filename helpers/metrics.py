"""How good is a reconstruction? MSE, PSNR and SSIM, computed one way for the whole
book.

Images are float arrays with pixels in [0, 1] and shape (N, 28, 28, 1) or (N, 28, 28).
Every metric is computed per image and then averaged over images ("per-image mean"),
which is what papers on MNIST denoising report; PSNR is in decibels (dB) with a peak
value of 1.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_image_batch

#: PSNR given to an exact reconstruction, where the true value is infinite.
PSNR_CAP_DB = 100.0


def _pair(original, reconstruction):
    original = as_image_batch(original, "original")
    reconstruction = as_image_batch(reconstruction, "reconstruction")
    if original.shape != reconstruction.shape:
        raise ValueError(
            "original and reconstruction must have the same shape; got "
            f"{original.shape} and {reconstruction.shape}"
        )
    return original, reconstruction


def mse_per_image(original, reconstruction) -> np.ndarray:
    """Mean squared error of each image, averaged over its pixels (shape (N,))."""
    original, reconstruction = _pair(original, reconstruction)
    axes = tuple(range(1, original.ndim))
    return np.mean((original - reconstruction) ** 2, axis=axes)


def mse(original, reconstruction) -> float:
    """Mean squared error per pixel over a whole set (the loss the models train on)."""
    return float(np.mean(mse_per_image(original, reconstruction)))


def psnr_per_image(original, reconstruction) -> np.ndarray:
    """Peak signal-to-noise ratio of each image in dB, 10·log10(1 / MSE), capped at 100
    dB."""
    errors = mse_per_image(original, reconstruction)
    with np.errstate(divide="ignore"):
        values = 10.0 * np.log10(1.0 / errors)
    return np.minimum(values, PSNR_CAP_DB)


def psnr(original, reconstruction) -> float:
    """Per-image mean PSNR in dB (each image's PSNR, then the mean over images)."""
    return float(np.mean(psnr_per_image(original, reconstruction)))


def ssim_per_image(original, reconstruction) -> np.ndarray:
    """Structural similarity of each image (scikit-image, data range 1, 7×7 window)."""
    from skimage.metrics import structural_similarity

    original, reconstruction = _pair(original, reconstruction)
    return np.array(
        [
            structural_similarity(a.squeeze(), b.squeeze(), data_range=1.0)
            for a, b in zip(original, reconstruction)
        ]
    )


def ssim(original, reconstruction) -> float:
    """Per-image mean SSIM (1 is identical)."""
    return float(np.mean(ssim_per_image(original, reconstruction)))


def quality_summary(images, decoded) -> dict:
    """Mean, median and pooled PSNR (dB) of decoded images: the pooled value is the PSNR
    of the mean squared error over all images, which an exactly reproduced image (PSNR
    capped at 100 dB) cannot pull up."""
    per_image = psnr_per_image(images, decoded)
    pooled_mse = mse(images, decoded)
    return {
        "psnr_db": float(np.mean(per_image)),
        "median_psnr_db": float(np.median(per_image)),
        "pooled_psnr_db": float(10 * np.log10(1 / max(pooled_mse, 1e-10))),
    }
