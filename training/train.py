"""`triage train`: load, validate, fit, evaluate, log to MLflow, register a version as `challenger`."""

from __future__ import annotations

import json
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd

from training.data import load_labelled
from training.fit import FitOptions, FitResult, fit_model
from training.plots import save_evaluation_figures
from training.registry import ensure_experiment, log_model, register, use_tracking
from training.safeguarding import evaluate_safeguarding, has_safeguarding_labels, safeguarding_metrics
from triage.classifiers import make_classifier
from triage.config import CoreSettings
from triage.taxonomy import load_taxonomy

HELD_OUT_SPLIT = "a stratified held-out split of the training data"


@dataclass(frozen=True)
class TrainOutcome:
    registered_name: str
    version: str
    run_id: str
    model_uri: str
    validation: dict[str, Any] | None

    def summary(self) -> dict[str, Any]:
        metrics = self.validation or {}
        return {
            "registered_name": self.registered_name,
            "version": self.version,
            "alias": "challenger",
            "run_id": self.run_id,
            "model_uri": f"models:/{self.registered_name}/{self.version}",
            "validation": {k: metrics.get(k) for k in ("n", "accuracy", "macro_f1", "ece", "baseline_accuracy")}
            | {"coverage_at_precision": metrics.get("coverage_at_precision")}
            | ({"out_of_scope": metrics["out_of_scope"]} if metrics.get("out_of_scope") else {}),
            "thresholds": metrics.get("thresholds"),
        }


def train(
    *,
    data: str | Path,
    settings: CoreSettings,
    options: FitOptions,
    registered_name: str = "triage",
    taxonomy_path: str | Path | None = None,
    validation_path: str | Path | None = None,
    include_feedback: bool = False,
    data_description: str | None = None,
) -> TrainOutcome:
    """Train and register a model; nothing is registered unless every step before registration succeeded.

    With ``include_feedback``, agent-labelled decisions from the decision log are added to the data.
    ``data_description`` (where the data came from, in words) is kept as the run's ``data_description`` tag,
    so reports can say what each figure was measured on.
    """
    make_classifier(options.model_type)  # unknown model names fail before any work
    taxonomy = load_taxonomy(taxonomy_path)
    frame = load_labelled(data, text_column=options.text_column, label_column=options.label_column, min_per_label=2)
    n_feedback = 0
    if include_feedback:
        frame, n_feedback = _add_feedback(frame, settings, options)
    validation = None
    if validation_path is not None:
        validation = load_labelled(validation_path, text_column=options.text_column, label_column=options.label_column)
    started = time.perf_counter()
    result = fit_model(frame, taxonomy=taxonomy, options=options, validation=validation)
    fit_seconds = time.perf_counter() - started

    client = use_tracking(settings)
    experiment_id = ensure_experiment(settings, client)
    with mlflow.start_run(experiment_id=experiment_id, run_name=f"train-{options.model_type}") as run:
        _log_run(
            result,
            data=str(data),
            validation=str(validation_path) if validation_path is not None else HELD_OUT_SPLIT,
            options=options,
            taxonomy_version=taxonomy.version,
        )
        if data_description:
            mlflow.set_tag("data_description", data_description[:5000])
        mlflow.log_metric("fit_seconds", fit_seconds)
        mlflow.log_param("feedback_rows", n_feedback)
        model_uri = log_model(result.model)
        version = register(
            client,
            model_uri,
            registered_name,
            tags={
                "model_type": options.model_type,
                "dataset_hash": result.model.card.dataset_hash,
                "run_id": run.info.run_id,
            },
        )
    return TrainOutcome(
        registered_name=registered_name,
        version=str(version.version),
        run_id=run.info.run_id,
        model_uri=model_uri,
        validation=result.report,
    )


def _log_run(result: FitResult, *, data: str, validation: str, options: FitOptions, taxonomy_version: str) -> None:
    model = result.model
    card = model.card
    mlflow.log_params(
        {
            "model_type": options.model_type,
            "data": data,
            "validation_data": validation,
            "text_column": options.text_column,
            "label_column": options.label_column,
            "n_train": card.n_train,
            "n_validation": card.n_validation,
            "n_labels": len(card.label_counts),
            "target_precision": options.target_precision,
            "ambiguity_margin": options.ambiguity_margin,
            "acceptance_threshold": model.policy.acceptance_threshold,
            "threshold_source": model.policy.threshold_source,
            "temperature": card.temperature,
            "calibration": card.calibration,
            "n_intent_thresholds": len(model.policy.intent_thresholds),
            "out_of_scope_threshold": model.policy.out_of_scope_threshold,
            "in_scope_pass_rate": options.in_scope_pass_rate,
            "out_of_scope_confidence_weight": getattr(model.out_of_scope, "confidence_weight", None),
            "out_of_scope_centroid_weight": getattr(model.out_of_scope, "centroid_weight", None),
            "n_out_of_scope_examples": card.n_out_of_scope_examples,
            "taxonomy_version": taxonomy_version,
            "policy_version": model.policy.version,
            **{f"clf.{k}": v for k, v in card.params.items()},
        }
    )
    mlflow.set_tags({"dataset_hash": card.dataset_hash, "model_type": options.model_type})
    mlflow.log_dict(card.model_dump(mode="json"), "model_card.json")
    mlflow.log_dict(model.policy.model_dump(mode="json"), "policy.json")
    for method, value in result.calibration.items():
        mlflow.log_metric(f"calibration_ece_{method}", value)
    if result.report is None:
        return
    mlflow.log_metrics(flatten_metrics(result.report))
    if has_safeguarding_labels(result.held_out):
        mlflow.log_metrics(
            safeguarding_metrics(
                evaluate_safeguarding(model.safeguarding, result.held_out, text_column=card.text_column)
            )
        )
    mlflow.log_dict(result.report, "evaluation/validation.json")
    with tempfile.TemporaryDirectory() as tmp:
        assert result.confusion is not None
        csv_path = Path(tmp) / "confusion_matrix.csv"
        result.confusion.to_csv(csv_path)
        mlflow.log_artifact(str(csv_path), "evaluation")
        for path in save_evaluation_figures(result.report, result.confusion, Path(tmp)):
            mlflow.log_artifact(str(path), "evaluation")


def _add_feedback(frame: pd.DataFrame, settings: CoreSettings, options: FitOptions) -> tuple[pd.DataFrame, int]:
    """The training frame plus the decision log's agent-labelled contacts (the log's text is already redacted)."""
    from training.feedback import feedback_rows, with_feedback
    from triage.decision_log import DecisionLog

    log = DecisionLog(settings.db_url)
    try:
        rows = feedback_rows(log, text_column=options.text_column, label_column=options.label_column)
    finally:
        log.close()
    combined = with_feedback(frame, rows, text_column=options.text_column, label_column=options.label_column)
    return combined, len(rows)


def flatten_metrics(report: dict[str, Any]) -> dict[str, float]:
    """The numeric headline metrics of an evaluation report, with names MLflow accepts."""
    flat: dict[str, float] = {}
    for key in ("accuracy", "macro_f1", "ece", "baseline_accuracy"):
        if isinstance(report.get(key), int | float):
            flat[key] = float(report[key])
    for level, value in report.get("coverage_at_precision", {}).items():
        flat[f"coverage_at_precision_{level}"] = float(value)
    out_of_scope = report.get("out_of_scope") or {}
    for key in ("recall", "in_scope_accuracy"):
        if isinstance(out_of_scope.get(key), float):
            flat[f"out_of_scope_{key}"] = out_of_scope[key]
    acceptance = report.get("acceptance", {})
    if isinstance(acceptance.get("accepted_share"), float):
        flat["accepted_share"] = acceptance["accepted_share"]
    if isinstance(acceptance.get("accepted_precision"), float):
        flat["accepted_precision"] = acceptance["accepted_precision"]
    for key, value in report.get("routing", {}).items():
        flat[f"routing_{key}"] = float(value)
    flat.update(segment_metrics(report))
    return flat


def segment_metrics(report: dict[str, Any]) -> dict[str, float]:
    """Per-segment size, accuracy and gap to overall accuracy, named ``segment_<measure>/<column>/<value>``."""
    overall = report.get("accuracy")
    flat: dict[str, float] = {}
    for column, values in (report.get("slices") or {}).items():
        for value, figures in values.items():
            name = f"{column}/{metric_safe(str(value))}"
            flat[f"segment_n/{name}"] = float(figures["n"])
            if isinstance(figures.get("accuracy"), float):
                flat[f"segment_accuracy/{name}"] = figures["accuracy"]
                if isinstance(overall, float):
                    flat[f"segment_gap/{name}"] = figures["accuracy"] - overall
    return flat


def metric_safe(value: str) -> str:
    """``value`` with the characters MLflow refuses in metric names replaced by ``_``."""
    return re.sub(r"[^\w\-. ]", "_", value)[:200] or "_"


def write_json(payload: dict[str, Any], path: str | Path) -> None:
    """Write JSON atomically: a failed write leaves no half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, default=str))
    tmp.replace(path)
