"""The small classifier that the chapter "Looking inside a network" trains and then
opens.

::

    image 28×28×1 → Flatten → Dense(hidden_units, ReLU) → Dense(width, ReLU)
      = activations
    activations → Dense(n_classes) = logits

It is built as two Functional models that share their layers, ``body`` (image →
activations) and ``head`` (activations → logits), and ``classifier = head ∘ body``. The
split is what the chapter needs: a sparse autoencoder reads ``body``'s output, and its
reconstruction is *spliced* back in by calling ``head`` on it. The head is one linear
layer, so what a direction of the activations does to the logits is exact: adding
c · d to the activations adds c · (Wᵀ d) to the logits (:func:`logit_effect`).
"""

from __future__ import annotations

import numpy as np

from .._validate import whole_number


def build_classifier(n_classes: int, width: int = 128, hidden_units: int = 256,
                     seed: int = 0):
    """Returns ``(classifier, body, head)``, not compiled (the chapter compiles
    ``classifier`` with a cross-entropy on the logits)."""
    import keras
    from keras import layers

    n_classes = whole_number(n_classes, "n_classes", 2)
    width = whole_number(width, "width (the layer the chapter opens)")
    hidden_units = whole_number(hidden_units, "hidden_units")
    init = keras.initializers.GlorotUniform

    image = keras.Input(shape=(28, 28, 1), name="image")
    x = layers.Flatten(name="pixels")(image)
    x = layers.Dense(hidden_units, activation="relu", kernel_initializer=init(seed),
                     name="hidden")(x)
    acts = layers.Dense(width, activation="relu", kernel_initializer=init(seed + 1),
                        name="opened")(x)
    body = keras.Model(image, acts, name="body")

    inputs = keras.Input(shape=(width,), name="activations")
    logits = layers.Dense(n_classes, kernel_initializer=init(seed + 2),
                          name="logits")(inputs)
    head = keras.Model(inputs, logits, name="head")
    classifier = keras.Model(image, head(body(image)), name="classifier")
    return classifier, body, head


def logit_effect(head, directions) -> np.ndarray:
    """What adding one unit of each direction to the activations does to every logit:
    Wᵀ d for each row d of ``directions`` (n, width) → (n, n_classes). Exact,
    because the head is one linear layer (the bias cancels)."""
    from keras import ops

    kernel = ops.convert_to_numpy(head.get_layer("logits").kernel)
    directions = np.asarray(directions, dtype="float32")
    if directions.ndim != 2 or directions.shape[1] != kernel.shape[0]:
        raise ValueError(
            f"directions must have shape (n, {kernel.shape[0]}), one row per direction "
            f"in the head's input; got shape {directions.shape}"
        )
    return directions @ kernel
