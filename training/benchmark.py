"""`triage benchmark`: fit and evaluate each model type on one train/test pair, directly (no MLflow).

Each model goes through exactly what `triage train` does (split, fit, calibration, thresholds, out-of-scope
set-up, refit) and is then evaluated on the test file as `triage evaluate` would. Optionally some intents
are held out of training so the test rows with those labels measure out-of-scope detection.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from training.evaluate import evaluate_model
from training.fit import DEFAULT_TARGET_PRECISION, FitOptions, fit_model
from triage.classifiers import make_classifier
from triage.errors import DataError, UnknownTaxonomyLabelWarning
from triage.model import TriageModel
from triage.taxonomy import load_taxonomy

DEFAULT_MODELS = ("tfidf", "embedding", "ensemble", "finetune")
LATENCY_SINGLE = 50
LATENCY_BATCH = 64
LATENCY_BATCHES = 5


@dataclass
class BenchmarkRow:
    model: str
    accuracy: float
    macro_f1: float
    coverage_at_098: float
    ece: float
    train_seconds: float
    ms_single: float
    ms_batched: float
    calibration: str | None
    accepted_share: float
    accepted_precision: float | None
    out_of_scope_recall: float | None = None
    in_scope_accuracy: float | None = None


def run_benchmark(
    train: pd.DataFrame,
    test: pd.DataFrame,
    *,
    models: Sequence[str] = DEFAULT_MODELS,
    text_column: str = "text",
    label_column: str = "intent",
    target_precision: float = DEFAULT_TARGET_PRECISION,
    holdout_intents: int = 0,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Fit and evaluate each named model type; returns the set-up and one :class:`BenchmarkRow` per model.

    ``holdout_intents`` labels (chosen with ``seed``) are dropped from ``train``; their ``test`` rows are
    then out of scope. Latency is measured through ``TriageModel.decide`` (scoring, out-of-scope check and
    policy) on test texts the model has not seen, one at a time and in batches of 64.
    """
    for name in models:
        make_classifier(name)  # unknown names fail before any work, listing the known ones
    if not models:
        raise DataError("Name at least one model to benchmark, e.g. --models tfidf,ensemble.")
    held_out_labels = _choose_holdout(train[label_column], holdout_intents, seed)
    if held_out_labels:
        train = train[~train[label_column].isin(held_out_labels)].reset_index(drop=True)
    setup = {
        "n_train": len(train),
        "n_test": len(test),
        "labels": int(train[label_column].nunique()),
        "target_precision": target_precision,
        "held_out_intents": sorted(held_out_labels),
        "seed": seed,
    }
    rows: list[BenchmarkRow] = []
    reports: dict[str, dict[str, Any]] = {}
    for name in models:
        if progress is not None:
            progress(f"{name}: fitting on {len(train)} rows")
        options = FitOptions(
            text_column=text_column,
            label_column=label_column,
            model_type=name,
            target_precision=target_precision,
            seed=seed,
        )
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnknownTaxonomyLabelWarning)  # the taxonomy plays no part here
            model = fit_model(train, taxonomy=load_taxonomy(), options=options).model
        train_seconds = time.perf_counter() - started
        texts = test[text_column].astype(str).tolist()
        ms_single, ms_batched = measure_latency(model, texts)
        report, _ = evaluate_model(model, test, text_column=text_column, label_column=label_column)
        reports[name] = report
        rows.append(_row(name, report, train_seconds, ms_single, ms_batched, model))
        if progress is not None:
            progress(f"{name}: accuracy {report['accuracy']:.4f} in {train_seconds:.0f} s")
    return {"setup": setup, "rows": [asdict(row) for row in rows], "reports": reports}


def measure_latency(model: TriageModel, texts: list[str]) -> tuple[float, float]:
    """Milliseconds per contact through ``decide``: one contact per call, then batches of 64 (unseen texts)."""
    single = texts[:LATENCY_SINGLE]
    batched = texts[LATENCY_SINGLE : LATENCY_SINGLE + LATENCY_BATCH * LATENCY_BATCHES]
    model.decide(["warm up the model"])
    started = time.perf_counter()
    for text in single:
        model.decide([text])
    ms_single = 1000 * (time.perf_counter() - started) / max(len(single), 1)
    started = time.perf_counter()
    for start in range(0, len(batched), LATENCY_BATCH):
        model.decide(batched[start : start + LATENCY_BATCH])
    ms_batched = 1000 * (time.perf_counter() - started) / max(len(batched), 1)
    return ms_single, ms_batched


def _choose_holdout(labels: pd.Series, n: int, seed: int) -> set[str]:
    if n <= 0:
        return set()
    names = sorted(labels.astype(str).unique())
    if n > len(names) - 2:
        raise DataError(f"Cannot hold out {n} of {len(names)} intents: at least two must stay in training.")
    return {str(v) for v in np.random.default_rng(seed).choice(names, n, replace=False)}


def _row(
    name: str, report: dict[str, Any], seconds: float, ms_single: float, ms_batched: float, model: TriageModel
) -> BenchmarkRow:
    out_of_scope = report.get("out_of_scope") or {}
    return BenchmarkRow(
        model=name,
        accuracy=report["accuracy"],
        macro_f1=report["macro_f1"],
        coverage_at_098=report["coverage_at_precision"]["0.98"],
        ece=report["ece"],
        train_seconds=seconds,
        ms_single=ms_single,
        ms_batched=ms_batched,
        calibration=model.card.calibration,
        accepted_share=report["acceptance"]["accepted_share"],
        accepted_precision=report["acceptance"]["accepted_precision"],
        out_of_scope_recall=out_of_scope.get("recall"),
        in_scope_accuracy=out_of_scope.get("in_scope_accuracy"),
    )


def format_table(result: dict[str, Any]) -> str:
    """The benchmark as a Markdown table (out-of-scope columns only when intents were held out)."""
    with_oos = bool(result["setup"]["held_out_intents"])
    target = result["setup"]["target_precision"]
    header = [
        "model",
        "accuracy",
        "macro-F1",
        "coverage @0.98 precision",
        "ECE",
        "train s",
        "ms/contact single",
        "ms/contact batched",
        "calibration",
        f"accepted (target {target:g})",
        "accepted precision",
    ]
    if with_oos:
        header += ["OOS not accepted", "in-scope accepted & right"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in result["rows"]:
        cells = [
            row["model"],
            f"{row['accuracy']:.4f}",
            f"{row['macro_f1']:.4f}",
            f"{row['coverage_at_098']:.3f}",
            f"{row['ece']:.4f}",
            f"{row['train_seconds']:.0f}",
            f"{row['ms_single']:.1f}",
            f"{row['ms_batched']:.2f}",
            str(row["calibration"]),
            f"{row['accepted_share']:.3f}",
            "-" if row["accepted_precision"] is None else f"{row['accepted_precision']:.4f}",
        ]
        if with_oos:
            cells += [_fmt(row["out_of_scope_recall"]), _fmt(row["in_scope_accuracy"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
