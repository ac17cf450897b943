"""Input validation shared by the helpers: one clear error for one kind of bad input."""

from __future__ import annotations

import numpy as np


def as_image_batch(images, name: str = "images") -> np.ndarray:
    """Return ``images`` as float32 (N, H, W[, C]) with pixels in [0, 1], or say what is
    wrong.

    Accepts NumPy arrays and backend tensors (anything ``np.asarray`` takes). Raises
    ``ValueError`` for a wrong rank, a non-float or non-numeric dtype, NaN/inf, or
    values outside [0, 1], because each of those silently gives wrong metrics and
    pictures.
    """
    array = np.asarray(images)
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise ValueError(
            f"{name} must be a numeric array of pixels in [0, 1]; "
            f"got dtype {array.dtype}"
        )
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(
            f"{name} must be floats in [0, 1]; got dtype {array.dtype}"
            + (" (divide uint8 pixels by 255 first)" if array.dtype == np.uint8 else "")
        )
    if array.ndim not in (3, 4):
        raise ValueError(
            f"{name} must be a batch of shape (N, height, width) or "
            "(N, height, width, 1); "
            f"got shape {array.shape}"
        )
    if array.ndim == 4 and array.shape[-1] not in (1, 3):
        raise ValueError(
            f"{name} must have 1 or 3 channels last; got shape {array.shape}"
        )
    if array.shape[0] == 0:
        raise ValueError(
            f"{name} is empty (shape {array.shape}); expected at least one image"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(
            f"{name} contains NaN or infinite values; expected pixels in [0, 1]"
        )
    low, high = float(array.min()), float(array.max())
    if low < -1e-6 or high > 1 + 1e-6:
        raise ValueError(
            f"{name} must have pixels in [0, 1]; "
            f"got values from {low:.3g} to {high:.3g}"
        )
    return array.astype(np.float32, copy=False)


def whole_number(value, what: str, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` as an int in [``minimum``, ``maximum``] (a layer size, a count), or a
    ValueError.

    ``True`` is not a count, and neither is ``2.0``: a float here is nearly always a
    mistake (a size computed with ``/`` instead of ``//``).
    """
    bounds = (
        f"from {minimum:,} to {maximum:,}" if maximum is not None else f"≥ {minimum:,}"
    )
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise ValueError(f"{what} must be a whole number {bounds}; got {value!r}")
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        raise ValueError(f"{what} must be a whole number {bounds}; got {value}")
    return value


def number(
    value, what: str, minimum: float | None = None, maximum: float | None = None
) -> float:
    """``value`` as a finite float in [``minimum``, ``maximum``] (a weight, β, a noise
    level, a fraction, a PSNR in dB), or a ValueError that says which range was
    expected."""
    if minimum is not None and maximum is not None:
        bounds = f" from {minimum:g} to {maximum:g}"
    elif minimum is not None:
        bounds = f" ≥ {minimum:g}"
    elif maximum is not None:
        bounds = f" ≤ {maximum:g}"
    else:
        bounds = ""
    if isinstance(value, (bool, str, bytes)):
        raise ValueError(f"{what} must be a number{bounds}; got {value!r}")
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number{bounds}; got {value!r}") from None
    if not np.isfinite(result):
        raise ValueError(
            f"{what} must be a number{bounds}, not NaN or infinite; got {value!r}"
        )
    if (minimum is not None and result < minimum) or (
        maximum is not None and result > maximum
    ):
        raise ValueError(f"{what} must be a number{bounds}; got {value!r}")
    return result


def non_negative(value, what: str) -> float:
    """``value`` as a finite float ≥ 0 (a penalty weight, β, a noise level), or a
    ValueError."""
    return number(value, what, minimum=0)


def finite_array(values, what: str) -> np.ndarray:
    """``values`` as a non-empty numeric NumPy array with no NaN or infinity, or a
    ``ValueError`` that says which of these failed."""
    array = np.asarray(values)
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{what} must be a numeric array; got dtype {array.dtype}")
    if array.size == 0:
        raise ValueError(f"{what} is empty; expected at least one value")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} contains NaN or infinite values")
    return array
