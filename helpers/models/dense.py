"""The dense (fully connected) autoencoder, as the chapter "The encoder" builds it.

The builder returns three Keras Functional models that share their layers:

* ``autoencoder``: image (28, 28, 1) → image (28, 28, 1), pixels in [0, 1] (sigmoid
  output), ready for ``compile(loss="mse")``;
* ``encoder``: image → code, a vector of ``code_size`` numbers;
* ``decoder``: code → image.

Training ``autoencoder`` trains ``encoder`` and ``decoder`` too (they are views of the
same layers), so after ``fit`` a chapter can look at codes and decode codes it made up.
"The decoder", "Vector arithmetic" and later chapters import it; "The encoder" builds
the same layers in front of the reader and checks them against this builder
(:func:`helpers.models.same_layers`).
"""
from __future__ import annotations

from .._validate import whole_number


def dense_autoencoder(code_size: int, hidden_units: int = 256):
    """A dense autoencoder 784 → ``hidden_units`` → ``code_size`` → mirror → 784.

    The encoder flattens the image, uses one ReLU hidden layer and a *linear* code layer
    (codes may take any real value); the decoder mirrors it and ends in a sigmoid so
    that pixels stay in [0, 1]. Returns ``(autoencoder, encoder, decoder)``, not
    compiled: each chapter picks its optimiser and loss.
    """
    import keras
    from keras import layers

    code_size = whole_number(code_size, "code_size")
    hidden_units = whole_number(hidden_units, "hidden_units")

    image = keras.Input(shape=(28, 28, 1), name="image")
    x = layers.Flatten(name="pixels")(image)
    x = layers.Dense(hidden_units, activation="relu", name="encoder_hidden")(x)
    code = layers.Dense(code_size, name="code")(x)
    encoder = keras.Model(image, code, name="encoder")

    code_input = keras.Input(shape=(code_size,), name="code_in")
    y = layers.Dense(hidden_units, activation="relu", name="decoder_hidden")(code_input)
    y = layers.Dense(28 * 28, activation="sigmoid", name="decoder_pixels")(y)
    reconstruction = layers.Reshape((28, 28, 1), name="reconstruction")(y)
    decoder = keras.Model(code_input, reconstruction, name="decoder")

    autoencoder = keras.Model(image, decoder(encoder(image)), name="dense_autoencoder")
    return autoencoder, encoder, decoder
