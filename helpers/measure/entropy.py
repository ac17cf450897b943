"""Real bits for a learned code: a range coder driven by a learned factorised density.

Used by the chapter "Learned compression". A rate–distortion autoencoder
(:mod:`helpers.models.compression`) rounds its code to integers and learns, for each
of its C channels, a cumulative function c(x) whose unit intervals give each integer's
probability, P(k) = c(k + ½) − c(k − ½). Training counts the ideal bits −log₂ P; this
module counts the real ones, with ``constriction``'s range coder as
:mod:`helpers.measure.indices` uses it: one message per image, in whole bytes, trimmed
to the shortest prefix that still decodes, each decoded back to check nothing was lost.

A range coder needs a finite alphabet that sender and receiver agree on beforehand, so
each channel's density becomes a table over the integers ``low … high``
(:func:`channel_tables`): the mass below ``low + ½`` and above ``high − ½`` is folded
into the two end symbols, so every row sums to one. :func:`support` picks that range
once, from the training symbols and the density's tails; a held-out symbol outside it
is clipped to the nearest end (counted as ``clipped``): a real codec would send an
escape instead, and the decoder then sees the end value.

The table is shared by all positions of one channel and the C channels are coded one
after another, so the sender and the receiver need no pass of any network while coding:
the tables are computed once (one pass of the density), and both sides hold the same
float64 table.
"""

from __future__ import annotations

import numpy as np

from .codec import length_header_bytes
from .indices import _decodes_to, _family, _range_decoder, _shortest

__all__ = ["check_symbols", "check_tables", "support", "channel_tables",
           "symbol_messages", "decode_symbol_messages", "code_symbols"]

PROBABILITY_FLOOR = 1e-9  # the density's likelihood bound: no symbol is impossible
SUM_TOLERANCE = 1e-6


def check_symbols(symbols, channels=None, what: str = "symbols") -> np.ndarray:
    """``symbols`` as int64 (N, C), or a ValueError: finite whole numbers, one row per
    image, ``channels`` columns when given."""
    array = np.asarray(symbols)
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{what} must be a numeric array of integer codes; got dtype "
                         f"{array.dtype}")
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"{what} must have shape (N, channels), one row of integer "
                         f"codes per image; got shape {array.shape}")
    if channels is not None and array.shape[1] != channels:
        raise ValueError(f"{what} must have {channels} channels (the code's "
                         f"width); got {array.shape[1]}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} contain NaN or infinite values; expected integers "
                         f"(round the codes)")
    if not np.issubdtype(array.dtype, np.integer) and not np.all(
            array == np.round(array)):
        raise ValueError(f"{what} must be whole numbers (round the codes first); got "
                         f"fractions of dtype {array.dtype}")
    return array.astype(np.int64)


def check_tables(tables) -> np.ndarray:
    """``tables`` as float64 (C, S), or a ValueError: finite, non-negative, at least
    two symbols, each row summing to one within 1e-6."""
    p = np.asarray(tables)
    if p.dtype == object or not np.issubdtype(p.dtype, np.number):
        raise ValueError(f"tables must be a numeric array of probabilities; got "
                         f"dtype {p.dtype}")
    if p.ndim != 2 or p.shape[1] < 2 or p.shape[0] == 0:
        raise ValueError(f"tables must have shape (channels, symbols) with at least "
                         f"two symbols; got shape {p.shape}")
    # C order: constriction reads a table's memory row by row whatever its strides,
    # so a transposed (Fortran-ordered) table silently codes with the wrong rows
    p = np.ascontiguousarray(p, np.float64)
    if not np.all(np.isfinite(p)):
        raise ValueError("tables contain NaN or infinite probabilities")
    if np.any(p < 0):
        raise ValueError(f"tables contain negative probabilities (smallest "
                         f"{p.min():.3g}); probabilities must be ≥ 0")
    sums = p.sum(axis=1)
    worst = int(np.argmax(np.abs(sums - 1)))
    if abs(sums[worst] - 1) > SUM_TOLERANCE:
        raise ValueError(f"each row of tables must sum to 1 (within "
                         f"{SUM_TOLERANCE:g}): a channel's probabilities; row {worst} "
                         f"sums to {sums[worst]:.9g}")
    return p


def _density(density):
    """The density layer of a model or the layer itself."""
    density = getattr(density, "density", density)
    if not hasattr(density, "logits_cumulative") or not hasattr(density, "channels"):
        raise ValueError("density must be a FactorizedDensity or a model that has "
                         "one (helpers.models.compression)")
    return density


def _logits(density, edges) -> np.ndarray:
    """The logits of c at each of ``edges`` (E,), for every channel: (C, E) float64.
    The sigmoid is then taken in float64, so tails near 0 and 1 keep their size."""
    from keras import ops

    x = np.repeat(np.asarray(edges, np.float32)[:, None], density.channels, axis=1)
    return ops.convert_to_numpy(density.logits_cumulative(x)).astype(np.float64).T


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))  # exact at ±inf, no overflow warning


def support(density, symbols_train, tail: float = 1e-6,
            max_symbols: int = 4096) -> tuple[int, int]:
    """The integers ``(low, high)`` a coder's tables span: the training symbols' range,
    widened until, in every channel, the density's mass below ``low − ½`` and above
    ``high + ½`` is at most ``tail`` (its ``tail`` and 1 − ``tail`` quantiles).

    Chosen once, from training data and the density alone, as a codec fixed in
    advance must be; held-out symbols outside it are clipped (:func:`code_symbols`).
    Widening stops at ``max_symbols`` symbols. At least two symbols are kept.
    """
    density = _density(density)
    symbols = check_symbols(symbols_train, density.channels, "symbols_train")
    low, high = int(symbols.min()), max(int(symbols.max()), int(symbols.min()) + 1)
    step = 1
    while high - low + 1 < max_symbols:
        c = _sigmoid(_logits(density, [low - 0.5, high + 0.5]))
        below, above = c[:, 0].max(), 1 - c[:, 1].min()
        if below <= tail and above <= tail:
            break
        low -= step if below > tail else 0
        high += step if above > tail else 0
        step *= 2
    width = high - low + 1
    if width > max_symbols:  # keep the training range's middle in view
        middle = (low + high) // 2
        low = middle - max_symbols // 2
        high = low + max_symbols - 1
    return low, high


def channel_tables(density, low: int, high: int) -> tuple[int, np.ndarray]:
    """Each channel's probabilities of the integers ``low … high``: ``(low, tables)``
    with tables (C, high − low + 1), float64, each row summing to one.

    P(k) = c(k + ½) − c(k − ½), computed on the side of the median where both values
    are small (the sign trick); the mass below ``low + ½`` goes to ``low`` and above
    ``high − ½`` to ``high``. Every probability is then floored at 1e-9 (the density's
    own likelihood bound) and the row renormalised: a range coder cannot code a
    symbol of probability zero.
    """
    density = _density(density)
    if isinstance(low, bool) or isinstance(high, bool) or not (
            hasattr(low, "__index__") and hasattr(high, "__index__")):
        raise ValueError(f"low and high must be whole numbers; got {low!r}, {high!r}")
    low, high = int(low), int(high)
    if high <= low:
        raise ValueError(f"high must be above low (at least two symbols); got low "
                         f"{low}, high {high}")
    edges = np.arange(low, high) + 0.5  # the S − 1 boundaries between symbols
    logits = _logits(density, edges)
    infinity = np.full((density.channels, 1), np.inf)
    lower = np.concatenate([-infinity, logits], axis=1)
    upper = np.concatenate([logits, infinity], axis=1)
    sign = -np.sign(np.nan_to_num(lower + upper))  # ±inf at the two ends
    sign[sign == 0] = -1.0
    p = np.abs(_sigmoid(sign * upper) - _sigmoid(sign * lower))
    p = np.maximum(p, PROBABILITY_FLOOR)
    return low, np.ascontiguousarray(p / p.sum(axis=1, keepdims=True))


def _prepared(symbols, low, tables):
    """Checked tables (C, S), symbols clipped into the support (N, C) as table
    columns, and the count of clipped symbols per image."""
    tables = check_tables(tables)
    if isinstance(low, bool) or not hasattr(low, "__index__"):
        raise ValueError(f"low must be a whole number (the first table symbol); got "
                         f"{low!r}")
    symbols = check_symbols(symbols, len(tables))
    columns = symbols - int(low)
    clipped = ((columns < 0) | (columns >= tables.shape[1])).sum(axis=1)
    return tables, np.clip(columns, 0, tables.shape[1] - 1), clipped


def _ideal_bits(columns, tables) -> np.ndarray:
    chosen = tables[np.arange(tables.shape[0]), columns]  # (N, C)
    return -np.log2(chosen).sum(axis=1)


def _encode(columns, tables, ideal_bits) -> list[bytes]:
    import constriction

    messages = []
    for row, bits in zip(columns.astype(np.int32), ideal_bits):
        encoder = constriction.stream.queue.RangeEncoder()
        encoder.encode(row, _family(), tables)
        message = encoder.get_compressed().astype(">u4").tobytes()
        messages.append(_shortest(message, tables, row, bits))
    return messages


def symbol_messages(symbols, low, tables) -> list[bytes]:
    """One range-coded message per image (row of ``symbols``), in whole bytes, with
    channel c coded by row c of ``tables``; symbols outside ``low … low + S − 1`` are
    clipped to the nearest end first. :func:`decode_symbol_messages` reads them
    back."""
    tables, columns, _ = _prepared(symbols, low, tables)
    return _encode(columns, tables, _ideal_bits(columns, tables))


def decode_symbol_messages(messages, low, tables) -> np.ndarray:
    """The symbols (N, C) of :func:`symbol_messages`' messages, as a receiver that
    holds the tables reads them."""
    tables = check_tables(tables)
    messages = [bytes(m) for m in messages]
    if not messages:
        raise ValueError("messages is empty; expected one message per image")
    rows = []
    for message in messages:
        decoder = _range_decoder(message)
        try:
            rows.append(decoder.decode(_family(), tables))
        except AssertionError:  # constriction's word for data that does not decode
            raise ValueError("a message does not decode with these tables") from None
    return np.asarray(rows, np.int64) + int(low)


def code_symbols(symbols, low, tables) -> dict:
    """Every count of one set of codes, per image (arrays of N): ``ideal_bits``
    (−Σ log₂ of the table's probabilities: what an ideal coder with these tables
    spends), ``payload_bits`` (the range coder's whole bytes), ``coded_bits`` (with
    :func:`helpers.measure.codec.length_header_bytes`, which say where a message
    ends) and ``clipped`` (symbols outside the tables' support, clipped to its ends
    before coding); and ``lossless``: True when every message, actually decoded,
    gives back its (clipped) symbols."""
    tables, columns, clipped = _prepared(symbols, low, tables)
    ideal = _ideal_bits(columns, tables)
    messages = _encode(columns, tables, ideal)
    lossless = all(_decodes_to(m, tables, row)
                   for m, row in zip(messages, columns.astype(np.int32)))
    payload = np.array([8.0 * len(m) for m in messages])
    return {"ideal_bits": ideal, "payload_bits": payload,
            "coded_bits": payload + 8.0 * np.array(
                [length_header_bytes(len(m)) for m in messages]),
            "clipped": clipped, "lossless": bool(lossless)}
