"""A sparse autoencoder that reads another network's activations: the microscope of the
chapter "Looking inside a network" (Bricken et al. 2023; Gao et al. 2025).

::

    f = ReLU(TopK((a − b_dec) W_enc + b_enc))      (or ReLU(...) with an L1 penalty)
    â = f D + b_dec,   each row d_j of D held at unit length

``a`` is a vector of activations (``width`` numbers), ``f`` the latents
(``n_latents``, several times ``width``), and the rows of D the dictionary's atoms. Two
ways to keep ``f`` sparse:

* ``k=``: TopK (Gao et al. 2025), keep the k largest pre-activations of each input;
  L0 (latents above 0) is at most k by construction and no penalty needs tuning;
* ``l1=``: an L1 penalty ``l1 · Σ_j f_j / σ`` added to the loss, ramped up from 0 over
  the first ``l1_warmup`` updates, so that latents find a direction before the penalty
  can switch them off.

Atoms are divided by their length in the forward pass. Without that an L1 penalty could
be lowered for free by shrinking f and lengthening D (the sparse chapter showed this).

A latent that never fires gets no gradient and rarely comes back. The remedy here is a
version of Bricken et al.'s resampling (:class:`ResampleDeadLatents`): between epochs,
each dead latent is pointed at an input the dictionary reconstructs badly. The squared
error is divided by the activations' total variance σ² (set by :meth:`SAE.initialize`),
so that a loss of 1 means
"no better than the mean", and the L1 term by σ, so that ``l1`` does not depend on the
activations' units.

Why our own model: SAELens and the papers' code are PyTorch and expect a language
model; this one is plain Keras 3 (``keras.ops``) and runs on every backend.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from .._validate import finite_array, non_negative, number, whole_number

class SAE(keras.Model):
    """The sparse autoencoder. Call :meth:`initialize` on training activations before
    ``fit``; compile with an optimiser only (the loss is the model's own)."""

    def __init__(self, width: int, n_latents: int, *, k: int | None = None,
                 l1: float = 0.0, l1_warmup: int = 0, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.width = whole_number(width, "width (activations per input)")
        self.n_latents = whole_number(n_latents, "n_latents (the dictionary's size)")
        if k is None and not l1:
            raise ValueError("give k (TopK) or l1 > 0 (an L1 penalty): a sparse "
                             "autoencoder needs one way to keep its latents sparse")
        if k is not None and l1:
            raise ValueError("give k or l1, not both")
        self.k = None if k is None else whole_number(
            k, "k (latents kept per input, at most n_latents)", 1, self.n_latents)
        self.l1 = non_negative(l1, "l1 (the penalty's weight)")
        self.l1_warmup = whole_number(l1_warmup, "l1_warmup (updates)", 0)
        normal = keras.initializers.RandomNormal(stddev=1.0, seed=seed)
        self.W_dec = self.add_weight(shape=(self.n_latents, self.width),
                                     initializer=normal, name="W_dec")
        self.W_enc = self.add_weight(shape=(self.width, self.n_latents),
                                     initializer="zeros", name="W_enc")
        self.b_enc = self.add_weight(shape=(self.n_latents,), initializer="zeros",
                                     name="b_enc")
        self.b_dec = self.add_weight(shape=(self.width,), initializer="zeros",
                                     name="b_dec")
        self.variance = keras.Variable(1.0, trainable=False, name="variance")
        self.updates_seen = keras.Variable(0.0, trainable=False, name="updates_seen")
        self.W_enc.assign(ops.transpose(self.atoms()))  # tied at the start (Gao et al.)

    # -- the model --------------------------------------------------------------------
    def atoms(self):
        """The dictionary D, each row at unit length: (n_latents, width)."""
        length = ops.sqrt(ops.sum(self.W_dec ** 2, axis=1, keepdims=True) + 1e-12)
        return self.W_dec / length

    def pre_activations(self, a):
        return ops.matmul(a - self.b_dec, self.W_enc) + self.b_enc

    def _sparse(self, pre, k):
        # exactly k per row, also where values tie (comparing with the k-th largest
        # would keep every tied latent)
        chosen = ops.top_k(pre, k, sorted=False)[1]
        mask = ops.sum(ops.one_hot(chosen, self.n_latents, dtype=pre.dtype), axis=1)
        return ops.relu(pre * mask)

    def latents(self, a):
        pre = self.pre_activations(a)
        return ops.relu(pre) if self.k is None else self._sparse(pre, self.k)

    def reconstruct(self, f):
        return ops.matmul(f, self.atoms()) + self.b_dec

    def call(self, a):
        return self.reconstruct(self.latents(a))

    def l1_weight(self, training=True):
        """The L1 weight now: ``l1``, or less during the warm-up (a straight line
        from 0). Each call in training counts one update."""
        if not training or not self.l1_warmup:
            return self.l1
        self.updates_seen.assign_add(1.0)
        return self.l1 * ops.minimum(self.updates_seen / self.l1_warmup, 1.0)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training=True):
        a = ops.cast(x, y_pred.dtype)
        error = a - y_pred
        loss = ops.mean(ops.sum(error ** 2, axis=1)) / self.variance
        if self.l1:
            f = self.latents(a)
            scale = ops.sqrt(self.variance)  # so that l1 has no units
            penalty = ops.mean(ops.sum(f, axis=1)) / scale
            loss = loss + self.l1_weight(training) * penalty
        return loss

    # -- set-up and NumPy helpers ------------------------------------------------------
    def check_activations(self, activations, what: str = "activations") -> np.ndarray:
        values = finite_array(activations, what).astype("float32")
        if values.ndim != 2 or values.shape[1] != self.width:
            raise ValueError(
                f"{what} must have shape (n, {self.width}): one row of the layer's "
                f"{self.width} activations per input; got shape {values.shape}"
            )
        return values

    def initialize(self, activations) -> None:
        """b_dec = the activations' mean; the loss's unit = their variance (the mean
        squared distance to that mean), so a loss of 1 is no better than the mean."""
        values = self.check_activations(activations)
        mean = values.mean(axis=0)
        self.b_dec.assign(mean)
        variance = float(np.mean(np.sum((values - mean) ** 2, axis=1)))
        self.variance.assign(variance or 1.0)

    def _batches(self, function, values, batch_size=2048) -> np.ndarray:
        return np.concatenate([ops.convert_to_numpy(function(values[i:i + batch_size]))
                               for i in range(0, len(values), batch_size)])

    def encode(self, activations) -> np.ndarray:
        """The latents f of each row: (n, n_latents), NumPy."""
        return self._batches(self.latents, self.check_activations(activations))

    def decode(self, latents) -> np.ndarray:
        """â of each row of latents: (n, width), NumPy."""
        values = finite_array(latents, "latents").astype("float32")
        if values.ndim != 2 or values.shape[1] != self.n_latents:
            raise ValueError(f"latents must have shape (n, {self.n_latents}); got "
                             f"shape {values.shape}")
        return self._batches(self.reconstruct, values)

    def dictionary(self) -> np.ndarray:
        """The atoms, NumPy (n_latents, width), each of unit length."""
        return ops.convert_to_numpy(self.atoms())

    def feature(self, index) -> int:
        """``index`` as a latent's index, or a ValueError that gives the range."""
        return whole_number(index, f"a feature index (0 to {self.n_latents - 1})", 0,
                            self.n_latents - 1)

    def clamp(self, activations, feature, value) -> np.ndarray:
        """The spliced activations â with latent ``feature`` set to ``value`` for every
        row (steering): (n, width)."""
        f = self.encode(activations)
        f[:, self.feature(feature)] = number(value, "value (the clamped activation)",
                                             minimum=0)
        return self.decode(f)


def resample_dead_latents(model: SAE, activations, seed: int = 0,
                          encoder_scale: float = 0.5) -> int:
    """Point every latent that fires on none of ``activations`` at one of them, drawn
    with probability ∝ the square of its reconstruction loss, as Bricken et al. (2023)
    do: the atom becomes that input's direction (centred on b_dec), the encoder's column
    the same direction, and the latent's bias 0. Returns how many latents were
    resampled.

    The encoder column gets ``encoder_scale`` × the live columns' mean length. Bricken
    et al. use 0.2 under an L1 penalty, where any positive pre-activation fires. Under
    TopK a resampled latent must beat the k-th largest pre-activation: at 0.2 most lose
    and die again, at 1 they win but, pointing at similar inputs, several fire together
    and the loss jumps for an epoch. 0.5 lies between (on the chapter's ci settings at
    seed 42, one run gave 98 dead latents at 0.5, 279 at 0.2, 65 at 1, 257 with none).
    Two more differences from Bricken et al.: they resample at four points of a long
    run, this callback after every epoch it is given; and they reset Adam's moments of
    the rewritten weights, while here they are kept (a dead latent's first moment has
    decayed towards 0, its second has not).
    """
    values = model.check_activations(activations)
    encoder_scale = number(encoder_scale, "encoder_scale", minimum=0)
    f = model.encode(values)
    dead = np.flatnonzero(~(f > 0).any(axis=0))
    if not len(dead):
        return 0
    error = np.sum((values - model.decode(f)) ** 2, axis=1) ** 2
    rng = np.random.default_rng(seed)
    p = error / error.sum() if error.sum() > 0 else None
    candidates = np.count_nonzero(error) if p is not None else len(values)
    enough = candidates >= len(dead)
    chosen = rng.choice(len(values), len(dead), replace=not enough, p=p)
    centred = values[chosen] - ops.convert_to_numpy(model.b_dec)
    directions = centred / (np.linalg.norm(centred, axis=1, keepdims=True) + 1e-12)
    W_enc = ops.convert_to_numpy(model.W_enc).copy()
    alive = np.setdiff1d(np.arange(model.n_latents), dead)
    length = np.linalg.norm(W_enc[:, alive], axis=0).mean() if len(alive) else 1.0
    length *= encoder_scale
    W_dec = ops.convert_to_numpy(model.W_dec).copy()
    b_enc = ops.convert_to_numpy(model.b_enc).copy()
    W_dec[dead], W_enc[:, dead], b_enc[dead] = directions, directions.T * length, 0.0
    model.W_dec.assign(W_dec)
    model.W_enc.assign(W_enc)
    model.b_enc.assign(b_enc)
    return len(dead)


class ResampleDeadLatents(keras.callbacks.Callback):
    """After each epoch up to ``last_epoch`` (a resampled latent needs epochs left to
    learn), :func:`resample_dead_latents` on ``activations``; ``resampled`` keeps the
    counts, one per epoch."""

    def __init__(self, activations, seed: int = 0, last_epoch: int | None = None,
                 encoder_scale: float = 0.5):
        super().__init__()
        self.activations, self.seed, self.last_epoch = activations, seed, last_epoch
        self.encoder_scale = number(encoder_scale, "encoder_scale", minimum=0)
        self.resampled = []

    def on_epoch_end(self, epoch, logs=None):
        if self.last_epoch is None or epoch < self.last_epoch:
            self.resampled.append(resample_dead_latents(
                self.model, self.activations, self.seed + epoch, self.encoder_scale))
