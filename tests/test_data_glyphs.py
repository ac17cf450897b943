"""What helpers.data.glyphs promises: every font renders every letter, the attributes are
balanced, the same seed gives the same bytes, and the glyphs look like notMNIST images."""
from __future__ import annotations

import numpy as np
import pytest

from helpers import data
from helpers.data import glyphs


# --------------------------------------------------------------------------------------
# Glyphs
# --------------------------------------------------------------------------------------
def test_glyphs_same_seed_same_bytes():
    first, again, other = data.make_glyphs(300, seed=7), data.make_glyphs(300, seed=7), data.make_glyphs(300, seed=8)
    assert first.images.tobytes() == again.images.tobytes()
    assert all(np.array_equal(first.attributes[k], again.attributes[k]) for k in first.attributes)
    assert first.images.tobytes() != other.images.tobytes()


def test_glyph_attributes_are_balanced():
    glyphs = data.make_glyphs(1_200, seed=3)
    for name, k in [("letter", 10), ("family", 3), ("bold", 2), ("italic", 2)]:
        counts = np.bincount(glyphs.attributes[name], minlength=k)
        assert counts.max() - counts.min() <= 1, (name, counts)
    assert np.array_equal(glyphs.labels, glyphs.attributes["letter"])
    cells = np.bincount(glyphs.attributes["family"] * 4 + glyphs.attributes["bold"] * 2
                        + glyphs.attributes["italic"], minlength=12)
    assert cells.min() > 0.6 * cells.mean()  # every family/style combination is well represented


def test_glyphs_look_like_notmnist_images():
    glyphs = data.make_glyphs(500, seed=0)
    assert glyphs.images.dtype == np.float32 and glyphs.images.shape == (500, 28, 28, 1)
    ink = glyphs.images[..., 0] > 0.5
    rows, cols = ink.any(axis=2), ink.any(axis=1)
    height = 28 - np.argmax(rows, 1) - np.argmax(rows[:, ::-1], 1)
    width = 28 - np.argmax(cols, 1) - np.argmax(cols[:, ::-1], 1)
    assert ink.any(axis=(1, 2)).all()  # no empty images
    assert np.median(np.maximum(height, width)) >= 22  # the letter fills the frame
    ys, xs = np.nonzero(ink.mean(axis=0) > 0)  # centred on average
    centre = np.array([ys.mean(), xs.mean()])
    assert np.allclose(centre, 13.5, atol=1.5)


@pytest.mark.parametrize("font", [f[0] for f in data.GLYPH_FONTS])
def test_every_font_renders_every_letter(font):
    from matplotlib.ft2font import FT2Font

    ft = FT2Font(glyphs._font_path(font))
    notdef = glyphs._render_template(font, "\ue000", 0.0)  # a character no font here has
    letters = []
    for letter in data.LETTERS:
        assert ft.get_char_index(ord(letter)) != 0, f"{font} has no glyph for {letter}"
        ink = glyphs._render_template(font, letter, 0.0)
        assert ink.sum() > 50, f"{font}: {letter} renders (almost) no ink"
        assert not np.allclose(ink, notdef, atol=0.05), f"{font}: {letter} renders as a tofu box"
        letters.append(ink)
    flat = np.stack(letters).reshape(10, -1)
    assert len({row.tobytes() for row in flat}) == 10  # ten different letters


def test_glyph_splits_are_disjoint():
    hashes = {s: {img.tobytes() for img in data.load_dataset("glyphs", s).images} for s in data.SPLITS}
    assert not (hashes["train"] & hashes["validation"]) and not (hashes["train"] & hashes["test"])
    assert not (hashes["validation"] & hashes["test"])
    glyphs = data.load_dataset("glyphs")
    assert len(glyphs) == 8_000 and set(glyphs.attributes) == {"letter", "family", "bold", "italic", "font"}
    assert glyphs.source.startswith("glyphs (generated")


