"""Outlier scores and retrieval (helpers.measure.outliers): what each number means, on
cases small enough to work out by hand."""

import numpy as np
import pytest

from helpers.measure import outliers


def test_auc_is_one_when_every_outlier_scores_higher():
    assert outliers.roc_auc([0.1, 0.2, 0.3], [0.5, 0.9]) == 1.0


def test_auc_is_the_chance_that_an_outlier_outscores_a_normal_image():
    normal, outlier = np.array([1.0, 3.0]), np.array([2.0, 4.0])
    pairs = np.mean(outlier[:, None] > normal[None, :])  # 3 of 4 pairs
    assert (
        outliers.roc_auc(normal, outlier) == pytest.approx(pairs) == pytest.approx(0.75)
    )


def test_auc_below_one_half_means_outliers_score_lower():
    assert outliers.roc_auc([0.5, 0.9], [0.1, 0.2]) == 0.0


def test_roc_points_run_from_nothing_flagged_to_everything_flagged():
    false_positive_rate, true_positive_rate = outliers.roc_points(
        [0.1, 0.4], [0.3, 0.8]
    )
    assert false_positive_rate[0] == 0 and true_positive_rate[0] == 0
    assert false_positive_rate[-1] == 1 and true_positive_rate[-1] == 1
    assert np.all(np.diff(false_positive_rate) >= 0)


def test_threshold_flags_at_most_the_target_share_of_normal_images():
    normal = np.random.default_rng(0).normal(size=1000)
    for rate in (0.01, 0.05, 0.2):
        threshold = outliers.threshold_at_false_positive_rate(normal, rate)
        assert np.sum(normal > threshold) == int(rate * 1000)  # exactly, not one fewer


@pytest.mark.parametrize("n", [20, 100, 1000, 1001])
@pytest.mark.parametrize("rate", [0.01, 0.02, 0.05, 0.07, 0.1, 0.2, 0.29])
def test_threshold_flags_the_floor_of_rate_times_n(n, rate):
    normal = np.random.default_rng(n).normal(size=n)
    threshold = outliers.threshold_at_false_positive_rate(normal, rate)
    assert np.sum(normal > threshold) == np.floor(round(rate * n, 9))


def test_tied_scores_at_the_threshold_are_not_flagged_so_the_rate_is_never_passed():
    normal = np.array([0.1, 0.2, 0.3, 0.5, 0.5, 0.5, 0.6, 0.7, 0.8, 0.9])
    # 20% is 2 scores: 0.8 and 0.9 lie above the threshold 0.7
    assert outliers.threshold_at_false_positive_rate(normal, 0.2) == 0.7
    # 50% is 5 scores, but the fifth largest, 0.5, ties with two more: 4 flagged (40%)
    threshold = outliers.threshold_at_false_positive_rate(normal, 0.5)
    assert threshold == 0.5 and np.mean(normal > threshold) == 0.4


def test_threshold_at_rate_zero_flags_no_normal_image():
    normal = [0.2, 0.7, 0.4]
    assert outliers.threshold_at_false_positive_rate(normal, 0.0) == 0.7


def test_detection_report_counts_flags_by_hand():
    # threshold 0.5: normal 0.6 is a false alarm; outliers 0.7 and 0.9 caught, 0.3
    # missed
    report = outliers.detection_report(0.5, [0.1, 0.2, 0.6, 0.4], [0.7, 0.9, 0.3])
    assert report == pytest.approx(
        {"precision": 2 / 3, "recall": 2 / 3, "false_positive_rate": 0.25}
    )


def test_detection_report_with_nothing_flagged_has_precision_zero_not_an_error():
    report = outliers.detection_report(10.0, [0.1], [0.2])
    assert report["precision"] == 0.0 and report["recall"] == 0.0


def test_precision_at_k_counts_neighbours_with_the_query_label():
    base = np.array([[0.0], [0.1], [0.2], [5.0], [5.1]])
    base_labels = np.array([0, 0, 1, 1, 1])
    # query at 0.05: nearest two are 0.0 and 0.1 (both label 0); query at 5.05: 5.0
    # and 5.1
    assert (
        outliers.precision_at_k([[0.05], [5.05]], [0, 1], base, base_labels, k=2) == 1.0
    )
    assert outliers.precision_at_k(
        [[0.05]], [1], base, base_labels, k=3
    ) == pytest.approx(1 / 3)


def test_precision_at_k_flattens_images():
    images = np.random.default_rng(0).random((6, 28, 28, 1))
    labels = np.arange(6) % 2
    assert outliers.precision_at_k(images[:2], labels[:2], images, labels, k=1) == 1.0


@pytest.mark.parametrize("bad", [[], [[0.1, 0.2]], [0.1, np.nan]])
def test_bad_scores_are_refused_with_a_reason(bad):
    with pytest.raises(ValueError, match="scores"):
        outliers.roc_auc(bad, [0.5])


@pytest.mark.parametrize("rate", [-0.1, 1.0, "five percent"])
def test_rate_outside_zero_to_one_is_refused(rate):
    with pytest.raises(ValueError, match="rate"):
        outliers.threshold_at_false_positive_rate([0.1, 0.2], rate)


def test_precision_at_k_refuses_mismatched_sizes():
    with pytest.raises(ValueError, match="numbers each"):
        outliers.precision_at_k(
            np.zeros((2, 3)), [0, 1], np.zeros((4, 2)), [0, 1, 0, 1]
        )
    with pytest.raises(ValueError, match="k must be"):
        outliers.precision_at_k(
            np.zeros((2, 2)), [0, 1], np.zeros((4, 2)), [0, 1, 0, 1], k=5
        )
