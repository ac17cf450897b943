"""Scoring outliers and neighbours, as the chapter "Autoencoders at work" measures them.

An *outlier score* is one number per image, larger for images that look less like the
training set (a reconstruction error, a distance to the nearest training code). These
functions turn two sets of scores, *normal* images (held-out images of the training
distribution) and *outliers*, into the numbers a detector is judged by:

* :func:`roc_auc` -- the area under the ROC curve, the probability that a random outlier
  scores higher than a random normal image (0.5 is chance, 1 is perfect);
* :func:`roc_points` -- the curve itself (false-positive rate, true-positive rate);
* :func:`threshold_at_false_positive_rate` -- the threshold that flags at most a given
  fraction of the normal images, chosen on a validation split;
* :func:`detection_report` -- precision, recall and false-positive rate at a threshold;
* :func:`precision_at_k` -- for retrieval: the share of each query's ``k`` nearest
  neighbours that have the query's label.

scikit-learn computes everything; this module only builds its inputs (labels 0 for
normal, 1 for outlier) and checks them, so a wrong input gives a clear error, not a
wrong number.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "roc_auc",
    "roc_points",
    "threshold_at_false_positive_rate",
    "detection_report",
    "precision_at_k",
]


def _scores(values, what: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or len(array) == 0:
        raise ValueError(
            f"{what} must be a non-empty 1-D array of scores (one per image); "
            f"got shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} contains NaN or infinite scores")
    return array


def _labelled(normal_scores, outlier_scores) -> tuple[np.ndarray, np.ndarray]:
    normal = _scores(normal_scores, "normal_scores")
    outlier = _scores(outlier_scores, "outlier_scores")
    truth = np.concatenate([np.zeros(len(normal), int), np.ones(len(outlier), int)])
    return truth, np.concatenate([normal, outlier])


def roc_auc(normal_scores, outlier_scores) -> float:
    """Area under the ROC curve of a score that should be higher for outliers.

    Equal to the probability that a randomly drawn outlier scores higher than a randomly
    drawn normal image (ties count one half): 0.5 means the score cannot separate them,
    below 0.5 means outliers score *lower* than normal images.
    """
    from sklearn.metrics import roc_auc_score

    truth, scores = _labelled(normal_scores, outlier_scores)
    return float(roc_auc_score(truth, scores))


def roc_points(normal_scores, outlier_scores) -> tuple[np.ndarray, np.ndarray]:
    """The ROC curve: (false-positive rates, true-positive rates), by threshold."""
    from sklearn.metrics import roc_curve

    truth, scores = _labelled(normal_scores, outlier_scores)
    false_positive_rate, true_positive_rate, _ = roc_curve(truth, scores)
    return false_positive_rate, true_positive_rate


def threshold_at_false_positive_rate(normal_scores, rate: float) -> float:
    """The smallest threshold that flags (score > threshold) at most ``rate`` of the
    normal scores: ⌊rate · n⌋ of n scores, fewer only where scores tie at it.

    Choose it on a validation split of normal images, never on the test split: the test
    split then tells how well the choice carries over. ``rate`` is a fraction in [0, 1).
    """
    normal = _scores(normal_scores, "normal_scores")
    try:
        rate = float(rate)
    except (TypeError, ValueError):
        raise ValueError(
            f"rate must be a fraction from 0 to 1, e.g. 0.05; got {rate!r}"
        ) from None
    if not 0.0 <= rate < 1.0:
        raise ValueError(
            f"rate must be a fraction from 0 (included) to 1 (excluded), e.g. 0.05; "
            f"got {rate!r}"
        )
    # Flag exactly the k = ⌊rate·n⌋ largest scores: the threshold is the score just
    # below them. (np.quantile(normal, 1 - rate, method="higher") sits one score
    # higher and flags k - 1.) The rounding keeps 0.29 · 100 from flooring to 28.
    flagged = int(np.floor(round(rate * len(normal), 9)))
    # Ties at the threshold stay unflagged: then fewer than k are flagged, never more.
    return float(np.sort(normal)[len(normal) - flagged - 1])


def detection_report(threshold: float, normal_scores, outlier_scores) -> dict:
    """Precision, recall and false-positive rate when scores above ``threshold`` flag.

    ``precision``: of the flagged images, the fraction that are outliers (it depends on
    how many outliers there are among the normal images); ``recall``: of the outliers,
    the fraction flagged; ``false_positive_rate``: of the normal images, the fraction
    flagged.
    """
    from sklearn.metrics import precision_score, recall_score

    truth, scores = _labelled(normal_scores, outlier_scores)
    flagged = (scores > float(threshold)).astype(int)
    return {
        "precision": float(precision_score(truth, flagged, zero_division=0.0)),
        "recall": float(recall_score(truth, flagged, zero_division=0.0)),
        "false_positive_rate": float(flagged[truth == 0].mean()),
    }


def precision_at_k(
    query_codes, query_labels, base_codes, base_labels, k: int = 10
) -> float:
    """Mean share of each query's ``k`` nearest neighbours in the base with its label.

    Distances are Euclidean in whatever space the codes live in (pixels, PCA, an
    autoencoder's codes). The queries should not be in the base (use a held-out split),
    each would find itself first.
    """
    from sklearn.neighbors import NearestNeighbors

    query = np.asarray(query_codes, dtype=np.float64).reshape(len(query_codes), -1)
    base = np.asarray(base_codes, dtype=np.float64).reshape(len(base_codes), -1)
    query_labels, base_labels = np.asarray(query_labels), np.asarray(base_labels)
    if query.shape[1] != base.shape[1]:
        raise ValueError(
            f"queries have {query.shape[1]} numbers each, the base {base.shape[1]}"
        )
    if len(query_labels) != len(query) or len(base_labels) != len(base):
        raise ValueError(
            f"{len(query)} queries with {len(query_labels)} labels, "
            f"{len(base)} base codes with {len(base_labels)} labels"
        )
    if (
        isinstance(k, bool)
        or not isinstance(k, (int, np.integer))
        or not 1 <= k <= len(base)
    ):
        raise ValueError(f"k must be a whole number from 1 to {len(base)}; got {k!r}")
    neighbours = NearestNeighbors(n_neighbors=int(k)).fit(base).kneighbors(query)[1]
    return float(np.mean(base_labels[neighbours] == query_labels[:, None]))
