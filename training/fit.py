"""Fitting a triage model: split, fit, calibrate on held-out data, tune thresholds, keep a reference sample."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import train_test_split

from training.data import dataset_hash
from training.evaluate import evaluate_model
from training.safeguarding import fit_safeguarding, has_safeguarding_labels
from training.thresholds import round_down, tune_intent_thresholds, tune_threshold
from triage.calibration import TemperatureScaler, calibrator_name, choose_calibrator
from triage.classifiers import make_classifier
from triage.classifiers.out_of_scope import OutOfScopeScorer
from triage.errors import DataError, TriageWarning
from triage.model import ModelCard, TriageModel
from triage.policy import PolicyConfig
from triage.redaction import redact
from triage.taxonomy import Taxonomy
from triage.text import build_vocabulary, oov_rate

DEFAULT_TARGET_PRECISION = 0.95
DEFAULT_AMBIGUITY_MARGIN = 0.1
VALIDATION_SHARE = 0.15
MIN_CALIBRATION_ROWS = 30
REFERENCE_ROWS = 5000
DEFAULT_IN_SCOPE_PASS_RATE = 0.985
OUT_OF_SCOPE_LABELS = ("oos", "out_of_scope", "out-of-scope")
MIN_OUT_OF_SCOPE_EXAMPLES = 20
SIGNAL_WEIGHT_STEP = 0.2


class SmallDataWarning(TriageWarning):
    """Too little held-out data to calibrate or tune thresholds; documented defaults are used."""


@dataclass(frozen=True)
class FitOptions:
    """How to fit. ``model_type`` defaults to the fast ``tfidf`` for library callers; the CLI's default is
    :data:`triage.classifiers.DEFAULT_MODEL_TYPE`.

    ``refit_on_all``: after the held-out measurements, refit the classifier on all rows (model types whose
    fit is expensive, such as ``finetune``, opt out). ``in_scope_pass_rate``: the share of correctly accepted
    held-out contacts the out-of-scope check must let through (it sets that check's threshold).
    ``out_of_scope_labels``: labels (any case) that mark examples of contacts outside every intent, such as
    the ``oos`` rows of public out-of-scope benchmarks. They are never learnt as an intent: they tune how
    the out-of-scope check weighs its signals and are scored as out-of-scope in the held-out report.
    """

    text_column: str = "text"
    label_column: str = "intent"
    model_type: str = "tfidf"
    target_precision: float = DEFAULT_TARGET_PRECISION
    ambiguity_margin: float = DEFAULT_AMBIGUITY_MARGIN
    seed: int = 0
    refit_on_all: bool = True
    out_of_scope: bool = True
    in_scope_pass_rate: float = DEFAULT_IN_SCOPE_PASS_RATE
    out_of_scope_labels: tuple[str, ...] = OUT_OF_SCOPE_LABELS


def split_validation(frame: pd.DataFrame, *, label_column: str, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A stratified held-out split; empty validation when the data is too small to spare one."""
    n_labels = frame[label_column].nunique()
    n_validation = max(round(len(frame) * VALIDATION_SHARE), n_labels)
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
    calibration: dict[str, float] = field(default_factory=dict)  # cross-fitted held-out ECE of each method


def fit_model(
    frame: pd.DataFrame,
    *,
    taxonomy: Taxonomy,
    options: FitOptions,
    validation: pd.DataFrame | None = None,
) -> FitResult:
    """Fit, calibrate and tune a model on ``frame`` (and ``validation`` when given, else a held-out split).

    On the held-out rows: the calibration method (temperature or isotonic, the lower cross-fitted ECE),
    the global and per-intent acceptance thresholds for ``options.target_precision``, and the out-of-scope
    check's threshold. With an internal split and ``refit_on_all``, the classifier is then refitted on all
    rows; calibration and thresholds stay those measured on the held-out rows. Texts are embedded once:
    the frozen-encoder models cache embeddings by text across fit, calibration, thresholds and the refit.
    """
    text, label = options.text_column, options.label_column
    frame, out_of_scope_examples = split_out_of_scope_examples(frame, label, options.out_of_scope_labels)
    if validation is not None:
        validation, more_examples = split_out_of_scope_examples(validation, label, options.out_of_scope_labels)
        out_of_scope_examples = pd.concat([out_of_scope_examples, more_examples])
    if frame.empty:
        raise DataError(
            f"Every training row is labelled as out-of-scope ({', '.join(options.out_of_scope_labels)}): "
            "add rows labelled with the intents to learn."
        )
    if frame[label].nunique() < 2:
        raise DataError(f"Training data has only one label ({frame[label].iloc[0]!r}). A classifier needs two or more.")
    if not 0.5 <= options.in_scope_pass_rate <= 1.0:
        raise DataError(f"in_scope_pass_rate must be between 0.5 and 1, got {options.in_scope_pass_rate}.")
    taxonomy = taxonomy.covering(frame[label].unique())
    internal_split = validation is None
    train, held_out = (
        split_validation(frame, label_column=label, seed=options.seed) if internal_split else (frame, validation)
    )
    train_texts = train[text].astype(str).tolist()
    classifier = make_classifier(options.model_type)
    classifier.fit(train_texts, train[label].to_numpy())

    calibrator, policy, reference = None, _default_policy(options), None
    calibration: dict[str, float] = {}
    if len(held_out) >= MIN_CALIBRATION_ROWS:
        held_texts = held_out[text].astype(str).tolist()
        proba = classifier.predict_proba(held_texts)
        y = held_out[label].astype(str).to_numpy()
        known = np.isin(y, classifier.classes_)
        index = {c: i for i, c in enumerate(classifier.classes_)}
        calibrator, calibration = choose_calibrator(
            proba[known], np.array([index[v] for v in y[known]]), seed=options.seed
        )
        calibrated = calibrator.transform(proba)
        policy = _tuned_policy(calibrated, classifier.classes_, y, options)
        reference = _reference(held_out, calibrated, classifier.classes_, options)
    else:
        warnings.warn(
            f"Only {len(held_out)} held-out rows (need {MIN_CALIBRATION_ROWS}) to calibrate confidence, tune "
            f"thresholds and set up out-of-scope detection: using uncalibrated scores, the default threshold "
            f"{policy.acceptance_threshold} for every intent and no out-of-scope check. "
            "Add more labelled data for calibrated, tuned routing.",
            SmallDataWarning,
            stacklevel=2,
        )

    card = ModelCard(
        model_type=options.model_type,
        trained_at=datetime.now(UTC),
        n_train=len(train),
        n_validation=len(held_out),
        n_out_of_scope_examples=len(out_of_scope_examples),
        label_counts={str(k): int(v) for k, v in frame[label].value_counts().sort_index().items()},
        dataset_hash=dataset_hash(frame, [text, label]),
        text_column=text,
        label_column=label,
        temperature=calibrator.temperature_ if isinstance(calibrator, TemperatureScaler) else None,
        calibration=calibrator_name(calibrator),
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
    if has_safeguarding_labels(train):
        model.safeguarding = fit_safeguarding(train, held_out, text_column=text)
    if reference is not None:
        # The monitoring baseline: how many words of unseen contacts the training split's vocabulary misses.
        train_vocabulary = build_vocabulary(train[text].astype(str))
        reference["oov_rate"] = [oov_rate(t, train_vocabulary) for t in reference["text"]]
    report = confusion = None
    if reference is not None:
        if options.out_of_scope and hasattr(classifier, "embed"):
            # What the policy accepts correctly without the check is what the check must mostly let through.
            decisions = model.decide_from_proba(held_texts, calibrated)
            good = np.array([d.accepted for d in decisions]) & (classifier.classes_[calibrated.argmax(axis=1)] == y)
            oos_texts = out_of_scope_examples[text].astype(str).tolist()
            oos = (oos_texts, model.predict_proba(oos_texts) if oos_texts else np.empty((0, len(classifier.classes_))))
            model.out_of_scope, model.policy = _fit_out_of_scope(
                classifier, train, held_texts, calibrated, y, good, oos, policy, options
            )
        _add_reference_decisions(model, held_texts[:REFERENCE_ROWS], calibrated)
        report, confusion = evaluate_model(
            model, pd.concat([held_out, out_of_scope_examples]), text_column=text, label_column=label
        )
        # The held-out rows also fitted the calibration: the honest ECE is the cross-fitted one.
        report["ece_in_sample"] = report["ece"]
        report["ece"] = calibration[model.card.calibration]
        model.card.validation_metrics = {k: report[k] for k in ("accuracy", "macro_f1", "ece", "baseline_accuracy")}
        model.card.validation_metrics["calibration_ece_cross_fitted"] = calibration
    refit = internal_split and options.refit_on_all and getattr(classifier, "refit_on_all_data", True)
    if refit and len(held_out):
        model.classifier = clone(classifier).fit(frame[text].astype(str).tolist(), frame[label].to_numpy())
        model.card.n_train = len(frame)
        if model.out_of_scope is not None:
            # Same training-split neighbours, seen through the refitted model (a no-op for frozen encoders).
            model.out_of_scope, model.policy = _fit_out_of_scope(
                model.classifier, train, held_texts, calibrated, y, good, oos, policy, options
            )
    return FitResult(model=model, held_out=held_out, report=report, confusion=confusion, calibration=calibration)


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
    predicted = classes[proba.argmax(axis=1)]
    correct = predicted == labels
    threshold, source = tune_threshold(confidence, correct, clear_margin, target=options.target_precision)
    intent_thresholds: dict[str, float] = {}
    if source == "tuned":
        intent_thresholds = tune_intent_thresholds(
            confidence, predicted, correct, clear_margin, target=options.target_precision, global_threshold=threshold
        )
    return PolicyConfig(
        acceptance_threshold=round_down(threshold),
        ambiguity_margin=options.ambiguity_margin,
        intent_thresholds=intent_thresholds,
        target_precision=options.target_precision,
        threshold_source=source,
    )


def split_out_of_scope_examples(
    frame: pd.DataFrame, label_column: str, labels: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows with an intent label, rows labelled as out-of-scope examples)."""
    marked = frame[label_column].astype(str).str.strip().str.lower().isin({v.lower() for v in labels})
    return frame[~marked], frame[marked]


def _fit_out_of_scope(
    classifier: Any,
    train: pd.DataFrame,
    held_texts: list[str],
    calibrated: np.ndarray,
    labels: np.ndarray,
    good: np.ndarray,
    out_of_scope_examples: tuple[list[str], np.ndarray],
    policy: PolicyConfig,
    options: FitOptions,
) -> tuple[OutOfScopeScorer, PolicyConfig]:
    """The out-of-scope scorer, and ``policy`` with a threshold that lets ``in_scope_pass_rate`` of the ``good``
    held-out contacts (accepted with the right intent) through; of all in-scope ones when too few are good.

    ``out_of_scope_examples``: texts labelled as outside every intent and their calibrated probabilities.
    With at least :data:`MIN_OUT_OF_SCOPE_EXAMPLES` of them, the weights of the scorer's signals are the
    ones (on a grid of :data:`SIGNAL_WEIGHT_STEP`) that keep most of them out at that pass rate; ties go to
    the weights nearest the defaults.
    """
    known = np.isin(labels, classifier.classes_)
    index = {c: i for i, c in enumerate(classifier.classes_)}
    train_labels = np.array([index[v] for v in train[options.label_column]])
    held_embeddings = classifier.embed(held_texts)
    scorer = OutOfScopeScorer(seed=options.seed).fit(
        classifier.embed(train[options.text_column].astype(str).tolist()),
        train_labels,
        held_out=held_embeddings[known],
        held_out_proba=calibrated[known],
    )
    basis = good if good.sum() >= MIN_CALIBRATION_ROWS else known
    in_scope = scorer.signals(held_embeddings[basis], calibrated[basis])
    oos_texts, oos_proba = out_of_scope_examples
    if len(oos_texts) >= MIN_OUT_OF_SCOPE_EXAMPLES:
        scorer.set_params(
            **_best_signal_weights(
                scorer, in_scope, scorer.signals(classifier.embed(oos_texts), oos_proba), options.in_scope_pass_rate
            )
        )
    threshold = _pass_rate_threshold(scorer.combine(*in_scope), options.in_scope_pass_rate)
    return scorer, policy.model_copy(update={"out_of_scope_threshold": threshold})


def _best_signal_weights(
    scorer: OutOfScopeScorer,
    in_scope: tuple[np.ndarray, ...],
    out_of_scope: tuple[np.ndarray, ...],
    pass_rate: float,
) -> dict[str, float]:
    """The signal weights that reject the most ``out_of_scope`` rows at the threshold letting ``pass_rate`` of
    the ``in_scope`` rows through (signals as given by :meth:`OutOfScopeScorer.signals`)."""
    defaults = OutOfScopeScorer().get_params()
    steps = np.round(np.arange(0.0, 1.0 + 1e-9, SIGNAL_WEIGHT_STEP), 6)
    rejected: dict[tuple[float, float], float] = {}
    for confidence_weight in steps:
        for centroid_weight in steps[steps <= 1.0 - confidence_weight + 1e-9]:
            candidate = clone(scorer).set_params(confidence_weight=confidence_weight, centroid_weight=centroid_weight)
            threshold = _pass_rate_threshold(candidate.combine(*in_scope), pass_rate)
            rejected[confidence_weight, centroid_weight] = float((candidate.combine(*out_of_scope) < threshold).mean())

    def distance_from_defaults(weights: tuple[float, float]) -> float:
        return abs(weights[0] - defaults["confidence_weight"]) + abs(weights[1] - defaults["centroid_weight"])

    best = max(rejected, key=lambda w: (rejected[w], -distance_from_defaults(w)))
    return {"confidence_weight": float(best[0]), "centroid_weight": float(best[1])}


def _pass_rate_threshold(scores: np.ndarray, pass_rate: float) -> float:
    """The threshold that lets ``pass_rate`` of ``scores`` through, rounded down so the row at it passes."""
    return round_down(float(np.quantile(scores, 1.0 - pass_rate, method="lower")))


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
