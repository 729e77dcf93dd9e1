"""Accuracy before labels arrive: confidence-based performance estimation (CBPE), and accuracy once they do.

If the model's confidence is calibrated (a contact scored 0.9 is right nine times in ten), the expected
accuracy of a window is the mean of the top-1 calibrated confidence of its decisions. Each decision is then a
Bernoulli trial with its own probability, so the number right follows a Poisson-binomial distribution whose
variance is the sum of ``p * (1 - p)``: that gives the interval in which the window's measured accuracy should
fall if calibration still holds.

What the estimate cannot see (:data:`ESTIMATE_CAVEAT`): the model's confidence is all it uses, so a change in
what the words *mean* (concept drift: the same text now needs a different intent) or a need the model never
learned (a new intent it confidently maps to an old one) leaves the estimate where it was while real accuracy
falls. Only labels (agents' feedback) show those; the two numbers are reported side by side for that reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, Field

DEFAULT_LEVEL = 0.95
ESTIMATE_CAVEAT = (
    "Estimated accuracy (CBPE) is the mean of the model's calibrated top-1 confidence. It is only as good as "
    "that calibration: it cannot see concept drift (the same words now meaning a different intent) or new "
    "intents the model confidently maps to old ones; only agents' feedback (measured accuracy) reveals those."
)


class AccuracyEstimate(BaseModel):
    """Expected accuracy of a window from calibrated confidence, with the interval measured accuracy should hit."""

    n: int = Field(description="Decisions in the window.")
    accuracy: float | None = Field(description="Mean top-1 calibrated confidence (None when n is 0).")
    lower: float | None
    upper: float | None
    standard_error: float | None = Field(description="sqrt(sum p(1-p)) / n (Poisson-binomial).")
    level: float = DEFAULT_LEVEL
    method: str = "CBPE: mean top-1 calibrated confidence"


class MeasuredAccuracy(BaseModel):
    """Accuracy where agents' labels exist, with a Wilson score interval."""

    n: int = Field(description="Labelled decisions.")
    correct: int
    accuracy: float | None
    lower: float | None
    upper: float | None
    level: float = DEFAULT_LEVEL


class EstimateCheck(BaseModel):
    """The estimate beside the measurement on the same (labelled) decisions."""

    estimated: AccuracyEstimate
    measured: MeasuredAccuracy
    error: float | None = Field(description="estimated - measured accuracy (positive: the estimate is too high).")
    within_interval: bool | None = Field(description="Measured accuracy inside the estimate's interval.")


def _z(level: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2))


def estimate_accuracy(confidence: Sequence[float] | np.ndarray, *, level: float = DEFAULT_LEVEL) -> AccuracyEstimate:
    """CBPE over the given top-1 calibrated confidences (see the module docstring)."""
    p = np.asarray(confidence, dtype=float)
    p = p[~np.isnan(p)]
    if p.size == 0:
        return AccuracyEstimate(n=0, accuracy=None, lower=None, upper=None, standard_error=None, level=level)
    if (p < 0).any() or (p > 1).any():
        raise ValueError("confidences must lie in [0, 1]")
    mean = float(p.mean())
    se = math.sqrt(float((p * (1 - p)).sum())) / p.size
    half = _z(level) * se
    return AccuracyEstimate(
        n=int(p.size),
        accuracy=mean,
        lower=max(0.0, mean - half),
        upper=min(1.0, mean + half),
        standard_error=se,
        level=level,
    )


def measured_accuracy(correct: Sequence[bool] | np.ndarray, *, level: float = DEFAULT_LEVEL) -> MeasuredAccuracy:
    """Share correct with a Wilson score interval (sound at small n and near 0 or 1)."""
    values = np.asarray(correct, dtype=float)
    values = values[~np.isnan(values)]
    n = int(values.size)
    if n == 0:
        return MeasuredAccuracy(n=0, correct=0, accuracy=None, lower=None, upper=None, level=level)
    k = int(values.sum())
    share = k / n
    z = _z(level)
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return MeasuredAccuracy(
        n=n, correct=k, accuracy=share, lower=max(0.0, centre - half), upper=min(1.0, centre + half), level=level
    )


def poisson_binomial_cdf(probabilities: Sequence[float] | np.ndarray, k: int) -> float:
    """P(at most ``k`` successes) among independent trials with the given success probabilities (exact)."""
    p = np.asarray(probabilities, dtype=float)
    if k < 0:
        return 0.0
    if k >= p.size:
        return 1.0
    dist = np.zeros(p.size + 1)
    dist[0] = 1.0
    for i, pi in enumerate(p, start=1):
        dist[1 : i + 1] = dist[1 : i + 1] * (1 - pi) + dist[:i] * pi
        dist[0] *= 1 - pi
    return float(min(1.0, dist[: k + 1].sum()))


def correct_tail_p(confidence: Sequence[float] | np.ndarray, correct: int, *, max_confidence: float = 0.99) -> float:
    """How surprising so few correct decisions are if the confidences were honest: P(X <= correct).

    Confidences are capped at ``max_confidence`` first: a score of 0.999999 does not make one mistake a
    one-in-a-million event (calibration is never that exact in the tails).
    """
    p = np.minimum(np.asarray(confidence, dtype=float), max_confidence)
    return poisson_binomial_cdf(p, correct)


def compare(
    confidence: Sequence[float] | np.ndarray, correct: Sequence[bool] | np.ndarray, *, level: float = DEFAULT_LEVEL
) -> EstimateCheck:
    """Estimate and measurement on the same labelled decisions (``confidence[i]`` goes with ``correct[i]``)."""
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    if confidence.shape != correct.shape:
        raise ValueError("confidence and correct must have the same length")
    keep = ~np.isnan(correct)
    estimated = estimate_accuracy(confidence[keep], level=level)
    measured = measured_accuracy(correct[keep], level=level)
    if estimated.accuracy is None or measured.accuracy is None:
        return EstimateCheck(estimated=estimated, measured=measured, error=None, within_interval=None)
    assert estimated.lower is not None and estimated.upper is not None
    return EstimateCheck(
        estimated=estimated,
        measured=measured,
        error=estimated.accuracy - measured.accuracy,
        within_interval=estimated.lower <= measured.accuracy <= estimated.upper,
    )
