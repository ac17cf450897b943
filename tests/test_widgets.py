"""One call gives a live widget in Jupyter and a static, kernel-free twin in the built book."""
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


def test_display_bundle_carries_both_the_widget_and_the_static_twin():
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
