"""Fitting a triage model: split, fit, calibrate on held-out data, tune thresholds, keep a reference sample."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import train_test_split

from triage.calibration import TemperatureScaler
from triage.classifiers import make_classifier
from triage.errors import DataError, TriageWarning
from triage.model import ModelCard, TriageModel
from triage.policy import PolicyConfig
from triage.redaction import redact
from triage.taxonomy import Taxonomy
from triage.text import build_vocabulary
from training.data import dataset_hash
from training.evaluate import evaluate_model
from training.thresholds import tune_threshold

DEFAULT_TARGET_PRECISION = 0.95
DEFAULT_AMBIGUITY_MARGIN = 0.1
VALIDATION_SHARE = 0.15
MIN_CALIBRATION_ROWS = 30
REFERENCE_ROWS = 5000


class SmallDataWarning(TriageWarning):
    """Too little held-out data to calibrate or tune thresholds; documented defaults are used."""


@dataclass(frozen=True)
class FitOptions:
    text_column: str = "text"
    label_column: str = "intent"
    model_type: str = "tfidf"
    target_precision: float = DEFAULT_TARGET_PRECISION
    ambiguity_margin: float = DEFAULT_AMBIGUITY_MARGIN
    seed: int = 0
    refit_on_all: bool = True


def split_validation(frame: pd.DataFrame, *, label_column: str, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A stratified held-out split; empty validation when the data is too small to spare one."""
    n_labels = frame[label_column].nunique()
    n_validation = max(int(round(len(frame) * VALIDATION_SHARE)), n_labels)
    if len(frame) - n_validation < n_labels or frame[label_column].value_counts().min() < 2:
        return frame, frame.iloc[0:0]
    train, validation = train_test_split(frame, test_size=n_validation, stratify=frame[label_column], random_state=seed)
    return train, validation


@dataclass
class FitResult:
    """The fitted model and its evaluation on held-out data (made before any refit on all the data)."""

    model: TriageModel
    held_out: pd.DataFrame
    report: dict[str, Any] | None
    confusion: pd.DataFrame | None


def fit_model(
    frame: pd.DataFrame,
    *,
    taxonomy: Taxonomy,
    options: FitOptions,
    validation: pd.DataFrame | None = None,
) -> FitResult:
    """Fit, calibrate and tune a model on ``frame`` (and ``validation`` when given, else a held-out split).

    With an internal split and ``refit_on_all``, the classifier is refitted on all rows after the
    held-out evaluation; calibration and thresholds stay those measured on the held-out rows.
    """
    text, label = options.text_column, options.label_column
    if frame[label].nunique() < 2:
        raise DataError(f"Training data has only one label ({frame[label].iloc[0]!r}). A classifier needs two or more.")
    taxonomy = taxonomy.covering(frame[label].unique())
    internal_split = validation is None
    train, held_out = (
        split_validation(frame, label_column=label, seed=options.seed) if internal_split else (frame, validation)
    )
    classifier = make_classifier(options.model_type)
    classifier.fit(train[text].tolist(), train[label].to_numpy())

    calibrator, policy, reference = None, _default_policy(options), None
    if len(held_out) >= MIN_CALIBRATION_ROWS:
        proba = classifier.predict_proba(held_out[text].tolist())
        y = held_out[label].to_numpy()
        known = np.isin(y, classifier.classes_)
        index = {c: i for i, c in enumerate(classifier.classes_)}
        calibrator = TemperatureScaler().fit(proba[known], np.array([index[v] for v in y[known]]))
        calibrated = calibrator.transform(proba)
        policy = _tuned_policy(calibrated, classifier.classes_, y, options)
        reference = _reference(held_out, calibrated, classifier.classes_, options)
    else:
        warnings.warn(
            f"Only {len(held_out)} held-out rows (need {MIN_CALIBRATION_ROWS}) to calibrate confidence and tune "
            f"thresholds: using uncalibrated scores and the default threshold {policy.acceptance_threshold}. "
            "Add more labelled data for calibrated, tuned routing.",
            SmallDataWarning,
            stacklevel=2,
        )

    card = ModelCard(
        model_type=options.model_type,
        trained_at=datetime.now(UTC),
        n_train=len(train),
        n_validation=len(held_out),
        label_counts={str(k): int(v) for k, v in frame[label].value_counts().sort_index().items()},
        dataset_hash=dataset_hash(frame, [text, label]),
        text_column=text,
        label_column=label,
        temperature=calibrator.temperature_ if calibrator is not None else None,
        params={k: v for k, v in classifier.get_params().items() if isinstance(v, int | float | str | bool | None)},
    )
    model = TriageModel(
        classifier=classifier,
        taxonomy=taxonomy,
        policy=policy,
        card=card,
        calibrator=calibrator,
        reference=reference,
        vocabulary=build_vocabulary(frame[text]),
    )
    report = confusion = None
    if reference is not None:
        _add_reference_decisions(model, held_out.head(REFERENCE_ROWS)[text].astype(str).tolist(), calibrated)
        report, confusion = evaluate_model(model, held_out, text_column=text, label_column=label)
        model.card.validation_metrics = {k: report[k] for k in ("accuracy", "macro_f1", "ece", "baseline_accuracy")}
    if internal_split and options.refit_on_all and len(held_out):
        model.classifier = clone(classifier).fit(frame[text].tolist(), frame[label].to_numpy())
        model.card.n_train = len(frame)
    return FitResult(model=model, held_out=held_out, report=report, confusion=confusion)


def _add_reference_decisions(model: TriageModel, texts: list[str], proba: np.ndarray) -> None:
    """Route the reference rows with the tuned policy so monitoring can compare route and acceptance mix."""
    assert model.reference is not None
    decisions = model.decide_from_proba(texts, proba[: len(texts)], model_version="reference")
    model.reference["accepted"] = [d.accepted for d in decisions]
    model.reference["route"] = [d.route for d in decisions]
    model.reference["queue"] = [d.queue for d in decisions]


def _default_policy(options: FitOptions) -> PolicyConfig:
    return PolicyConfig(ambiguity_margin=options.ambiguity_margin, target_precision=options.target_precision)


def _tuned_policy(proba: np.ndarray, classes: np.ndarray, labels: np.ndarray, options: FitOptions) -> PolicyConfig:
    top2 = np.sort(proba, axis=1)[:, -2:]
    confidence = top2[:, 1]
    clear_margin = (top2[:, 1] - top2[:, 0]) >= options.ambiguity_margin
    correct = classes[proba.argmax(axis=1)] == labels
    threshold, source = tune_threshold(confidence, correct, clear_margin, target=options.target_precision)
    return PolicyConfig(
        acceptance_threshold=round(threshold, 6),
        ambiguity_margin=options.ambiguity_margin,
        target_precision=options.target_precision,
        threshold_source=source,
    )


def _reference(held_out: pd.DataFrame, proba: np.ndarray, classes: np.ndarray, options: FitOptions) -> pd.DataFrame:
    """Held-out rows with the model's predictions: the baseline that monitoring compares against (redacted)."""
    sample = held_out.head(REFERENCE_ROWS)
    proba = proba[: len(sample)]
    top = proba.argmax(axis=1)
    reference = pd.DataFrame(
        {
            "text": [redact(t) for t in sample[options.text_column].astype(str)],
            "label": sample[options.label_column].astype(str).to_numpy(),
            "intent": classes[top],
            "confidence": proba.max(axis=1),
        }
    )
    for column in ("channel", "language", "region"):
        if column in sample.columns:
            reference[column] = sample[column].astype(str).to_numpy()
    return reference
