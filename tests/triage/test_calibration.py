from __future__ import annotations

import numpy as np

from triage.calibration import TemperatureScaler, expected_calibration_error


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
