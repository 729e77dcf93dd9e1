from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom

from monitoring.estimate import (
    ESTIMATE_CAVEAT,
    compare,
    correct_tail_p,
    estimate_accuracy,
    measured_accuracy,
    poisson_binomial_cdf,
)


def test_the_estimate_is_the_mean_confidence_with_a_poisson_binomial_interval() -> None:
    estimate = estimate_accuracy([0.9, 0.8, 1.0, 0.5])
    assert estimate.n == 4 and estimate.accuracy == pytest.approx(0.8)
    se = np.sqrt(0.9 * 0.1 + 0.8 * 0.2 + 0 + 0.5 * 0.5) / 4
    assert estimate.standard_error == pytest.approx(se)
    assert estimate.lower == pytest.approx(0.8 - 1.959964 * se, abs=1e-6)
    assert estimate.upper == 1.0  # clipped: accuracy cannot exceed 1


def test_with_calibrated_confidence_measured_accuracy_falls_in_the_interval_about_95_times_in_100() -> None:
    rng = np.random.default_rng(0)
    inside, errors = 0, []
    for _ in range(400):
        confidence = rng.beta(8, 1, size=300)  # mostly confident, like the triage model
        correct = rng.random(300) < confidence  # calibrated by construction
        check = compare(confidence, correct)
        inside += check.within_interval
        errors.append(check.error)
    assert 0.92 <= inside / 400 <= 0.98
    assert abs(np.mean(errors)) < 0.003


def test_an_overconfident_model_is_caught_by_the_comparison() -> None:
    rng = np.random.default_rng(1)
    confidence = rng.uniform(0.85, 1.0, size=500)
    correct = rng.random(500) < confidence - 0.15  # right 15 points less often than it claims
    check = compare(confidence, correct)
    assert check.error == pytest.approx(0.15, abs=0.04) and check.within_interval is False


def test_wilson_interval_is_sound_at_the_edges() -> None:
    assert measured_accuracy([True] * 10).lower == pytest.approx(0.7225, abs=1e-3)
    assert measured_accuracy([False] * 10).upper == pytest.approx(0.2775, abs=1e-3)
    half = measured_accuracy([True, False] * 50)
    assert half.accuracy == 0.5 and half.lower == pytest.approx(0.4038, abs=1e-3)


def test_unlabelled_rows_are_left_out_of_the_comparison() -> None:
    check = compare([0.9, 0.9, 0.1], [1.0, np.nan, np.nan])
    assert check.measured.n == check.estimated.n == 1
    assert check.error == pytest.approx(-0.1)


def test_nothing_to_estimate_gives_nones_not_errors() -> None:
    assert estimate_accuracy([]).accuracy is None
    assert measured_accuracy([]).accuracy is None
    assert compare([0.9], [np.nan]).error is None


def test_confidence_outside_zero_one_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        estimate_accuracy([0.5, 1.2])


def test_poisson_binomial_matches_the_binomial_when_probabilities_are_equal() -> None:
    for k in range(0, 11):
        assert poisson_binomial_cdf([0.7] * 10, k) == pytest.approx(binom.cdf(k, 10, 0.7))
    assert poisson_binomial_cdf([0.5, 0.5], -1) == 0.0


def test_one_mistake_at_near_certain_confidence_is_not_a_one_in_a_million_event() -> None:
    assert correct_tail_p([1.0], 0) == pytest.approx(0.01)  # capped at 0.99
    assert correct_tail_p([0.95] * 5, 0) < 1e-6  # five confident predictions all corrected: implausible


def test_the_caveat_names_what_the_estimate_cannot_see() -> None:
    assert "cannot see concept drift" in ESTIMATE_CAVEAT and "new intents" in ESTIMATE_CAVEAT
