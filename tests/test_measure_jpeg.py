"""helpers.measure.jpeg: Huffman tables agreed once are counted exactly as libjpeg
would code with them."""

import numpy as np
import pytest

from helpers.measure import jpeg


def _images(n=6, seed=0, noisy=True):
    """Letter-like strokes; with ``noisy`` every other one carries noise, whose scan
    holds the byte FF (stuffed)."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 28, 28, 1), np.float32)
    for i in range(n):
        top, left = rng.integers(2, 10, size=2)
        images[i, top : top + 14, left : left + 4] = 1.0
        images[i, top : top + 4, left : left + 12] = 0.8
        if noisy and i % 2:
            images[i] = np.clip(images[i] + rng.uniform(0, 0.5, (28, 28, 1)), 0, 1)
    return images


def _own_tables(data):
    """The code lengths of a file's own Huffman tables (DC, AC)."""
    tables = jpeg._baseline_scan(data)[0]
    return tuple(
        {symbol: len(word) for word, symbol in jpeg._codewords(*tables[t]).items()}
        for t in ((0, 0), (1, 0))
    )


@pytest.mark.parametrize("optimize", [False, True], ids=["standard", "fitted"])
@pytest.mark.parametrize("quality", [1, 10, 50, 95])
def test_a_files_own_tables_code_its_symbols_back_to_its_scan_byte_for_byte(
    quality, optimize
):
    stuffed = 0
    for image in _images():
        data = jpeg.jpeg_encode(image, quality, optimize=optimize)
        bits = jpeg._shared_bits([data], quality, {quality: _own_tables(data)})
        assert bits[0] == 8 * jpeg.jpeg_payload_bytes(data)
        stuffed += jpeg._baseline_scan(data)[2].count(0xFF)
    if quality == 95:  # the FF bytes of the scan, each followed by a stuffed 00
        assert stuffed > 0


def test_a_scan_holds_one_dc_symbol_per_block_and_every_block_ends():
    data = jpeg.jpeg_encode(_images(1)[0], quality=50)
    symbols = jpeg.jpeg_scan_symbols(data)
    assert sum(table == 0 for table, _, _ in symbols) == 16  # 28×28: 4×4 blocks
    assert all(len(extra) == (s if t == 0 else s & 15) for t, s, extra in symbols)


@pytest.mark.parametrize("quality", [1, 5, 50, 95])
def test_code_lengths_fitted_to_one_images_counts_are_libjpegs(quality):
    for image in _images():
        data = jpeg.jpeg_encode(image, quality, optimize=True)
        counts = [{}, {}]
        for table, symbol, _ in jpeg.jpeg_scan_symbols(data):
            counts[table][symbol] = counts[table].get(symbol, 0) + 1
        fitted = tuple(jpeg.huffman_code_lengths(c) for c in counts)
        assert fitted == _own_tables(data)


def test_code_lengths_stay_within_16_bits_and_leave_the_all_ones_word_free():
    fibonacci = [1, 1]
    while len(fibonacci) < 30:  # counts that make Huffman's tree 29 levels deep
        fibonacci.append(fibonacci[-1] + fibonacci[-2])
    lengths = jpeg.huffman_code_lengths(dict(enumerate(fibonacci)))
    assert set(lengths) == set(range(30)) and max(lengths.values()) == 16
    kraft = sum(2.0**-n for n in lengths.values())
    assert kraft <= 1 - 2.0**-16  # a prefix code, one 16-bit word unused


def test_tables_fitted_on_training_letters_code_held_out_letters_in_fewer_bits():
    training, held_out = _images(40, 1, noisy=False), _images(10, 2, noisy=False)
    tables = jpeg.fit_jpeg_tables(training, qualities=[1, 50])
    for quality in (1, 50):
        dc, ac = tables[quality]
        assert set(dc) == set(jpeg.DC_SYMBOLS) and set(ac) == set(jpeg.AC_SYMBOLS)
        shared = jpeg.shared_table_payload_bits(held_out, quality, tables)
        _, _, standard = jpeg.jpeg_roundtrip(held_out, quality)
        assert shared.sum() < standard.sum() and np.all(shared % 8 == 0)


def test_jpeg_curve_adds_the_trained_payload_and_leaves_the_other_counts_alone():
    images = _images(4)
    tables = jpeg.fit_jpeg_tables(_images(8, seed=1), qualities=[1, 10])
    plain = jpeg.jpeg_curve(images, [1, 10])
    curve = jpeg.jpeg_curve(images, [1, 10], tables=tables)
    assert "trained_payload_bpp" not in plain
    for key, values in plain.items():
        np.testing.assert_array_equal(curve[key], values)
    expected = [
        jpeg.shared_table_payload_bits(images, q, tables).mean() / 784 for q in (1, 10)
    ]
    np.testing.assert_allclose(curve["trained_payload_bpp"], expected)


@pytest.mark.parametrize(
    "call, says",
    [
        (
            lambda: jpeg.shared_table_payload_bits(
                _images(1), 5, jpeg.fit_jpeg_tables(_images(2), [1])
            ),
            "no fitted tables",
        ),
        (lambda: jpeg.jpeg_scan_symbols(b"\xff\xd8\xff\xd9"), "greyscale baseline"),
        (lambda: jpeg.fit_jpeg_tables(_images(2), [0]), "quality"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, says):
    with pytest.raises(ValueError, match=says):
        call()
