"""Input validation shared by the helpers: one clear error for one kind of bad input."""
from __future__ import annotations

import numpy as np


def as_image_batch(images, name: str = "images") -> np.ndarray:
    """Return ``images`` as float32 (N, H, W[, C]) with pixels in [0, 1], or say what is wrong.

    Accepts NumPy arrays and backend tensors (anything ``np.asarray`` takes). Raises
    ``ValueError`` for a wrong rank, a non-float or non-numeric dtype, NaN/inf, or values
    outside [0, 1], because each of those silently gives wrong metrics and pictures.
    """
    array = np.asarray(images)
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{name} must be a numeric array of pixels in [0, 1]; got dtype {array.dtype}")
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(
            f"{name} must be floats in [0, 1]; got dtype {array.dtype}"
            + (" (divide uint8 pixels by 255 first)" if array.dtype == np.uint8 else "")
        )
    if array.ndim not in (3, 4):
        raise ValueError(
            f"{name} must be a batch of shape (N, height, width) or (N, height, width, 1); "
            f"got shape {array.shape}"
        )
    if array.ndim == 4 and array.shape[-1] not in (1, 3):
        raise ValueError(f"{name} must have 1 or 3 channels last; got shape {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}); expected at least one image")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values; expected pixels in [0, 1]")
    low, high = float(array.min()), float(array.max())
    if low < -1e-6 or high > 1 + 1e-6:
        raise ValueError(f"{name} must have pixels in [0, 1]; got values from {low:.3g} to {high:.3g}")
    return array.astype(np.float32, copy=False)
