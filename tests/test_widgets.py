"""One call gives a live widget in Jupyter and a static, kernel-free twin in the built book."""
import io
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import widgets


def render(level, kind="a"):
    fig, ax = plt.subplots(figsize=(1, 1))
    ax.imshow(np.full((4, 4), level), vmin=0, vmax=1, cmap="gray")
    return fig


def test_every_combination_of_knob_values_gets_a_frame():
    explorer = widgets.explore(render, {"level": [0.0, 0.5, 1.0], "kind": ["a", "b"]}, alt="a square")
    assert len(explorer.frames) == 6
    assert explorer.frame(level=0.0, kind="a") != explorer.frame(level=1.0, kind="a")


def test_static_twin_is_self_contained_html_with_labelled_sliders_and_alt_text():
    page = widgets.explore(render, {"level": [0.0, 1.0]}, alt="a grey square", caption="Brightness").html()
    assert page.count('type="range"') == 1
    assert re.search(r'<label for="explorer-[0-9a-f]+-0">level', page)
    assert 'alt="a grey square (level = 0)"' in page
    assert "<figcaption>Brightness</figcaption>" in page
    assert "http" not in page, "the static twin must not load anything from the network"


def test_display_bundle_carries_both_the_widget_and_the_static_twin(monkeypatch):
    monkeypatch.delenv("BOOK_BUILD", raising=False)
    bundle = widgets.explore(render, {"level": [0.0, 1.0]}, alt="a square")._repr_mimebundle_()
    assert "text/html" in bundle and "book-explorer" in bundle["text/html"]
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_live_widget_swaps_frames_when_the_slider_moves():
    explorer = widgets.explore(render, {"level": [0.0, 1.0]}, alt="a square")
    box = explorer.widget()
    slider, image = box.children
    first = image.value
    slider.value = 1.0
    assert image.value != first and image.value == explorer.frame(level=1.0)


@pytest.mark.parametrize("knobs, alt, message", [
    ({}, "x", "at least one knob"),
    ({"level": []}, "x", "no values"),
    ({"level": [1, 1]}, "x", "repeated"),
    ({"level": list(range(200))}, "x", "frames is more than"),
    ({"level": [0.0]}, " ", "alt text"),
])
def test_bad_arguments_say_what_is_expected(knobs, alt, message):
    with pytest.raises(ValueError, match=message):
        widgets.explore(render, knobs, alt=alt)


def test_render_must_return_a_figure_or_png():
    with pytest.raises(ValueError, match="matplotlib figure or PNG bytes"):
        widgets.explore(lambda level: 3, {"level": [1]}, alt="x")


def test_for_the_book_the_bundle_holds_the_static_twin_alone(monkeypatch):
    # the built page shows the HTML; a widget would only add its saved state to the page
    monkeypatch.setenv("BOOK_BUILD", "1")
    bundle = widgets.explore(render, {"level": [0.0, 1.0]}, alt="a square")._repr_mimebundle_()
    assert "book-explorer" in bundle["text/html"]
    assert "application/vnd.jupyter.widget-view+json" not in bundle


def letters(shade):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.imshow(np.linspace(0, shade, 28 * 28).reshape(28, 28), cmap="gray", vmin=0, vmax=1)
    ax.set_title("a picture with text", fontsize=9)
    ax.plot([0, 27], [0, 27], color="tab:orange")
    return fig


def test_compact_frames_are_smaller_and_the_same_to_the_eye():
    from PIL import Image

    png = widgets.figure_to_png(letters(1.0))
    small = widgets.compact_png(png)
    assert len(small) < 0.6 * len(png), (len(small), len(png))
    before = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    after = np.asarray(Image.open(io.BytesIO(small)).convert("RGB"), dtype=int)
    assert before.shape == after.shape
    assert np.abs(before - after).mean() < 3  # of 255: no visible change


def test_transparent_frames_are_kept_as_they_are():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (255, 0, 0, 0)).save(buffer, format="PNG")
    assert widgets.compact_png(buffer.getvalue()) == buffer.getvalue()
    with pytest.raises(ValueError, match="colours"):
        widgets.compact_png(buffer.getvalue(), colours=1)


def test_static_twin_stores_each_frame_once():
    page = widgets.explore(letters, {"shade": [0.2, 0.6, 1.0]}, alt="a ramp").html()
    assert page.count("data:image/png;base64,") == 3
