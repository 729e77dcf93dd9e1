"""Choosing acceptance thresholds on held-out data so that accepted contacts meet a precision target."""

from __future__ import annotations

import numpy as np

PRECISION_LEVELS = ("0.95", "0.98", "0.99")
DEFAULT_THRESHOLD = 0.6
MIN_ROWS_TO_TUNE = 50
MAX_TUNED_THRESHOLD = 0.99  # 1.0 is reserved for "never automate"


def coverage_at_precision(confidence: np.ndarray, correct: np.ndarray, target: float) -> float:
    """The largest share of rows that could be automated, in order of confidence, at ``target`` precision."""
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    n = confidence.size
    if n == 0:
        return 0.0
    order = np.argsort(-confidence, kind="stable")
    precision = np.cumsum(correct[order]) / np.arange(1, n + 1)
    meeting = np.flatnonzero(precision >= target)
    return float((meeting.max() + 1) / n) if meeting.size else 0.0


def threshold_for_precision(confidence: np.ndarray, correct: np.ndarray, target: float) -> float | None:
    """The lowest confidence threshold at which the accepted rows still reach ``target`` precision.

    ``None`` when no threshold reaches it (even the single most confident row is wrong).
    """
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    if confidence.size == 0:
        return None
    order = np.argsort(-confidence, kind="stable")
    sorted_conf = confidence[order]
    precision = np.cumsum(correct[order]) / np.arange(1, confidence.size + 1)
    # A cut can only fall between distinct confidences: evaluate at the last row of each tie group.
    last_of_group = np.r_[sorted_conf[1:] != sorted_conf[:-1], True]
    meeting = np.flatnonzero((precision >= target) & last_of_group)
    if not meeting.size:
        return None
    return float(sorted_conf[meeting.max()])


def tune_threshold(
    confidence: np.ndarray, correct: np.ndarray, clear_margin: np.ndarray, *, target: float
) -> tuple[float, str]:
    """A global acceptance threshold for ``target`` precision among rows the policy would accept.

    Returns ``(threshold, source)``; source is ``"tuned"`` or, when there are fewer than
    ``MIN_ROWS_TO_TUNE`` held-out rows or no threshold reaches the target, ``"default"``
    with :data:`DEFAULT_THRESHOLD` (or 1.0 when the target is unreachable: automate nothing).
    """
    mask = np.asarray(clear_margin, dtype=bool)
    if mask.sum() < MIN_ROWS_TO_TUNE:
        return DEFAULT_THRESHOLD, "default"
    threshold = threshold_for_precision(np.asarray(confidence)[mask], np.asarray(correct)[mask], target)
    if threshold is None:
        return 1.0, "unreachable"
    return min(threshold, MAX_TUNED_THRESHOLD), "tuned"
