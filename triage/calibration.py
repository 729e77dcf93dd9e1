"""Calibration: turning a classifier's scores into honest probabilities, and measuring how honest they are.

Temperature scaling (one parameter) or top-label isotonic regression, whichever has the lower expected
calibration error on held-out rows it was not fitted on (:func:`choose_calibrator`).

Neither claims certainty its evidence cannot support: after fitting on ``n`` held-out rows, no confidence
exceeds ``1 - 1/(n + 2)`` (Laplace's rule of succession: even with every one of ``n`` such contacts right,
the next may be wrong), so a calibrated model never says 1.0.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

_EPS = 1e-12


def confidence_cap(n_rows: int) -> float:
    """The most confidence ``n_rows`` held-out rows can support (rule of succession)."""
    return 1.0 - 1.0 / (n_rows + 2)


def _with_top(proba: np.ndarray, new_top: np.ndarray) -> np.ndarray:
    """``proba`` with each row's top class set to ``new_top``; the others share the rest in proportion
    to their scores (evenly when they had none)."""
    n, k = proba.shape
    rows = np.arange(n)
    top_index = proba.argmax(axis=1)
    rest = 1.0 - proba[rows, top_index]
    others = proba.copy()
    others[rows, top_index] = 0.0
    share = np.where(rest > _EPS, rest, 1.0)
    scaled = others * ((1.0 - new_top) / share)[:, None]
    empty = rest <= _EPS
    if empty.any() and k > 1:
        scaled[empty] = ((1.0 - new_top[empty]) / (k - 1))[:, None]
        scaled[rows[empty], top_index[empty]] = 0.0
    scaled[rows, top_index] = new_top
    return scaled


def _capped(proba: np.ndarray, cap: float | None) -> np.ndarray:
    if cap is None or proba.shape[1] < 2:
        return proba
    top = proba.max(axis=1)
    return _with_top(proba, np.minimum(top, cap)) if (top > cap).any() else proba


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
        self.max_confidence_ = confidence_cap(len(y_index))
        return self

    def transform(self, proba: np.ndarray) -> np.ndarray:
        check_is_fitted(self)
        log_p = np.log(np.clip(np.asarray(proba, dtype=float), _EPS, 1.0))
        return _capped(_softmax(log_p / self.temperature_), getattr(self, "max_confidence_", None))


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


class IsotonicCalibrator(BaseEstimator):
    """Top-label isotonic regression: maps the top intent's score to its held-out accuracy, monotonically.

    The other classes share what is left in proportion to their scores. The top intent always stays on
    top (its new score is floored just above the runner-up's), so accuracy never changes. Unlike
    temperature scaling it can fix miscalibration that differs between low and high scores, but it needs
    more held-out rows and produces ties (a step function).
    """

    def fit(self, proba: np.ndarray, y_index: np.ndarray) -> IsotonicCalibrator:
        from sklearn.isotonic import IsotonicRegression

        proba = np.asarray(proba, dtype=float)
        correct = (proba.argmax(axis=1) == np.asarray(y_index, dtype=int)).astype(float)
        self.isotonic_ = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(proba.max(axis=1), correct)
        self.max_confidence_ = confidence_cap(len(correct))
        return self

    def transform(self, proba: np.ndarray) -> np.ndarray:
        check_is_fitted(self)
        proba = np.asarray(proba, dtype=float)
        n, k = proba.shape
        top = proba.max(axis=1)
        rest = 1.0 - top
        runner_up = np.sort(proba, axis=1)[:, -2] if k > 1 else np.zeros(n)
        # new_top must beat runner_up * (1 - new_top) / rest, i.e. new_top > runner_up / (rest + runner_up).
        floor = np.divide(runner_up, rest + runner_up, out=np.zeros(n), where=(rest + runner_up) > 0) + 1e-9
        cap = getattr(self, "max_confidence_", 1.0)
        new_top = np.clip(np.maximum(np.minimum(self.isotonic_.predict(top), cap), floor), 0.0, 1.0)
        return _with_top(proba, new_top)


CALIBRATORS = ("temperature", "isotonic")


def make_calibrator(name: str) -> TemperatureScaler | IsotonicCalibrator:
    return TemperatureScaler() if name == "temperature" else IsotonicCalibrator()


def choose_calibrator(
    proba: np.ndarray, y_index: np.ndarray, *, seed: int = 0
) -> tuple[TemperatureScaler | IsotonicCalibrator, dict[str, float]]:
    """The calibration method with the lower ECE on data it was not fitted on, refitted on all rows.

    Two-fold cross-fitting on the held-out rows: each method is fitted on one half and its ECE measured
    on the other, both ways. Ties go to temperature scaling (one parameter, keeps the ranking). Returns
    the fitted calibrator and the cross-fitted ECE of each method (plus ``uncalibrated``).
    """
    proba = np.asarray(proba, dtype=float)
    y_index = np.asarray(y_index, dtype=int)
    order = np.random.default_rng(seed).permutation(len(y_index))
    halves = (order[: len(order) // 2], order[len(order) // 2 :])
    correct = proba.argmax(axis=1) == y_index
    scores = {"uncalibrated": expected_calibration_error(proba.max(axis=1), correct)}
    for name in CALIBRATORS:
        confidence = np.empty(len(y_index))
        for fit_rows, test_rows in (halves, halves[::-1]):
            calibrator = make_calibrator(name).fit(proba[fit_rows], y_index[fit_rows])
            confidence[test_rows] = calibrator.transform(proba[test_rows]).max(axis=1)
        scores[name] = expected_calibration_error(confidence, correct)
    best = min(CALIBRATORS, key=lambda name: (scores[name], CALIBRATORS.index(name)))
    return make_calibrator(best).fit(proba, y_index), scores


def calibrator_name(calibrator: object | None) -> str | None:
    if calibrator is None:
        return None
    return "isotonic" if isinstance(calibrator, IsotonicCalibrator) else "temperature"


def reliability_bins(confidence: np.ndarray, correct: np.ndarray, n_bins: int = 15) -> list[dict[str, float]]:
    """The equal-width bins behind :func:`expected_calibration_error` (non-empty bins only), for a diagram."""
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, n_bins - 1)
    out = []
    for b in range(n_bins):
        mask = bins == b
        if mask.any():
            out.append(
                {
                    "lower": float(edges[b]),
                    "upper": float(edges[b + 1]),
                    "n": int(mask.sum()),
                    "confidence": float(confidence[mask].mean()),
                    "accuracy": float(correct[mask].mean()),
                }
            )
    return out
