"""The convolutional autoencoder of the chapter "The convolutional autoencoder".

Written layer by layer as the chapter shows it: two blocks of 3×3 convolutions and 2×2
max-pooling take a 28×28×1 letter to a 7×7 grid of ``code_channels`` maps (the code);
the decoder mirrors them with 2×2 upsampling and convolutions back to 28×28×1, with a
sigmoid so that pixels stay in [0, 1].

``code_channels=128`` gives 7×7×128 = 6,272 numbers, eight times the 784 input pixels,
so it does not compress. (The Keras blog's convolutional autoencoder pools once more and
ends at 4×4×8 = 128 numbers; its denoising one ends at 7×7×32 = 1,568.)
``code_channels=4`` gives 196 numbers, 4× smaller than the input.
"""

from __future__ import annotations

from .._validate import whole_number


def conv_autoencoder(
    code_channels: int = 128, filters: tuple[int, int] = (32, 64), *, name: str = "conv"
):
    """Build ``(autoencoder, encoder, decoder)`` as Keras Functional models.

    ``encoder``: (28, 28, 1) → (7, 7, ``code_channels``); ``decoder``: the reverse,
    ending in a sigmoid; ``autoencoder`` = decoder(encoder(x)), compiled with Adam and
    per-pixel MSE. ``filters`` are the widths of the two hidden convolution blocks (keep
    them small on a CPU).
    """
    import keras
    from keras import layers

    code_channels = whole_number(code_channels, "code_channels")
    if len(tuple(filters)) != 2:
        raise ValueError(f"filters must be two widths, e.g. (32, 64); got {filters!r}")
    first, second = (whole_number(f, "each of filters") for f in filters)

    image = keras.Input(shape=(28, 28, 1), name="image")
    x = layers.Conv2D(first, 3, padding="same", activation="relu", name="conv1")(image)
    x = layers.MaxPooling2D(2, name="pool1")(x)  # 28 -> 14
    x = layers.Conv2D(second, 3, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)  # 14 -> 7
    code = layers.Conv2D(
        code_channels, 3, padding="same", activation="relu", name="code"
    )(x)
    encoder = keras.Model(image, code, name=f"{name}_encoder")

    code_input = keras.Input(shape=(7, 7, code_channels), name="code_input")
    y = layers.Conv2D(second, 3, padding="same", activation="relu", name="deconv2")(
        code_input
    )
    y = layers.UpSampling2D(2, name="up2")(y)  # 7 -> 14
    y = layers.Conv2D(first, 3, padding="same", activation="relu", name="deconv1")(y)
    y = layers.UpSampling2D(2, name="up1")(y)  # 14 -> 28
    reconstruction = layers.Conv2D(
        1, 3, padding="same", activation="sigmoid", name="pixels"
    )(y)
    decoder = keras.Model(code_input, reconstruction, name=f"{name}_decoder")

    autoencoder = keras.Model(
        image, decoder(encoder(image)), name=f"{name}_autoencoder"
    )
    autoencoder.compile(optimizer="adam", loss="mse")
    return autoencoder, encoder, decoder
