"""Counting JPEG's bits: Pillow's baseline JPEG at a quality, and which of its bytes
are the picture.

Three ways to count a JPEG file:

* ``file_bits``: the whole file, as it would sit on a disk (headers included), with
  Huffman tables fitted to the image (``optimize=True``), which that file pays for;
* ``payload_bits``: only the entropy-coded scan, from just after the Start-of-Scan
  header to the End-of-Image marker, coded with the standard Huffman tables of the JPEG
  specification (its Annex K). Those headers (quantisation and Huffman tables, sizes)
  are the same for every image of a given quality, so they could be agreed on once and
  shared, like an autoencoder's decoder;
* fitted tables in a payload-only count must carry their own bytes: a table fitted to
  one image differs from image to image, so it cannot be shared
  (``fitted_payload_bpp`` in :func:`jpeg_curve`: the scan plus its DHT segments).

Used by the chapter "Autoencoders versus JPEG", beside :mod:`helpers.measure.codec`,
which counts an autoencoder's bits the same way (bits per pixel of a 28×28 image).
"""

from __future__ import annotations

import io

import numpy as np

from .._validate import as_image_batch, whole_number
from ..metrics import quality_summary

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


def jpeg_curve(images, qualities=JPEG_QUALITIES) -> dict:
    """JPEG's rate–distortion curve: one point per quality, its bits counted three ways.

    Returns a dict of arrays: ``quality``; ``payload_bpp``, the scan alone with the
    standard Huffman tables (shareable: the same for every image);
    ``fitted_payload_bpp``, the scan with tables fitted to each image plus those tables'
    bytes (see :func:`jpeg_table_bytes`); ``file_bpp``, whole files with fitted tables;
    all mean bits per pixel. Then ``psnr_db``, ``median_psnr_db``, ``pooled_psnr_db``
    (see :func:`helpers.metrics.quality_summary`): the tables change only the bits,
    never the decoded image.
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
        decoded, _, payload_bits = jpeg_roundtrip(images, q)
        fitted = [jpeg_encode(image, q, optimize=True) for image in images]
        rows.append(
            {
                "quality": q,
                "payload_bpp": payload_bits.mean() / pixels,
                "fitted_payload_bpp": np.mean(
                    [8 * (jpeg_payload_bytes(d) + jpeg_table_bytes(d)) for d in fitted]
                )
                / pixels,
                "file_bpp": np.mean([8 * len(d) for d in fitted]) / pixels,
                **quality_summary(images, decoded),
            }
        )
    return {key: np.array([row[key] for row in rows]) for key in rows[0]}
