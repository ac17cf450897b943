"""Models that a chapter builds in front of the reader and later chapters reuse.

Each module holds the builders of one chapter, written exactly as that chapter shows
them, so a reader who meets ``helpers.models.dense_autoencoder`` later has already seen
every layer. The chapter that builds a model checks, in a hidden cell, that its model
and the helper's are the same with :func:`same_layers`.

Importing this package does not import Keras: ``dense`` and ``conv`` import it when a
builder runs. ``helpers.models.sparse`` and ``helpers.models.vae`` define Keras layers
and import Keras at the top; import them by name.
"""
from __future__ import annotations

from itertools import zip_longest

from .conv import conv_autoencoder
from .dense import dense_autoencoder

__all__ = ["conv_autoencoder", "dense_autoencoder", "same_layers"]


def same_layers(first, second) -> None:
    """Assert that two Keras models are made of the same layers, configured alike.

    Why: a chapter builds a model in front of the reader and a later chapter imports the
    helper's copy, so the two must not drift apart. Comparing output shapes would let a
    ReLU become a sigmoid unnoticed; this compares every layer's full ``get_config()``
    (units, activation, initialisers, penalty weights, seeds ...), layer by layer, in
    order, with the layers' names and class names. Models nested in a model (an encoder
    inside an autoencoder) are compared layer by layer too, with their names and wiring.
    The two outer models themselves are compared only through their layers, so their own
    names may differ.

    Raises ``AssertionError`` naming the first layer that differs and the key in its
    config; returns ``None`` when the models match.
    """
    for model, which in ((first, "first"), (second, "second")):
        if not hasattr(model, "layers") or not hasattr(model, "get_config"):
            raise TypeError(f"same_layers compares two Keras models; the {which} "
                            f"argument is a {type(model).__name__}")
    _compare_models(first, second, where="")


def _compare_models(first, second, where: str) -> None:
    first_names = [layer.name for layer in first.layers]
    second_names = [layer.name for layer in second.layers]
    for index, (a, b) in enumerate(zip_longest(first.layers, second.layers)):
        if a is None or b is None or a.name != b.name:
            raise AssertionError(
                _name_mismatch(a, b, index, first_names, second_names, where))
        path = where + a.name
        if type(a).__name__ != type(b).__name__:
            raise AssertionError(f"layer '{path}' is a {type(a).__name__} in the first "
                                 f"model and a {type(b).__name__} in the second")
        if hasattr(a, "layers"):  # a model in the model: its layers, then its wiring
            _compare_models(a, b, where=path + "/")
        difference = _first_difference(_config(a), _config(b))
        if difference:
            key, value_a, value_b = difference
            raise AssertionError(f"layer '{path}' ({type(a).__name__}): {key} is "
                                 f"{value_a!r} in the first model and {value_b!r} in "
                                 "the second")


def _name_mismatch(a, b, index, first_names, second_names, where) -> str:
    def described(layer):
        return f"'{where}{layer.name}' ({type(layer).__name__})"

    if b is None or a is not None and a.name not in second_names:
        return f"layer {described(a)} of the first model is missing from the second"
    if a is None or b.name not in first_names:
        return f"layer {described(b)} of the second model is missing from the first"
    return (f"the layers come in a different order: layer {index} is {described(a)} in "
            f"the first model and {described(b)} in the second")


def _config(layer) -> dict:
    config = layer.get_config()
    if hasattr(layer, "layers") and isinstance(config.get("layers"), list):
        # a Functional model: its layers are compared one by one; keep how they connect
        config = {**config, "layers": {entry["name"]: entry.get("inbound_nodes")
                                       for entry in config["layers"]}}
    return config


_MISSING = "<no such key>"


def _first_difference(a, b, key: str = "config"):
    """(dotted key, value in a, value in b) where a and b first differ, or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for name in list(a) + [name for name in b if name not in a]:
            found = _first_difference(a.get(name, _MISSING), b.get(name, _MISSING),
                                      f"{key}.{name}" if key != "config" else name)
            if found:
                return found
        return None
    sequences = (list, tuple)
    if isinstance(a, sequences) and isinstance(b, sequences) and len(a) == len(b):
        for index, (item_a, item_b) in enumerate(zip(a, b)):
            found = _first_difference(item_a, item_b, f"{key}[{index}]")
            if found:
                return found
        return None
    return None if type(a) is type(b) and a == b or _same_number(a, b) else (key, a, b)


def _same_number(a, b) -> bool:
    numbers = (int, float)
    return (isinstance(a, numbers) and isinstance(b, numbers)
            and not isinstance(a, bool) and not isinstance(b, bool) and a == b)
