"""The checks of "A primer": solutions pass, blanks and typical mistakes get feedback."""
import numpy as np
import pytest
from scipy import stats

from helpers.checks import ExerciseIncorrect, ExerciseNotDone
from helpers.checks import primer as checks


def test_exercise_1_smaller_passes_and_equal_is_told_kl_is_not_symmetric(passes):
    passes(checks.exercise_1, "smaller")
    passes(checks.exercise_1, " Smaller ")
    with pytest.raises(ExerciseIncorrect, match="not symmetric"):
        checks.exercise_1("equal")
    with pytest.raises(ExerciseIncorrect, match="0.318"):
        checks.exercise_1("larger")


def test_exercise_2_accepts_scipy_and_the_formula(passes):
    passes(checks.exercise_2, lambda x, mean, std: -stats.norm.logpdf(x, mean, std))
    passes(checks.exercise_2,
           lambda x, m, s: (np.asarray(x) - m) ** 2 / (2 * np.asarray(s) ** 2)
           + 0.5 * np.log(2 * np.pi * np.asarray(s) ** 2))


def test_exercise_2_names_a_wrong_sign_and_a_missing_normaliser():
    with pytest.raises(ExerciseIncorrect, match="other sign"):
        checks.exercise_2(lambda x, mean, std: stats.norm.logpdf(x, mean, std))
    with pytest.raises(ExerciseIncorrect, match="normalising"):
        checks.exercise_2(lambda x, mean, std: (np.asarray(x) - mean) ** 2
                          / (2 * np.asarray(std) ** 2))


def test_exercise_2_stub_is_not_done():
    with pytest.raises(ExerciseNotDone):
        checks.exercise_2(lambda x, mean, std: None)


def _variance_kept(images, k):
    flat = images.reshape(len(images), -1)
    variances = np.linalg.svd(flat - flat.mean(axis=0), compute_uv=False) ** 2
    return float(variances[:k].sum() / variances.sum())


def test_exercise_3_solution_passes_and_agrees_with_scikit_learn(passes):
    from sklearn.decomposition import PCA

    passes(checks.exercise_3, _variance_kept)
    passes(checks.exercise_3, lambda images, k: PCA(k).fit(
        images.reshape(len(images), -1)).explained_variance_ratio_.sum())


def test_exercise_3_forgetting_to_centre_is_explained():
    def uncentred(images, k):
        variances = np.linalg.svd(images.reshape(len(images), -1), compute_uv=False) ** 2
        return float(variances[:k].sum() / variances.sum())

    with pytest.raises(ExerciseIncorrect, match="mean image"):
        checks.exercise_3(uncentred)


def test_exercise_3_singular_values_not_squared_are_explained():
    def unsquared(images, k):
        flat = images.reshape(len(images), -1)
        values = np.linalg.svd(flat - flat.mean(axis=0), compute_uv=False)
        return float(values[:k].sum() / values.sum())

    with pytest.raises(ExerciseIncorrect, match="squared"):
        checks.exercise_3(unsquared)


def test_exercise_4_yes_passes_and_no_gets_the_share_of_negative_estimates(passes):
    passes(checks.exercise_4, "yes")
    with pytest.raises(ExerciseIncorrect, match="came out negative"):
        checks.exercise_4("no")
