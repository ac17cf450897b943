"""The toy model of superposition of Elhage et al. (2022), for the chapter "Looking
inside a network".

``n_features`` features, each present with probability ``1 − S`` (S is the *sparsity*)
and then uniform on [0, 1], are squeezed into ``n_hidden`` < ``n_features`` numbers and
read back out::

    h = W x          (W: n_hidden × n_features, column W_i is feature i's direction)
    x̂ = ReLU(Wᵀ h + b)

Feature i's squared error is weighted by its importance ``decay**i``. When features
are dense the model keeps the ``n_hidden`` most important ones, at right angles; when
they are sparse it packs in more directions than it has dimensions, because two rarely
active features seldom collide, and the ReLU and a negative bias clean up the small
interference when they do.

Why a model of our own: the paper's code is PyTorch only; this one is plain Keras 3
(``keras.ops``), and as in the paper several instances, one per sparsity, train side by
side in one model, so one ``fit`` draws every picture.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from .._validate import number, whole_number


def _sparsities(sparsities) -> np.ndarray:
    values = np.asarray(sparsities, dtype="float64").ravel()
    if values.size == 0 or not np.all((values >= 0) & (values < 1)):
        raise ValueError(
            f"sparsities must be one or more numbers in [0, 1) (the chance a feature "
            f"is absent); got {sparsities!r}"
        )
    return values


def sample_features(n: int, sparsities, n_features: int = 5,
                    seed: int = 0) -> np.ndarray:
    """``n`` draws of every instance's features: shape (n, instances, n_features).

    In instance j each feature is absent (0) with probability ``sparsities[j]``,
    otherwise uniform on [0, 1], independently of the others.
    """
    n = whole_number(n, "n (a number of samples)")
    n_features = whole_number(n_features, "n_features", 2)
    s = _sparsities(sparsities)
    rng = np.random.default_rng(seed)
    values = rng.uniform(size=(n, len(s), n_features))
    present = rng.uniform(size=values.shape) >= s[None, :, None]
    return (values * present).astype("float32")


class ToySuperposition(keras.Model):
    """Several toy models (``n_instances``, one per sparsity) trained side by side.

    Input and output have shape (batch, n_instances, n_features); ``W`` has shape
    (n_instances, n_hidden, n_features) and ``b`` (n_instances, n_features). Compile it
    with :func:`importance_loss`.
    """

    def __init__(self, n_instances: int, n_features: int = 5, n_hidden: int = 2,
                 seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.n_instances = whole_number(n_instances, "n_instances")
        self.n_features = whole_number(n_features, "n_features", 2)
        self.n_hidden = whole_number(n_hidden, "n_hidden")
        if self.n_hidden >= self.n_features:
            raise ValueError(
                f"n_hidden must be smaller than n_features (fewer dimensions than "
                f"features); got n_hidden={n_hidden}, n_features={n_features}"
            )
        init = keras.initializers.GlorotNormal(seed=seed)
        self.W = self.add_weight(
            shape=(self.n_instances, self.n_hidden, self.n_features), initializer=init,
            name="W")
        self.b = self.add_weight(
            shape=(self.n_instances, self.n_features), initializer="zeros", name="b")

    def hidden(self, x):
        """h = W x for each instance: (batch, instances, n_hidden)."""
        return ops.einsum("bif,ihf->bih", x, self.W)

    def call(self, x):
        return ops.relu(ops.einsum("bih,ihf->bif", self.hidden(x), self.W) + self.b)


def importance_loss(n_features: int = 5, decay: float = 0.9):
    """The paper's loss: Σ_i decay**i · (x_i − x̂_i)², summed over the instances (each
    instance's gradient is its own), one value per sample."""
    n_features = whole_number(n_features, "n_features", 2)
    decay = number(decay, "decay (the importance ratio of neighbouring features)",
                   minimum=0.0, maximum=1.0)
    importance = (decay ** np.arange(n_features)).astype("float32")

    def loss(x, x_hat):
        weights = ops.convert_to_tensor(importance, dtype=x_hat.dtype)
        return ops.sum(ops.square(x - x_hat) * weights, axis=(1, 2))

    return loss


def feature_directions(model: ToySuperposition) -> np.ndarray:
    """Every instance's feature directions W_i: (n_instances, n_features, n_hidden)."""
    if not isinstance(model, ToySuperposition):
        raise ValueError(f"expected a ToySuperposition; got {type(model).__name__}")
    return np.transpose(ops.convert_to_numpy(model.W), (0, 2, 1))


def represented(model: ToySuperposition, threshold: float = 0.5) -> np.ndarray:
    """How many features each instance keeps: those whose direction is longer than
    ``threshold`` (a kept feature's W_i has length near 1, a dropped one near 0)."""
    threshold = number(threshold, "threshold (a direction's length)", minimum=0.0)
    lengths = np.linalg.norm(feature_directions(model), axis=-1)
    return (lengths > threshold).sum(axis=1)
