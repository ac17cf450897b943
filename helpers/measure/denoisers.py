"""Classical denoisers from scikit-image, each with its knob chosen on a validation
split.

The denoising chapter compares its autoencoders with four filters that need no training
data, only one number chosen well:

===================  ==================================  =============================
filter               what it does                        knob (``parameter``)
===================  ==================================  =============================
``median``           each pixel becomes the median of a  ``size``: side in pixels
                     square
``gaussian``         a Gaussian-weighted local average   ``sigma``: width in pixels
``total variation``  smooths while keeping edges         ``weight``: strength
                     (Chambolle)
``non-local means``  averages pixels whose 5×5 patches   ``h``: patch-distance cut-off
                     look alike, anywhere within 6       (pixel units, [0, 1] scale)
                     pixels
===================  ==================================  =============================

A fair comparison gives each filter its best knob, chosen on a *validation* split (never
on the held-out images it is then measured on): :func:`choose_filter` tries every value
of a grid and keeps the one with the highest per-image mean PSNR. Images are float (N,
28, 28[, 1]) with pixels in [0, 1]; outputs are clipped to [0, 1] and have the input's
shape.

Every filter can also be given a second knob, a *background level* ``b`` (see
:func:`stretch_levels`): noise clipped to [0, 1] lifts a black background and lowers
white ink by the same amount on average, and no averaging filter undoes that. After
filtering, the levels ``[b, 1 - b]`` are stretched back to ``[0, 1]``. ``b`` is tuned on
the same validation pairs, with the filter's own knob
(``backgrounds=BACKGROUND_LEVELS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validate import as_image_batch, number

#: The filters and the knob each one has: name -> (parameter name, values tried by
#: default).
FILTERS = {
    "median": ("size", (3, 5, 7)),
    "gaussian": ("sigma", (0.5, 0.75, 1.0, 1.5, 2.0, 3.0)),
    "total variation": ("weight", (0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.8)),
    "non-local means": ("h", (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.6)),
}

#: Background levels b tried when a filter gets the second knob (0: no stretch).
BACKGROUND_LEVELS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)

#: Patch size and search distance (pixels) of non-local means, fixed for 28×28 images.
NL_MEANS_PATCH_SIZE = 5
NL_MEANS_PATCH_DISTANCE = 6


def _filter_one(name: str, image: np.ndarray, value) -> np.ndarray:
    """One (H, W) image through filter ``name`` with knob ``value``."""
    if name == "median":
        from skimage.filters import median

        return median(
            image,
            footprint=np.ones((int(value), int(value)), dtype=bool),
            mode="nearest",
        )
    if name == "gaussian":
        from skimage.filters import gaussian

        return gaussian(image, sigma=float(value), mode="nearest", preserve_range=True)
    if name == "total variation":
        from skimage.restoration import denoise_tv_chambolle

        return denoise_tv_chambolle(image, weight=float(value))
    from skimage.restoration import denoise_nl_means

    return denoise_nl_means(
        image,
        h=float(value),
        patch_size=NL_MEANS_PATCH_SIZE,
        patch_distance=NL_MEANS_PATCH_DISTANCE,
        fast_mode=True,
    )


def _check_name(name) -> str:
    if name not in FILTERS:
        raise ValueError(
            f"unknown filter {name!r}; expected one of {', '.join(map(repr, FILTERS))}"
        )
    return name


def _check_value(name: str, value):
    what = f"{FILTERS[name][0]} of the {name} filter (a positive number)"
    if number(value, what, minimum=0) == 0:
        raise ValueError(f"{what} must be above 0; got {value!r}")
    if name == "median" and (int(value) != value or int(value) % 2 == 0):
        raise ValueError(
            f"median needs an odd whole number for size (3, 5, …); got {value!r}"
        )
    return value


def apply_filter(name: str, images, value) -> np.ndarray:
    """Filter every image of a batch: ``apply_filter("median", noisy, 3)``.

    ``images``: float (N, H, W[, 1]) in [0, 1]. ``value``: the filter's knob (see
    :data:`FILTERS`). Returns float32 of the same shape, clipped to [0, 1].
    """
    name = _check_name(name)
    value = _check_value(name, value)
    images = as_image_batch(images, "images")
    if images.ndim == 4 and images.shape[-1] != 1:
        raise ValueError(
            f"images must be grey, shape (N, H, W[, 1]); got {images.shape}"
        )
    flat = images.reshape(images.shape[:3])
    out = np.stack([_filter_one(name, image, value) for image in flat])
    return np.clip(out, 0.0, 1.0).astype(np.float32).reshape(images.shape)


def stretch_levels(images, background: float) -> np.ndarray:
    """Map the levels ``[background, 1 - background]`` to ``[0, 1]`` and clip.

    Clipped Gaussian noise lifts a black pixel to ``background`` on average and lowers a
    white one by as much; this undoes that bias after a filter has averaged the grain
    away. ``background`` must lie in [0, 0.5); 0 returns the images unchanged
    (as float32).
    """
    background = number(background, "background (a level in [0, 0.5))", minimum=0)
    if background >= 0.5:
        raise ValueError(f"background must lie in [0, 0.5); got {background!r}")
    images = np.asarray(images, dtype=np.float32)
    if background == 0:
        return images
    stretched = (images - background) / (1.0 - 2.0 * background)
    return np.clip(stretched, 0.0, 1.0).astype(np.float32)


@dataclass(frozen=True)
class ChosenFilter:
    """A filter with the knob that scored best on the validation split.

    Call it on a batch: ``chosen(noisy_test)``. ``validation_psnr_db`` maps every value
    tried to its per-image mean PSNR (dB) on the validation images, at the background
    level that suited that value best; ``grid_psnr_db`` maps every ``(value,
    background)`` pair tried. ``background`` is the chosen level of
    :func:`stretch_levels` (0: none).
    """

    name: str
    parameter: str
    value: float
    validation_psnr_db: dict = field(repr=False)
    background: float = 0.0
    grid_psnr_db: dict = field(default_factory=dict, repr=False)

    def __call__(self, images) -> np.ndarray:
        filtered = apply_filter(self.name, images, self.value)
        return stretch_levels(filtered, self.background)

    @property
    def label(self) -> str:
        """E.g. ``"median (size=3)"`` or ``"median (size=3, background=0.2)"``."""
        knobs = f"{self.parameter}={self.value:g}"
        if self.background:
            knobs += f", background={self.background:g}"
        return f"{self.name} ({knobs})"

    def without_background(self) -> "ChosenFilter":
        """The best setting of the filter's own knob alone (background level 0)."""
        scores = {v: s for (v, b), s in self.grid_psnr_db.items() if b == 0}
        if not scores:
            raise ValueError("background level 0 was not among the levels tried")
        best = max(scores, key=scores.get)
        return ChosenFilter(self.name, self.parameter, best, scores, 0.0, scores)


def choose_filter(
    name: str, clean, noisy, values=None, backgrounds=(0.0,)
) -> ChosenFilter:
    """Try each knob value on (noisy → clean) validation pairs; keep the best by mean
    PSNR.

    ``clean`` and ``noisy``: float (N, H, W[, 1]) in [0, 1], the same shape. ``values``:
    the grid to try (default: :data:`FILTERS`). ``backgrounds``: the levels of
    :func:`stretch_levels` tried with every value (default: none; pass
    :data:`BACKGROUND_LEVELS` to tune the second knob too). Ties go to the first pair in
    the grid.
    """
    from ..metrics import psnr

    name = _check_name(name)
    clean = as_image_batch(clean, "clean")
    noisy = as_image_batch(noisy, "noisy")
    if clean.shape != noisy.shape:
        raise ValueError(
            f"clean and noisy must have the same shape; got {clean.shape} and "
            f"{noisy.shape}"
        )
    values = FILTERS[name][1] if values is None else tuple(values)
    if not values:
        raise ValueError(f"values must hold at least one {FILTERS[name][0]} to try")
    backgrounds = tuple(backgrounds)
    if not backgrounds:
        raise ValueError("backgrounds must hold at least one level to try (0: none)")
    grid = {}
    for value in values:
        filtered = apply_filter(name, noisy, value)  # the slow part: once per value
        for level in backgrounds:
            grid[value, level] = psnr(clean, stretch_levels(filtered, level))
    best, background = max(grid, key=grid.get)  # first of equal scores: grid order
    scores = {v: max(grid[v, level] for level in backgrounds) for v in values}
    return ChosenFilter(name, FILTERS[name][0], best, scores, background, grid)


def choose_filters(clean, noisy, names=None, backgrounds=(0.0,)) -> dict:
    """:func:`choose_filter` for several filters (default: all four) → name ->
    ChosenFilter."""
    names = list(FILTERS) if names is None else list(names)
    if not names:
        raise ValueError(
            f"names must list at least one of {', '.join(map(repr, FILTERS))}"
        )
    return {
        name: choose_filter(name, clean, noisy, backgrounds=backgrounds)
        for name in names
    }
