"""helpers.measure.codec: bits are counted honestly, and bad input is refused with a clear message."""
import numpy as np
import pytest

from helpers.measure import codec


def _letters(n=4, seed=0):
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 28, 28, 1), np.float32)
    for i in range(n):
        top, left = rng.integers(2, 10, size=2)
        images[i, top:top + 14, left:left + 4] = 1.0
        images[i, top:top + 4, left:left + 12] = 0.8
    return images


def test_quantise_rounds_to_multiples_of_the_step():
    symbols = codec.quantise([0.04, 0.26, -0.74], step=0.5)
    assert symbols.tolist() == [0, 1, -1] and symbols.dtype == np.int64
    assert codec.dequantise(symbols, 0.5).tolist() == [0.0, 0.5, -0.5]


def test_entropy_of_uniform_symbols_is_log2_of_their_count():
    assert codec.entropy_bits([0, 1, 2, 3] * 10) == pytest.approx(2.0)
    assert codec.entropy_bits([5] * 7) == pytest.approx(0.0)


def test_code_length_with_a_matching_table_is_near_the_entropy():
    rng = np.random.default_rng(0)
    symbols = rng.integers(0, 4, size=20_000)
    per_symbol = codec.code_length_bits(symbols, reference=symbols) / symbols.size
    assert per_symbol == pytest.approx(codec.entropy_bits(symbols), abs=1e-3)


def test_symbols_never_seen_in_training_cost_bits_but_not_infinity():
    bits = codec.code_length_bits([0, 0, 9], reference=[0] * 100)
    assert np.isfinite(bits) and bits > codec.code_length_bits([0, 0, 0], reference=[0] * 100) + 5


def test_zlib_bits_shrink_repetitive_symbols_and_per_image_costs_more():
    symbols = np.zeros((50, 49), np.int64)
    symbols[:, ::7] = 3
    batch = codec.zlib_bits(symbols)
    assert batch < 8 * symbols.size / 10
    assert codec.zlib_bits(symbols, per_image=True) > batch


def test_jpeg_segments_add_up_to_the_file_and_headers_are_about_300_bytes():
    data = codec.jpeg_encode(_letters(1)[0], quality=50)
    segments = codec.jpeg_segments(data)
    assert sum(size for _, size in segments) == len(data)
    assert [name for name, _ in segments][:2] == ["SOI", "APP0"] and segments[-1] == ("EOI", 2)
    headers = len(data) - codec.jpeg_payload_bytes(data)
    assert 250 <= headers <= 400


def test_jpeg_roundtrip_counts_files_and_payloads_per_image():
    images = _letters(3)
    decoded, file_bits, payload_bits = codec.jpeg_roundtrip(images, quality=90)
    assert decoded.shape == images.shape and decoded.dtype == np.float32
    assert np.all(payload_bits < file_bits) and np.all(payload_bits > 0)
    assert np.abs(decoded - images).mean() < 0.05


def test_jpeg_curve_gains_quality_with_rate():
    curve = codec.jpeg_curve(_letters(4), qualities=[10, 50, 95])
    assert np.all(np.diff(curve["payload_bpp"]) > 0) and np.all(np.diff(curve["psnr_db"]) > 0)
    assert np.allclose(curve["file_bpp"] - curve["payload_bpp"], curve["file_bpp"][0] - curve["payload_bpp"][0], atol=0.05)


def test_code_curve_is_lossless_at_a_tiny_step():
    images = _letters(4)
    codes = images.reshape(4, -1)
    curve = codec.code_curve(codes, codes, lambda c: np.asarray(c).reshape(-1, 28, 28, 1), images, [1e-3, 0.5])
    assert curve["psnr_db"][0] >= 99 and curve["entropy_bpp"][1] <= curve["entropy_bpp"][0]


def test_psnr_at_rate_interpolates_and_refuses_to_extrapolate():
    assert codec.psnr_at_rate([1.0, 0.0], [30.0, 10.0], rate=0.5) == pytest.approx(20.0)
    with pytest.raises(ValueError, match="outside"):
        codec.psnr_at_rate([0.6, 1.0], [20.0, 30.0], rate=0.5)


@pytest.mark.parametrize("call, message", [
    (lambda: codec.quantise([1.0, np.nan], 0.1), "NaN"),
    (lambda: codec.quantise([1.0], 0), "step"),
    (lambda: codec.entropy_bits([0.5, 1.0]), "whole numbers"),
    (lambda: codec.jpeg_encode(np.ones((28, 28)), quality=0), "quality"),
    (lambda: codec.jpeg_encode(np.full((28, 28), 2.0), quality=50), r"\[0, 1\]"),
    (lambda: codec.jpeg_decode(b"not a jpeg"), "JPEG"),
    (lambda: codec.jpeg_curve(_letters(2), qualities=[]), "empty"),
    (lambda: codec.code_curve(np.zeros((3, 2)), np.zeros((3, 2)), lambda c: c, _letters(2), [0.1]), "one code per image"),
    (lambda: codec.psnr_at_rate([0.1, 0.2], [1.0], rate=0.15), "same length"),
])
def test_bad_input_is_refused_with_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_optimised_huffman_tables_shorten_the_payload_and_decode_the_same():
    images = _letters(3)
    plain, plain_files, plain_payload = codec.jpeg_roundtrip(images, quality=5)
    fitted, fitted_files, fitted_payload = codec.jpeg_roundtrip(images, quality=5, optimize=True)
    np.testing.assert_array_equal(plain, fitted)  # only the entropy coding changes
    assert np.all(fitted_payload <= plain_payload) and fitted_payload.sum() < plain_payload.sum()
    assert np.all(fitted_files < plain_files)  # smaller tables, too
    curve = codec.jpeg_curve(images, qualities=[5], optimize=True)
    assert curve["payload_bpp"][0] == fitted_payload.mean() / 784


def test_range_coder_bits_are_real_messages_that_decode_and_cost_near_the_ideal():
    import constriction

    rng = np.random.default_rng(0)
    reference = np.round(rng.normal(0, 1.5, (200, 98))).astype(int)
    symbols = np.round(rng.normal(0, 1.5, (6, 98))).astype(int)
    bits = codec.range_coder_bits(symbols, reference)
    ideal = np.array([codec.code_length_bits(row, reference) for row in symbols])
    low, p = table = codec.symbol_table(symbols, reference)
    for row, n_bits in zip(symbols, bits):
        words = codec.range_encode(row, table)
        assert 32 * words.size == n_bits
        decoder = constriction.stream.queue.RangeDecoder(words)
        model = constriction.stream.model.Categorical(p, perfect=False)
        np.testing.assert_array_equal(decoder.decode(model, row.size) + low, row)
    assert np.all(bits % 32 == 0) and np.all(bits >= ideal) and np.all(bits <= ideal + 64)


def test_a_blank_image_coded_exactly_pulls_the_mean_psnr_up_but_not_the_median():
    images = _letters(5)
    images[0] = 0.0  # a blank image, reproduced exactly: PSNR capped at 100 dB
    decoded = np.clip(images + 0.1 * (images > 0), 0, 1)
    summary = codec.quality_summary(images, decoded)
    assert summary["psnr_db"] > summary["median_psnr_db"] + 10
    assert summary["pooled_psnr_db"] < summary["median_psnr_db"] + 2
    curve = codec.code_curve(images.reshape(5, -1), images.reshape(5, -1),
                             lambda c: np.asarray(c).reshape(-1, 28, 28, 1), images, [0.5])
    assert set(summary) <= set(curve) and "coded_bpp" in curve


@pytest.mark.parametrize("call, message", [
    (lambda: codec.range_coder_bits(np.zeros(5, int), np.zeros(5, int)), "one row of symbols per image"),
    (lambda: codec.range_encode(np.array([0, 9]), (0, np.array([0.5, 0.5]))), "outside the table"),
])
def test_the_range_coder_refuses_what_it_cannot_code(call, message):
    with pytest.raises(ValueError, match=message):
        call()
