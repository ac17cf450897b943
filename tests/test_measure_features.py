"""How the chapter "Looking inside a network" measures a sparse autoencoder and how
mixed a unit is (helpers.measure.features), on small examples worked out by hand."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.measure import features as ft

LATENTS = np.array([[0.0, 1.0, 2.0, 0.0],
                    [0.0, 0.0, 0.0, 0.0],
                    [3.0, 0.0, -1.0, 0.0]])


# -- l0 and dead latents ---------------------------------------------------------------
def test_l0_is_the_mean_number_of_positive_latents_per_row():
    assert ft.l0(LATENTS) == pytest.approx((2 + 0 + 1) / 3)  # -1 is not active
    assert ft.l0(np.eye(5)) == 1.0
    assert isinstance(ft.l0(np.eye(2)), float)


def test_dead_latents_are_the_columns_positive_on_no_row():
    np.testing.assert_array_equal(ft.dead_latents(LATENTS), [3])
    np.testing.assert_array_equal(ft.dead_latents(-np.abs(LATENTS)), [0, 1, 2, 3])
    assert ft.dead_latents(np.ones((2, 3))).size == 0


@pytest.mark.parametrize("function", [ft.l0, ft.dead_latents])
@pytest.mark.parametrize("bad", [np.zeros(4), np.zeros((2, 2, 2)), np.zeros((0, 3)),
                                 np.array([[np.nan, 1.0]]), np.array([["a", "b"]])])
def test_latent_measures_reject_what_is_not_a_finite_matrix(function, bad):
    with pytest.raises(ValueError):
        function(bad)


# -- variance explained ----------------------------------------------------------------
def test_variance_explained_is_zero_for_the_mean_and_one_for_a_perfect_reconstruction():
    a = np.random.default_rng(0).normal(size=(50, 6))
    assert ft.variance_explained(a, np.tile(a.mean(axis=0), (50, 1))) == pytest.approx(
        0.0, abs=1e-12)
    assert ft.variance_explained(a, a) == 1.0


def test_variance_explained_by_hand():
    a = np.array([[0.0, 0.0], [2.0, 2.0]])  # mean (1, 1): Σ‖a − ā‖² = 4
    assert ft.variance_explained(a, [[0.0, 1.0], [2.0, 2.0]]) == pytest.approx(0.75)
    # worse than the mean: negative
    worse = ft.variance_explained(a, [[2.0, 2.0], [0.0, 0.0]])
    assert worse == pytest.approx(1 - 16 / 4)


def test_variance_explained_uses_the_per_dimension_mean_not_the_overall_mean():
    a = np.array([[0.0, 10.0], [2.0, 12.0]])  # per-dimension means 1 and 11: Σ = 4
    assert ft.variance_explained(a, [[1.0, 11.0], [1.0, 11.0]]) == pytest.approx(0.0)


@pytest.mark.parametrize("a, r, message", [
    (np.zeros((3, 2)), np.zeros((3, 3)), "same shape"),
    (np.zeros((3, 2)), np.zeros((2, 2)), "same shape"),
    (np.zeros(3), np.zeros(3), "shape"),
    (np.ones((3, 2)), np.ones((3, 2)), "do not vary"),
    (np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[0.0, np.inf], [1.0, 0.0]]), "NaN"),
])
def test_variance_explained_bad_input_raises_value_errors(a, r, message):
    with pytest.raises(ValueError, match=message):
        ft.variance_explained(a, r)


# -- recovered -------------------------------------------------------------------------
def test_recovered_for_an_accuracy_higher_is_better():
    assert ft.recovered(intact=0.9, spliced=0.7, ablated=0.1) == pytest.approx(0.75)
    assert ft.recovered(0.9, 0.9, 0.1) == pytest.approx(1.0)
    assert ft.recovered(0.9, 0.1, 0.1) == pytest.approx(0.0)


def test_recovered_for_a_loss_lower_is_better():
    assert ft.recovered(intact=0.3, spliced=0.8, ablated=2.3) == pytest.approx(0.75)
    assert ft.recovered(0.3, 2.8, 2.3) == pytest.approx(-0.25)  # worse than ablating


def test_recovered_accepts_numpy_scalars():
    share = ft.recovered(np.float32(1.0), np.float64(0.5), np.int64(0))
    assert share == pytest.approx(0.5)


@pytest.mark.parametrize("values, message", [
    ((0.5, 0.4, 0.5), "no gap"),
    ((float("nan"), 0.4, 0.1), "finite"),
    ((0.9, float("inf"), 0.1), "finite"),
])
def test_recovered_bad_input_raises_value_errors(values, message):
    with pytest.raises(ValueError, match=message):
        ft.recovered(*values)


# -- top purity ------------------------------------------------------------------------
ACTS = np.array([[5.0, 0.0, 1.0],
                 [4.0, 0.0, 2.0],
                 [3.0, 1.0, 3.0],
                 [2.0, 2.0, 4.0],
                 [1.0, 0.0, 5.0],
                 [0.0, 0.0, 6.0]])
LABELS = np.array([1, 1, 2, 0, 0, 0])


def test_top_purity_is_the_share_of_the_top_inputs_with_their_commonest_label():
    purity = ft.top_purity(ACTS, LABELS, top=3)
    # unit 0: top three rows 0, 1, 2 have labels 1, 1, 2; unit 2: rows 5, 4, 3, all 0
    assert purity[0] == pytest.approx(2 / 3)
    assert purity[2] == pytest.approx(1.0)


def test_top_purity_is_nan_for_a_unit_active_on_fewer_than_top_inputs():
    purity = ft.top_purity(ACTS, LABELS, top=3)
    assert np.isnan(purity[1])  # active on two inputs only
    assert ft.top_purity(ACTS, LABELS, top=2)[1] == pytest.approx(0.5)  # labels 0 and 2
    assert np.isnan(ft.top_purity(np.zeros((4, 2)), [0, 1, 0, 1], top=1)).all()


def test_top_purity_accepts_a_list_of_labels_and_top_equal_to_n():
    purity = ft.top_purity(ACTS, LABELS.tolist(), top=5)
    assert purity.shape == (3,)
    assert purity[0] == pytest.approx(2 / 5)  # labels 1, 1, 2, 0, 0
    assert np.isnan(ft.top_purity(ACTS, LABELS, top=6)[0])  # unit 0: 0 on the last row
    assert ft.top_purity(ACTS, LABELS, top=6)[2] == pytest.approx(3 / 6)


@pytest.mark.parametrize("top", [0, 7, -1, 2.0])
def test_top_purity_rejects_a_top_outside_one_to_n(top):
    with pytest.raises(ValueError, match="top"):
        ft.top_purity(ACTS, LABELS, top=top)


# -- classes responded -----------------------------------------------------------------
def test_classes_responded_counts_classes_within_share_of_the_largest_class_mean():
    a = np.array([[4.0, 1.0, 0.0],
                  [2.0, 1.0, 0.0],
                  [1.0, 1.0, 0.0],
                  [1.0, 0.0, 0.0],
                  [0.5, 0.0, 0.0]])
    labels = np.array([0, 0, 1, 1, 2])
    # class means: unit 0 → 3, 1, 0.5; unit 1 → 1, 0.5, 0; unit 2 → never active
    np.testing.assert_array_equal(ft.classes_responded(a, labels), [1, 2, 0])
    np.testing.assert_array_equal(ft.classes_responded(a, labels, share=0.1), [3, 2, 0])
    np.testing.assert_array_equal(ft.classes_responded(a, labels, share=1.0), [1, 1, 0])


def test_classes_responded_ignores_labels_that_no_row_has():
    a = np.array([[1.0], [1.0]])
    np.testing.assert_array_equal(ft.classes_responded(a, [3, 7]), [2])


# -- labels and shapes, for both measures of mixing ------------------------------------
@pytest.mark.parametrize("function", [ft.top_purity, ft.classes_responded])
@pytest.mark.parametrize("labels", [
    LABELS[:5],  # too short
    np.append(LABELS, 0),  # too long
    LABELS.astype(float),  # not whole numbers
    LABELS.astype(bool),
    LABELS.reshape(3, 2),
    LABELS.astype(str),
])
def test_mixing_measures_reject_labels_that_are_not_one_whole_number_per_row(
        function, labels):
    with pytest.raises(ValueError, match="labels must be 6 whole numbers"):
        function(ACTS, labels)


@pytest.mark.parametrize("function", [ft.top_purity, ft.classes_responded])
@pytest.mark.parametrize("bad", [ACTS[:, 0], ACTS[None], np.full((6, 3), np.nan)])
def test_mixing_measures_reject_activations_that_are_not_a_finite_matrix(function, bad):
    with pytest.raises(ValueError, match="activations"):
        function(bad, LABELS)


# -- cross-entropy and splice scores ---------------------------------------------------
def test_cross_entropy_by_hand_and_of_uniform_logits():
    logits = np.array([[0.0, np.log(3.0)], [0.0, 0.0]])  # p = (1/4, 3/4) and (1/2, 1/2)
    assert ft.cross_entropy(logits, [1, 0]) == pytest.approx(
        -(np.log(0.75) + np.log(0.5)) / 2)
    assert ft.cross_entropy(np.zeros((4, 5)), [0, 1, 2, 4]) == pytest.approx(np.log(5))


def test_cross_entropy_ignores_a_shift_of_the_logits_and_survives_large_ones():
    logits = np.random.default_rng(0).normal(size=(6, 4))
    labels = [0, 1, 2, 3, 0, 1]
    assert ft.cross_entropy(logits + 1000.0, labels) == pytest.approx(
        ft.cross_entropy(logits, labels), rel=1e-9)


def test_cross_entropy_rejects_labels_that_are_not_one_whole_number_per_row():
    with pytest.raises(ValueError, match="labels"):
        ft.cross_entropy(np.zeros((3, 2)), [0, 1])
    with pytest.raises(ValueError, match="labels"):
        ft.cross_entropy(np.zeros((2, 2)), [0.0, 1.0])


SPLICE_ACTS = np.array([[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 2.0],
                        [2.0, 0.0, 0.0]])
SPLICE_BIAS = np.array([0.0, 0.1, 0.0])  # a zero input gives class 1


def _splice(reconstruction, mean=None):
    """Scores of a head whose logits are the activations plus SPLICE_BIAS."""
    return ft.splice_scores(lambda values: values @ np.eye(3) + SPLICE_BIAS,
                            SPLICE_ACTS, reconstruction, [0, 1, 2, 0],
                            SPLICE_ACTS.mean(axis=0) if mean is None else mean)


def test_splice_scores_of_a_perfect_reconstruction_recover_everything():
    scores = _splice(SPLICE_ACTS)
    assert set(scores) == {"intact", "spliced", "zero", "mean", "recovered"}
    assert scores["intact"] == scores["spliced"]
    assert scores["intact"]["accuracy"] == 1.0
    assert scores["zero"]["accuracy"] == pytest.approx(0.25)  # class 1 for every row
    assert set(scores["recovered"]) == {
        "accuracy vs zero", "accuracy vs mean", "cross_entropy vs zero",
        "cross_entropy vs mean"}
    for share in scores["recovered"].values():
        assert share == pytest.approx(1.0)


def test_splice_scores_recovered_matches_recovered_on_the_scores():
    rough = SPLICE_ACTS * 0.5 + 0.2
    scores = _splice(rough)
    expected = ft.recovered(scores["intact"]["cross_entropy"],
                            scores["spliced"]["cross_entropy"],
                            scores["mean"]["cross_entropy"])
    assert scores["recovered"]["cross_entropy vs mean"] == pytest.approx(expected)
    ce = ft.cross_entropy(rough + SPLICE_BIAS, [0, 1, 2, 0])
    assert scores["spliced"]["cross_entropy"] == pytest.approx(ce)


@pytest.mark.parametrize("mean", [np.zeros(2), np.zeros((1, 3)), np.zeros(4)])
def test_splice_scores_rejects_a_mean_that_is_not_one_value_per_unit(mean):
    with pytest.raises(ValueError, match="mean must hold the layer's 3"):
        _splice(SPLICE_ACTS, mean=mean)
