"""Letters A-J rendered from the fonts matplotlib ships, with labelled attributes
(letter, family, bold, italic): the data that works anywhere, offline, and the only set
whose attributes the vector-arithmetic chapter can edit.

Why hand-written: no package renders labelled font glyphs at 28x28; matplotlib's own
TextPath and Agg renderer draw them, so no font has to be downloaded.
"""

from __future__ import annotations

import functools
import os

import numpy as np

from .._validate import whole_number
from .dataset import LETTERS, Dataset

# attributes["family"] holds the index into this tuple
FAMILIES = ("sans", "serif", "mono")

#: (file in matplotlib's mpl-data/fonts/ttf, family index, bold, italic) of every glyph
#: font. Only fonts that every matplotlib the package allows ships (3.7 onwards, Colab's
#: included).
GLYPH_FONTS = (
    ("DejaVuSans.ttf", 0, 0, 0),
    ("DejaVuSans-Bold.ttf", 0, 1, 0),
    ("DejaVuSans-Oblique.ttf", 0, 0, 1),
    ("DejaVuSans-BoldOblique.ttf", 0, 1, 1),
    ("cmss10.ttf", 0, 0, 0),
    ("DejaVuSerif.ttf", 1, 0, 0),
    ("DejaVuSerif-Bold.ttf", 1, 1, 0),
    ("DejaVuSerif-Italic.ttf", 1, 0, 1),
    ("DejaVuSerif-BoldItalic.ttf", 1, 1, 1),
    ("STIXGeneral.ttf", 1, 0, 0),
    ("STIXGeneralBol.ttf", 1, 1, 0),
    ("STIXGeneralItalic.ttf", 1, 0, 1),
    ("STIXGeneralBolIta.ttf", 1, 1, 1),
    ("cmr10.ttf", 1, 0, 0),
    ("cmb10.ttf", 1, 1, 0),  # (cmti10 exists only from matplotlib 3.11)
    ("DejaVuSansMono.ttf", 2, 0, 0),
    ("DejaVuSansMono-Bold.ttf", 2, 1, 0),
    ("DejaVuSansMono-Oblique.ttf", 2, 0, 1),
    ("DejaVuSansMono-BoldOblique.ttf", 2, 1, 1),
    ("cmtt10.ttf", 2, 0, 0),
)

_TEMPLATE = 64  # template canvas (pixels): twice the output scale plus a margin
_FIT = 52  # the glyph's longer side in the template: 26 output pixels out of 28
# outline widths (template pixels): thin, normal, heavy strokes
_STROKES = (0.0, 1.5, 3.0)


def _font_path(file: str) -> str:
    import matplotlib

    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf", file)


def _render_template(file: str, letter: str, stroke: float) -> np.ndarray:
    """Ink (0..1, float32) of ``letter`` in font ``file``, centred on a 64x64 canvas."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath
    from matplotlib.transforms import Affine2D

    path = TextPath(
        (0, 0), letter, size=100, prop=FontProperties(fname=_font_path(file))
    )
    box = path.get_extents()
    scale = _FIT / max(box.width, box.height)
    transform = (
        Affine2D()
        .translate(-box.x0 - box.width / 2, -box.y0 - box.height / 2)
        .scale(scale)
        .translate(_TEMPLATE / 2, _TEMPLATE / 2)
    )
    renderer = RendererAgg(_TEMPLATE, _TEMPLATE, 72)
    gc = renderer.new_gc()
    gc.set_antialiased(True)
    gc.set_foreground((0, 0, 0))
    gc.set_linewidth(stroke)
    # fill, plus an outline if stroke > 0
    renderer.draw_path(gc, path, transform, (0, 0, 0))
    ink = np.asarray(renderer.buffer_rgba())[..., 3].astype(np.float32) / 255.0
    return ink


@functools.lru_cache(maxsize=1)
def _templates() -> np.ndarray:
    """(fonts * letters * strokes, 66, 66) templates, slightly blurred against
    aliasing."""
    from scipy.ndimage import gaussian_filter

    stack = np.stack(
        [
            _render_template(file, letter, stroke)
            for file, *_ in GLYPH_FONTS
            for letter in LETTERS
            for stroke in _STROKES
        ]
    )
    stack = gaussian_filter(stack, sigma=(0, 0.7, 0.7)).astype(np.float32)
    # a zero border: samples outside read 0
    stack = np.pad(stack, ((0, 0), (1, 1), (1, 1)))
    stack.flags.writeable = False
    return stack


def _balanced(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """``n`` values in 0..k-1, each (as nearly as possible) equally often, in random
    order."""
    return rng.permutation(np.arange(n) % k)


def make_glyphs(n: int = 10_000, seed: int = 0) -> Dataset:
    """``n`` images of letters A-J in matplotlib's fonts, with labelled attributes.

    Each image is a pre-rendered (font, letter, stroke) template warped by its own
    seeded affine jitter: the longer side 24-28 of 28 pixels (as in notMNIST), rotation
    up to +/-8 degrees, shift up to +/-1.5 pixels, plus a stroke-weight change.
    ``letter``, ``family`` (index into :data:`FAMILIES`: 0 sans, 1 serif, 2 mono),
    ``bold`` and ``italic`` are each balanced and drawn independently; the font is then
    drawn among those with that family and style. The same ``seed`` gives the same bytes
    (on one matplotlib version).
    """
    n = whole_number(n, "n (a number of images)")
    rng = np.random.default_rng(seed)
    letter = _balanced(rng, n, len(LETTERS))
    family = _balanced(rng, n, len(FAMILIES))
    bold = _balanced(rng, n, 2)
    italic = _balanced(rng, n, 2)
    cells = {}
    for index, (_, fam, b, i) in enumerate(GLYPH_FONTS):
        cells.setdefault((fam, b, i), []).append(index)
    table = np.zeros(
        (len(FAMILIES), 2, 2, max(len(v) for v in cells.values())), dtype=np.int64
    )
    counts = np.zeros((len(FAMILIES), 2, 2), dtype=np.int64)
    for (fam, b, i), fonts in cells.items():
        counts[fam, b, i] = len(fonts)
        table[fam, b, i, : len(fonts)] = fonts
    choice = (rng.random(n) * counts[family, bold, italic]).astype(np.int64)
    font = table[family, bold, italic, choice]
    stroke = rng.integers(0, len(_STROKES), n)

    # 1.0: the glyph's longer side is 26 of the 28 pixels
    zoom = rng.uniform(0.92, 1.08, n)
    step = 2.0 / zoom  # template pixels per output pixel
    angle = np.deg2rad(rng.uniform(-8.0, 8.0, n))
    shift = rng.uniform(-1.5, 1.5, (2, n))
    gamma = rng.uniform(0.8, 1.25, n)

    templates = _templates()  # (K, 66, 66): 64x64 canvases with a zero border
    side = templates.shape[-1]
    which = (font * len(LETTERS) + letter) * len(_STROKES) + stroke
    grid = np.arange(28, dtype=np.float32) - np.float32(13.5)
    # (n, 28, 1)
    rows = grid[None, :, None] - shift[0][:, None, None].astype(np.float32)
    # (n, 1, 28)
    cols = grid[None, None, :] - shift[1][:, None, None].astype(np.float32)
    cos = (np.cos(angle) * step).astype(np.float32)[:, None, None]
    sin = (np.sin(angle) * step).astype(np.float32)[:, None, None]
    centre = np.float32((_TEMPLATE - 1) / 2 + 1)  # +1: the border
    # Bilinear sampling of each image's template at its rotated, scaled, shifted grid.
    source_rows = np.clip(centre + cos * rows - sin * cols, 0, side - 1.001)
    source_cols = np.clip(centre + sin * rows + cos * cols, 0, side - 1.001)
    top, left = np.floor(source_rows), np.floor(source_cols)
    down, right = source_rows - top, source_cols - left
    index = (which[:, None, None] * side + top.astype(np.intp)) * side + left.astype(
        np.intp
    )
    flat = templates.reshape(-1)
    images = (flat[index] * (1 - right) + flat[index + 1] * right) * (1 - down) + (
        flat[index + side] * (1 - right) + flat[index + side + 1] * right
    ) * down
    images = np.clip(images, 0.0, 1.0) ** gamma[:, None, None]
    # 8-bit like notMNIST: exact bytes
    images = np.rint(images * 255.0).astype(np.uint8)
    return Dataset(
        images=(images.astype(np.float32) / np.float32(255.0))[..., None],
        labels=letter.astype(np.int64),
        class_names=list(LETTERS),
        attributes={
            "letter": letter.astype(np.int64),
            "family": family.astype(np.int64),
            "bold": bold.astype(np.int64),
            "italic": italic.astype(np.int64),
            "font": np.array([GLYPH_FONTS[f][0] for f in font]),
        },
        source=f"glyphs (generated, n={n}, seed={seed})",
    )
