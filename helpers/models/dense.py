"""Dense (fully connected) autoencoders, as the chapters "The encoder" and "The decoder" build them.

Both builders return three Keras Functional models that share their layers:

* ``autoencoder``: image (28, 28, 1) → image (28, 28, 1), pixels in [0, 1] (sigmoid output),
  ready for ``compile(loss="mse")``;
* ``encoder``: image → code, a vector of ``code_size`` numbers;
* ``decoder``: code → image.

Training ``autoencoder`` trains ``encoder`` and ``decoder`` too (they are views of the same
layers), so after ``fit`` a chapter can look at codes and decode codes it made up.
"""
from __future__ import annotations
from .._validate import whole_number

IMAGE_SHAPE = (28, 28, 1)


def _check_size(name: str, value) -> int:
    return whole_number(value, name)


def dense_autoencoder(code_size: int, hidden_units: int = 256):
    """A dense autoencoder 784 → ``hidden_units`` → ``code_size`` → ``hidden_units`` → 784.

    The encoder flattens the image, uses one ReLU hidden layer and a *linear* code layer (codes
    may take any real value); the decoder mirrors it and ends in a sigmoid so that pixels stay
    in [0, 1]. Returns ``(autoencoder, encoder, decoder)``.
    """
    import keras
    from keras import layers

    code_size = _check_size("code_size", code_size)
    hidden_units = _check_size("hidden_units", hidden_units)

    image = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = layers.Flatten(name="pixels")(image)
    x = layers.Dense(hidden_units, activation="relu", name="encoder_hidden")(x)
    code = layers.Dense(code_size, name="code")(x)
    encoder = keras.Model(image, code, name="encoder")

    code_input = keras.Input(shape=(code_size,), name="code_in")
    y = layers.Dense(hidden_units, activation="relu", name="decoder_hidden")(code_input)
    y = layers.Dense(IMAGE_SHAPE[0] * IMAGE_SHAPE[1], activation="sigmoid", name="decoder_pixels")(y)
    reconstruction = layers.Reshape(IMAGE_SHAPE, name="reconstruction")(y)
    decoder = keras.Model(code_input, reconstruction, name="decoder")

    autoencoder = keras.Model(image, decoder(encoder(image)), name=f"dense_autoencoder_{code_size}")
    return autoencoder, encoder, decoder


def linear_autoencoder(code_size: int):
    """The linear autoencoder 784 → ``code_size`` → 784: no activations at all.

    Trained with MSE, it learns the same subspace as PCA with ``code_size`` components (the
    biases absorb the mean image). Its output is not squashed into [0, 1]; clip it before
    measuring PSNR. Returns ``(autoencoder, encoder, decoder)``.
    """
    import keras
    from keras import layers

    code_size = _check_size("code_size", code_size)
    n_pixels = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]

    image = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = layers.Flatten(name="pixels")(image)
    code = layers.Dense(code_size, name="code")(x)
    encoder = keras.Model(image, code, name="linear_encoder")

    code_input = keras.Input(shape=(code_size,), name="code_in")
    y = layers.Dense(n_pixels, name="decoder_pixels")(code_input)
    reconstruction = layers.Reshape(IMAGE_SHAPE, name="reconstruction")(y)
    decoder = keras.Model(code_input, reconstruction, name="linear_decoder")

    autoencoder = keras.Model(image, decoder(encoder(image)), name=f"linear_autoencoder_{code_size}")
    return autoencoder, encoder, decoder
