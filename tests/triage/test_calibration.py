from __future__ import annotations

import numpy as np
import pytest

from triage.calibration import (
    IsotonicCalibrator,
    TemperatureScaler,
    calibrator_name,
    choose_calibrator,
    expected_calibration_error,
    reliability_bins,
)


def overconfident_scores(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three classes; the model is right 60% of the time but says ~0.95."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    predicted = np.where(rng.random(n) < 0.6, y, (y + 1) % 3)
    proba = np.full((n, 3), 0.025)
    proba[np.arange(n), predicted] = 0.95
    return proba, y


def test_temperature_scaling_fixes_overconfidence_without_changing_the_ranking() -> None:
    proba, y = overconfident_scores()
    correct = proba.argmax(1) == y
    before = expected_calibration_error(proba.max(1), correct)
    scaler = TemperatureScaler().fit(proba, y)
    calibrated = scaler.transform(proba)
    after = expected_calibration_error(calibrated.max(1), correct)
    assert scaler.temperature_ > 1.0
    assert before > 0.3 and after < 0.05
    assert (calibrated.argmax(1) == proba.argmax(1)).all()
    assert np.allclose(calibrated.sum(1), 1.0)


def test_ece_of_a_perfectly_calibrated_predictor_is_small() -> None:
    rng = np.random.default_rng(1)
    confidence = rng.uniform(0.3, 1.0, 20000)
    correct = rng.random(20000) < confidence
    assert expected_calibration_error(confidence, correct) < 0.02
    assert expected_calibration_error(np.array([]), np.array([])) == 0.0


def middle_miscalibrated(n: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three classes; scores are honest at the extremes but overconfident in the middle, which a single
    temperature cannot fix."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    top = rng.uniform(0.6, 1.0, n)
    true_accuracy = np.where(top < 0.9, top - 0.2, top)
    right = rng.random(n) < true_accuracy
    predicted = np.where(right, y, (y + 1 + rng.integers(0, 2, n)) % 3)
    proba = np.zeros((n, 3))
    proba[np.arange(n), predicted] = top
    for i in range(n):
        others = [c for c in range(3) if c != predicted[i]]
        proba[i, others] = (1 - top[i]) * np.array([0.5, 0.5])
    return proba, y


def test_isotonic_fixes_what_temperature_cannot_and_keeps_the_top_intent() -> None:
    proba, y = middle_miscalibrated()
    fit, test = slice(0, 2000), slice(2000, None)
    correct = proba[test].argmax(1) == y[test]
    isotonic = IsotonicCalibrator().fit(proba[fit], y[fit]).transform(proba[test])
    temperature = TemperatureScaler().fit(proba[fit], y[fit]).transform(proba[test])
    ece_isotonic = expected_calibration_error(isotonic.max(1), correct)
    assert ece_isotonic < 0.05  # from 0.15 uncalibrated
    assert ece_isotonic < expected_calibration_error(temperature.max(1), correct) - 0.02
    assert (isotonic.argmax(1) == proba[test].argmax(1)).all()
    assert np.allclose(isotonic.sum(1), 1.0) and (isotonic >= 0).all()


def test_isotonic_keeps_the_top_intent_when_it_maps_a_score_below_the_runner_up() -> None:
    proba = np.array([[0.5, 0.45, 0.05], [0.9, 0.1, 0.0], [1.0, 0.0, 0.0]] * 20)
    y = np.array([1, 0, 0] * 20)  # the 0.5 rows are always wrong: isotonic maps 0.5 to 0
    calibrated = IsotonicCalibrator().fit(proba, y).transform(proba)
    assert (calibrated.argmax(1) == 0).all()
    assert np.allclose(calibrated.sum(1), 1.0)


def test_choose_calibrator_picks_the_lower_held_out_ece() -> None:
    proba, y = middle_miscalibrated()
    chosen, scores = choose_calibrator(proba, y)
    assert isinstance(chosen, IsotonicCalibrator) and scores["isotonic"] < scores["temperature"]
    assert calibrator_name(chosen) == "isotonic"
    proba, y = overconfident_scores()  # one temperature is the right model here
    chosen, scores = choose_calibrator(proba, y)
    assert scores["temperature"] < scores["uncalibrated"]
    assert isinstance(chosen, TemperatureScaler) == (scores["temperature"] <= scores["isotonic"])


def test_reliability_bins_add_up_to_the_ece() -> None:
    rng = np.random.default_rng(3)
    confidence = rng.uniform(0, 1, 1000)
    correct = rng.random(1000) < confidence**2
    bins = reliability_bins(confidence, correct)
    assert sum(b["n"] for b in bins) == 1000 and len(bins) == 15
    ece = sum(b["n"] / 1000 * abs(b["confidence"] - b["accuracy"]) for b in bins)
    assert np.isclose(ece, expected_calibration_error(confidence, correct))


def test_no_calibrator_claims_more_certainty_than_its_held_out_rows_support() -> None:
    """Right on all 98 held-out rows still leaves room for error: confidence stops at 1 - 1/(98 + 2)."""
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 98)
    proba = np.full((98, 3), 1e-9)
    proba[np.arange(98), y] = 1.0
    unseen = np.array([[1.0, 0.0, 0.0], [0.2, 0.7, 0.1]])
    for calibrator in (TemperatureScaler().fit(proba, y), IsotonicCalibrator().fit(proba, y)):
        calibrated = calibrator.transform(unseen)
        assert calibrated[0, 0] == pytest.approx(0.99) and calibrated[0].argmax() == 0
        assert np.allclose(calibrated.sum(1), 1.0) and calibrated[1].argmax() == 1
        assert calibrated.max() <= 0.99 + 1e-12
