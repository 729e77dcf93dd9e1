"""Temperature scaling: one parameter that turns a classifier's scores into honest probabilities."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

_EPS = 1e-12


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


class TemperatureScaler(BaseEstimator):
    """Fits a temperature ``T`` on held-out probabilities; ``transform`` returns softmax(log p / T).

    ``T > 1`` softens over-confident scores, ``T < 1`` sharpens under-confident ones; the ranking
    (and so accuracy) never changes.
    """

    def __init__(self, *, bounds: tuple[float, float] = (0.05, 20.0)) -> None:
        self.bounds = bounds

    def fit(self, proba: np.ndarray, y_index: np.ndarray) -> TemperatureScaler:
        log_p = np.log(np.clip(np.asarray(proba, dtype=float), _EPS, 1.0))
        y_index = np.asarray(y_index, dtype=int)

        def nll(temperature: float) -> float:
            scaled = _softmax(log_p / temperature)
            return float(-np.log(np.clip(scaled[np.arange(len(y_index)), y_index], _EPS, 1.0)).mean())

        result = minimize_scalar(nll, bounds=self.bounds, method="bounded")
        self.temperature_ = float(result.x)
        return self

    def transform(self, proba: np.ndarray) -> np.ndarray:
        check_is_fitted(self)
        log_p = np.log(np.clip(np.asarray(proba, dtype=float), _EPS, 1.0))
        return _softmax(log_p / self.temperature_)


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, n_bins: int = 15) -> float:
    """ECE with equal-width bins: the confidence-weighted gap between confidence and accuracy."""
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    if confidence.size == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, n_bins - 1)
    total = 0.0
    for b in range(n_bins):
        mask = bins == b
        if mask.any():
            total += mask.mean() * abs(confidence[mask].mean() - correct[mask].mean())
    return float(total)
