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
    assert np.all(curve["file_bpp"] > curve["fitted_payload_bpp"])


def test_jpeg_curve_counts_the_shareable_payload_with_the_standard_tables():
    images = _letters(3)
    _, _, standard = codec.jpeg_roundtrip(images, quality=5)
    curve = codec.jpeg_curve(images, qualities=[5])
    assert curve["payload_bpp"][0] == standard.mean() / 784
    fitted = [codec.jpeg_encode(image, 5, optimize=True) for image in images]
    charged = [codec.jpeg_payload_bytes(d) + codec.jpeg_table_bytes(d) for d in fitted]
    assert curve["fitted_payload_bpp"][0] == 8 * np.mean(charged) / 784
    assert curve["file_bpp"][0] == 8 * np.mean([len(d) for d in fitted]) / 784
    # a 28x28 image cannot pay for tables of its own: they cost more than they save
    assert curve["fitted_payload_bpp"][0] > curve["payload_bpp"][0]


def test_jpeg_table_bytes_are_the_huffman_segments():
    data = codec.jpeg_encode(_letters(1)[0], quality=50)
    dht = [size for name, size in codec.jpeg_segments(data) if name == "DHT"]
    assert dht and codec.jpeg_table_bytes(data) == sum(dht)


def test_code_curve_is_lossless_at_a_tiny_step():
    images = _letters(4)
    codes = images.reshape(4, -1)
    curve = codec.code_curve(codes, codes, lambda c: np.asarray(c).reshape(-1, 28, 28, 1), images, [1e-3, 0.5])
    assert curve["psnr_db"][0] >= 99 and curve["entropy_bpp"][1] <= curve["entropy_bpp"][0]


def _curve(mean, median, pooled):
    return {"psnr_db": mean, "median_psnr_db": median, "pooled_psnr_db": pooled}


def test_quality_at_rate_interpolates_the_mean_psnr_and_the_pooled_mse_only():
    # rates 0 and 1 bpp; pooled PSNR 10 and 20 dB are MSEs 0.1 and 0.01
    at = codec.quality_at_rate([1.0, 0.0], _curve([30.0, 10.0], [28.0, 9.0], [20.0, 10.0]), 0.5)
    assert at["mean"] == pytest.approx(20.0)
    assert at["pooled"] == pytest.approx(10 * np.log10(1 / 0.055))  # not 15 dB
    # a mix's median is no straight line: the best measured setting within the budget
    assert at["median"] == 9.0 and at["median_bpp"] == 0.0
    assert codec.quality_at_rate([1.0, 0.0], _curve([30.0, 10.0], [28.0, 9.0], [20.0, 10.0]), 1.0)["median"] == 28.0


def test_quality_at_rate_outside_the_curve_is_nan_with_a_note(capsys):
    at = codec.quality_at_rate([0.6, 1.0], _curve([20.0, 30.0], [20.0, 30.0], [20.0, 30.0]), 0.5)
    assert all(np.isnan(value) for value in at.values())
    assert "outside" in capsys.readouterr().out
    assert np.isnan(codec.quality_at_rate([0.0, 1.0], _curve([1.0, 2.0], [1.0, 2.0], [1.0, 2.0]), float("nan"))["mean"])


def test_comparison_rate_is_the_lowest_rate_every_curve_reaches_rounded_up():
    assert codec.comparison_rate([[0.56, 0.9, 2.0], [0.1, 0.3, 1.4]]) == pytest.approx(0.6)
    assert codec.comparison_rate([[0.2, 3.0], [0.1, 2.0]]) == pytest.approx(0.5)  # at least 0.5
    assert codec.comparison_rate([[0.56], [0.1, 0.57]]) == pytest.approx(0.56)  # a tenth too far


def test_curves_that_share_no_rate_give_a_note_not_an_error(capsys):
    assert np.isnan(codec.comparison_rate([[5.1, 6.0], [0.1, 2.0]]))
    assert "lower JPEG quality" in capsys.readouterr().out


@pytest.mark.parametrize("values, kept, says", [
    ([1, 5, 0, 100], [1, 5], "left out"),
    ([], [10, 50], "no usable value"),
    (7, [7], ""),
    (["high"], [10, 50], "left out"),
])
def test_a_readers_edited_qualities_are_cleaned_with_a_note(values, kept, says, capsys):
    assert codec.usable_settings(values, "jpeg_qualities", codec.jpeg_quality, [10, 50]) == kept
    assert says in capsys.readouterr().out


def test_a_readers_edited_steps_are_cleaned_with_a_note(capsys):
    assert codec.usable_settings(np.array([0.2, -1.0, np.nan]), "steps", codec.quantisation_step, [0.5]) == [0.2]
    assert capsys.readouterr().out.count("left out") == 2


@pytest.mark.parametrize("call, message", [
    (lambda: codec.quantise([1.0, np.nan], 0.1), "NaN"),
    (lambda: codec.quantise([1.0], 0), "step"),
    (lambda: codec.entropy_bits([0.5, 1.0]), "whole numbers"),
    (lambda: codec.jpeg_encode(np.ones((28, 28)), quality=0), "quality"),
    (lambda: codec.jpeg_encode(np.full((28, 28), 2.0), quality=50), r"\[0, 1\]"),
    (lambda: codec.jpeg_decode(b"not a jpeg"), "JPEG"),
    (lambda: codec.jpeg_curve(_letters(2), qualities=[]), "empty"),
    (lambda: codec.code_curve(np.zeros((3, 2)), np.zeros((3, 2)), lambda c: c, _letters(2), [0.1]), "one code per image"),
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


def test_range_coder_bits_are_real_messages_in_whole_bytes_that_decode_and_cost_near_the_ideal():
    rng = np.random.default_rng(0)
    reference = np.round(rng.normal(0, 1.5, (200, 98))).astype(int)
    symbols = np.round(rng.normal(0, 1.5, (50, 98))).astype(int)
    bits = codec.range_coder_bits(symbols, reference)
    ideal = np.array([codec.code_length_bits(row, reference) for row in symbols])
    table = codec.symbol_table(symbols, reference)
    for row, n_bits in zip(symbols, bits):
        message = codec.range_encode(row, table)
        assert 8 * (len(message) + 1) == n_bits  # one length byte in front
        np.testing.assert_array_equal(codec.range_decode(message, table, row.size), row)
        # one byte fewer no longer decodes: the message is as short as it can be
        with pytest.raises((ValueError, AssertionError)):
            np.testing.assert_array_equal(codec.range_decode(message[:-1], table, row.size), row)
    assert np.all(bits % 8 == 0) and np.all(bits <= ideal + 40)
    assert bits.mean() < ideal.mean() + 24  # bytes, not 32-bit words


def test_a_message_s_length_costs_one_byte_below_255_bytes_and_three_from_there():
    assert codec.length_header_bytes(0) == codec.length_header_bytes(254) == 1
    assert codec.length_header_bytes(255) == codec.length_header_bytes(60_000) == 3


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


def test_a_reader_narrowing_jpeg_qualities_to_one_high_value_gets_notes_not_errors(capsys):
    images = _letters(3)
    qualities = codec.usable_settings([95], "jpeg_qualities", codec.jpeg_quality, codec.JPEG_QUALITIES)
    jpeg = codec.jpeg_curve(images, qualities)
    codes = images.reshape(3, -1)
    ae = codec.code_curve(codes, codes, lambda c: np.asarray(c).reshape(-1, 28, 28, 1), images, [2.0])
    rate = codec.comparison_rate([ae["coded_bpp"], jpeg["payload_bpp"]])
    assert np.isnan(rate)
    assert np.isnan(codec.quality_at_rate(jpeg["payload_bpp"], jpeg, rate)["mean"])
    assert "no rate is reached by every curve" in capsys.readouterr().out


def test_a_step_so_coarse_that_every_symbol_is_zero_costs_nothing_and_decodes():
    symbols = np.zeros((4, 98), int)
    assert codec.range_coder_bits(symbols, symbols).tolist() == [0.0] * 4
    table = codec.symbol_table(symbols, symbols)
    np.testing.assert_array_equal(codec.range_decode(b"", table, 98), symbols[0])


def _pair(n=40, seed=0):
    """Two settings × n images: bits 100 or 300 per image, squared errors that vary."""
    rng = np.random.default_rng(seed)
    bits = np.array([np.full(n, 100.0), np.full(n, 300.0)]) + rng.integers(0, 16, (2, n))
    errors = np.array([0.02, 0.005])[:, None] * rng.uniform(0.5, 1.5, (2, n))
    return bits, errors


def test_gap_interval_of_a_codec_with_half_the_error_everywhere_is_3_db():
    bits, errors = _pair()
    gap = codec.gap_at_rate_interval((bits, errors / 2), (bits, errors), 0.25, n_boot=50)
    for kind in ("mean", "median", "pooled"):
        # the same draw on both sides: every resample's gap is 10·log10(2)
        assert gap[kind]["gap"] == pytest.approx(10 * np.log10(2))
        assert gap[kind]["low"] == pytest.approx(gap[kind]["high"])
        assert codec.gap_verdict(gap[kind]) == "ahead of"
    assert codec.gap_verdict(codec.gap_at_rate_interval((bits, errors * 2), (bits, errors), 0.25, n_boot=50)["mean"]) == "behind"


def test_gap_interval_of_two_noisy_equal_codecs_covers_zero():
    (bits, ours), (_, theirs) = _pair(seed=1), _pair(seed=2)
    gap = codec.gap_at_rate_interval((bits, ours), (bits, theirs), 0.25, n_boot=200)
    assert gap["mean"]["low"] < gap["mean"]["gap"] < gap["mean"]["high"]
    assert codec.gap_verdict(gap["mean"]) == "about level with"
    nowhere = codec.gap_at_rate_interval((bits, ours), (bits, theirs), 9.0, n_boot=5)
    assert codec.gap_verdict(nowhere["mean"]) == "not comparable with"


@pytest.mark.parametrize("ours, theirs, message", [
    (_pair(), _pair(n=30), "same images"),
    (None, _pair(), "pair"),
    ((np.ones(3), np.ones(3)), _pair(), "settings × images"),
])
def test_gap_interval_refuses_unpaired_or_flat_input(ours, theirs, message):
    with pytest.raises(ValueError, match=message):
        codec.gap_at_rate_interval(ours, theirs, 0.25, n_boot=5)


def test_rate_zero_point_adds_a_row_to_the_per_image_keys():
    images = _letters(3)
    curve = codec.jpeg_curve(images, qualities=[10])
    assert curve["per_image_mse"].shape == curve["per_image_payload_bits"].shape == (1, 3)
    zero = codec.with_rate_zero(curve, images, images.mean(axis=0))
    assert zero["per_image_payload_bits"].shape == (2, 3) and zero["payload_bpp"][-1] == 0
    np.testing.assert_allclose(zero["per_image_mse"][-1], np.mean((images - images.mean(axis=0)) ** 2, axis=(1, 2, 3)))
    assert zero["psnr_db"][-1] == pytest.approx(np.mean(10 * np.log10(1 / zero["per_image_mse"][-1])))
