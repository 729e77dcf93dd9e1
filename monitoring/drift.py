"""A drift report (Evidently 0.7) comparing current contacts and decisions with the model's reference.

The drift rule (see :func:`decide_drift`): drift is detected when

1. Evidently's dataset-drift test fails: the share of drifted columns reaches ``drift_share``
   (default 0.5), or
2. any *key column* drifted: by default ``oov_rate`` (citizens use words the model never saw, so its
   inputs are leaving what it learned) and ``intent`` (the mix of predicted intents changed, so the
   thresholds tuned on the old mix may no longer hold the misroute target).

Each column's test and threshold are chosen by Evidently from the column type and the sample size
(for example K-S / chi-square p-values up to 1,000 rows, Wasserstein / Jensen-Shannon distances above);
``per_column_method`` and ``per_column_threshold`` override them. Every per-column verdict is read from
the report's own results, never recomputed here.
"""

from __future__ import annotations

import html
import json
import math
import os
import shutil
import uuid
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from monitoring.frames import CATEGORICAL_COLUMNS, NUMERICAL_COLUMNS
from triage.errors import ConfigError, DataError, TriageError

if TYPE_CHECKING:
    from evidently import Dataset

DEFAULT_TITLE = "Contact triage: drift against the training reference"
DEFAULT_MIN_ROWS = 30
DEFAULT_KEY_COLUMNS = ("oov_rate", "intent")
HTML_NAME, JSON_NAME, SUMMARY_NAME = "drift.html", "drift.json", "summary.json"
# Descriptors Evidently computes from the text (both work offline: no NLTK data).
EVIDENTLY_DESCRIPTORS = ("sentence_count", "non_letter_share")
_VALUE_DRIFT = "evidently:metric_v2:ValueDrift"
_DRIFTED_COLUMNS = "evidently:metric_v2:DriftedColumnsCount"


class DriftReportError(TriageError):
    """The drift report ran but its results are not in the shape this module reads."""


class DriftOptions(BaseModel):
    """How drift is judged; the defaults are documented in the module docstring."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    drift_share: float = Field(default=0.5, gt=0.0, le=1.0, description="Share of drifted columns that is drift.")
    key_columns: tuple[str, ...] = Field(default=DEFAULT_KEY_COLUMNS, description="Any of these drifting is drift.")
    min_rows: int = Field(default=DEFAULT_MIN_ROWS, ge=2, description="Rows needed on each side.")
    per_column_method: dict[str, str] = Field(default_factory=dict, description="Evidently stat test per column.")
    per_column_threshold: dict[str, float] = Field(default_factory=dict, description="Threshold per column.")


class ColumnDrift(BaseModel):
    """Evidently's verdict on one column."""

    stat_test: str = Field(description="Evidently's test, e.g. 'K-S p_value' or 'Jensen-Shannon distance'.")
    score: float | None = Field(description="The test's score (a p-value or a distance, see stat_test).")
    threshold: float
    drifted: bool


class DriftSummary(BaseModel):
    """What a reader needs from a drift report, also written as ``summary.json`` next to it."""

    title: str
    generated_at: datetime
    drift_detected: bool
    reasons: list[str] = Field(description="Plain-English reasons for the verdict.")
    notes: list[str] = Field(default_factory=list, description="Caveats a reader should know.")
    drifted_columns: list[str]
    drifted_share: float = Field(description="Share of compared columns that drifted.")
    drift_share_threshold: float
    key_columns: list[str]
    columns: dict[str, ColumnDrift]
    n_reference: int
    n_current: int
    context: dict[str, str] = Field(default_factory=dict, description="Model version, window, sources.")
    out_dir: str
    html_path: str
    json_path: str
    summary_path: str


@dataclass(frozen=True)
class DriftEvaluation:
    """The verdict of one drift run and the Evidently snapshot it came from (nothing written yet)."""

    snapshot: Any
    columns: dict[str, ColumnDrift]
    dataset_drift: bool
    drifted_share: float
    drift_detected: bool
    reasons: list[str]


def evaluate_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    options: DriftOptions | None = None,
    title: str = DEFAULT_TITLE,
    timestamp: datetime | None = None,
    tags: Sequence[str] = (),
    metadata: Mapping[str, str] | None = None,
) -> DriftEvaluation:
    """Run Evidently on two aligned frames and apply the drift rule; ``timestamp`` dates the snapshot."""
    options = options or DriftOptions()
    _check_frames(reference, current, min_rows=options.min_rows)
    snapshot = _run_report(
        reference,
        current,
        columns=drift_columns(reference),
        options=options,
        title=title,
        timestamp=timestamp,
        tags=tags,
        metadata=metadata,
    )
    per_column, dataset_drift, drifted_share = parse_results(snapshot.dict())
    drift_detected, reasons = decide_drift(
        per_column, dataset_drift=dataset_drift, drifted_share=drifted_share, options=options
    )
    return DriftEvaluation(
        snapshot=snapshot,
        columns=per_column,
        dataset_drift=dataset_drift,
        drifted_share=drifted_share,
        drift_detected=drift_detected,
        reasons=reasons,
    )


def run_drift_report(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    out_dir: str | Path,
    title: str = DEFAULT_TITLE,
    options: DriftOptions | None = None,
    context: Mapping[str, str] | None = None,
    timestamp: datetime | None = None,
    on_snapshot: Callable[[Any], None] | None = None,
) -> DriftSummary:
    """Run the drift report on two aligned frames (see :func:`monitoring.frames.align`) and write it.

    Writes ``drift.html``, ``drift.json`` (Evidently's results) and ``summary.json`` into ``out_dir``,
    which must not exist yet or be empty. Everything is written to a hidden sibling folder first and
    renamed at the end, so a failed run leaves nothing half-written. ``on_snapshot`` receives the Evidently
    snapshot (dated ``timestamp``) once the files are written, e.g. to add it to a dashboard workspace.
    """
    options = options or DriftOptions()
    _check_frames(reference, current, min_rows=options.min_rows)
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ConfigError(f"{out_dir} already exists and is not an empty folder. Choose another --out-dir.")
    evaluation = evaluate_drift(reference, current, options=options, title=title, timestamp=timestamp, metadata=context)
    per_column = evaluation.columns
    summary = DriftSummary(
        title=title,
        generated_at=datetime.now(UTC),
        drift_detected=evaluation.drift_detected,
        reasons=evaluation.reasons,
        notes=caveats(reference, current),
        drifted_columns=[c for c, v in per_column.items() if v.drifted],
        drifted_share=evaluation.drifted_share,
        drift_share_threshold=options.drift_share,
        key_columns=[c for c in options.key_columns if c in per_column],
        columns=per_column,
        n_reference=len(reference),
        n_current=len(current),
        context=dict(context or {}),
        out_dir=str(out_dir),
        html_path=str(out_dir / HTML_NAME),
        json_path=str(out_dir / JSON_NAME),
        summary_path=str(out_dir / SUMMARY_NAME),
    )
    _write_atomically(out_dir, evaluation.snapshot, summary)
    if on_snapshot is not None:
        on_snapshot(evaluation.snapshot)
    return summary


def drift_columns(frame: pd.DataFrame) -> list[str]:
    """The columns compared: predictions, segments and descriptors present in the frame (never raw text)."""
    present = [c for c in (*CATEGORICAL_COLUMNS, *NUMERICAL_COLUMNS) if c in frame.columns]
    return [*present, *EVIDENTLY_DESCRIPTORS] if "text" in frame.columns else present


def _check_frames(reference: pd.DataFrame, current: pd.DataFrame, *, min_rows: int) -> None:
    for name, frame in (("current", current), ("reference", reference)):
        if len(frame) < min_rows:
            raise DataError(
                f"The {name} data has {len(frame)} row(s); a drift report needs at least {min_rows} on each side. "
                + (
                    "Widen --since/--until or pass a larger --current file."
                    if name == "current"
                    else "Pass a larger --reference file or retrain with more held-out data."
                )
            )
    if list(reference.columns) != list(current.columns):
        raise DataError(
            f"Reference and current data have different columns ({', '.join(reference.columns)} vs "
            f"{', '.join(current.columns)}). Build both with monitoring.frames.align."
        )
    if not any(c in reference.columns for c in (*CATEGORICAL_COLUMNS, *NUMERICAL_COLUMNS)):
        raise DataError("The data has none of the monitored columns (intent, confidence, descriptors, ...).")


def _datasets(reference: pd.DataFrame, current: pd.DataFrame) -> tuple[Dataset, Dataset]:
    from evidently import DataDefinition, Dataset
    from evidently.descriptors import NonLetterCharacterPercentage, SentenceCount

    definition = DataDefinition(
        text_columns=["text"] if "text" in reference.columns else [],
        numerical_columns=[c for c in NUMERICAL_COLUMNS if c in reference.columns],
        categorical_columns=[c for c in CATEGORICAL_COLUMNS if c in reference.columns],
    )
    descriptors = (
        [
            SentenceCount("text", alias="sentence_count"),
            NonLetterCharacterPercentage("text", alias="non_letter_share"),
        ]
        if "text" in reference.columns
        else []
    )

    def dataset(frame: pd.DataFrame) -> Dataset:
        return Dataset.from_pandas(frame.reset_index(drop=True), data_definition=definition, descriptors=descriptors)

    return dataset(reference), dataset(current)


def _run_report(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    columns: Sequence[str],
    options: DriftOptions,
    title: str,
    timestamp: datetime | None = None,
    tags: Sequence[str] = (),
    metadata: Mapping[str, str] | None = None,
) -> Any:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    from evidently import Report
    from evidently.presets import DataDriftPreset

    register_stattests()
    reference_data, current_data = _datasets(reference, current)
    report = Report(
        [
            DataDriftPreset(
                columns=list(columns),
                drift_share=options.drift_share,
                per_column_method=dict(options.per_column_method) or None,
                per_column_threshold=dict(options.per_column_threshold) or None,
            )
        ],
        include_tests=True,
    )
    with warnings.catch_warnings():
        # Expected numerical noise, not problems: a constant column (every text one sentence long) makes
        # numpy's correlation divide by zero while Evidently draws plots, and a category absent from the
        # reference makes the chi-square statistic infinite (p-value 0: correctly reported as drift).
        warnings.filterwarnings("ignore", message="invalid value encountered", category=RuntimeWarning)
        warnings.filterwarnings("ignore", message="divide by zero encountered", category=RuntimeWarning)
        return report.run(
            current_data,
            reference_data,
            name=title,
            timestamp=_naive_utc(timestamp) if timestamp is not None else None,
            tags=list(tags),
            metadata={str(k): str(v) for k, v in (metadata or {}).items()},
        )


def _naive_utc(moment: datetime) -> datetime:
    """Evidently's dashboard orders snapshots by naive timestamps: UTC without the offset."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


TWO_SAMPLE_CHI2 = "chi2_two_sample"


def _chi2_two_sample(
    reference: pd.Series, current: pd.Series, feature_type: Any, threshold: float
) -> tuple[float, bool]:
    """Chi-square test of independence on the 2 x k table of category counts (reference vs current).

    Evidently's own ``chisquare`` treats the reference shares as the true distribution (a goodness-of-fit
    test), which overstates drift when the reference is itself a sample of a few hundred rows; this test
    treats both as samples. A category seen on one side only adds evidence without forcing p to 0.
    """
    from scipy.stats import chi2_contingency

    table = pd.concat([reference.value_counts(), current.value_counts()], axis=1).fillna(0).to_numpy().T
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return 1.0, False
    p_value = float(chi2_contingency(table)[1])
    return p_value, p_value < threshold


def register_stattests() -> None:
    """Make :data:`TWO_SAMPLE_CHI2` available to Evidently by name (idempotent; nothing runs at import)."""
    from evidently.legacy.calculations.stattests.registry import (
        StatTest,
        _registered_stat_tests,
        register_stattest,
    )
    from evidently.legacy.core import ColumnType

    if TWO_SAMPLE_CHI2 in _registered_stat_tests:
        return
    register_stattest(
        StatTest(
            name=TWO_SAMPLE_CHI2,
            display_name="two-sample chi-square p_value",
            allowed_feature_types=[ColumnType.Categorical],
            default_threshold=0.05,
        ),
        default_impl=_chi2_two_sample,
    )


def parse_results(results: Mapping[str, Any]) -> tuple[dict[str, ColumnDrift], bool, float]:
    """Per-column verdicts, the dataset-drift verdict and the drifted share, from ``snapshot.dict()``.

    A ``ValueDrift`` metric holds a column's test, threshold and score; its test result (``FAIL``)
    says whether Evidently judged the column drifted. ``DriftedColumnsCount`` holds the drifted share
    and its test fails when the share reaches ``drift_share``.
    """
    failed = {
        test["metric_config"]["metric_id"]: test["status"] == "FAIL"
        for test in results.get("tests", [])
        if isinstance(test.get("metric_config"), Mapping) and "metric_id" in test["metric_config"]
    }
    per_column: dict[str, ColumnDrift] = {}
    dataset_drift: bool | None = None
    drifted_share = 0.0
    for metric in results.get("metrics", []):
        config = metric.get("config", {})
        if config.get("type") == _VALUE_DRIFT:
            column = config["column"]
            if metric["id"] not in failed:
                raise DriftReportError(
                    f"The drift report has no test result for column {column!r}. "
                    "Check that evidently 0.7.x is installed (pip install 'evidently>=0.7,<0.8')."
                )
            per_column[column] = ColumnDrift(
                stat_test=str(config.get("method")),
                score=_finite(metric.get("value")),
                threshold=float(config.get("threshold")),
                drifted=failed[metric["id"]],
            )
        elif config.get("type") == _DRIFTED_COLUMNS:
            drifted_share = float(metric["value"]["share"])
            dataset_drift = failed.get(metric["id"])
    if not per_column or dataset_drift is None:
        raise DriftReportError(
            "The drift report holds no per-column or dataset drift results. "
            "Check that evidently 0.7.x is installed (pip install 'evidently>=0.7,<0.8')."
        )
    return per_column, dataset_drift, drifted_share


def decide_drift(
    per_column: Mapping[str, ColumnDrift], *, dataset_drift: bool, drifted_share: float, options: DriftOptions
) -> tuple[bool, list[str]]:
    """Apply the drift rule (module docstring) and say why, in words a governance board can read."""
    drifted = [c for c, v in per_column.items() if v.drifted]
    reasons = [
        f"{len(drifted)} of {len(per_column)} columns drifted (share {drifted_share:.2f}; "
        f"drift when it reaches {options.drift_share:.2f})" + (f": {', '.join(drifted)}." if drifted else ".")
    ]
    key_drifted = [c for c in options.key_columns if c in per_column and per_column[c].drifted]
    explain = {
        "oov_rate": "citizens are using words the model never saw in training",
        "intent": "the mix of predicted intents has changed",
    }
    for column in key_drifted:
        verdict = per_column[column]
        reasons.append(
            f"Key column {column} drifted ({verdict.stat_test} {_fmt(verdict.score)}, threshold "
            f"{verdict.threshold:g})" + (f": {explain[column]}." if column in explain else ".")
        )
    return dataset_drift or bool(key_drifted), reasons


def caveats(reference: pd.DataFrame, current: pd.DataFrame) -> list[str]:
    """Known ways the comparison can mislead, stated next to the verdict."""
    notes = []
    if "oov_rate" in reference.columns and reference["oov_rate"].eq(0).all() and current["oov_rate"].gt(0).any():
        notes.append(
            "Every reference row has oov_rate 0. That is expected when the vocabulary was built from the "
            "reference texts too, and then any new word in current contacts looks like drift: compare the two "
            "oov_rate distributions in the report before acting, or retrain so the reference carries its own oov_rate."
        )
    return notes


def _write_atomically(out_dir: Path, snapshot: Any, summary: DriftSummary) -> None:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.parent / f".{out_dir.name}.partial-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        # Evidently 0.7 writes nothing when given a pathlib.Path: pass str paths.
        snapshot.save_html(str(staging / HTML_NAME))
        snapshot.save_json(str(staging / JSON_NAME))
        _add_banner(staging / HTML_NAME, summary)
        (staging / SUMMARY_NAME).write_text(summary.model_dump_json(indent=2), encoding="utf-8")
        if out_dir.exists():
            out_dir.rmdir()  # empty (checked before the run)
        staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _add_banner(path: Path, summary: DriftSummary) -> None:
    """Give Evidently's page a title and a short verdict at the top, so a reader sees the answer first."""
    page = path.read_text(encoding="utf-8")
    if not page.strip():
        raise DriftReportError(f"Evidently wrote an empty HTML report to {path}. Check the evidently installation.")
    verdict = "Drift detected" if summary.drift_detected else "No drift detected"
    details = "".join(f"<li>{html.escape(r)}</li>" for r in [*summary.reasons, *summary.notes])
    context = " · ".join(f"{html.escape(k)}: {html.escape(v)}" for k, v in summary.context.items())
    banner = (
        '<header style="font-family:sans-serif;padding:12px 24px;border-bottom:1px solid #ddd">'
        f'<h1 style="margin:0 0 4px 0;font-size:22px">{html.escape(summary.title)}</h1>'
        f'<p style="margin:0"><strong>{verdict}</strong> · reference {summary.n_reference} rows · '
        f"current {summary.n_current} rows{' · ' + context if context else ''}</p>"
        f'<ul style="margin:4px 0 0 0">{details}</ul></header>'
    )
    page = page.replace("<head>", f"<head><title>{html.escape(summary.title)}</title>", 1)
    page = page.replace("<body>", f"<body>{banner}", 1)
    path.write_text(page, encoding="utf-8")


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3g}"


def load_summary(path: str | Path) -> DriftSummary:
    """Read a ``summary.json`` written by :func:`run_drift_report`."""
    return DriftSummary.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))
