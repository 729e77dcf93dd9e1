from __future__ import annotations

import numpy as np

from training.thresholds import (
    DEFAULT_THRESHOLD,
    MIN_ROWS_PER_INTENT,
    coverage_at_precision,
    coverage_curve,
    rows_to_lower,
    threshold_for_precision,
    tune_intent_thresholds,
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


def intents_sample(n_per_intent: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three intents whose confidence means different things: 'easy' is right even at 0.5, 'hard' is
    wrong 30% of the time up to 0.85, 'medium' is right with probability equal to its confidence."""
    rng = np.random.default_rng(seed)
    confidence, predicted, correct = [], [], []
    for intent in ("easy", "hard", "medium"):
        c = rng.uniform(0.5, 1.0, n_per_intent)
        if intent == "easy":
            ok = rng.random(n_per_intent) < 0.995
        elif intent == "hard":
            ok = np.where(c < 0.85, rng.random(n_per_intent) < 0.7, rng.random(n_per_intent) < 0.995)
        else:
            ok = rng.random(n_per_intent) < c
        confidence.append(c)
        predicted.append(np.full(n_per_intent, intent))
        correct.append(ok)
    return np.concatenate(confidence), np.concatenate(predicted), np.concatenate(correct)


def accepted_precision(confidence, predicted, correct, thresholds, default, intent):
    needed = np.array([thresholds.get(p, default) for p in predicted])
    rows = (confidence >= needed) & (predicted == intent)
    return correct[rows].mean(), rows.sum()


def test_per_intent_thresholds_meet_the_target_on_held_out_data() -> None:
    target = 0.95
    confidence, predicted, correct = intents_sample(5000, seed=0)
    margin = np.ones(confidence.size, dtype=bool)
    global_threshold, source = tune_threshold(confidence, correct, margin, target=target)
    thresholds = tune_intent_thresholds(
        confidence, predicted, correct, margin, target=target, global_threshold=global_threshold
    )
    assert source == "tuned"
    assert thresholds["hard"] > global_threshold  # raised where the global threshold lets errors through
    assert thresholds["easy"] < global_threshold  # lowered where plenty of rows show it is safe
    fresh = intents_sample(5000, seed=1)  # the same intents, new contacts
    for intent in ("easy", "hard", "medium"):
        precision, n = accepted_precision(*fresh, thresholds, global_threshold, intent)
        assert precision >= target - 0.015 and n > 300, intent
    hard_global, _ = accepted_precision(*fresh, {}, global_threshold, "hard")
    assert hard_global < target  # the global threshold alone would miss the target for 'hard'


def test_intents_with_too_few_rows_keep_the_global_threshold() -> None:
    confidence, predicted, correct = intents_sample(MIN_ROWS_PER_INTENT - 1, seed=2)
    margin = np.ones(confidence.size, dtype=bool)
    assert tune_intent_thresholds(confidence, predicted, correct, margin, target=0.95, global_threshold=0.7) == {}


def test_lowering_needs_the_rule_of_three_but_raising_does_not() -> None:
    assert rows_to_lower(0.95) == 60 and rows_to_lower(0.98) == 150 and rows_to_lower(0.5) == MIN_ROWS_PER_INTENT
    n = 40  # enough to raise, not enough to lower at 0.95
    confidence = np.linspace(0.5, 1.0, 2 * n)
    predicted = np.array(["safe"] * n + ["risky"] * n)
    correct = np.ones(2 * n, dtype=bool)
    correct[n + n // 2] = False  # one confident error for 'risky'
    thresholds = tune_intent_thresholds(
        confidence, predicted, correct, np.ones(2 * n, dtype=bool), target=0.99, global_threshold=0.6
    )
    assert "safe" not in thresholds  # all right, but 40 rows cannot justify going below 0.6
    assert thresholds["risky"] > confidence[n + n // 2]


def test_an_intent_that_cannot_reach_the_target_is_never_automated() -> None:
    confidence = np.linspace(0.5, 1.0, 40)
    thresholds = tune_intent_thresholds(
        confidence,
        np.array(["x"] * 40),
        np.zeros(40, dtype=bool),
        np.ones(40, dtype=bool),
        target=0.9,
        global_threshold=0.6,
    )
    assert thresholds == {"x": 1.0}


def test_coverage_curve_runs_from_the_most_confident_rows_to_all() -> None:
    confidence = np.array([0.9, 0.8, 0.7, 0.6])
    correct = np.array([1, 1, 0, 1], dtype=bool)
    curve = coverage_curve(confidence, correct, points=4)
    assert [p["coverage"] for p in curve] == [0.25, 0.5, 0.75, 1.0]
    assert [p["precision"] for p in curve] == [1.0, 1.0, 2 / 3, 0.75]
    assert curve[-1]["threshold"] == 0.6
