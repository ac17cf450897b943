"""The sparse autoencoder of the chapter "The sparse autoencoder", and its two
penalties.

The model is written layer by layer as the chapter shows it::

    image 28×28×1 → Flatten → Dense(hidden_units, ReLU) → Dense(code_units)
      → penalty = the code
    code → Dense(784, sigmoid) → Reshape(28, 28, 1) = the reconstruction

The code is *wider* than the input needs; a penalty keeps only a few of its units active
for any one image. The decoder is a single dense layer, so each code unit adds one fixed
28×28 pattern (a row of the decoder's kernel, an "atom" of the learned dictionary)
before the sigmoid.

Penalties (``penalty=``):

* ``None`` — no penalty: the same model, for comparison;
* ``"l1"`` — ReLU code units and :class:`L1Penalty`, which adds
  ``weight · Σ_j |code_j|`` per image, averaged over the batch, to the loss;
* ``"kl"`` — sigmoid code units and :class:`KLSparsity`, the classic penalty
  ``weight · Σ_j KL(ρ ‖ ρ̂_j)`` that pulls every unit's mean activation ρ̂_j over a
  batch towards a small target ρ;
* ``"top_k"`` — ReLU code units followed by :class:`TopK`, which keeps the ``k``
  largest code values of each image and sets the rest to zero (the k-sparse
  autoencoder; no penalty needed).

Everything is plain Keras 3 (``keras.ops``), so it runs on TensorFlow, JAX and PyTorch.

Why not Keras' ``activity_regularizer=keras.regularizers.L1(weight)``: what it adds to
the loss depends on the Keras version. Keras 3.14 and later divide it by the batch size
(keras-team/keras #22018, #22021); Keras 3.13 and earlier add the sum over the whole
batch, 128 times more at a batch of 128, so the same ``weight`` gives a much sparser
code and a much worse picture there. :class:`L1Penalty` writes the term out, so
``weight`` means the same on every version.
"""

from __future__ import annotations

from .._validate import non_negative, whole_number
import keras
import numpy as np
from keras import ops

IMAGE_SHAPE = (28, 28, 1)
N_PIXELS = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]
PENALTIES = (None, "l1", "kl", "top_k")

#: A code unit is *active* for an image when its value is above this. The threshold is
#: for sigmoid (KL) codes, which sit near 0 when off and are never exactly 0; 0.1 is far
#: below a typical "on" value. ReLU codes are exactly 0 when off: count them with
#: ``threshold=0.0``.
ACTIVE_THRESHOLD = 0.1


def _positive_int(value, what: str) -> int:
    return whole_number(value, what)


def _non_negative(value, what: str) -> float:
    return non_negative(value, what)


@keras.saving.register_keras_serializable(package="sparse")
class L1Penalty(keras.layers.Layer):
    """Pass the code through unchanged; add ``weight`` · (mean over the batch of
    Σ_j |c_j|) to the loss.

    Per image the penalty is ``weight`` times the sum of the code's absolute values;
    averaging it over the batch keeps its size independent of the batch size, like the
    MSE it is added to.
    """

    def __init__(self, weight: float, **kwargs):
        super().__init__(**kwargs)
        self.weight = _non_negative(weight, "weight")

    def call(self, codes):
        per_image = keras.ops.sum(keras.ops.abs(codes), axis=-1)
        self.add_loss(self.weight * keras.ops.mean(per_image))
        return codes

    def get_config(self):
        return {**super().get_config(), "weight": self.weight}


@keras.saving.register_keras_serializable(package="sparse")
class KLSparsity(keras.layers.Layer):
    """Pass codes in (0, 1) through unchanged; add ``weight · Σ_j KL(ρ ‖ ρ̂_j)`` to the
    loss.

    ρ̂_j is unit j's mean activation over the batch and ρ = ``target``. The divergence
    ``ρ log(ρ/ρ̂) + (1−ρ) log((1−ρ)/(1−ρ̂))`` is 0 when ρ̂_j = ρ and grows steeply as a
    unit fires more often, so most units learn to stay near 0 for most images.
    """

    def __init__(self, target: float = 0.05, weight: float = 1e-3, **kwargs):
        super().__init__(**kwargs)
        try:
            target = float(target)
        except (TypeError, ValueError):
            raise ValueError(
                f"target (ρ) must be a number between 0 and 1; got {target!r}"
            ) from None
        if not 0.0 < target < 1.0:
            raise ValueError(
                f"target (ρ) must be strictly between 0 and 1; got {target}"
            )
        self.target = target
        self.weight = _non_negative(weight, "weight")

    def call(self, codes):
        mean_activation = ops.clip(ops.mean(codes, axis=0), 1e-6, 1.0 - 1e-6)
        rho = self.target
        divergence = rho * ops.log(rho / mean_activation) + (1.0 - rho) * ops.log(
            (1.0 - rho) / (1.0 - mean_activation)
        )
        self.add_loss(self.weight * ops.sum(divergence))
        return codes

    def get_config(self):
        return {**super().get_config(), "target": self.target, "weight": self.weight}


@keras.saving.register_keras_serializable(package="sparse")
class TopK(keras.layers.Layer):
    """Keep the ``k`` largest values of each code and set the others to 0 (k-sparse)."""

    def __init__(self, k: int, **kwargs):
        super().__init__(**kwargs)
        self.k = _positive_int(k, "k")

    def call(self, codes):
        kth_largest = ops.top_k(codes, self.k, sorted=True)[0][:, -1:]
        return ops.where(codes >= kth_largest, codes, ops.zeros_like(codes))

    def get_config(self):
        return {**super().get_config(), "k": self.k}


def sparse_autoencoder(
    code_units: int = 512,
    *,
    penalty: str | None = "l1",
    weight: float = 0.0,
    target: float = 0.05,
    k: int | None = None,
    hidden_units: int = 256,
    learning_rate: float = 2e-3,
):
    """Build ``(autoencoder, encoder, decoder)``, the autoencoder compiled with Adam and
    MSE.

    ``code_units`` is the width of the code; ``penalty`` is ``None``, ``"l1"``, ``"kl"``
    or ``"top_k"`` (see the module docstring); ``weight`` is the penalty's weight
    (``"l1"``, ``"kl"``), ``target`` the KL penalty's ρ, ``k`` the number of units
    ``"top_k"`` keeps. ``penalty="l1"`` with ``weight=0`` computes what ``penalty=None``
    computes (its penalty is 0); it keeps the :class:`L1Penalty` layer so that models at
    every weight have the same layers.
    """
    from keras import layers

    code_units = _positive_int(code_units, "code_units")
    hidden_units = _positive_int(hidden_units, "hidden_units")
    weight = _non_negative(weight, "weight")
    if penalty not in PENALTIES:
        raise ValueError(f"penalty must be one of {PENALTIES}; got {penalty!r}")
    if penalty == "top_k":
        if k is None:
            raise ValueError(
                "penalty='top_k' needs k, the number of code units to keep"
            )
        k = _positive_int(k, "k")
        if k > code_units:
            raise ValueError(f"k={k} is more than the {code_units} code units")

    image = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = layers.Flatten(name="pixels")(image)
    x = layers.Dense(hidden_units, activation="relu", name="encoder_hidden")(x)
    if penalty == "kl":
        code = layers.Dense(code_units, activation="sigmoid", name="code_units")(x)
        code = KLSparsity(target, weight, name="code")(code)
    elif penalty == "top_k":
        code = layers.Dense(code_units, activation="relu", name="code_units")(x)
        code = TopK(k, name="code")(code)
    elif penalty == "l1":
        code = layers.Dense(code_units, activation="relu", name="code_units")(x)
        code = L1Penalty(weight, name="code")(code)
    else:
        code = layers.Dense(code_units, activation="relu", name="code")(x)
    encoder = keras.Model(image, code, name="sparse_encoder")

    code_input = keras.Input(shape=(code_units,), name="code_in")
    y = layers.Dense(N_PIXELS, activation="sigmoid", name="decoder_pixels")(code_input)
    reconstruction = layers.Reshape(IMAGE_SHAPE, name="reconstruction")(y)
    decoder = keras.Model(code_input, reconstruction, name="sparse_decoder")

    autoencoder = keras.Model(image, decoder(encoder(image)), name="sparse_autoencoder")
    autoencoder.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return autoencoder, encoder, decoder


def _as_codes(codes, what: str = "codes") -> np.ndarray:
    array = np.asarray(codes)
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise ValueError(
            f"{what} must be a numeric array of shape (images, code units); got dtype "
            f"{array.dtype}"
        )
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(
            f"{what} must have shape (images, code units) with both ≥ 1; got "
            f"{array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} contain NaN or infinite values")
    return array.astype(np.float64, copy=False)


def active_units(codes, threshold: float = ACTIVE_THRESHOLD) -> np.ndarray:
    """How many code units are active (value > ``threshold``) for each image: shape
    (N,)."""
    codes = _as_codes(codes)
    threshold = _non_negative(threshold, "threshold")
    return np.sum(codes > threshold, axis=1)


def active_fraction(codes, threshold: float = ACTIVE_THRESHOLD) -> float:
    """The mean over images of the fraction of code units that are active
    (value > ``threshold``)."""
    codes = _as_codes(codes)
    return float(np.mean(active_units(codes, threshold)) / codes.shape[1])


def dictionary(decoder) -> np.ndarray:
    """The decoder's atoms as images, shape (code units, 28, 28): what each unit adds to
    the logits."""
    kernel = np.asarray(decoder.get_layer("decoder_pixels").get_weights()[0])
    return kernel.reshape(-1, IMAGE_SHAPE[0], IMAGE_SHAPE[1])


def usable_weights(weights, default, *, name: str = "penalty_weights",
                   with_zero: bool = True) -> list[float]:
    """The penalty weights a chapter trains, from a list the reader may have edited.

    A reader is invited to change the list; a change that would break a later cell
    prints a note saying what was done instead, and the chapter goes on: entries that
    are not numbers ≥ 0 are dropped, duplicates are dropped, the list is sorted, ``0.0``
    (the model without the penalty, which every comparison needs) is put back when
    ``with_zero`` and missing (and left out, with a note, when not), and a list left
    without a positive weight falls back to ``default``'s positive weights. Returns a
    list of floats.
    """
    try:
        given = list(weights)
    except TypeError:
        given = [weights]
    kept, dropped = [], []
    for weight in given:
        try:
            value = float(weight)
        except (TypeError, ValueError):
            dropped.append(weight)
            continue
        if not np.isfinite(value) or value < 0:
            dropped.append(weight)
        elif value not in kept:
            kept.append(value)
    if dropped:
        print(f"Note: {name} must hold numbers ≥ 0; left out {dropped!r}.")
    if not any(value > 0 for value in kept):
        positive = [float(w) for w in default if float(w) > 0]
        print(f"Note: {name} has no weight above 0; the chapter uses {positive} too.")
        kept += positive
    if with_zero and 0.0 not in kept:
        print(f"Note: {name} needs 0.0, the model without the penalty that every "
              "comparison below is measured against; it is added back.")
        kept.append(0.0)
    if not with_zero and 0.0 in kept:
        print(f"Note: {name} trains the penalty at positive weights only; "
              "0.0 is left out.")
        kept.remove(0.0)
    return sorted(kept)
