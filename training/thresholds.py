"""Choosing acceptance thresholds on held-out data so that accepted contacts meet a precision target."""

from __future__ import annotations

import numpy as np

PRECISION_LEVELS = ("0.95", "0.98", "0.99")
DEFAULT_THRESHOLD = 0.6
MIN_ROWS_TO_TUNE = 50
MAX_TUNED_THRESHOLD = 0.99  # 1.0 is reserved for "never automate"
MIN_ROWS_PER_INTENT = 30  # fewer rows: one error moves precision by over 3 points; use the global threshold
NEVER = 1.0


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


def rows_to_lower(target: float) -> int:
    """Held-out rows an intent needs before its threshold may go *below* the global one.

    The rule of three: with no errors among ``n`` rows, the 95% upper bound on the error rate is about
    ``3 / n``; lowering a threshold claims an error rate of at most ``1 - target``.
    """
    return max(MIN_ROWS_PER_INTENT, int(np.ceil(3.0 / max(1.0 - target, 1e-6))))


def intent_threshold_rule(target: float | None) -> str:
    """The per-intent rule in words, for reports."""
    lower = f"{rows_to_lower(target)}" if target is not None else "more"
    return (
        f"An intent gets its own threshold when at least {MIN_ROWS_PER_INTENT} held-out contacts were predicted as "
        f"it (at least {lower} to go below the global threshold); every other intent uses the global threshold."
    )


def tune_intent_thresholds(
    confidence: np.ndarray,
    predicted: np.ndarray,
    correct: np.ndarray,
    clear_margin: np.ndarray,
    *,
    target: float,
    global_threshold: float,
    min_rows: int = MIN_ROWS_PER_INTENT,
) -> dict[str, float]:
    """Per-intent acceptance thresholds where the held-out data supports one; the rest use the global one.

    An intent's rows are the held-out rows it is the top intent of (and that clear the ambiguity margin),
    because those are the rows its threshold decides. With at least ``min_rows`` rows its threshold is
    raised above the global one when needed for ``target`` precision on its own rows (1.0, never automate,
    when no threshold reaches it); it is lowered below the global one only with :func:`rows_to_lower` rows.
    Intents with fewer rows keep the global threshold. Returns only thresholds that differ from it.
    """
    confidence = np.asarray(confidence, dtype=float)
    predicted = np.asarray(predicted).astype(str)
    correct = np.asarray(correct, dtype=bool)
    usable = np.asarray(clear_margin, dtype=bool)
    lower_rows = rows_to_lower(target)
    thresholds: dict[str, float] = {}
    for intent in np.unique(predicted[usable]):
        rows = usable & (predicted == intent)
        n = int(rows.sum())
        if n < min_rows:
            continue
        tuned = threshold_for_precision(confidence[rows], correct[rows], target)
        if tuned is None:
            threshold = NEVER
        else:
            threshold = min(tuned, MAX_TUNED_THRESHOLD)
            if n < lower_rows:
                threshold = max(threshold, global_threshold)
        if abs(threshold - global_threshold) > 1e-9:
            thresholds[str(intent)] = round_down(float(threshold))
    return thresholds


def coverage_curve(confidence: np.ndarray, correct: np.ndarray, *, points: int = 20) -> list[dict[str, float]]:
    """Precision of the most confident rows at evenly spaced coverages (5%, 10%, ... 100% for 20 points)."""
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    n = confidence.size
    if n == 0:
        return []
    order = np.argsort(-confidence, kind="stable")
    precision = np.cumsum(correct[order]) / np.arange(1, n + 1)
    curve = []
    for k in range(1, points + 1):
        rows = max(1, round(n * k / points))
        curve.append(
            {
                "coverage": rows / n,
                "precision": float(precision[rows - 1]),
                "threshold": float(confidence[order][rows - 1]),
            }
        )
    return curve


def round_down(threshold: float) -> float:
    """``threshold`` to 6 decimals, rounded down so the contact it was chosen at still passes."""
    return float(np.floor(threshold * 1e6) / 1e6)
