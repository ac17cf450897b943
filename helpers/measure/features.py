"""How the field measures a sparse autoencoder on another network's activations, and how
mixed a unit is (the chapter "Looking inside a network").

* :func:`l0`: latents active per input, on average;
* :func:`variance_explained`: 1 − Σ‖a − â‖² / Σ‖a − ā‖², with ā the per-dimension mean
  (so predicting the mean scores 0);
* :func:`dead_latents`: latents that fire on none of the inputs;
* :func:`recovered`: the share of the gap between the layer ablated and intact that the
  spliced-in reconstruction closes, for a loss or an accuracy (Bricken et al. 2023;
  Gao et al. 2025);
* :func:`top_purity` and :func:`classes_responded`: how mixed a unit is, read from the
  labels of the inputs it responds to most.
"""

from __future__ import annotations

import numpy as np

from .._validate import finite_array, number, whole_number


def _matrix(values, what: str) -> np.ndarray:
    values = finite_array(values, what)
    if values.ndim != 2:
        raise ValueError(f"{what} must have shape (n, units); got shape {values.shape}")
    return values


def _labels(labels, n: int) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be {n} whole numbers, one per row; got "
                         f"{labels.dtype} of shape {labels.shape}")
    if n and labels.min() < 0:
        raise ValueError(f"labels must be class indices ≥ 0; got {labels.min()}")
    return labels


def l0(latents) -> float:
    """Mean number of latents above 0 per input."""
    return float((_matrix(latents, "latents") > 0).sum(axis=1).mean())


def dead_latents(latents) -> np.ndarray:
    """Indices of the latents that are 0 on every input."""
    return np.flatnonzero(~(_matrix(latents, "latents") > 0).any(axis=0))


def variance_explained(activations, reconstruction) -> float:
    """1 − Σ‖a − â‖² / Σ‖a − ā‖² over all inputs, ā the per-dimension mean."""
    a = _matrix(activations, "activations")
    r = _matrix(reconstruction, "reconstruction")
    if a.shape != r.shape:
        raise ValueError(f"activations {a.shape} and reconstruction {r.shape} must "
                         "have the same shape")
    total = np.sum((a - a.mean(axis=0)) ** 2)
    if total == 0:
        raise ValueError("the activations do not vary: variance explained is undefined")
    return float(1.0 - np.sum((a - r) ** 2) / total)


def recovered(intact: float, spliced: float, ablated: float) -> float:
    """(spliced − ablated) / (intact − ablated): 1 when splicing in the reconstruction
    keeps what the intact layer gives, 0 when it is no better than ablating the layer.
    Works for an accuracy (higher is better) and for a loss (lower is better) alike."""
    try:
        values = [float(v) for v in (intact, spliced, ablated)]
    except (TypeError, ValueError):
        raise ValueError("intact, spliced and ablated must be numbers; got "
                         f"{intact!r}, {spliced!r}, {ablated!r}") from None
    if not np.all(np.isfinite(values)):
        raise ValueError(f"intact, spliced and ablated must be finite; got {values}")
    if values[0] == values[2]:
        raise ValueError("intact and ablated are equal: there is no gap to recover")
    return (values[1] - values[2]) / (values[0] - values[2])


def top_purity(activations, labels, top: int = 20) -> np.ndarray:
    """For each unit (column), the share of its ``top`` most activating inputs that
    carry the most common label among them; NaN for a unit active on fewer than
    ``top`` inputs (too few to judge)."""
    a = _matrix(activations, "activations")
    labels = _labels(labels, len(a))
    top = whole_number(top, f"top (inputs per unit, at most {len(a)})", 1, len(a))
    order = np.argsort(-a, axis=0, kind="stable")[:top]
    purity = np.full(a.shape[1], np.nan)
    for unit in range(a.shape[1]):
        if (a[:, unit] > 0).sum() >= top:
            purity[unit] = np.bincount(labels[order[:, unit]]).max() / top
    return purity


def classes_responded(activations, labels, share: float = 0.5) -> np.ndarray:
    """For each unit, how many classes have a mean activation of at least ``share``
    of the unit's largest class mean (0 for a unit that is never active)."""
    a = _matrix(activations, "activations")
    labels = _labels(labels, len(a))
    share = number(share, "share (of the top class's mean)", minimum=0.0, maximum=1.0)
    classes = np.unique(labels)
    means = np.stack([a[labels == c].mean(axis=0) for c in classes])
    peak = means.max(axis=0)
    return np.where(peak > 0, (means >= share * peak).sum(axis=0), 0)


def cross_entropy(logits, labels) -> float:
    """Mean cross-entropy (nats) of integer ``labels`` under ``logits`` (n, classes)."""
    z = _matrix(logits, "logits")
    labels = _labels(labels, len(z))
    if len(z) and labels.max() >= z.shape[1]:
        raise ValueError(f"labels must be below the number of classes, {z.shape[1]}; "
                         f"got {labels.max()}")
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(z)), labels].mean())


def splice_scores(logits_of, activations, reconstruction, labels, mean) -> dict:
    """Accuracy and cross-entropy of the network's head on four versions of one layer:
    ``intact`` (the activations), ``spliced`` (the reconstruction put in their place),
    ``zero`` (the layer set to 0) and ``mean`` (every input given ``mean``, the layer's
    mean over training inputs). ``logits_of`` maps activations (n, width) to logits.
    Returns ``{version: {"accuracy": …, "cross_entropy": …}}``, plus ``recovered``:
    each score's :func:`recovered` share against either ablation."""
    a = _matrix(activations, "activations")
    labels = _labels(labels, len(a))
    mean = np.asarray(mean, dtype="float32")
    if mean.shape != (a.shape[1],):
        raise ValueError(f"mean must hold the layer's {a.shape[1]} mean activations; "
                         f"got shape {mean.shape}")
    reconstruction = _matrix(reconstruction, "reconstruction")
    if reconstruction.shape != a.shape:
        raise ValueError(f"reconstruction {reconstruction.shape} and activations "
                         f"{a.shape} must have the same shape")
    versions = {"intact": a, "spliced": reconstruction, "zero": np.zeros_like(a),
                "mean": np.broadcast_to(mean, a.shape).copy()}
    scores = {}
    for name, values in versions.items():
        logits = np.asarray(logits_of(_matrix(values, name)))
        scores[name] = {"accuracy": float((logits.argmax(axis=1) == labels).mean()),
                        "cross_entropy": cross_entropy(logits, labels)}
    scores["recovered"] = {
        f"{score} vs {ablation}": recovered(scores["intact"][score],
                                            scores["spliced"][score],
                                            scores[ablation][score])
        for score in ("accuracy", "cross_entropy") for ablation in ("zero", "mean")}
    return scores
