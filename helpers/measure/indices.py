"""Real bits for grids of codebook indices: a range coder driven by a prior's
probabilities.

Used by the chapter "Discrete codes". A VQ autoencoder sends an image as a grid of
indices; an autoregressive prior (``helpers.models.prior``) gives, at each position in
reading order, a categorical distribution over the K codes given the indices before it.
An arithmetic coder driven by those distributions spends about −log₂ p(index) bits on
each index, so a grid costs about its cross-entropy under the prior. This module counts
the real bits: ``constriction``'s range coder (as :mod:`helpers.measure.codec` uses it),
one message per image, in whole bytes, decoded back to check that nothing was lost.

The receiver has the prior but not the grid, so it must compute position i's
distribution from the positions before it alone. The sender therefore computes each
position's probabilities the same way, from the grid with position i and every later
one set to zero (the masks make them irrelevant; computing them identically keeps the
two sides' fixed-point tables bit-identical on any backend). That is one pass of the
prior per position, for all images at once: 49 passes for a 7×7 grid.

``probabilities_of`` is any function of index grids (N, H, W) → probabilities
(N, H, W, K), e.g. ``prior.probabilities``. Bits are per image.
"""

from __future__ import annotations

import numpy as np

from .codec import length_header_bytes

__all__ = ["grid_messages", "decode_messages", "coded_bits", "index_code_lengths"]


def _family():
    import constriction

    return constriction.stream.model.Categorical(perfect=False)


def _grids(grids) -> np.ndarray:
    array = np.asarray(grids)
    if array.ndim != 3 or array.size == 0:
        raise ValueError(f"grids must be index grids of shape (N, height, width); got "
                         f"shape {array.shape}")
    if not np.issubdtype(array.dtype, np.integer):
        if not (np.issubdtype(array.dtype, np.floating) and np.all(np.isfinite(array))
                and np.all(array == np.round(array))):
            raise ValueError(f"grids must hold whole numbers (codebook indices); got "
                             f"dtype {array.dtype}")
    return array.astype(np.int64)


def _position_probabilities(probabilities_of, shape, fill):
    """Walk the positions in reading order as a receiver must: at position i, the
    probabilities from a grid holding only the indices before i; ``fill(i, p)`` gives
    the indices (N,) of position i from p (N, K). Returns the p of every position,
    (N, H·W, K), and the grid filled in."""
    n, height, width = shape
    grids = np.zeros(shape, np.int64)
    found = []
    for i in range(height * width):
        row, column = divmod(i, width)
        p = np.asarray(probabilities_of(grids), np.float64)
        if p.ndim != 4 or p.shape[:3] != shape or p.shape[3] < 2:
            raise ValueError(f"probabilities_of must return (N, {height}, {width}, K) "
                             f"probabilities with K ≥ 2; got shape {p.shape}")
        p = p[:, row, column]
        if not np.all(np.isfinite(p)) or np.any(p < 0):
            raise ValueError("probabilities_of returned negative or non-finite values")
        found.append(p)
        grids[:, row, column] = fill(i, p)
    return np.stack(found, axis=1), grids


def _range_decoder(message: bytes):
    """A range decoder over a trimmed message: the missing bytes of its last 32-bit
    word read as 0x80 and zeros (the middle of what they could hold)."""
    import constriction

    data = bytes(message) + b"\x80"
    data += b"\0" * (-len(data) % 4)
    return constriction.stream.queue.RangeDecoder(
        np.frombuffer(data, ">u4").astype(np.uint32))


def _decodes_to(message: bytes, p: np.ndarray, symbols: np.ndarray) -> bool:
    decoder = _range_decoder(message)
    try:
        return np.array_equal(decoder.decode(_family(), p), symbols)
    except AssertionError:  # constriction's word for data that does not decode
        return False


def _checked(probabilities_of, grids):
    """The grids flattened (N, H·W) and the receiver's probabilities (N, H·W, K)."""
    grids = _grids(grids)
    k = np.shape(probabilities_of(np.zeros((1, *grids.shape[1:]), np.int64)))[-1]
    if grids.min() < 0 or grids.max() >= k:
        raise ValueError(f"grids must hold indices from 0 to {k - 1} (the prior's "
                         f"K = {k} codes); got {grids.min()} to {grids.max()}")
    flat = grids.reshape(len(grids), -1)
    p, _ = _position_probabilities(probabilities_of, grids.shape,
                                   lambda i, p: flat[:, i])
    return flat, p


def _shortest(message: bytes, p, symbols, ideal_bits: float) -> bytes:
    """The shortest whole-byte message that still decodes to ``symbols``.

    The code values that decode correctly form an interval about as wide as
    2^−ideal_bits, which holds the coder's full message. For each length from
    ⌊ideal_bits / 8⌋ bytes up, try the full message's prefix of that length and its
    two neighbours (the decoder pads each with 0x80: the middle of what the missing
    bytes could hold); the first that decodes is kept. Keeping the prefix alone can
    cost up to three bytes more when the interval straddles a byte boundary."""
    for n in range(max(0, int(ideal_bits // 8)), len(message)):
        if n == 0:
            candidates = [b""]
        else:
            prefix = int.from_bytes(message[:n], "big")
            candidates = [(prefix + d).to_bytes(n, "big") for d in (0, 1, -1)
                          if 0 <= prefix + d < 256 ** n]
        for candidate in candidates:
            if _decodes_to(candidate, p, symbols):
                return candidate
    return message


def _messages(flat, p) -> list[bytes]:
    import constriction

    chosen = np.take_along_axis(p, flat[..., None], axis=2)[..., 0] / p.sum(axis=2)
    ideal = -np.log2(chosen).sum(axis=1)
    messages = []
    for symbols, probabilities, bits in zip(flat.astype(np.int32), p, ideal):
        encoder = constriction.stream.queue.RangeEncoder()
        encoder.encode(symbols, _family(), probabilities)
        message = encoder.get_compressed().astype(">u4").tobytes()
        messages.append(_shortest(message, probabilities, symbols, bits))
    return messages


def grid_messages(probabilities_of, grids) -> list[bytes]:
    """One range-coded message per grid, in whole bytes (:func:`decode_messages` reads
    them back). As in :func:`helpers.measure.codec.range_encode`, only the bytes
    decoding needs are kept (each shorter message is decoded to check), and the last
    byte may be moved by one so that a shorter message decodes (see
    :func:`_shortest`)."""
    return _messages(*_checked(probabilities_of, grids))


def decode_messages(probabilities_of, messages, grid_shape=(7, 7)) -> np.ndarray:
    """The index grids (N, H, W) of :func:`grid_messages`' messages, decoded as a
    receiver would: one position at a time, each from the prior's probabilities given
    the positions already decoded."""
    messages = [bytes(m) for m in messages]
    if not messages:
        raise ValueError("messages is empty; expected one message per image")
    decoders = [_range_decoder(message) for message in messages]

    def fill(i, p):
        try:
            return [int(d.decode(_family(), row[None])[0])
                    for d, row in zip(decoders, p)]
        except AssertionError:
            raise ValueError("a message does not decode with these probabilities"
                             ) from None

    height, width = grid_shape
    return _position_probabilities(probabilities_of, (len(messages), height, width),
                                   fill)[1]


def coded_bits(messages) -> np.ndarray:
    """Bits per image as they would be stored or sent: each message's whole bytes
    plus the :func:`helpers.measure.codec.length_header_bytes` that say where it
    ends."""
    return np.array([8.0 * (len(m) + length_header_bytes(len(m))) for m in messages])


def index_code_lengths(probabilities_of, grids) -> dict:
    """Every count of one set of grids, per image (arrays of N): ``ideal_bits`` (the
    cross-entropy −log₂ p(grid) from the receiver's probabilities), ``payload_bits``
    (the range coder's whole bytes), ``coded_bits`` (with the length header), and
    ``lossless`` (True when every message decodes back to its grid)."""
    grids = _grids(grids)
    flat, p = _checked(probabilities_of, grids)
    chosen = np.take_along_axis(p, flat[..., None], axis=2)[..., 0]
    chosen = chosen / p.sum(axis=2)
    messages = _messages(flat, p)
    decoded = decode_messages(probabilities_of, messages, grids.shape[1:])
    return {"ideal_bits": -np.log2(chosen).sum(axis=1),
            "payload_bits": np.array([8.0 * len(m) for m in messages]),
            "coded_bits": coded_bits(messages),
            "lossless": bool(np.array_equal(decoded, grids))}
