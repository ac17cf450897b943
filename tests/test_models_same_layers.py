"""helpers.models.same_layers, the guard that keeps a chapter's model and its helper identical.

A chapter builds a model in front of the reader and a hidden cell compares it with the helper
that later chapters import. These tests run the chapters' own build cells (read from the
notebooks) against the helpers, and show that the comparison fails when one activation, one
size or one layer of a helper changes.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402

from helpers.models import conv_autoencoder, dense_autoencoder, same_layers  # noqa: E402
from helpers.models import sparse, vae  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _dense(activation="relu", hidden_units=16, extra_layer=False, name="dense"):
    """The encoder chapter's dense autoencoder, written out with knobs to spoil it."""
    image = keras.Input(shape=(28, 28, 1), name="image")
    x = layers.Flatten(name="pixels")(image)
    x = layers.Dense(hidden_units, activation=activation, name="encoder_hidden")(x)
    if extra_layer:
        x = layers.Dense(8, activation="relu", name="extra")(x)
    code = layers.Dense(4, name="code")(x)
    encoder = keras.Model(image, code, name="encoder")
    code_input = keras.Input(shape=(4,), name="code_in")
    y = layers.Dense(16, activation="relu", name="decoder_hidden")(code_input)
    y = layers.Dense(28 * 28, activation="sigmoid", name="decoder_pixels")(y)
    reconstruction = layers.Reshape((28, 28, 1), name="reconstruction")(y)
    decoder = keras.Model(code_input, reconstruction, name="decoder")
    return keras.Model(image, decoder(encoder(image)), name=name)


def test_identical_builds_pass_and_the_outer_names_may_differ():
    assert same_layers(_dense(), _dense(name="another_name")) is None
    assert same_layers(_dense(), dense_autoencoder(4, hidden_units=16)[0]) is None


def test_relu_changed_to_sigmoid_fails_naming_the_layer_and_the_key():
    with pytest.raises(AssertionError) as failure:
        same_layers(_dense(), _dense(activation="sigmoid"))
    message = str(failure.value)
    assert "'encoder/encoder_hidden' (Dense)" in message
    assert "activation is 'relu' in the first model and 'sigmoid' in the second" in message


def test_a_different_number_of_units_fails():
    with pytest.raises(AssertionError, match=r"'encoder/encoder_hidden'.*units is 16 .* 32"):
        same_layers(_dense(), _dense(hidden_units=32))


def test_a_missing_layer_fails_either_way_round():
    with pytest.raises(AssertionError, match="'encoder/extra' .* missing from the first"):
        same_layers(_dense(), _dense(extra_layer=True))
    with pytest.raises(AssertionError, match="'encoder/extra' .* missing from the second"):
        same_layers(_dense(extra_layer=True), _dense())


def test_same_name_but_another_class_fails():
    def model(layer):
        image = keras.Input(shape=(8,), name="image")
        return keras.Model(image, layer(image))

    with pytest.raises(AssertionError, match="'hidden' is a Dense .* and a Activation"):
        same_layers(model(layers.Dense(8, name="hidden")),
                    model(layers.Activation("relu", name="hidden")))


def test_a_change_in_an_initialiser_is_a_difference_too():
    def model(initializer):
        image = keras.Input(shape=(8,), name="image")
        dense = layers.Dense(3, kernel_initializer=initializer, name="dense")
        return keras.Model(image, dense(image))

    with pytest.raises(AssertionError, match="kernel_initializer.class_name"):
        same_layers(model("glorot_uniform"), model("he_normal"))


def test_anything_but_two_models_is_a_type_error():
    with pytest.raises(TypeError, match="second argument is a list"):
        same_layers(_dense(), [])


def test_importing_helpers_models_does_not_import_keras():
    code = "import helpers.models, sys; print('keras' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout == "False\n"


# -- the chapters' build cells against the helpers -----------------------------------------
class _Run:
    """The chapters' ``run`` as far as their build cells use it: the ci profile's choices."""

    seed = 0

    @staticmethod
    def pick(ci, **others):
        return ci


def _chapter_models(chapter: str, first: str) -> dict:
    """Run the cells of ``book/<chapter>.ipynb`` that build its model; return their names.

    They are the code cells from the last one before the guard cell (the one that calls
    ``same_layers``) that contains ``first``, up to the guard cell itself, not included.
    """
    cells = json.loads((ROOT / "book" / f"{chapter}.ipynb").read_text())["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    guard = [i for i, source in enumerate(code) if "same_layers(" in source]
    assert len(guard) == 1, f"{chapter}: expected one guard cell calling same_layers"
    starts = [i for i, source in enumerate(code[:guard[0]]) if first in source]
    assert starts, f"{chapter}: no code cell with {first!r} before the guard cell"
    namespace = {"keras": keras, "layers": layers, "ops": keras.ops, "run": _Run()}
    for source in code[starts[-1]:guard[0]]:
        exec(source, namespace)  # noqa: S102 - the chapter's own code
    return namespace


def _encoder_chapter():
    ns = _chapter_models("encoder", "code_size, hidden_units =")
    return [(ns["autoencoder"],
             lambda: dense_autoencoder(ns["code_size"], ns["hidden_units"])[0])]


def _convolutional_chapter():
    ns = _chapter_models("convolutional", "filters = run.pick(")
    return [(ns["seed_encoder"], lambda: conv_autoencoder(128, ns["filters"])[1]),
            (ns["seed_decoder"], lambda: conv_autoencoder(128, ns["filters"])[2])]


def _sparse_chapter():
    ns = _chapter_models("sparse", "class L1Penalty(")
    return [(ns["autoencoder"], lambda: sparse.sparse_autoencoder(
        ns["CODE_UNITS"], penalty="l1", weight=1e-4)[0])]


def _vae_chapter():
    ns = _chapter_models("vae", "class Sampling(")
    return [(ns["vae"], lambda: vae.build_vae(ns["latent_size"], ns["hidden_units"],
                                              seed=_Run.seed))]


#: chapter → (how to build its models and the helper's, the layer class and layer name whose
#: ReLU the last test turns into a sigmoid in the helper)
CHAPTERS = {
    "encoder": (_encoder_chapter, "Dense", "decoder_hidden"),
    "convolutional": (_convolutional_chapter, "Conv2D", "conv2"),
    "sparse": (_sparse_chapter, "Dense", "code_units"),
    "vae": (_vae_chapter, "Dense", "encoder_hidden"),
}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_builds_the_layers_of_its_helper(chapter):
    for built_in_chapter, helper in CHAPTERS[chapter][0]():
        same_layers(built_in_chapter, helper())


def _change_one_activation(monkeypatch, class_name: str, layer_name: str) -> None:
    """From now on the helpers build layer ``layer_name`` with a sigmoid instead of a ReLU."""
    original = getattr(keras.layers, class_name)

    class OneActivationChanged(original):
        def __init__(self, *args, activation=None, name=None, **kwargs):
            if name == layer_name:
                assert activation == "relu", f"{layer_name} has no ReLU to change"
                activation = "sigmoid"
            super().__init__(*args, activation=activation, name=name, **kwargs)

    OneActivationChanged.__name__ = OneActivationChanged.__qualname__ = class_name
    monkeypatch.setattr(keras.layers, class_name, OneActivationChanged)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_changing_one_activation_in_a_helper_makes_the_guard_fail(chapter, monkeypatch):
    build, class_name, layer_name = CHAPTERS[chapter]
    pairs = build()  # the chapter's models, built before the change
    _change_one_activation(monkeypatch, class_name, layer_name)
    failures = []
    for built_in_chapter, helper in pairs:
        try:
            same_layers(built_in_chapter, helper())
        except AssertionError as failure:
            failures.append(str(failure))
    assert len(failures) == 1, failures  # the one model that holds the changed layer
    assert f"{layer_name}' " in failures[0] and "activation is 'relu'" in failures[0]
    assert "'sigmoid' in the second" in failures[0]
