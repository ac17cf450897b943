"""The book's pictures: one image grid, one loss curve, one latent scatter.

Every function returns the matplotlib ``Figure`` (and draws nothing else), so that a
chapter can show it, save it, or turn it into a frame of a widget.
"""

from __future__ import annotations

import matplotlib

import matplotlib.pyplot as plt
import numpy as np

from ._validate import as_image_batch


def image_grid(
    rows,
    *,
    row_titles=None,
    col_titles=None,
    cell_size: float = 1.1,
    cmap: str = "gray",
    vmin: float = 0.0,
    vmax: float = 1.0,
    title=None,
):
    """Draw rows of images as one grid: e.g. ``image_grid([inputs, codes, outputs])``.

    ``rows`` is a list of image batches of equal length (each (N, H, W[, 1]), pixels in
    [0, 1] unless ``vmin``/``vmax`` say otherwise) or a single batch, drawn as one row.
    ``row_titles`` label the rows on the left; ``col_titles`` label the columns on top.
    """
    if isinstance(rows, np.ndarray) and rows.ndim in (3, 4):
        rows = [rows]
    rows = [np.asarray(r) for r in rows]
    if not rows:
        raise ValueError("image_grid needs at least one row of images")
    n_cols = len(rows[0])
    for i, r in enumerate(rows):
        if r.ndim not in (3, 4) or len(r) != n_cols:
            raise ValueError(
                f"every row must be a batch of {n_cols} images "
                f"of shape (N, H, W[, 1]); row {i} has shape {r.shape}"
            )
        if (vmin, vmax) == (0.0, 1.0):
            as_image_batch(r, f"row {i}")
    if row_titles is not None and len(row_titles) != len(rows):
        raise ValueError(
            f"row_titles has {len(row_titles)} entries for {len(rows)} rows"
        )
    if col_titles is not None and len(col_titles) != n_cols:
        raise ValueError(
            f"col_titles has {len(col_titles)} entries for {n_cols} columns"
        )
    fig, axes = plt.subplots(
        len(rows),
        n_cols,
        squeeze=False,
        figsize=(
            cell_size * n_cols + (1.2 if row_titles else 0),
            cell_size * len(rows) + (0.3 if col_titles else 0),
        ),
    )
    for i, r in enumerate(rows):
        for j in range(n_cols):
            ax = axes[i, j]
            ax.imshow(
                r[j][..., 0] if r[j].ndim == 3 else r[j],
                cmap=cmap,
                vmin=vmin,
                vmax=vmax,
                interpolation="nearest",
            )
            ax.set_xticks([])
            ax.set_yticks([])
            if col_titles is not None and i == 0:
                ax.set_title(str(col_titles[j]), fontsize=8)
        if row_titles is not None:
            axes[i, 0].set_ylabel(
                row_titles[i], rotation=0, ha="right", va="center", fontsize=9
            )
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    plt.close(fig)  # shown once, as the cell's value, not again by the inline backend
    return fig


def loss_curve(
    history, *, title: str = "Training", ylabel: str = "loss (MSE per pixel)", log=False
):
    """Training and validation loss per epoch from a Keras ``History`` (or its
    ``.history``)."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or "loss" not in logs:
        raise ValueError(
            "loss_curve expects a Keras History or a dict with a 'loss' list"
        )
    fig, ax = plt.subplots(figsize=(5, 3))
    epochs = np.arange(1, len(logs["loss"]) + 1)
    ax.plot(epochs, logs["loss"], marker="o", label="training")
    if "val_loss" in logs:
        ax.plot(epochs, logs["val_loss"], marker="o", label="held-out")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    plt.close(fig)  # shown once, as the cell's value, not again by the inline backend
    return fig


def latent_scatter(
    codes,
    labels,
    class_names,
    *,
    title: str = "Codes of held-out images",
    max_points: int = 3000,
    seed: int = 0,
):
    """2-D codes coloured by class (projects wider codes to 2-D with PCA first)."""
    codes = np.asarray(codes, dtype=np.float64).reshape(len(codes), -1)
    labels = np.asarray(labels)
    if len(codes) != len(labels):
        raise ValueError(f"{len(codes)} codes but {len(labels)} labels")
    if not np.all(np.isfinite(codes)):
        raise ValueError("codes contain NaN or infinite values")
    axis_names = ("code 1", "code 2")
    if codes.shape[1] > 2:
        from sklearn.decomposition import PCA

        codes = PCA(n_components=2, random_state=0).fit_transform(codes)
        axis_names = ("principal direction 1", "principal direction 2")
    elif codes.shape[1] < 2:
        raise ValueError(f"codes need at least 2 values each; got shape {codes.shape}")
    if len(codes) > max_points:
        keep = np.random.default_rng(seed).choice(len(codes), max_points, replace=False)
        codes, labels = codes[keep], labels[keep]
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    cmap = matplotlib.colormaps["tab10"]
    for k, name in enumerate(class_names):
        mask = labels == k
        ax.scatter(
            codes[mask, 0],
            codes[mask, 1],
            s=6,
            alpha=0.7,
            color=cmap(k % 10),
            label=str(name),
        )
    ax.set_xlabel(axis_names[0])
    ax.set_ylabel(axis_names[1])
    ax.set_title(title)
    ax.legend(markerscale=3, fontsize=8, loc="center left", bbox_to_anchor=(1, 0.5))
    fig.tight_layout()
    plt.close(fig)  # shown once, as the cell's value, not again by the inline backend
    return fig
