"""Small image classifiers ("judges") that read what a decoded picture shows.

The chapter "Latent vector arithmetic" uses them to measure an edit instead of showing
one lucky example: a *style judge* reads whether a glyph is bold, italic and which
family it is, a *letter judge* reads its letter. They are trained on real images only,
so that when they read a decoded image they give an outside opinion, not the
autoencoder's own.

A judge is one small convolutional trunk with one softmax head per question::

    image (28, 28, 1)
      → Conv2D(8, 3×3, ReLU) → MaxPooling 2×2        # 26 → 13
      → Conv2D(16, 3×3, ReLU) → MaxPooling 2×2       # 11 → 5
      → Flatten → Dense(32, ReLU)
      → one Dense(n_classes, softmax) per head       # e.g. bold: 2, family: 3

``build_judge({"bold": 2, "italic": 2, "family": 3})`` returns a compiled Keras model
whose output is a dict of class probabilities, one entry per head; fit it with a dict of
integer labels, e.g. ``judge.fit(images, {"bold": ..., "italic": ..., "family": ...})``.

The chapter "From denoising to generating" also compares whole sets of images in a
judge's hidden features: :func:`frechet_distance` between two sets of features, and
:func:`frechet_interval`, its bootstrap interval over the sampling of both sets.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_image_batch, whole_number


def _check_heads(heads) -> dict:
    if not isinstance(heads, dict) or not heads:
        raise ValueError(
            "heads must be a non-empty dict {name: number of classes}, "
            f"e.g. {{'bold': 2, 'letter': 10}}; got {heads!r}"
        )
    checked = {}
    for name, classes in heads.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(
                f"head names must be identifiers such as 'bold'; got {name!r}"
            )
        checked[name] = whole_number(
            classes, f"the number of classes of head {name!r}", minimum=2
        )
    return checked


def build_judge(
    heads: dict,
    *,
    filters: tuple = (8, 16),
    hidden_units: int = 32,
    name: str = "judge",
):
    """A small CNN with one softmax head per entry of ``heads`` ({name: number of
    classes}).

    Compiled with Adam, sparse categorical cross-entropy and accuracy on every head.
    Small on purpose (about 15,000 weights): it trains in seconds on a CPU and still
    reads the book's 28×28 images well; the chapter reports its accuracy on held-out
    real images.
    """
    import keras
    from keras import layers

    heads = _check_heads(heads)
    filters = tuple(filters)
    if len(filters) != 2:
        raise ValueError(
            f"filters must be two whole numbers ≥ 1, e.g. (8, 16); got {filters!r}"
        )
    filters = tuple(whole_number(f, "each of filters") for f in filters)
    hidden_units = whole_number(hidden_units, "hidden_units")

    image = keras.Input(shape=(28, 28, 1), name="image")
    x = layers.Conv2D(int(filters[0]), 3, activation="relu", name="conv1")(image)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(int(filters[1]), 3, activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(int(hidden_units), activation="relu", name="hidden")(x)
    outputs = {
        head: layers.Dense(classes, activation="softmax", name=head)(x)
        for head, classes in heads.items()
    }
    judge = keras.Model(image, outputs, name=name)
    judge.compile(
        optimizer="adam",
        loss={head: "sparse_categorical_crossentropy" for head in heads},
        metrics={head: ["accuracy"] for head in heads},
    )
    return judge


def judge_probabilities(judge, images, *, batch_size: int = 1000) -> dict:
    """Class probabilities of every head: {head: float array (N, n_classes)}."""
    images = as_image_batch(images, "images")
    if images.ndim == 3:
        images = images[..., None]
    if images.shape[1:] != (28, 28, 1):
        raise ValueError(
            f"a judge reads images of shape (N, 28, 28, 1); got {images.shape}"
        )
    batch_size = whole_number(batch_size, "batch_size")
    import keras

    # Direct calls in chunks, not judge.predict: no per-call setup, which matters when a
    # chapter asks the judges about many small batches (one per strength of an edit).
    chunks = []
    for first in range(0, len(images), int(batch_size)):
        outputs = judge(images[first : first + int(batch_size)], training=False)
        if not isinstance(outputs, dict):
            names = list(getattr(judge, "output_names", None) or ["output"])
            outputs = dict(
                zip(names, outputs if isinstance(outputs, (list, tuple)) else [outputs])
            )
        chunks.append(
            {head: keras.ops.convert_to_numpy(p) for head, p in outputs.items()}
        )
    return {
        head: np.concatenate([chunk[head] for chunk in chunks]) for head in chunks[0]
    }


def judge_verdicts(judge, images, *, batch_size: int = 1000) -> dict:
    """The class each head reads in each image: {head: int64 array (N,)}."""
    return {
        head: p.argmax(axis=1).astype(np.int64)
        for head, p in judge_probabilities(judge, images, batch_size=batch_size).items()
    }


def judge_accuracy(judge, images, truth: dict) -> dict:
    """Fraction of ``images`` each head reads correctly: {head: accuracy in [0, 1]}.

    ``truth`` maps head names to integer labels, one per image (heads not in ``truth``
    are skipped, so a style judge can be scored on some of its heads).
    """
    verdicts = judge_verdicts(judge, images)
    if not isinstance(truth, dict) or not truth:
        raise ValueError(
            "truth must be a dict {head: labels}, "
            "e.g. {'bold': dataset.attributes['bold']}"
        )
    accuracy = {}
    for head, labels in truth.items():
        if head not in verdicts:
            raise ValueError(
                f"the judge has no head {head!r}; its heads are {sorted(verdicts)}"
            )
        labels = np.asarray(labels)
        if labels.shape != verdicts[head].shape:
            raise ValueError(
                f"truth[{head!r}] has shape {labels.shape}; expected "
                f"{verdicts[head].shape} (one label per image)"
            )
        accuracy[head] = float(np.mean(verdicts[head] == labels))
    return accuracy


def _features(values, what: str) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or len(values) < 2 or not np.all(np.isfinite(values)):
        raise ValueError(
            f"{what} must be finite features of shape (N, d) with N ≥ 2; got "
            f"shape {values.shape}"
        )
    return values


def _frechet(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Fréchet distances of stacks of feature sets, shape (..., N, d) → (...)."""
    mean_a, mean_b = a.mean(axis=-2), b.mean(axis=-2)
    centred_a, centred_b = a - mean_a[..., None, :], b - mean_b[..., None, :]
    cov_a = np.swapaxes(centred_a, -1, -2) @ centred_a / (a.shape[-2] - 1)
    cov_b = np.swapaxes(centred_b, -1, -2) @ centred_b / (b.shape[-2] - 1)
    # tr((Ca·Cb)^½) is the sum of the square roots of Ca·Cb's eigenvalues, which are
    # real and ≥ 0: no matrix square root, which fails on singular covariances.
    roots = np.sqrt(np.clip(np.linalg.eigvals(cov_a @ cov_b).real, 0.0, None))
    traces = np.trace(cov_a, axis1=-2, axis2=-1) + np.trace(cov_b, axis1=-2, axis2=-1)
    return np.sum((mean_a - mean_b) ** 2, axis=-1) + traces - 2 * roots.sum(axis=-1)


def frechet_distance(a, b) -> float:
    """The Fréchet distance between Gaussians fitted to two feature sets (N, d), (M, d).

    ‖μa − μb‖² + tr(Ca + Cb − 2(Ca·Cb)^½) (Heusel et al. 2017), in squared feature
    units. It is 0 only when both sets have the same mean and covariance, and estimated
    from finite sets it is biased upwards (two samples of one distribution give more
    than 0), so compare sets of the same size against the same reference.
    """
    a, b = _features(a, "a"), _features(b, "b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"a and b need the same number of features; got {a.shape}, {b.shape}")
    return float(_frechet(a, b))


def frechet_interval(a, b, *, confidence: float = 0.95, n_resamples: int = 1000,
                     seed=None) -> tuple:
    """A bootstrap interval (low, high) for :func:`frechet_distance` of ``a`` and ``b``.

    Both sets are resampled with replacement (scipy.stats.bootstrap), so the interval
    covers the sampling of these finite sets, not other training runs. The "basic"
    (reverse percentile) interval is used because resampling adds a bias of its own
    to a Fréchet distance, about as large as the finite-sample bias, and the
    percentile interval would sit above the estimate; the basic one subtracts it, so
    it is an interval for the distance between the distributions and may lie below the
    (biased) estimate. A distance is ≥ 0, so a lower end below 0 is reported as 0.
    """
    from scipy.stats import bootstrap

    a, b = _features(a, "a"), _features(b, "b")
    frechet_distance(a, b)  # the same checks of shape
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1; got {confidence}")
    result = bootstrap(
        (np.arange(len(a)), np.arange(len(b))),
        lambda i, j, axis: _frechet(a[i], b[j]),
        n_resamples=whole_number(n_resamples, "n_resamples", minimum=10),
        confidence_level=confidence, method="basic", vectorized=True, batch=50,
        random_state=np.random.default_rng(seed),
    )
    low, high = result.confidence_interval
    return max(float(low), 0.0), max(float(high), 0.0)
