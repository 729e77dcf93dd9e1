"""Evaluation a reviewer can trust: overall, per-intent, per-slice, baseline, routing and out-of-scope."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.metrics import classification_report, confusion_matrix, f1_score

from training.thresholds import PRECISION_LEVELS, coverage_at_precision, coverage_curve, intent_threshold_rule
from triage.calibration import expected_calibration_error, reliability_bins
from triage.model import TriageModel

SEGMENT_COLUMNS = ("channel", "language", "region")


def baseline_accuracy(label_counts: dict[str, int], labels: np.ndarray) -> float:
    """Accuracy of always predicting the most frequent training label (scikit-learn's DummyClassifier)."""
    train_labels = np.repeat(np.array(list(label_counts), dtype=object), list(label_counts.values()))
    dummy = DummyClassifier(strategy="most_frequent").fit(np.zeros((len(train_labels), 1)), train_labels)
    return float((dummy.predict(np.zeros((len(labels), 1))) == labels).mean()) if len(labels) else 0.0


def evaluate_model(
    model: TriageModel,
    frame: pd.DataFrame,
    *,
    text_column: str = "text",
    label_column: str = "intent",
    model_version: str = "unregistered",
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Score ``frame`` and return the JSON-ready report and the confusion matrix (rows: true labels).

    Rows whose label the model was not trained on are out-of-scope: their right outcome is *not accepted*.
    """
    texts = frame[text_column].astype(str).tolist()
    labels = frame[label_column].astype(str).to_numpy()
    proba = model.predict_proba(texts)
    decisions = model.decide_from_proba(texts, proba, model_version=model_version)
    classes = model.classes
    predicted = classes[proba.argmax(axis=1)]
    confidence = proba.max(axis=1)
    in_scope = np.isin(labels, classes)
    correct = predicted == labels
    accepted = np.array([d.accepted for d in decisions])
    routes = np.array([d.route for d in decisions])

    report: dict[str, Any] = {"n": len(frame), "model_version": model_version}
    report.update(_headline(labels[in_scope], predicted[in_scope], confidence[in_scope], correct[in_scope]))
    report["baseline_accuracy"] = baseline_accuracy(model.card.label_counts, labels[in_scope])
    report["coverage_at_precision"] = {
        level: coverage_at_precision(confidence, correct & in_scope, float(level)) for level in PRECISION_LEVELS
    }
    report["coverage_curve"] = coverage_curve(confidence, correct & in_scope)
    report["calibration"] = {
        "method": model.card.calibration,
        "reliability": reliability_bins(confidence[in_scope], correct[in_scope]),
    }
    report["acceptance"] = {
        "accepted_share": float(accepted.mean()) if len(accepted) else 0.0,
        "accepted_precision": float((correct & accepted).sum() / accepted.sum()) if accepted.any() else None,
        "rules": dict(Counter(d.rule for d in decisions)),
    }
    report["routing"] = {
        "self_service_correct": int(((routes == "self_service") & correct).sum()),
        "self_service_wrong": int(((routes == "self_service") & ~correct).sum()),
        "human": int((routes == "human").sum()),
    }
    report["thresholds"] = {
        "acceptance_threshold": model.policy.acceptance_threshold,
        "ambiguity_margin": model.policy.ambiguity_margin,
        "intent_thresholds": dict(model.policy.intent_thresholds),
        "out_of_scope_threshold": model.policy.out_of_scope_threshold,
        "target_precision": model.policy.target_precision,
        "source": model.policy.threshold_source,
        "intent_threshold_rule": intent_threshold_rule(model.policy.target_precision),
    }
    report["per_intent"] = _per_intent(labels[in_scope], predicted[in_scope])
    _add_acceptance_by_intent(report["per_intent"], model, predicted, correct, accepted)
    report["slices"] = _slices(frame, in_scope, correct, accepted)
    out_of_scope = ~in_scope
    if out_of_scope.any():
        report["out_of_scope"] = {
            "n": int(out_of_scope.sum()),
            "recall": float((~accepted[out_of_scope]).mean()),
            "in_scope_accuracy": float((accepted & correct)[in_scope].mean()) if in_scope.any() else None,
            "threshold": model.policy.out_of_scope_threshold,
            "rules": dict(Counter(d.rule for d, oos in zip(decisions, out_of_scope, strict=True) if oos)),
        }
    matrix_labels = sorted(set(labels[in_scope]) | set(predicted[in_scope]))
    matrix = pd.DataFrame(
        confusion_matrix(labels[in_scope], predicted[in_scope], labels=matrix_labels)
        if matrix_labels
        else np.zeros((0, 0), dtype=int),
        index=matrix_labels,
        columns=matrix_labels,
    )
    return report, matrix


def _headline(labels: np.ndarray, predicted: np.ndarray, confidence: np.ndarray, correct: np.ndarray) -> dict:
    if not len(labels):
        return {"n_in_scope": 0, "accuracy": None, "macro_f1": None, "ece": None}
    return {
        "n_in_scope": len(labels),
        "accuracy": float(correct.mean()),
        "macro_f1": float(f1_score(labels, predicted, average="macro", zero_division=0)),
        "ece": expected_calibration_error(confidence, correct),
    }


def _per_intent(labels: np.ndarray, predicted: np.ndarray) -> dict[str, dict[str, float]]:
    if not len(labels):
        return {}
    raw = classification_report(labels, predicted, output_dict=True, zero_division=0)
    return {
        label: {
            "precision": float(values["precision"]),
            "recall": float(values["recall"]),
            "f1": float(values["f1-score"]),
            "support": int(values["support"]),
        }
        for label, values in raw.items()
        if isinstance(values, dict) and label not in ("macro avg", "weighted avg") and values["support"] > 0
    }


def _add_acceptance_by_intent(
    per_intent: dict[str, dict[str, Any]],
    model: TriageModel,
    predicted: np.ndarray,
    correct: np.ndarray,
    accepted: np.ndarray,
) -> None:
    """Each intent's threshold, and how many contacts it accepted as that intent and how precisely."""
    for intent, values in per_intent.items():
        rows = accepted & (predicted == intent)
        values["threshold"] = model.policy.threshold_for(intent)
        values["accepted"] = int(rows.sum())
        values["accepted_precision"] = float(correct[rows].mean()) if rows.any() else None


def _slices(frame: pd.DataFrame, in_scope: np.ndarray, correct: np.ndarray, accepted: np.ndarray) -> dict:
    slices: dict[str, dict[str, dict[str, Any]]] = {}
    for column in SEGMENT_COLUMNS:
        if column not in frame.columns:
            continue
        values = frame[column].astype(str).to_numpy()
        slices[column] = {}
        for value in sorted(set(values)):
            rows = values == value
            scoped = rows & in_scope
            slices[column][value] = {
                "n": int(rows.sum()),
                "accuracy": float(correct[scoped].mean()) if scoped.any() else None,
                "accepted_share": float(accepted[rows].mean()),
            }
    return slices
