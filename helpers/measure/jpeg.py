"""Counting JPEG's bits: Pillow's baseline JPEG at a quality, and which of its bytes
are the picture. Four counts:

* ``file_bits``: the whole file, headers included, with Huffman tables fitted to the
  image (``optimize=True``), which that file pays for;
* ``payload_bits``: only the entropy-coded scan (from after the Start-of-Scan header to
  End-of-Image) with the typical tables of T.81's Annex K.3, libjpeg's defaults. A
  decoder has no tables built in: these, like every header of a given quality, must be
  agreed on in advance, as an autoencoder's decoder is shipped once;
* the scan with tables fitted once to training images (:func:`fit_jpeg_tables`),
  agreed on in the same way;
* the scan with tables fitted to its own image, which must carry them
  (``fitted_payload_bpp`` in :func:`jpeg_curve`: the scan plus its DHT segments).

Used by "Autoencoders versus JPEG", beside :mod:`helpers.measure.codec` (the same
counts for an autoencoder)."""

from __future__ import annotations

import functools
import io

import numpy as np

from .._validate import as_image_batch, whole_number
from ..metrics import mse_per_image, quality_summary

JPEG_QUALITIES = (1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 40, 50, 60, 70, 80, 90, 95)

_SOS, _EOI, _SOI = 0xDA, 0xD9, 0xD8


def jpeg_quality(quality) -> int:
    """A JPEG quality, checked: a whole number from 1 (smallest files) to 95 (Pillow's
    advice: above 95 files grow with almost no gain)."""
    return whole_number(quality, "JPEG quality", minimum=1, maximum=95)


def jpeg_encode(image, quality: int, *, optimize: bool = False) -> bytes:
    """One greyscale image (H, W[, 1], pixels in [0, 1]) as baseline JPEG bytes (Pillow,
    libjpeg).

    ``optimize=False`` writes the standard Huffman tables of the JPEG specification,
    the same for every image; ``optimize=True`` fits them to the image (a second pass
    over it), which shortens the payload and the tables: JPEG at its best as a baseline
    coder.
    """
    from PIL import Image

    batch = as_image_batch(np.asarray(image)[None], "image")
    if batch.shape[-1] == 3 or batch.ndim != 4 and batch.ndim != 3:
        raise ValueError(
            "image must be one greyscale image (H, W) or (H, W, 1); got "
            f"{np.shape(image)}"
        )
    pixels = np.round(batch[0].reshape(batch.shape[1], batch.shape[2]) * 255).astype(
        np.uint8
    )
    buffer = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(
        buffer, format="JPEG", quality=jpeg_quality(quality), optimize=bool(optimize)
    )
    return buffer.getvalue()


def jpeg_decode(data: bytes) -> np.ndarray:
    """JPEG bytes back to a float32 image (H, W, 1) with pixels in [0, 1]."""
    from PIL import Image

    if not isinstance(data, (bytes, bytearray)) or data[:2] != b"\xff\xd8":
        raise ValueError(
            "jpeg_decode expects the bytes of a JPEG file (starting with FF D8)"
        )
    with Image.open(io.BytesIO(bytes(data))) as picture:
        pixels = np.asarray(picture.convert("L"), dtype=np.float32) / 255.0
    return pixels[..., None]


def jpeg_segments(data: bytes) -> list[tuple[str, int]]:
    """The markers of a JPEG file and the bytes each takes: ``[("SOI", 2), ("APP0", 18),
    …]``.

    The entropy-coded scan after the SOS header is listed as ``("scan payload", n)``.
    """
    names = {
        0xD8: "SOI",
        0xD9: "EOI",
        0xDB: "DQT",
        0xC0: "SOF0",
        0xC4: "DHT",
        0xDA: "SOS",
        0xDD: "DRI",
        0xFE: "COM",
    }
    data = bytes(data)
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG file: it must start with the marker FF D8")
    segments, i = [("SOI", 2)], 2
    while i < len(data):
        if data[i] != 0xFF or i + 1 >= len(data):
            raise ValueError(f"malformed JPEG: expected a marker at byte {i}")
        marker = data[i + 1]
        name = names.get(
            marker,
            f"APP{marker - 0xE0}" if 0xE0 <= marker <= 0xEF else f"FF{marker:02X}",
        )
        if marker == _EOI:
            segments.append(("EOI", 2))
            return segments
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        segments.append((name, 2 + length))
        i += 2 + length
        # the scan runs to the next marker that is not stuffing or a restart
        if marker == _SOS:
            j = data.find(b"\xff", i)
            while (
                j != -1
                and j + 1 < len(data)
                and (data[j + 1] == 0x00 or 0xD0 <= data[j + 1] <= 0xD7)
            ):
                j = data.find(b"\xff", j + 2)
            if j == -1 or j + 1 >= len(data):
                raise ValueError(
                    "malformed JPEG: the scan has no End-of-Image marker (FF D9)"
                )
            segments.append(("scan payload", j - i))
            i = j
    raise ValueError("malformed JPEG: no End-of-Image marker (FF D9)")


def jpeg_payload_bytes(data: bytes) -> int:
    """Bytes of the entropy-coded scan only (all headers and the SOI/EOI markers left
    out)."""
    return sum(size for name, size in jpeg_segments(data) if name == "scan payload")


def jpeg_table_bytes(data: bytes) -> int:
    """Bytes of the Huffman tables (the DHT segments, markers included): what a file
    whose tables were fitted to it must carry for its scan to be decoded."""
    return sum(size for name, size in jpeg_segments(data) if name == "DHT")


def jpeg_roundtrip(images, quality: int, *, optimize: bool = False):
    """Compress and decompress every image at one quality (``optimize``: see
    :func:`jpeg_encode`).

    Returns ``(decoded, file_bits, payload_bits)``: the decoded images (same shape as
    ``images``) and, per image, the bits of the whole file and of the scan payload only.
    """
    images = as_image_batch(images)
    if images.ndim == 4 and images.shape[-1] != 1:
        raise ValueError(
            f"JPEG here takes greyscale images (N, H, W, 1); got shape {images.shape}"
        )
    decoded, file_bits, payload_bits = [], [], []
    for image in images:
        data = jpeg_encode(image, quality, optimize=optimize)
        decoded.append(jpeg_decode(data).reshape(image.shape))
        file_bits.append(8 * len(data))
        payload_bits.append(8 * jpeg_payload_bytes(data))
    return np.stack(decoded), np.array(file_bits, float), np.array(payload_bits, float)


def jpeg_curve(images, qualities=JPEG_QUALITIES, tables=None) -> dict:
    """JPEG's rate–distortion curve: one point per quality, its bits counted three ways
    (four with ``tables``).

    Returns a dict of arrays: ``quality``; ``payload_bpp``, the scan alone with the
    standard Huffman tables (shareable: the same for every image); with ``tables`` from
    :func:`fit_jpeg_tables` (one pair per quality), ``trained_payload_bpp``, the scan
    coded with those tables, fitted once to training images and shared like the
    standard ones; ``fitted_payload_bpp``, the scan with tables fitted to each image
    plus those tables' bytes (see :func:`jpeg_table_bytes`); ``file_bpp``, whole files
    with fitted tables; all mean bits per pixel. Then ``psnr_db``, ``median_psnr_db``,
    ``pooled_psnr_db`` (see :func:`helpers.metrics.quality_summary`): the tables change
    only the bits, never the decoded image. Rows per quality, columns per image, to
    resample images: ``per_image_payload_bits``, ``per_image_trained_bits`` (with
    ``tables``), ``per_image_mse``.
    """
    images = as_image_batch(images)
    qualities = [jpeg_quality(q) for q in qualities]
    if not qualities:
        raise ValueError(
            "qualities is empty; give at least one JPEG quality from 1 to 95"
        )
    pixels = float(np.prod(images.shape[1:3]))
    rows = []
    for q in qualities:
        standard = [jpeg_encode(image, q) for image in images]
        fitted = [jpeg_encode(image, q, optimize=True) for image in images]
        decoded = np.stack([jpeg_decode(d) for d in standard]).reshape(images.shape)
        bits = {"payload_bpp": [8 * jpeg_payload_bytes(d) for d in standard]}
        if tables is not None:
            bits["trained_payload_bpp"] = _shared_bits(standard, q, tables)
        bits["fitted_payload_bpp"] = [
            8 * (jpeg_payload_bytes(d) + jpeg_table_bytes(d)) for d in fitted
        ]
        bits["file_bpp"] = [8 * len(d) for d in fitted]
        per_image = {"per_image_payload_bits": bits["payload_bpp"]}
        if tables is not None:
            per_image["per_image_trained_bits"] = bits["trained_payload_bpp"]
        rows.append(
            {"quality": q}
            | {key: np.mean(value) / pixels for key, value in bits.items()}
            | quality_summary(images, decoded)
            | {key: np.asarray(value, np.float64) for key, value in per_image.items()}
            | {"per_image_mse": mse_per_image(images, decoded)}
        )
    return {key: np.array([row[key] for row in rows]) for key in rows[0]}


# -- Huffman tables agreed once: fitted to training images, shared by all --------------
# Hand-written, because neither Pillow nor any library the book keeps gives a scan's
# Huffman symbols: they are read back from Pillow's own scan (the Huffman layer of a
# baseline decoder, T.81 F.2.2) and coded again with other tables. The tests check that
# a file's own tables code them back to its scan byte for byte (standard and fitted),
# and that lengths fitted here to one image's counts are libjpeg's.

#: Every symbol a baseline 8-bit scan can use: DC size categories 0–11; AC end of block
#: (0x00), sixteen zeros (0xF0), and run/size pairs (run 0–15, size 1–10).
DC_SYMBOLS = tuple(range(12))
AC_SYMBOLS = (0x00, 0xF0) + tuple(r << 4 | s for r in range(16) for s in range(1, 11))


def _baseline_scan(data: bytes) -> tuple[dict, int, bytes]:
    """A greyscale baseline JPEG read once: its Huffman tables ``{(class, id): (counts,
    values)}`` (class 0 for DC, 1 for AC), its number of 8×8 blocks and its scan with
    the stuffed zero bytes taken out."""
    data = bytes(data)
    tables, blocks, scan, i = {}, 0, None, 2
    for name, size in jpeg_segments(data)[1:]:
        body = data[i + 4 : i + size]
        if name == "DHT":
            j = 0
            while j < len(body):
                n = sum(body[j + 1 : j + 17])
                tables[(body[j] >> 4, body[j] & 15)] = (
                    body[j + 1 : j + 17],
                    body[j + 17 : j + 17 + n],
                )
                j += 17 + n
        elif name == "SOF0" and body[5] == 1:  # one component
            height, width = (int.from_bytes(body[k : k + 2], "big") for k in (1, 3))
            blocks = -(-height // 8) * -(-width // 8)
        elif name == "scan payload":
            scan = data[i : i + size].replace(b"\xff\x00", b"\xff")
        elif name in ("DRI", "EOI") or name.startswith("SOF"):
            break  # restarts, other frame types: not what Pillow writes here
        i += size
    if not blocks or scan is None or {(0, 0), (1, 0)} - set(tables):
        raise ValueError(
            "expected a greyscale baseline JPEG as Pillow writes it (one component, "
            "tables 0, no restart markers)"
        )
    return tables, blocks, scan


def _codewords(counts: bytes, values: bytes) -> dict:
    """Canonical Huffman codewords (T.81 Annex C, Figures C.1–C.2) from the number of
    codes of each length 1–16 and the symbols by length: ``{"bits": symbol}``."""
    code, k, words = 0, 0, {}
    for length, n in enumerate(counts, start=1):
        for _ in range(n):
            words[format(code, f"0{length}b")] = values[k]
            code, k = code + 1, k + 1
        code <<= 1
    return words


@functools.lru_cache(maxsize=64)
def _lookup(counts: bytes, values: bytes, table: int) -> list[tuple]:
    """For each 16 bits that a scan may hold next, what the codeword they start with
    says: ``(table, symbol, codeword length, extra bits, coefficients it covers)``;
    a length of 0 where no codeword starts them."""
    lookup = [(table, 0, 0, 0, 0)] * 65536
    for word, symbol in _codewords(counts, values).items():
        size = symbol if table == 0 else symbol & 15
        covers = 1 if table == 0 else 64 if symbol == 0 else (symbol >> 4) + 1
        start, span = int(word, 2) << (16 - len(word)), 1 << (16 - len(word))
        lookup[start : start + span] = [(table, symbol, len(word), size, covers)] * span
    return lookup


def jpeg_scan_symbols(data: bytes) -> list[tuple[int, int, str]]:
    """The Huffman-coded symbols of a greyscale baseline JPEG, in scan order:
    ``(table, symbol, extra)``, table 0 for a DC size category and 1 for an AC run/size
    symbol (end of block and sixteen zeros included), ``extra`` the bits that follow it
    (the coefficient's value, as a string of 0s and 1s)."""
    tables, blocks, scan = _baseline_scan(data)
    dc, ac = _lookup(*tables[(0, 0)], 0), _lookup(*tables[(1, 0)], 1)
    bits = bin(int.from_bytes(b"\x01" + scan, "big"))[3:] + "1" * 16  # 16 to peek at
    position, symbols = 0, []
    for _ in range(blocks):  # one 8×8 block at a time, DC first; AC until k reaches 64
        k, lookup = 0, dc
        while k < 64:
            table, symbol, length, size, covers = lookup[
                int(bits[position : position + 16], 2)
            ]
            if not length:
                raise ValueError(f"no Huffman code at bit {position} of the scan")
            position += length + size
            symbols.append((table, symbol, bits[position - size : position]))
            k, lookup = k + covers, ac
    if position > len(bits) - 16:
        raise ValueError("the scan ends in the middle of a block")
    return symbols


def huffman_code_lengths(counts) -> dict:
    """Code lengths, at most 16 bits, for symbols that occur ``counts`` times
    (``{symbol: count}``; symbols counted 0 get no code): the procedure of T.81
    Annex K.2, as libjpeg runs it (Huffman's merging, then longer codes moved up to
    16 bits, and no codeword of all ones). Returns ``{symbol: bits}``."""
    freq = {s: int(c) for s, c in counts.items() if c > 0}
    freq[256] = 1  # reserved, so that no real codeword is all ones
    size, others = dict.fromkeys(freq, 0), dict.fromkeys(freq, None)
    while len([s for s in freq if freq[s]]) > 1:  # merge the two rarest, ties: larger
        c1, c2 = sorted((s for s in freq if freq[s]), key=lambda s: (freq[s], -s))[:2]
        freq[c1], freq[c2] = freq[c1] + freq[c2], 0
        ends = []
        for c in (c1, c2):  # every symbol below the two merged goes one bit deeper
            size[c] += 1
            while others[c] is not None:
                c = others[c]
                size[c] += 1
            ends.append(c)
        others[ends[0]] = c2
    bits = np.bincount(list(size.values()), minlength=33)
    for i in range(32, 16, -1):  # Figure K.3: no code longer than 16 bits
        while bits[i] > 0:
            j = i - 2
            while bits[j] == 0:
                j -= 1
            bits[i] -= 2  # two codes of length i: their prefix becomes a code
            bits[i - 1] += 1
            bits[j + 1] += 2  # and a code of length j makes room for two
            bits[j] -= 1
    order = sorted((s for s in size if s != 256), key=lambda s: (size[s], s))
    lengths = np.repeat(np.arange(33), bits)
    return dict(zip(order, (int(n) for n in lengths)))  # the reserved code is the last


def _scan_bytes(symbols, words) -> int:
    """Bytes of a scan holding ``symbols`` coded with ``words`` (DC, AC: ``{symbol:
    "bits"}``), padded with 1s to a whole byte, each byte FF followed by
    the stuffed byte 00 (T.81 F.1.2.3), as libjpeg writes it."""
    bits = "".join(words[t][s] + extra for t, s, extra in symbols)
    bits += "1" * (-len(bits) % 8)
    scan = int("1" + bits, 2).to_bytes(len(bits) // 8 + 1, "big")[1:]
    return len(scan) + scan.count(0xFF)


def fit_jpeg_tables(images, qualities=JPEG_QUALITIES) -> dict:
    """Huffman tables fitted once to ``images`` (training images), one pair (DC, AC) per
    quality: ``{quality: (dc_lengths, ac_lengths)}``, each ``{symbol: bits}``.

    Every symbol a scan can use gets a code (each count is raised by one), so the tables
    code any image. Agreed on once, like an autoencoder's decoder and symbol table, they
    need not travel with each image: T.81's *abbreviated format* (Annex B.4–B.5) sends
    tables apart from the images they code.
    """
    images = as_image_batch(images)
    tables = {}
    for q in [jpeg_quality(q) for q in qualities]:
        counts = [dict.fromkeys(DC_SYMBOLS, 1), dict.fromkeys(AC_SYMBOLS, 1)]
        for image in images:
            for table, symbol, _ in jpeg_scan_symbols(jpeg_encode(image, q)):
                counts[table][symbol] += 1
        tables[q] = tuple(huffman_code_lengths(c) for c in counts)
    return tables


def shared_table_payload_bits(images, quality: int, tables: dict) -> np.ndarray:
    """Bits per image of each scan coded with ``tables`` from :func:`fit_jpeg_tables`,
    in whole bytes, for the same decoded image as Pillow's file at ``quality``.

    No length is charged, as none is for the standard tables' payload: a Huffman scan
    ends itself, since the decoder knows the number of blocks and where each codeword
    ends.
    """
    quality = jpeg_quality(quality)
    return _shared_bits(
        [jpeg_encode(x, quality) for x in as_image_batch(images)], quality, tables
    )


def _shared_bits(files, quality: int, tables: dict) -> np.ndarray:
    if quality not in tables:
        raise ValueError(
            f"no fitted tables for JPEG quality {quality}: fit_jpeg_tables(images, "
            f"qualities) gives them for {sorted(tables)}"
        )
    words = []  # each table's canonical codewords, from its code lengths
    for lengths in tables[quality]:
        order = sorted(lengths, key=lambda s: (lengths[s], s))
        counts = np.bincount([lengths[s] for s in order], minlength=17)[1:]
        code = _codewords(bytes(counts.tolist()), bytes(order))
        words.append({s: w for w, s in code.items()})
    return np.array([8.0 * _scan_bytes(jpeg_scan_symbols(d), words) for d in files])
