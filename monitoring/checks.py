"""Checks a scheduler can alert on: conditions over one window of decisions, each passing, failing or skipped.

Conditions and their defaults (every one can be changed or switched off in a YAML/JSON file; see
:class:`CheckConfig` and ``triage monitor check --print-config``):

``volume``
    Fails when the window has fewer than ``min_rows`` (30) decisions: the service may not be receiving
    contacts, and nothing else can be judged.
``drift``
    Fails when the drift rule of :mod:`monitoring.drift` finds drift. For the check, every *key column*
    (default ``intent, queue, route, oov_rate, channel, language``) is judged by a p-value test at
    ``p_value`` (0.001): a two-sample chi-square for categories and Mann-Whitney for ``oov_rate`` (more
    sensitive than K-S when most contacts have no unseen word), so a daily check false-alarms on about one
    window in a few hundred per key column whatever the reference size. Other columns keep Evidently's own
    tests and only count towards the drifted share (drift when it reaches ``drift_share``, 0.5). p-value tests
    grow sensitive as windows grow: with thousands of decisions per window, consider distance methods for some
    key columns (``methods: {intent: jensenshannon}``, ``thresholds: {intent: 0.1}``).
``estimated_accuracy``
    Fails when estimated accuracy (CBPE) is below ``floor``; by default the reference's estimated accuracy
    minus ``max_drop`` (0.03).
``accepted_share``
    Fails when the share of decisions the policy accepted leaves the band ``reference +/- band`` (0.10), or
    the absolute ``low``/``high`` when given.
``measured_accuracy``
    With at least ``min_labelled`` (50) labelled decisions: fails when accuracy is below ``floor``, by default
    the reference's measured accuracy minus ``max_drop`` (0.05).
``estimate_gap``
    With at least ``min_labelled`` (50) labelled decisions: fails when the estimate exceeds measured accuracy
    on the same decisions by more than ``max_gap`` (0.05): confidence no longer matches reality (concept
    drift, a new intent, or broken calibration). This is the condition that catches what CBPE cannot see.
``intent_gap``
    For each predicted intent with at least ``min_rows`` (5) labelled decisions: fails when so few of them are
    right that their confidence makes it implausible, P(at most that many right) < ``p_value`` (1e-4), with
    confidences capped at ``max_confidence`` (0.99). Concept drift usually hits one intent: this sees it in a
    handful of corrections, long before overall accuracy moves.
``segment_gap``
    For each segment (``channel``, ``language``, ``region``) with at least ``min_rows`` (50) labelled
    decisions: fails when its accuracy is below the window's overall accuracy by more than ``max_gap`` (0.10).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from monitoring.drift import TWO_SAMPLE_CHI2, DriftEvaluation, DriftOptions, evaluate_drift
from monitoring.frames import CATEGORICAL_COLUMNS, align, from_decisions
from monitoring.html import pct, points, size
from monitoring.quality import QualityOptions, QualitySummary, summarise
from triage.errors import ConfigError

if TYPE_CHECKING:
    from monitoring.window import Window
    from triage.model import TriageModel

Status = Literal["pass", "fail", "skipped"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True


class VolumeCondition(_Section):
    min_rows: int = Field(default=30, ge=0)


class DriftCondition(_Section):
    key_columns: tuple[str, ...] = ("intent", "queue", "route", "oov_rate", "channel", "language")
    p_value: float = Field(default=0.001, gt=0.0, lt=1.0)
    methods: dict[str, str] = Field(default_factory=lambda: {"oov_rate": "mannw"})
    thresholds: dict[str, float] = Field(
        default_factory=dict, description="Per-column threshold overriding p_value (e.g. for a distance method)."
    )
    drift_share: float = Field(default=0.5, gt=0.0, le=1.0)
    min_rows: int = Field(default=30, ge=2)


class EstimatedAccuracyCondition(_Section):
    floor: float | None = Field(default=None, ge=0.0, le=1.0)
    max_drop: float = Field(default=0.03, ge=0.0, le=1.0)


class AcceptedShareCondition(_Section):
    band: float = Field(default=0.10, ge=0.0, le=1.0)
    low: float | None = Field(default=None, ge=0.0, le=1.0)
    high: float | None = Field(default=None, ge=0.0, le=1.0)


class MeasuredAccuracyCondition(_Section):
    floor: float | None = Field(default=None, ge=0.0, le=1.0)
    max_drop: float = Field(default=0.05, ge=0.0, le=1.0)
    min_labelled: int = Field(default=50, ge=1)


class EstimateGapCondition(_Section):
    max_gap: float = Field(default=0.05, ge=0.0, le=1.0)
    min_labelled: int = Field(default=50, ge=1)


class IntentGapCondition(_Section):
    min_rows: int = Field(default=5, ge=1)
    p_value: float = Field(default=1e-4, gt=0.0, lt=1.0)
    max_confidence: float = Field(default=0.99, gt=0.0, le=1.0)


class SegmentGapCondition(_Section):
    columns: tuple[str, ...] = ("channel", "language", "region")
    max_gap: float = Field(default=0.10, ge=0.0, le=1.0)
    min_rows: int = Field(default=50, ge=1)


class CheckConfig(BaseModel):
    """All conditions; a file only needs the parts it changes."""

    model_config = ConfigDict(extra="forbid")

    volume: VolumeCondition = Field(default_factory=VolumeCondition)
    drift: DriftCondition = Field(default_factory=DriftCondition)
    estimated_accuracy: EstimatedAccuracyCondition = Field(default_factory=EstimatedAccuracyCondition)
    accepted_share: AcceptedShareCondition = Field(default_factory=AcceptedShareCondition)
    measured_accuracy: MeasuredAccuracyCondition = Field(default_factory=MeasuredAccuracyCondition)
    estimate_gap: EstimateGapCondition = Field(default_factory=EstimateGapCondition)
    intent_gap: IntentGapCondition = Field(default_factory=IntentGapCondition)
    segment_gap: SegmentGapCondition = Field(default_factory=SegmentGapCondition)

    def drift_options(self, columns: list[str]) -> DriftOptions:
        """Drift options for the check: p-value tests at ``p_value`` on the key columns present."""
        drift = self.drift
        methods = {column: method for column, method in drift.methods.items() if column in columns}
        thresholds = {}
        for column in drift.key_columns:
            if column not in columns:
                continue
            methods.setdefault(column, TWO_SAMPLE_CHI2 if column in CATEGORICAL_COLUMNS else "ks")
            thresholds[column] = drift.thresholds.get(column, drift.p_value)
        return DriftOptions(
            drift_share=drift.drift_share,
            key_columns=drift.key_columns,
            min_rows=drift.min_rows,
            per_column_method=methods,
            per_column_threshold=thresholds,
        )

    def quality_options(self) -> QualityOptions:
        return QualityOptions(
            segment_columns=self.segment_gap.columns,
            min_segment_rows=self.segment_gap.min_rows,
            max_segment_gap=self.segment_gap.max_gap,
            max_confidence=self.intent_gap.max_confidence,
        )


def load_config(path: str | Path | None) -> CheckConfig:
    """The check configuration from a YAML or JSON file; the documented defaults when ``path`` is None."""
    if path is None:
        return CheckConfig()
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"Cannot read check config {path}: no such file. Check the path or leave --config out.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"Cannot read check config {path}: not valid YAML or JSON ({exc}).") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"Check config {path} must be a mapping of condition names to settings.")
    try:
        return CheckConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        raise ConfigError(
            f"Check config {path} is invalid: {problems}. Conditions: {', '.join(CheckConfig.model_fields)}; "
            "run `triage monitor check --print-config` to see every setting."
        ) from exc


class ConditionResult(BaseModel):
    """One condition's verdict, in words and numbers."""

    condition: str
    status: Status
    message: str
    value: float | None = None
    threshold: float | str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class CheckReport(BaseModel):
    """What ``triage monitor check`` prints: ``failed`` is empty when every condition passed or was skipped."""

    failed: list[ConditionResult]
    passed: list[ConditionResult]
    skipped: list[ConditionResult]
    window: str
    n: int
    checked_at: datetime
    context: dict[str, str] = Field(default_factory=dict)


class CheckOutcome(BaseModel):
    """The report plus what was computed on the way (for dashboard snapshots)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    report: CheckReport
    quality: QualitySummary
    drift: DriftEvaluation | None = None


def run_check(
    window: Window,
    *,
    model: TriageModel,
    reference: pd.DataFrame | None,
    config: CheckConfig | None = None,
    context: Mapping[str, str] | None = None,
    timestamp: datetime | None = None,
) -> CheckOutcome:
    """Evaluate every enabled condition over ``window``; ``reference`` is the drift reference frame."""
    config = config or CheckConfig()
    quality = summarise(window, model=model, options=config.quality_options(), context=context)
    results: list[ConditionResult] = []
    drift: DriftEvaluation | None = None
    if config.volume.enabled:
        results.append(_volume(quality.n, config.volume))
    if config.drift.enabled:
        result, drift = _drift(window, model=model, reference=reference, config=config, timestamp=timestamp)
        results.append(result)
    if config.estimated_accuracy.enabled:
        results.append(_estimated(quality, config.estimated_accuracy))
    if config.accepted_share.enabled:
        results.append(_accepted(quality, config.accepted_share))
    if config.measured_accuracy.enabled:
        results.append(_measured(quality, config.measured_accuracy))
    if config.estimate_gap.enabled:
        results.append(_estimate_gap(quality, config.estimate_gap))
    if config.intent_gap.enabled:
        results.extend(_intent_gaps(quality, config.intent_gap))
    if config.segment_gap.enabled:
        results.extend(_segment_gaps(quality, config.segment_gap))
    report = CheckReport(
        failed=[r for r in results if r.status == "fail"],
        passed=[r for r in results if r.status == "pass"],
        skipped=[r for r in results if r.status == "skipped"],
        window=window.label,
        n=quality.n,
        checked_at=datetime.now(UTC),
        context=dict(context or {}),
    )
    return CheckOutcome(report=report, quality=quality, drift=drift)


def _volume(n: int, rule: VolumeCondition) -> ConditionResult:
    ok = n >= rule.min_rows
    return ConditionResult(
        condition="volume",
        status="pass" if ok else "fail",
        message=f"{n} decisions in the window"
        + ("." if ok else f", fewer than the {rule.min_rows} expected: is the service receiving contacts?"),
        value=float(n),
        threshold=float(rule.min_rows),
    )


def _drift(
    window: Window,
    *,
    model: TriageModel,
    reference: pd.DataFrame | None,
    config: CheckConfig,
    timestamp: datetime | None,
) -> tuple[ConditionResult, DriftEvaluation | None]:
    rule = config.drift
    if reference is None:
        return _skipped("drift", "No reference data to compare with (the model carries none)."), None
    if len(window.frame) < rule.min_rows:
        return _skipped("drift", f"Fewer than {rule.min_rows} decisions: too few to test for drift."), None
    current = from_decisions(window.frame, source=window.source)
    ref, cur = align(reference, current, vocabulary=model.vocabulary)
    options = config.drift_options(list(ref.columns))
    evaluation = evaluate_drift(
        ref,
        cur,
        options=options,
        title="Contact triage: drift check",
        timestamp=timestamp or window.timestamp,
        metadata={"window": window.label},
    )
    drifted = {c: v.model_dump() for c, v in evaluation.columns.items() if v.drifted}
    return (
        ConditionResult(
            condition="drift",
            status="fail" if evaluation.drift_detected else "pass",
            message=" ".join(evaluation.reasons),
            value=evaluation.drifted_share,
            threshold=f"key columns p < {rule.p_value:g}; drifted share >= {rule.drift_share:g}",
            details={"drifted_columns": drifted, "key_columns": [c for c in rule.key_columns if c in ref.columns]},
        ),
        evaluation,
    )


def _estimated(quality: QualitySummary, rule: EstimatedAccuracyCondition) -> ConditionResult:
    estimate = quality.estimated.accuracy
    reference = quality.reference.estimated_accuracy if quality.reference else None
    floor = rule.floor if rule.floor is not None else (None if reference is None else reference - rule.max_drop)
    if estimate is None or floor is None:
        return _skipped("estimated_accuracy", "No decisions, or no floor: set estimated_accuracy.floor.")
    ok = estimate >= floor
    return ConditionResult(
        condition="estimated_accuracy",
        status="pass" if ok else "fail",
        message=f"Estimated accuracy {pct(estimate)} (95% interval {pct(quality.estimated.lower)} to "
        f"{pct(quality.estimated.upper)}) {'is at or above' if ok else 'is below'} the floor {pct(floor)}"
        + (f" (reference {pct(reference)} minus {size(rule.max_drop)})." if rule.floor is None else "."),
        value=estimate,
        threshold=floor,
    )


def _accepted(quality: QualitySummary, rule: AcceptedShareCondition) -> ConditionResult:
    share = quality.accepted_share
    reference = quality.reference.accepted_share if quality.reference else None
    low = rule.low if rule.low is not None else (None if reference is None else max(0.0, reference - rule.band))
    high = rule.high if rule.high is not None else (None if reference is None else min(1.0, reference + rule.band))
    if share is None or (low is None and high is None):
        return _skipped("accepted_share", "No accepted flags in the data, or no band: set accepted_share.low/high.")
    ok = (low is None or share >= low) and (high is None or share <= high)
    return ConditionResult(
        condition="accepted_share",
        status="pass" if ok else "fail",
        message=f"The policy accepted {pct(share)} of decisions; expected between {pct(low)} and {pct(high)}"
        + (f" (reference {pct(reference)} +/- {size(rule.band)})." if reference is not None else ".")
        + ("" if ok else " A shift this large means thresholds tuned on the old mix may not hold the misroute target."),
        value=share,
        threshold=f"{low} to {high}",
    )


def _measured(quality: QualitySummary, rule: MeasuredAccuracyCondition) -> ConditionResult:
    measured = quality.measured
    if measured.n < rule.min_labelled or measured.accuracy is None:
        return _skipped(
            "measured_accuracy", f"{measured.n} labelled decisions; at least {rule.min_labelled} are needed."
        )
    reference = quality.reference.measured_accuracy if quality.reference else None
    floor = rule.floor if rule.floor is not None else (None if reference is None else reference - rule.max_drop)
    if floor is None:
        return _skipped("measured_accuracy", "No floor: set measured_accuracy.floor (the reference has no labels).")
    ok = measured.accuracy >= floor
    return ConditionResult(
        condition="measured_accuracy",
        status="pass" if ok else "fail",
        message=f"Measured accuracy {pct(measured.accuracy)} on {measured.n} labelled decisions "
        f"{'is at or above' if ok else 'is below'} the floor {pct(floor)}"
        + (f" (reference {pct(reference)} minus {size(rule.max_drop)})." if rule.floor is None else "."),
        value=measured.accuracy,
        threshold=floor,
    )


def _estimate_gap(quality: QualitySummary, rule: EstimateGapCondition) -> ConditionResult:
    check = quality.estimate_check
    if check.measured.n < rule.min_labelled or check.error is None:
        return _skipped("estimate_gap", f"{check.measured.n} labelled decisions; at least {rule.min_labelled} needed.")
    ok = check.error <= rule.max_gap
    return ConditionResult(
        condition="estimate_gap",
        status="pass" if ok else "fail",
        message=f"On {check.measured.n} labelled decisions the estimate is {pct(check.estimated.accuracy)} and "
        f"measured accuracy {pct(check.measured.accuracy)} (estimate minus measured {points(check.error)}; "
        f"limit {size(rule.max_gap)})."
        + (
            ""
            if ok
            else " Confidence no longer matches reality: concept drift, a new intent the model maps to old ones, "
            "or broken calibration. Look at the corrections in the quality report."
        ),
        value=check.error,
        threshold=rule.max_gap,
    )


def _intent_gaps(quality: QualitySummary, rule: IntentGapCondition) -> list[ConditionResult]:
    judged = [i for i in quality.per_intent if i.n_predicted >= rule.min_rows and i.correct_tail_p is not None]
    if not judged:
        return [_skipped("intent_gap", f"No predicted intent has {rule.min_rows} labelled decisions yet.")]
    flagged = [i for i in judged if (i.correct_tail_p or 0.0) < rule.p_value]
    if not flagged:
        worst = min(judged, key=lambda i: i.correct_tail_p or 1.0)
        return [
            ConditionResult(
                condition="intent_gap",
                status="pass",
                message=f"{len(judged)} predicted intents with at least {rule.min_rows} labelled decisions: each is "
                f"corrected about as often as its confidence implies (lowest P = {worst.correct_tail_p:.2g}, "
                f"{worst.intent}).",
                value=worst.correct_tail_p,
                threshold=rule.p_value,
            )
        ]
    out = []
    for i in flagged:
        wrong = quality.top_corrections
        became = sorted((c for c in wrong if c.predicted == i.intent), key=lambda c: -c.n)
        out.append(
            ConditionResult(
                condition=f"intent_gap:{i.intent}",
                status="fail",
                message=f"Predicted {i.intent}: {pct(i.precision)} right on {i.n_predicted} labelled decisions "
                f"although their confidence averages {pct(i.estimated_precision)} (P = {i.correct_tail_p:.2g}). "
                + (
                    f"Agents most often said {became[0].true_intent} instead: has what this intent means changed?"
                    if became
                    else "Look at the agents' corrections for this intent."
                ),
                value=i.correct_tail_p,
                threshold=rule.p_value,
                details={"intent": i.intent, "n": i.n_predicted, "precision": i.precision},
            )
        )
    return out


def _segment_gaps(quality: QualitySummary, rule: SegmentGapCondition) -> list[ConditionResult]:
    overall = quality.measured.accuracy
    evaluated = [s for s in quality.segments if s.evaluated]
    if overall is None or not evaluated:
        return [
            _skipped(
                "segment_gap", f"No segment has {rule.min_rows} labelled decisions (needed to judge an accuracy gap)."
            )
        ]
    flagged = [s for s in evaluated if s.flagged]
    if not flagged:
        return [
            ConditionResult(
                condition="segment_gap",
                status="pass",
                message=f"No segment's accuracy is more than {size(rule.max_gap)} below the overall {pct(overall)} "
                f"({len(evaluated)} segments with at least {rule.min_rows} labelled decisions).",
                value=min(s.gap for s in evaluated if s.gap is not None),
                threshold=-rule.max_gap,
            )
        ]
    return [
        ConditionResult(
            condition=f"segment_gap:{s.column}={s.value}",
            status="fail",
            message=f"{s.column} {s.value}: accuracy {pct(s.accuracy)} on {s.n_labelled} labelled decisions, "
            f"{points(s.gap)} against the overall {pct(overall)} (limit {size(rule.max_gap)} below).",
            value=s.gap,
            threshold=-rule.max_gap,
            details={"column": s.column, "value": s.value, "n_labelled": s.n_labelled},
        )
        for s in flagged
    ]


def _skipped(condition: str, message: str) -> ConditionResult:
    return ConditionResult(condition=condition, status="skipped", message=message)


def empty_window_report(label: str, *, config: CheckConfig, context: Mapping[str, str] | None = None) -> CheckReport:
    """The report for a window with no decisions at all: the volume condition fails, the rest cannot run."""
    volume = _volume(0, config.volume) if config.volume.enabled else None
    return CheckReport(
        failed=[volume] if volume is not None and volume.status == "fail" else [],
        passed=[volume] if volume is not None and volume.status == "pass" else [],
        skipped=[_skipped("all", "No decisions in the window: nothing else can be judged.")],
        window=label,
        n=0,
        checked_at=datetime.now(UTC),
        context=dict(context or {}),
    )


def config_json(config: CheckConfig) -> str:
    return json.dumps(config.model_dump(mode="json"), indent=2)
