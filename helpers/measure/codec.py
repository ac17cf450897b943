"""Counting bits: autoencoder codes quantised and entropy-coded (JPEG is counted in
:mod:`helpers.measure.jpeg`).

Used by the chapter "Autoencoders versus JPEG". Every rate is in **bits per pixel**
(bpp) of a 28×28 image (784 pixels); every quality is per-image mean PSNR in dB from
:mod:`helpers.metrics`.

Two ways to count an autoencoder code after uniform quantisation:

* ``code_length_bits``: the ideal length of an entropy coder whose table of symbol
  frequencies was estimated beforehand (from the training set), which an arithmetic
  coder reaches within a few bits; ``entropy_bits`` is the optimistic empirical entropy
  of the symbols themselves;
* ``range_coder_bits``: the real length of a range coder (an arithmetic coder, from the
  ``constriction`` library) with that same table, each image its own message in whole
  bytes, as it would be sent: real bits, at JPEG's granularity, to set beside JPEG's
  real bytes;
* ``zlib_bits``: what an everyday lossless coder (DEFLATE) actually produces.

Quality is reported three ways, because a per-image mean is pulled about by images
that a codec reproduces exactly (a blank image: capped at 100 dB): the mean, the median,
and the pooled PSNR (of the mean squared error over all images). Between two measured
settings a codec can send some images with one and the rest with the other: that mix's
mean PSNR and mean squared error lie on straight lines between the settings, its median
does not, so :func:`quality_at_rate` interpolates the first two and reads the median at
measured settings only.
"""

from __future__ import annotations

import zlib

import numpy as np

from .._validate import as_image_batch, finite_array as _finite_array
from ..metrics import mse_per_image, quality_summary

# JPEG's side of the comparison lives in helpers.measure.jpeg; the chapter counts both
# codecs' bits through this module, so JPEG's names are passed on here.
from .jpeg import (  # noqa: F401
    JPEG_QUALITIES,
    jpeg_curve,
    jpeg_decode,
    jpeg_encode,
    jpeg_payload_bytes,
    jpeg_quality,
    jpeg_roundtrip,
    jpeg_segments,
    jpeg_table_bytes,
)

# Reading the curves at one rate lives in helpers.measure.curves; passed on here too.
from .curves import (  # noqa: F401
    comparison_rate,
    gap_at_rate_interval,
    gap_verdict,
    quality_at_rate,
    usable_settings,
    with_rate_zero,
)

PIXELS_PER_IMAGE = 28 * 28


# -- quantisation and entropy ----------------------------------------------------------


def _step(step) -> float:
    try:
        step = float(step)
    except (TypeError, ValueError):
        raise ValueError(f"step must be a positive number; got {step!r}") from None
    if not np.isfinite(step) or step <= 0:
        raise ValueError(f"step must be a positive number; got {step}")
    return step


def _symbols(symbols, what: str = "symbols") -> np.ndarray:
    array = _finite_array(symbols, what)
    if not np.issubdtype(array.dtype, np.integer):
        if not np.all(array == np.round(array)):
            raise ValueError(
                f"{what} must be whole numbers (quantise codes first); got dtype "
                f"{array.dtype}"
            )
        array = array.astype(np.int64)
    return array.astype(np.int64, copy=False)


def quantisation_step(step) -> float:
    """A quantisation step, checked: a positive, finite number."""
    return _step(step)


def quantise(codes, step) -> np.ndarray:
    """Round each code value to the nearest multiple of ``step``; return the integer
    symbols."""
    codes = _finite_array(codes, "codes").astype(np.float64)
    return np.round(codes / _step(step)).astype(np.int64)


def dequantise(symbols, step) -> np.ndarray:
    """The code values that the symbols stand for: ``symbols × step`` (float32)."""
    return (_symbols(symbols) * _step(step)).astype(np.float32)


def entropy_bits(symbols) -> float:
    """Empirical entropy of the symbols, in bits per symbol: −Σ p log2 p over their
    histogram.

    Optimistic: it assumes the coder already knew these very frequencies.
    """
    _, counts = np.unique(_symbols(symbols), return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


def symbol_table(symbols, reference) -> tuple[int, np.ndarray]:
    """The table an entropy coder shares with its decoder: ``(low, p)``, the smallest
    symbol and the probability of each value from it to the largest, from the counts
    in ``reference`` plus one (so no symbol is impossible).

    The frequencies come from ``reference`` alone, but the range of values spans
    ``symbols`` too, so that every symbol can be coded: a codec fixed in advance would
    have to choose that range beforehand (or code outliers with an escape).
    """
    symbols = _symbols(symbols).ravel()
    reference = _symbols(reference, "reference").ravel()
    low = min(symbols.min(), reference.min())
    high = max(symbols.max(), reference.max())
    counts = (
        np.bincount(reference - low, minlength=high - low + 1).astype(np.float64) + 1.0
    )
    return int(low), counts / counts.sum()


def code_length_bits(symbols, reference) -> float:
    """Total bits an ideal entropy coder spends on ``symbols`` with a table from
    ``reference``.

    The table is the frequency of each symbol in ``reference`` (e.g. the training set's
    symbols), with one extra count for every value from the smallest to the largest
    symbol seen in either (so a symbol never seen in training costs many bits, not
    infinitely many). An arithmetic coder gets within a few bits of this total:
    :func:`range_coder_bits` measures how close.
    """
    symbols = _symbols(symbols).ravel()
    low, p = symbol_table(symbols, reference)
    return float(-np.log2(p[symbols - low]).sum())


def _range_model(p):
    import constriction

    p = np.asarray(p, np.float64)
    return constriction.stream.model.Categorical(p, perfect=False)


def range_decode(message: bytes, table, n_symbols: int) -> np.ndarray:
    """The ``n_symbols`` symbols of one :func:`range_encode` message.

    The message's last 32-bit word may have been cut short: it is completed with the
    byte ``0x80`` and zeros (the middle of what the missing bytes could hold), which is
    how :func:`range_encode` checked that the shorter message still decodes.
    """
    import constriction

    low, p = table
    if len(p) == 1:  # one possible symbol: nothing needs to be sent
        return np.full(int(n_symbols), low, np.int64)
    data = bytes(message) + b"\x80"
    data += b"\0" * (-len(data) % 4)
    words = np.frombuffer(data, ">u4").astype(np.uint32)
    decoder = constriction.stream.queue.RangeDecoder(words)
    try:
        symbols = decoder.decode(_range_model(p), int(n_symbols))
    except AssertionError:  # constriction's word for data this table cannot decode
        raise ValueError("the message does not decode with this table") from None
    return symbols.astype(np.int64) + low


def _decodes_to(message: bytes, table, row) -> bool:
    try:
        return np.array_equal(range_decode(message, table, row.size), row)
    except ValueError:
        return False


def range_encode(row, table) -> bytes:
    """One image's symbols as a range coder's message in whole bytes, with the shared
    ``table`` from :func:`symbol_table`; :func:`range_decode` reads it back.

    The coder is ``constriction``'s, a kept library, rather than our own: an arithmetic
    coder is easy to get subtly wrong. It writes 32-bit words; the message keeps only
    as many bytes of the last word as decoding needs (each shorter message is decoded
    to check), so it is counted in bytes, like a JPEG payload.
    """
    import constriction

    low, p = table
    row = _symbols(row, "row").ravel()
    if row.min() - low < 0 or row.max() - low >= len(p):
        raise ValueError("row holds symbols outside the table; build it from them")
    if len(p) == 1:  # one possible symbol: the receiver knows the row already
        return b""
    encoder = constriction.stream.queue.RangeEncoder()
    encoder.encode((row - low).astype(np.int32), _range_model(p))
    message = encoder.get_compressed().astype(">u4").tobytes()
    while message and _decodes_to(message[:-1], table, row):
        message = message[:-1]
    return message


def length_header_bytes(message_bytes: int) -> int:
    """Bytes that tell a receiver where a message of ``message_bytes`` bytes ends: one
    byte holding the length when it is below 255, else the byte 255 and two more."""
    return 1 if message_bytes < 255 else 3


def range_coder_bits(symbols, reference) -> np.ndarray:
    """Real bits per image of a range coder with :func:`code_length_bits`'s table.

    Each row of ``symbols`` (first axis: one image) is its own message, whose length
    comes in whole bytes: what would be stored or sent for that image alone. A trimmed
    message decodes only when the receiver knows where it ends, so each is charged its
    :func:`length_header_bytes` too (nothing when the table has a single symbol, as
    then nothing is sent at all).
    """
    symbols = _symbols(symbols)
    if symbols.ndim < 2:
        raise ValueError(
            f"range_coder_bits needs one row of symbols per image; got shape "
            f"{symbols.shape}"
        )
    table = symbol_table(symbols, reference)
    lengths = [len(range_encode(row, table)) for row in symbols]
    if len(table[1]) == 1:
        return np.zeros(len(lengths))
    return np.array([8.0 * (n + length_header_bytes(n)) for n in lengths])


def symbols_to_bytes(symbols) -> bytes:
    """Serialise symbols compactly: one byte each when they fit in −128…127, else
    two."""
    symbols = _symbols(symbols)
    if symbols.min() >= -128 and symbols.max() <= 127:
        return symbols.astype(np.int8).tobytes()
    if symbols.min() >= -32768 and symbols.max() <= 32767:
        return symbols.astype("<i2").tobytes()
    raise ValueError("symbols lie outside −32768…32767; use a larger quantisation step")


def zlib_bits(symbols, *, per_image: bool = False) -> float:
    """Bits of the symbols after DEFLATE (zlib level 9, raw stream: no header or
    checksum).

    ``per_image=False`` compresses all rows of ``symbols`` as one stream (a batch sent
    at once); ``per_image=True`` compresses each row (first axis) on its own, as a
    single image would be.
    """
    symbols = _symbols(symbols)

    def deflate(data: bytes) -> int:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return len(compressor.compress(data) + compressor.flush())

    if per_image:
        if symbols.ndim < 2:
            raise ValueError(
                "per_image=True needs one row of symbols per image; got shape "
                f"{symbols.shape}"
            )
        return float(8 * sum(deflate(symbols_to_bytes(row)) for row in symbols))
    return float(8 * deflate(symbols_to_bytes(symbols)))


def code_curve(codes, reference_codes, decode, images, steps) -> dict:
    """Rate–distortion curve of an autoencoder's codes quantised with each uniform
    ``step``.

    ``codes``: the held-out images' codes (N, …); ``reference_codes``: training codes,
    whose symbol frequencies make the entropy coder's table; ``decode``: a function
    codes → images (e.g. ``lambda c: decoder.predict(c, verbose=0)``); ``images``: the
    held-out originals. Returns a dict of arrays over steps: ``step``, ``entropy_bpp``
    (ideal coder, training table), ``coded_bpp`` (a real range coder with that table,
    each image its own message), ``self_entropy_bpp`` (empirical entropy of the
    held-out symbols), ``zlib_bpp`` (DEFLATE of the whole held-out batch) and
    ``psnr_db``, ``median_psnr_db``, ``pooled_psnr_db`` (see :func:`quality_summary`).
    Two keys hold one row per step and one column per image, so that a comparison can
    resample the images: ``per_image_bits`` (the range coder's bits) and
    ``per_image_mse``.
    """
    images = as_image_batch(images)
    codes = _finite_array(codes, "codes")
    reference_codes = _finite_array(reference_codes, "reference_codes")
    if len(codes) != len(images):
        raise ValueError(
            f"{len(codes)} codes for {len(images)} images; expected one code per image"
        )
    if not callable(decode):
        raise ValueError("decode must be a function that turns codes into images")
    steps = [_step(s) for s in steps]
    if not steps:
        raise ValueError("steps is empty; give at least one quantisation step")
    pixels = float(len(images) * np.prod(images.shape[1:3]))
    rows = []
    for step in steps:
        symbols = quantise(codes, step)
        reference = quantise(reference_codes, step)
        decoded = np.clip(
            np.asarray(decode(dequantise(symbols, step)), dtype=np.float32), 0, 1
        )
        coded = range_coder_bits(symbols, reference)
        rows.append(
            {
                "step": step,
                "entropy_bpp": code_length_bits(symbols, reference) / pixels,
                "coded_bpp": coded.sum() / pixels,
                "self_entropy_bpp": entropy_bits(symbols) * symbols.size / pixels,
                "zlib_bpp": zlib_bits(symbols) / pixels,
                **quality_summary(images, decoded.reshape(images.shape)),
                "per_image_bits": np.asarray(coded, np.float64),
                "per_image_mse": mse_per_image(images, decoded.reshape(images.shape)),
            }
        )
    return {key: np.array([row[key] for row in rows]) for key in rows[0]}
