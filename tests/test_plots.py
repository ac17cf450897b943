"""The book's pictures (helpers.plots): each figure holds the axes and images it promises,
is closed so it shows once, and bad input stops with a message that says what was expected."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import plots

RNG = np.random.default_rng(0)
IMAGES = RNG.random((4, 28, 28, 1)).astype(np.float32)


def test_image_grid_draws_one_image_per_cell_with_its_pixels():
    fig = plots.image_grid([IMAGES, 1 - IMAGES], row_titles=["in", "out"], col_titles=list("abcd"))
    assert len(fig.axes) == 8
    first, fifth = fig.axes[0].images[0], fig.axes[4].images[0]
    assert np.array_equal(first.get_array(), IMAGES[0, ..., 0])
    assert np.array_equal(fifth.get_array(), 1 - IMAGES[0, ..., 0])  # row 2 starts at axis 4
    assert first.get_clim() == (0.0, 1.0)
    assert [ax.get_title() for ax in fig.axes[:4]] == list("abcd")
    assert fig.axes[4].get_ylabel() == "out"


def test_a_single_batch_is_one_row_and_the_figure_is_closed():
    fig = plots.image_grid(IMAGES[..., 0])
    assert len(fig.axes) == 4
    assert not plt.fignum_exists(fig.number)  # shown once, as the cell's value


@pytest.mark.parametrize("rows, kwargs, message", [
    ([], {}, "at least one row"),
    ([IMAGES, IMAGES[:3]], {}, "row 1 has shape"),
    ([IMAGES * 255], {}, r"\[0, 1\]"),
    ([IMAGES], {"row_titles": ["a", "b"]}, "row_titles has 2 entries for 1 rows"),
    ([IMAGES], {"col_titles": ["a"]}, "col_titles has 1 entries for 4 columns"),
])
def test_image_grid_says_what_is_wrong(rows, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.image_grid(rows, **kwargs)


def test_image_grid_draws_other_ranges_when_asked():
    fig = plots.image_grid([IMAGES * 4 - 2], vmin=-2, vmax=2)
    assert fig.axes[0].images[0].get_clim() == (-2, 2)


def test_loss_curve_plots_training_and_held_out_loss_per_epoch():
    fig = plots.loss_curve({"loss": [0.3, 0.2, 0.1], "val_loss": [0.35, 0.25, 0.2]}, log=True)
    (ax,) = fig.axes
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"training", "held-out"}
    assert list(lines["training"].get_xdata()) == [1, 2, 3]
    assert list(lines["held-out"].get_ydata()) == [0.35, 0.25, 0.2]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"


def test_loss_curve_reads_a_keras_history_and_refuses_anything_else():
    class History:
        history = {"loss": [1.0, 0.5]}

    assert [line.get_label() for line in plots.loss_curve(History()).axes[0].get_lines()] == ["training"]
    with pytest.raises(ValueError, match="History or a dict with a 'loss' list"):
        plots.loss_curve([1.0, 0.5])


def test_latent_scatter_draws_one_colour_per_class_on_the_code_axes():
    codes = RNG.normal(size=(30, 2))
    labels = np.repeat([0, 1, 2], 10)
    (ax,) = plots.latent_scatter(codes, labels, ["A", "B", "C"]).axes
    assert [c.get_label() for c in ax.collections] == ["A", "B", "C"]
    assert np.allclose(ax.collections[1].get_offsets(), codes[10:20])
    assert ax.get_xlabel() == "code 1"


def test_latent_scatter_projects_wider_codes_and_keeps_at_most_max_points():
    (ax,) = plots.latent_scatter(RNG.normal(size=(50, 8)), np.zeros(50, int), ["A"], max_points=20).axes
    assert ax.get_xlabel() == "principal direction 1"
    assert len(ax.collections[0].get_offsets()) == 20


@pytest.mark.parametrize("codes, labels, message", [
    (np.zeros((5, 2)), np.zeros(4, int), "5 codes but 4 labels"),
    (np.full((3, 2), np.nan), np.zeros(3, int), "NaN or infinite"),
    (np.zeros((3, 1)), np.zeros(3, int), "at least 2 values"),
])
def test_latent_scatter_says_what_is_wrong(codes, labels, message):
    with pytest.raises(ValueError, match=message):
        plots.latent_scatter(codes, labels, ["A"])
