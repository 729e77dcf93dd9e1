from __future__ import annotations

import numpy as np

from training.thresholds import (
    DEFAULT_THRESHOLD,
    coverage_at_precision,
    threshold_for_precision,
    tune_threshold,
)


def test_coverage_at_precision_takes_rows_in_confidence_order() -> None:
    confidence = np.array([0.99, 0.9, 0.8, 0.7, 0.6])
    correct = np.array([1, 1, 1, 0, 1], dtype=bool)
    assert coverage_at_precision(confidence, correct, 1.0) == 0.6
    assert coverage_at_precision(confidence, correct, 0.8) == 1.0
    assert coverage_at_precision(confidence, np.zeros(5, dtype=bool), 0.5) == 0.0


def test_threshold_is_the_lowest_that_keeps_the_target() -> None:
    confidence = np.array([0.99, 0.9, 0.8, 0.7, 0.6])
    correct = np.array([1, 1, 1, 0, 0], dtype=bool)
    assert threshold_for_precision(confidence, correct, 1.0) == 0.8
    assert threshold_for_precision(confidence, correct, 0.75) == 0.7
    assert threshold_for_precision(np.array([0.9]), np.array([False]), 0.9) is None


def test_ties_are_never_split() -> None:
    confidence = np.array([0.9, 0.9, 0.9, 0.5])
    correct = np.array([1, 1, 0, 1], dtype=bool)
    assert threshold_for_precision(confidence, correct, 0.9) is None


def test_tuning_falls_back_to_the_documented_default_on_little_data() -> None:
    assert tune_threshold(np.ones(10), np.ones(10, bool), np.ones(10, bool), target=0.9) == (
        DEFAULT_THRESHOLD,
        "default",
    )
    rng = np.random.default_rng(0)
    confidence = rng.uniform(0, 1, 500)
    correct = rng.random(500) < confidence
    threshold, source = tune_threshold(confidence, correct, np.ones(500, bool), target=0.9)
    assert source == "tuned"
    accepted = confidence >= threshold
    assert correct[accepted].mean() >= 0.9
