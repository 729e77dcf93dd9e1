"""The figures of a transparency record: from the MLflow run of the model version, and from monitoring.

Every training figure is an MLflow metric of the run that produced the version, copied as it is kept there
(value and metric name), with the data it was measured on. Every in-service figure comes from the checks that
``triage monitor check`` runs over a window of the decision log. Nothing is computed here that MLflow or the
monitoring do not already hold; a figure that was not measured is left out and said to be missing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from monitoring.atrs_schema import Figure, FigureSource
from monitoring.html import pct, points

if TYPE_CHECKING:
    from monitoring.atrs_facts import MonitoringFacts, RunFacts

Formatter = Callable[[float], str]


def share(value: float) -> str:
    return pct(value)


def count(value: float) -> str:
    return f"{value:,.0f}"


def gap(value: float) -> str:
    return points(value)


def ece(value: float) -> str:
    return f"{value:.3f}"


# Headline metrics of the held-out evaluation, in the order a reader needs them.
HEADLINE: tuple[tuple[str, str, Formatter], ...] = (
    ("accuracy", "Accuracy: share of in-scope contacts whose most likely intent was right", share),
    ("baseline_accuracy", "Baseline for comparison: always guessing the most frequent intent", share),
    ("macro_f1", "Macro-F1: accuracy with every intent weighted equally", share),
    ("ece", "Calibration error (ECE, cross-fitted): gap between confidence and the share right", ece),
    ("accepted_share", "Share of contacts the policy accepted (acted on without a person choosing)", share),
    ("accepted_precision", "Precision of accepted contacts: share right among those accepted", share),
    ("routing_self_service_correct", "Self-service answers sent for the right need", count),
    ("routing_self_service_wrong", "Self-service answers sent for the wrong need", count),
    ("routing_human", "Contacts passed to a person", count),
    ("out_of_scope_recall", "Out-of-scope contacts not acted on (share of those the model was not trained for)", share),
    ("out_of_scope_in_scope_accuracy", "In-scope contacts accepted with the right intent, beside that check", share),
)
SAFEGUARDING: tuple[tuple[str, str, Formatter], ...] = (
    ("safeguarding_recall", "Safeguarding recall: share of vulnerable contacts sent to the safeguarding team", share),
    ("safeguarding_false_alarm_rate", "Safeguarding false alarms: share of other contacts sent there", share),
    ("safeguarding_n_vulnerable", "Vulnerable contacts in the held-out data", count),
)
SEGMENT_MEASURES: tuple[tuple[str, str, Formatter], ...] = (
    ("segment_n", "contacts in the held-out data", count),
    ("segment_accuracy", "accuracy", share),
    ("segment_gap", "accuracy minus overall accuracy", gap),
)


def held_out_description(run: RunFacts) -> str:
    """What the run's held-out figures were measured on, in words (from its parameters and tags)."""
    source = run.params.get("validation_data") or "a held-out split of the training data"
    described = run.tags.get("data_description")
    return f"the held-out data of MLflow run {run.run_id}: {source}" + (f"; {described}" if described else "")


def all_rows(run: RunFacts) -> str:
    n = run.params.get("n_validation", "")
    return f"all {int(n):,} held-out contacts" if n.isdigit() else "all held-out contacts"


def training_figures(run: RunFacts, *, target_precision: float | None) -> list[Figure]:
    """The held-out figures of the run, each exactly as MLflow keeps it."""
    measured_on, rows = held_out_description(run), all_rows(run)
    figures = [_metric(run, key, label, fmt, rows, measured_on) for key, label, fmt in HEADLINE if key in run.metrics]
    for key in sorted(k for k in run.metrics if k.startswith("coverage_at_precision_")):
        level = key.removeprefix("coverage_at_precision_")
        target = target_precision is not None and abs(float(level) - target_precision) < 1e-9
        label = f"Coverage at {level} precision: share of contacts that can be automated with {pct(float(level))} right"
        label += " (the policy's target)" if target else ""
        figures.append(_metric(run, key, label, share, rows, measured_on))
    return figures


def safeguarding_figures(run: RunFacts) -> list[Figure]:
    """Recall and false alarms of the safeguarding detector on the run's held-out data, overall and per category."""
    measured_on = (
        held_out_description(run) + "; the detector's firing threshold was tuned on these same rows to its "
        "false-alarm budget, so recall here is an optimistic figure"
    )
    rows = {
        "safeguarding_recall": "the held-out contacts labelled vulnerable",
        "safeguarding_false_alarm_rate": "the held-out contacts not labelled vulnerable",
    }
    figures = [
        _metric(run, key, label, fmt, rows.get(key, all_rows(run)), measured_on)
        for key, label, fmt in SAFEGUARDING
        if key in run.metrics
    ]
    for key in sorted(k for k in run.metrics if k.startswith("safeguarding_recall/")):
        category = key.split("/", 1)[1]
        n = run.metrics.get(f"safeguarding_n/{category}")
        where = f"the {n:,.0f} held-out contacts labelled {category}" if n else f"held-out contacts labelled {category}"
        figures.append(
            _metric(run, key, f"Safeguarding recall, {category.replace('_', ' ')}", share, where, measured_on)
        )
    return figures


def segment_figures(run: RunFacts) -> list[Figure]:
    """Size, accuracy and gap to overall accuracy of each channel, language and region in the held-out data."""
    figures = []
    measured_on = held_out_description(run)
    segments = sorted({k.split("/", 1)[1] for k in run.metrics if k.startswith("segment_n/")})
    for segment in segments:
        column, _, value = segment.partition("/")
        rows = f"the {run.metrics[f'segment_n/{segment}']:,.0f} held-out contacts with {column} = {value}"
        for prefix, measure, fmt in SEGMENT_MEASURES:
            key = f"{prefix}/{segment}"
            if key in run.metrics:
                figures.append(_metric(run, key, f"{column} {value}: {measure}", fmt, rows, measured_on))
    return figures


def monitoring_figures(facts: MonitoringFacts) -> list[Figure]:
    """In-service figures over the window: volume, automation, accuracy estimated and measured, drift, gaps."""
    quality, report = facts.quality, facts.report
    if quality is None or report is None:
        return []
    where = f"the decision log from {facts.window} (model in service: {facts.model_version})"
    every = f"all {quality.n:,} decisions"

    def summary(key: str, label: str, value: float | None, fmt: Formatter, rows: str = every) -> list[Figure]:
        if value is None:
            return []
        source = FigureSource(kind="monitoring_check", window=facts.window, metric=f"quality.{key}")
        shown = fmt(value)
        return [
            Figure(
                key=f"monitoring.{key}",
                label=label,
                value=value,
                shown=shown,
                rows=rows,
                measured_on=where,
                source=source,
            )
        ]

    labelled = f"the {quality.measured.n:,} decisions with agents' feedback"
    figures = [
        *summary("n", "Decisions made", float(quality.n), count),
        *summary(
            "self_service_share", "Automation rate: share answered by self-service", quality.self_service_share, share
        ),
        *summary("accepted_share", "Share the policy accepted", quality.accepted_share, share),
        *summary("safeguarding", "Contacts sent to the safeguarding team", float(quality.safeguarding), count),
        *summary(
            "human_requests", "Contacts where the person asked for a person", float(quality.human_requests), count
        ),
        *summary(
            "estimated.accuracy", "Estimated accuracy (from calibrated confidence)", quality.estimated.accuracy, share
        ),
        *summary(
            "measured.accuracy", "Measured accuracy (from agents' feedback)", quality.measured.accuracy, share, labelled
        ),
        *summary(
            "estimate_check.error",
            "Estimate minus measured accuracy on the same labelled decisions",
            quality.estimate_check.error,
            gap,
            labelled,
        ),
    ]
    for result in [*report.failed, *report.passed]:
        if result.condition == "drift" and result.value is not None:
            source = FigureSource(kind="monitoring_check", window=facts.window, condition="drift")
            figures.append(
                Figure(
                    key="monitoring.drift",
                    label=f"Drift check ({result.status}): share of monitored columns that drifted",
                    value=result.value,
                    shown=share(result.value),
                    rows=f"{every}, compared with the model's training reference",
                    measured_on=where,
                    source=source,
                )
            )
    for segment in quality.segments:
        if segment.evaluated and segment.gap is not None:
            key = f"segments.{segment.column}.{segment.value}.gap"
            label = f"{segment.column} {segment.value}: measured accuracy minus overall" + (
                " (flagged)" if segment.flagged else ""
            )
            rows = f"the {segment.n_labelled:,} decisions with feedback and {segment.column} = {segment.value}"
            figures.extend(summary(key, label, segment.gap, gap, rows))
    return figures


def _metric(run: RunFacts, key: str, label: str, fmt: Formatter, rows: str, measured_on: str) -> Figure:
    value = run.metrics[key]
    return Figure(
        key=key,
        label=label,
        value=value,
        shown=fmt(value),
        rows=rows,
        measured_on=measured_on,
        source=FigureSource(kind="mlflow_metric", run_id=run.run_id, metric=key),
    )
