"""Training and measuring the safeguarding detector on labelled contacts.

The learned part is fitted on rows labelled with ``vulnerability_category`` (empty or ``none`` when
not vulnerable). Its firing threshold is tuned on held-out rows to reach a recall target, since a missed
vulnerable person costs far more than a false alarm; the false-alarm rate at that threshold is reported.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from triage.safeguarding import NONE, SafeguardingClassifier, SafeguardingDetector

CATEGORY_COLUMN = "vulnerability_category"
DEFAULT_FALSE_ALARM_BUDGET = 0.025
DEFAULT_THRESHOLD = 0.5
MIN_VULNERABLE_ROWS = 20


def categories_of(frame: pd.DataFrame) -> np.ndarray:
    """The category per row, ``none`` for rows that are not vulnerable."""
    values = frame[CATEGORY_COLUMN].fillna("").astype(str).str.strip()
    return np.where(values.isin(["", NONE, "nan"]), NONE, values)


def has_safeguarding_labels(frame: pd.DataFrame) -> bool:
    return CATEGORY_COLUMN in frame.columns and int((categories_of(frame) != NONE).sum()) >= MIN_VULNERABLE_ROWS


def fit_safeguarding(
    train: pd.DataFrame,
    held_out: pd.DataFrame,
    *,
    text_column: str = "text",
    false_alarm_budget: float = DEFAULT_FALSE_ALARM_BUDGET,
) -> SafeguardingDetector:
    """Fit the learned detector; its threshold is the lowest that keeps held-out false alarms within budget.

    A missed vulnerable person costs far more than a false alarm, so the detector takes all the recall the
    false-alarm budget allows. With too few held-out vulnerable rows the documented default (0.5) is used.
    """
    classifier = SafeguardingClassifier().fit(train[text_column].astype(str).tolist(), categories_of(train))
    detector = SafeguardingDetector(classifier=classifier, threshold=DEFAULT_THRESHOLD)
    if held_out.empty or int((categories_of(held_out) != NONE).sum()) < MIN_VULNERABLE_ROWS:
        return detector
    detector.threshold = tune_false_alarm_threshold(
        detector, held_out, text_column=text_column, budget=false_alarm_budget
    )
    return detector


def tune_false_alarm_threshold(
    detector: SafeguardingDetector, frame: pd.DataFrame, *, text_column: str, budget: float
) -> float:
    """The lowest model threshold at which false alarms on non-vulnerable rows (rules included) stay within budget."""
    texts = frame[text_column].astype(str).tolist()
    ordinary = categories_of(frame) == NONE
    by_rule = np.array([s is not None for s in SafeguardingDetector().detect(texts)])
    allowed = int(np.floor(budget * ordinary.sum())) - int((by_rule & ordinary).sum())
    scores = np.sort(detector.vulnerability_scores(texts)[ordinary & ~by_rule])[::-1]
    if allowed < 0 or not scores.size:
        return DEFAULT_THRESHOLD
    if allowed >= scores.size:
        return float(scores[-1])
    return float(np.nextafter(scores[allowed], 1.0))  # just above the first score that would exceed the budget


def evaluate_safeguarding(
    detector: SafeguardingDetector, frame: pd.DataFrame, *, text_column: str = "text"
) -> dict[str, Any]:
    """Recall on vulnerable rows (overall and per category) and the false-alarm rate on the rest."""
    signals = detector.detect(frame[text_column].astype(str).tolist())
    fired = np.array([s is not None for s in signals])
    truth = categories_of(frame)
    vulnerable = truth != NONE
    per_category = {
        category: {"n": int((truth == category).sum()), "recall": float(fired[truth == category].mean())}
        for category in sorted(set(truth[vulnerable]))
    }
    return {
        "n": len(frame),
        "n_vulnerable": int(vulnerable.sum()),
        "recall": float(fired[vulnerable].mean()) if vulnerable.any() else None,
        "false_alarm_rate": float(fired[~vulnerable].mean()) if (~vulnerable).any() else None,
        "by_rule": int(sum(1 for s in signals if s is not None and s.source == "rule")),
        "threshold": detector.threshold,
        "per_category": per_category,
    }


def safeguarding_metrics(evaluation: dict[str, Any]) -> dict[str, float]:
    """The figures of :func:`evaluate_safeguarding` with names MLflow accepts (``safeguarding_recall``,
    ``safeguarding_false_alarm_rate``, ``safeguarding_n_vulnerable``, ``safeguarding_recall/<category>``, ...)."""
    flat = {"safeguarding_n_vulnerable": float(evaluation["n_vulnerable"])}
    for key in ("recall", "false_alarm_rate"):
        if evaluation.get(key) is not None:
            flat[f"safeguarding_{key}"] = float(evaluation[key])
    for category, figures in evaluation.get("per_category", {}).items():
        flat[f"safeguarding_n/{category}"] = float(figures["n"])
        flat[f"safeguarding_recall/{category}"] = float(figures["recall"])
    return flat
